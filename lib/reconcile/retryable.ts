/**
 * Whether retrying a failed reconcile can help. On the single FIFO message group a message
 * reported failed holds back every later one until it succeeds or reaches the dead-letter queue
 * (5 receives × 15 minutes), so a failure is retried only when a later attempt can succeed:
 * throttling, a 5xx, a network error or timeout, an optimistic-concurrency conflict, the
 * inventory store failing. Anything else (a request the cloud refuses, a permission missing on
 * one object, a response segsync cannot read, a bug) fails the same way every time: it is
 * reported as a finding and the message is acknowledged; the next full sync tries again
 * (docs/trust-model.md, "Events").
 */
import { retryableFlag } from "../clouds/common/retryable.js";
import {
  InvalidIdError,
  InvalidLabelsError,
  InvalidNetworkError,
  InvalidWorkloadError,
  InventoryError,
} from "../inventory/errors.js";

/** How a reconcile reports a cloud it could not read or write. */
export interface CloudFailure {
  readonly message: string;
  /** Retrying the messages about this cloud can help; otherwise they are acknowledged. */
  readonly retryable: boolean;
}

export function cloudFailure(error: unknown): CloudFailure {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { message, retryable: isRetryable(error) };
}

/** Of two failures of one cloud, the one that decides: a retryable one, else the first. */
export function worseFailure(first: CloudFailure | undefined, second: CloudFailure): CloudFailure {
  if (first === undefined) return second;
  return !first.retryable && second.retryable ? second : first;
}

/** Node's and undici's codes for a connection that failed or timed out. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/** Error names (the AWS SDK's, the fetch API's) that say the call timed out or was throttled. */
const TRANSIENT_NAMES: ReadonlySet<string> = new Set([
  "TimeoutError",
  "AbortError",
  "RequestTimeout",
  "RequestTimeoutException",
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "InternalServerError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
]);

export function isRetryable(error: unknown): boolean {
  if (error instanceof InventoryError) return inventoryRetryable(error);
  // A cloud's API error says itself (lib/clouds/<cloud>/errors.ts).
  return retryableFlag(error) ?? transient(error);
}

/** The store failing is retried (DynamoDB throttled or unavailable, a revision conflict); bad input is not. */
function inventoryRetryable(error: InventoryError): boolean {
  return !(
    error instanceof InvalidIdError ||
    error instanceof InvalidLabelsError ||
    error instanceof InvalidWorkloadError ||
    error instanceof InvalidNetworkError
  );
}

/**
 * An error of no segsync class, or one that wraps another (a credential that could not be
 * fetched): transient when it, or an error it was caused by, is a network failure, a timeout, a
 * throttle or a 5xx as the AWS SDK (`$retryable`, `$metadata.httpStatusCode`) or Node tell it.
 */
function transient(error: unknown, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 5) return false;
  const { name, code, $retryable, $metadata, cause } = error as {
    name?: unknown;
    code?: unknown;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: unknown };
    cause?: unknown;
  };
  if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
  if (typeof name === "string" && TRANSIENT_NAMES.has(name)) return true;
  if (typeof $retryable === "object" && $retryable !== null) return true;
  const status = $metadata?.httpStatusCode;
  if (typeof status === "number" && (status === 429 || status >= 500)) return true;
  return transient(cause, depth + 1);
}
