import { CloudApiError } from "../shared/errors.js";

/**
 * EC2 failures as segsync tells them apart. Both the SDK adapter (sdk/api.ts) and the simulator
 * throw these, with the original error (or the simulated one) as `cause` and the EC2 error code
 * in `code`.
 */
export class AwsApiError extends CloudApiError {}

/** RequestLimitExceeded that outlasted the SDK's retries. */
export class AwsThrottledError extends AwsApiError {}

/** RulesPerSecurityGroupLimitExceeded, SecurityGroupsPerInterfaceLimitExceeded, SecurityGroupLimitExceeded, … */
export class AwsQuotaExceededError extends AwsApiError {}

/** InvalidGroup.NotFound, InvalidNetworkInterfaceID.NotFound, InvalidPrefixListID.NotFound, … */
export class AwsNotFoundError extends AwsApiError {}

/** DependencyViolation: e.g. deleting a group that an ENI or another group's rule still uses. */
export class AwsDependencyViolationError extends AwsApiError {}

/** ModifyManagedPrefixList with a CurrentVersion that is no longer current. */
export class PrefixListVersionConflictError extends AwsApiError {}

/** InvalidParameterValue, InvalidPermission.Malformed, …: the request itself is wrong; retrying cannot help. */
export class AwsInvalidRequestError extends AwsApiError {}

/** Credentials or role assumption failed, or the caller lacks a permission. */
export class AwsAccessError extends AwsApiError {}
