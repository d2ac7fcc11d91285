/**
 * What the ingest functions throw. A refused request (IngestRejectedError and its subclasses) is
 * answered with its 4xx status and counted under its reason; nothing is enqueued. The others are
 * failures on segsync's side (5xx), so that the sender retries.
 */
import { errors as jose } from "jose";

/** Why a request was refused: a metric dimension, so a short fixed set. */
export type RejectReason = "method-not-allowed" | "too-large" | "unauthenticated" | "malformed" | "replayed";

/** A request that is refused with a 4xx; `message` goes to the log, `publicMessage` to the caller. */
export class IngestRejectedError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly reason: RejectReason,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  get publicMessage(): string {
    return this.message;
  }
}

export class MethodNotAllowedError extends IngestRejectedError {
  constructor(method: string) {
    super(`method ${method} is not allowed: deliveries are POSTed`, 405, "method-not-allowed");
  }
}

/** Checked before anything else reads the body. Event Grid does not retry a 413 either. */
export class PayloadTooLargeError extends IngestRejectedError {
  constructor(bytes: number, limit: number) {
    super(`the body is ${bytes} bytes, over the limit of ${limit}`, 413, "too-large");
  }
}

/** No credential, or one that does not verify. The caller learns nothing about which check failed. */
export class UnauthenticatedError extends IngestRejectedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 401, "unauthenticated", options);
  }

  override get publicMessage(): string {
    return "the request is not authenticated";
  }
}

/** Not JSON, or not a delivery that segsync accepts (the parsers' issues, naming what and where). */
export class MalformedRequestError extends IngestRejectedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 400, "malformed", options);
  }
}

/**
 * The same credential with the same event or message ids was already accepted by this container.
 * 409, not 401: the credential is valid; the request is a duplicate of one already enqueued.
 */
export class ReplayedRequestError extends IngestRejectedError {
  constructor(ids: readonly string[]) {
    super(`already accepted with the same credential: ${ids.join(", ")}`, 409, "replayed");
  }
}

/** The signing keys (JWKS) could not be fetched: the token is neither accepted nor refused (503). */
export class KeySetUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The Event Grid secret could not be read from Secrets Manager, or is unusable (503). */
export class SecretUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One SendMessageBatch entry that SQS refused. */
export interface FailedEntry {
  readonly deduplicationId: string;
  readonly code: string;
  readonly message: string;
  readonly senderFault: boolean;
}

/** Messages that did not reach the queue; the caller fails so that the sender retries (FIFO dedup absorbs the rest). */
export class EventQueueError extends Error {
  constructor(
    message: string,
    readonly failed: readonly FailedEntry[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The Lambda event is not a Function URL request: a deployment mistake, not a caller's. */
export class FunctionUrlEventError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A failed jose `jwtVerify` as segsync answers it: a token fault (signature, claims, format, an
 * unknown key id) is UnauthenticatedError; anything else (the key set's fetch timed out or failed)
 * is KeySetUnavailableError, so that the sender retries rather than drops the delivery.
 */
export function tokenFailure(error: unknown, what: string): UnauthenticatedError | KeySetUnavailableError {
  const tokenFault =
    error instanceof jose.JWTExpired ||
    error instanceof jose.JWTClaimValidationFailed ||
    error instanceof jose.JWSSignatureVerificationFailed ||
    error instanceof jose.JWSInvalid ||
    error instanceof jose.JWTInvalid ||
    error instanceof jose.JOSEAlgNotAllowed ||
    error instanceof jose.JOSENotSupported ||
    error instanceof jose.JWKSNoMatchingKey ||
    error instanceof jose.JWKSMultipleMatchingKeys;
  const detail = error instanceof Error ? error.message : String(error);
  return tokenFault
    ? new UnauthenticatedError(`${what}: ${detail}`, { cause: error })
    : new KeySetUnavailableError(`${what}: cannot verify now: ${detail}`, { cause: error });
}

/** The queue's depth could not be read or made no sense: the batch is written in full, uncoalesced. */
export class QueueDepthError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
