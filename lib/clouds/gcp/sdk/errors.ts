import {
  GcpAccessError,
  GcpAlreadyExistsError,
  GcpApiError,
  GcpConflictError,
  GcpInvalidRequestError,
  GcpNotFoundError,
  GcpOperationFailedError,
  GcpQuotaExceededError,
  GcpThrottledError,
} from "../errors.js";
import type { SdkOperation } from "./clients.js";

/** What a failed Compute call says about itself. */
export interface ComputeErrorInfo {
  /** HTTP status; 0 when there was no response (connection refused, DNS, …). */
  readonly status: number;
  /** `errors[].reason` (rateLimitExceeded, conditionNotMet, …), ErrorInfo reasons and the RPC status. */
  readonly reasons: readonly string[];
  readonly message: string;
}

interface ApiErrorBody {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly status?: unknown;
  readonly errors?: readonly { readonly reason?: unknown }[];
  readonly details?: readonly { readonly reason?: unknown }[];
}

/**
 * Reads a GaxiosError as the REST transport throws it: the status in `status` and in `code`, and
 * the response body, unparsed, as the message (gax asks for a stream, so `response.data` stays
 * empty). Anything else (a network error, a GoogleError) is read for what it has.
 */
export function computeErrorInfo(error: unknown): ComputeErrorInfo {
  const { status, code, message } = (typeof error === "object" && error !== null ? error : {}) as {
    status?: unknown;
    code?: unknown;
    message?: unknown;
  };
  const text = typeof message === "string" ? message : String(error);
  const body = parseErrorBody(text);
  const httpStatus = [status, code, body?.code].find(
    (candidate): candidate is number => typeof candidate === "number" && candidate >= 100 && candidate < 600,
  );
  const reasons = [...(body?.errors ?? []), ...(body?.details ?? [])]
    .map((entry) => entry.reason)
    .concat(body?.status, typeof code === "string" ? code : undefined)
    .filter((reason): reason is string => typeof reason === "string" && reason !== "");
  const apiMessage = typeof body?.message === "string" ? body.message : text;
  return { status: httpStatus ?? 0, reasons: [...new Set(reasons)], message: redact(apiMessage) };
}

function parseErrorBody(text: string): ApiErrorBody | undefined {
  try {
    const parsed = JSON.parse(text) as { error?: ApiErrorBody };
    return typeof parsed?.error === "object" && parsed.error !== null ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}

/** Compute's messages never quote credentials; this keeps it so should a proxy's ever do. */
function redact(text: string): string {
  return text.replace(/\b(Bearer\s+)\S+/gi, "$1<redacted>").replace(/\bya29\.[\w.-]+/g, "<redacted>");
}

const RATE_LIMIT_REASONS: ReadonlySet<string> = new Set([
  "rateLimitExceeded",
  "userRateLimitExceeded",
  "RATE_LIMIT_EXCEEDED",
]);

const QUOTA_REASONS: ReadonlySet<string> = new Set(["quotaExceeded", "QUOTA_EXCEEDED", "limitExceeded"]);

/**
 * 429, or Compute's rate quota (403 rateLimitExceeded: docs/clouds.md,
 * "GCP Compute operations and rate limits"): worth a retry after a pause.
 */
export function isThrottled(info: ComputeErrorInfo): boolean {
  return info.status === 429 || (info.status === 403 && info.reasons.some((r) => RATE_LIMIT_REASONS.has(r)));
}

type GcpErrorClass = new (
  message: string,
  code: string,
  status: number,
  options?: { cause?: unknown },
) => GcpApiError;

function classify(info: ComputeErrorInfo): GcpErrorClass {
  const has = (reason: string) => info.reasons.includes(reason);
  if (isThrottled(info)) return GcpThrottledError;
  if (info.status === 412 || has("conditionNotMet")) return GcpConflictError;
  if (info.status === 404) return GcpNotFoundError;
  if (info.status === 409 && (info.reasons.length === 0 || has("alreadyExists")))
    return GcpAlreadyExistsError;
  if (info.reasons.some((reason) => QUOTA_REASONS.has(reason))) return GcpQuotaExceededError;
  if (info.status === 400) return GcpInvalidRequestError;
  if (info.status === 401 || info.status === 403) return GcpAccessError;
  return GcpApiError;
}

/** Any failure of a Compute call → one of errors.ts's classes, the reason as `code`, the original as `cause`. */
export function toGcpError(error: unknown, operation: string): GcpApiError {
  if (error instanceof GcpApiError) return error;
  const info = computeErrorInfo(error);
  const code = info.reasons[0] ?? (info.status === 0 ? "unknown" : `http${info.status}`);
  const ErrorClass = classify(info);
  return new ErrorClass(`${operation} failed: ${code}: ${info.message}`, code, info.status, { cause: error });
}

/**
 * An operation that ended DONE with an error. A project quota (the operation's QUOTA_EXCEEDED, as
 * for a firewall rule beyond the "VPC firewall rules" quota) is GcpQuotaExceededError, as the
 * simulator reports it; anything else is GcpOperationFailedError. The operation is the cause.
 */
export function toOperationError(operation: SdkOperation, what: string): GcpApiError {
  const errors = operation.error?.errors ?? [];
  const code = errors.find((entry) => entry.code)?.code ?? "OPERATION_FAILED";
  const detail = errors
    .map((entry) => entry.message ?? entry.code ?? "")
    .filter(Boolean)
    .join("; ");
  const ErrorClass = QUOTA_REASONS.has(code) ? GcpQuotaExceededError : GcpOperationFailedError;
  const message = `${what} failed in operation ${operation.name ?? "?"}: ${code}${detail ? `: ${redact(detail)}` : ""}`;
  return new ErrorClass(message, code, operation.httpErrorStatusCode ?? 0, { cause: operation });
}
