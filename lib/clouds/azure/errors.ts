import { HttpCloudApiError } from "../common/errors.js";
import { MALFORMED_RESPONSE } from "../common/retryable.js";

/**
 * ARM failures as segsync tells them apart. Both the SDK adapter (sdk/api.ts) and the simulator
 * throw these, with the original error as `cause`, the ARM error code in `code` and the HTTP
 * status in `status`.
 */
export class AzureApiError extends HttpCloudApiError {
  /**
   * Whether a later attempt can succeed: the subclasses are refusals but for throttling and a
   * stale etag; the base class is a 5xx, a 409 or no response, unless the answer was unreadable.
   */
  get retryable(): boolean {
    if (this.constructor !== AzureApiError || this.code === MALFORMED_RESPONSE) return false;
    // 0: no response (a network error); 409: another operation holds the resource.
    return this.status === 0 || this.status === 409 || this.status >= 500;
  }
}

/** 429 that outlasted the retries (throttling, or RetryableErrorDueToAnotherOperation). */
export class AzureThrottledError extends AzureApiError {
  override get retryable(): boolean {
    return true;
  }
}

/** 412 PreconditionFailed: the etag sent is stale; re-read and retry. */
export class AzureConflictError extends AzureApiError {
  override get retryable(): boolean {
    return true;
  }
}

/** 404 ResourceNotFound / NotFound. */
export class AzureNotFoundError extends AzureApiError {}

/** A quota: rules per NSG, ASGs per rule or per NIC, prefixes per rule, … */
export class AzureQuotaExceededError extends AzureApiError {}

/** 400: the request itself is wrong (SecurityRuleInvalidPriority, InvalidResourceReference, …). */
export class AzureInvalidRequestError extends AzureApiError {}

/** InUseNetworkSecurityGroupCannotBeDeleted, ApplicationSecurityGroupInUse…: something still uses it. */
export class AzureInUseError extends AzureApiError {}

/** 401/403: credentials or a missing role assignment. */
export class AzureAccessError extends AzureApiError {}

/** A long-running operation ended Failed or Canceled. */
export class AzureOperationFailedError extends AzureApiError {}
