import { HttpCloudApiError } from "../common/errors.js";
import { MALFORMED_RESPONSE } from "../common/retryable.js";

/**
 * Compute API failures as segsync tells them apart. Both the SDK adapter (sdk/api.ts) and the
 * simulator throw these, with the original error as `cause`, the reason in `code` and the HTTP
 * status in `status`.
 */
export class GcpApiError extends HttpCloudApiError {
  /**
   * Whether a later attempt can succeed: the subclasses are refusals but for throttling and a
   * stale fingerprint; the base class is a 5xx or no response, unless the answer was unreadable.
   */
  get retryable(): boolean {
    if (this.constructor !== GcpApiError || this.code === MALFORMED_RESPONSE) return false;
    // 0: no response (a network error).
    return this.status === 0 || this.status >= 500;
  }
}

/** 403 rateLimitExceeded or 429 that outlasted the retries. */
export class GcpThrottledError extends GcpApiError {
  override get retryable(): boolean {
    return true;
  }
}

/** 412 conditionNotMet: a stale fingerprint. */
export class GcpConflictError extends GcpApiError {
  override get retryable(): boolean {
    return true;
  }
}

/** 404 notFound. */
export class GcpNotFoundError extends GcpApiError {}

/** 409 alreadyExists. */
export class GcpAlreadyExistsError extends GcpApiError {}

/** A per-rule, per-instance or per-project limit (QUOTA_EXCEEDED, too many tags or ranges). */
export class GcpQuotaExceededError extends GcpApiError {}

/** 400 invalid / badRequest: the request itself is wrong. */
export class GcpInvalidRequestError extends GcpApiError {}

/** 401/403 (other than rate limits): credentials or permissions. */
export class GcpAccessError extends GcpApiError {}

/** An operation finished DONE with an error. */
export class GcpOperationFailedError extends GcpApiError {}

/** An instance segsync cannot model as a workload (a NIC whose network is no network URL, …). */
export class GcpUnmodelableInstanceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
