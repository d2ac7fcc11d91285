import { CloudApiError } from "../common/errors.js";
import { MALFORMED_RESPONSE } from "../common/retryable.js";

/**
 * EC2 failures as segsync tells them apart. Both the SDK adapter (sdk/api.ts) and the simulator
 * throw these, with the original error (or the simulated one) as `cause` and the EC2 error code
 * in `code`.
 */
export class AwsApiError extends CloudApiError {
  /**
   * Whether a later attempt can succeed: the subclasses are refusals (not found, invalid, access,
   * quota, dependency) but for throttling and a version conflict; the base class is any other code,
   * a 5xx (InternalError, Unavailable) or a network failure, unless the answer was unreadable.
   */
  get retryable(): boolean {
    if (this.constructor !== AwsApiError) return false;
    return this.code !== MALFORMED_RESPONSE && this.code !== "NotConfigured";
  }
}

/** RequestLimitExceeded that outlasted the SDK's retries. */
export class AwsThrottledError extends AwsApiError {
  override get retryable(): boolean {
    return true;
  }
}

/** RulesPerSecurityGroupLimitExceeded, SecurityGroupsPerInterfaceLimitExceeded, SecurityGroupLimitExceeded, … */
export class AwsQuotaExceededError extends AwsApiError {}

/** InvalidGroup.NotFound, InvalidNetworkInterfaceID.NotFound, InvalidPrefixListID.NotFound, … */
export class AwsNotFoundError extends AwsApiError {}

/** DependencyViolation: e.g. deleting a group that an ENI or another group's rule still uses. */
export class AwsDependencyViolationError extends AwsApiError {}

/** ModifyManagedPrefixList with a CurrentVersion that is no longer current. */
export class PrefixListVersionConflictError extends AwsApiError {
  override get retryable(): boolean {
    return true;
  }
}

/** InvalidParameterValue, InvalidPermission.Malformed, …: the request itself is wrong; retrying cannot help. */
export class AwsInvalidRequestError extends AwsApiError {}

/** Credentials or role assumption failed, or the caller lacks a permission. */
export class AwsAccessError extends AwsApiError {}
