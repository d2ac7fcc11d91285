import {
  type AwsApiError,
  AwsDependencyViolationError,
  AwsInvalidRequestError,
  AwsNotFoundError,
  AwsQuotaExceededError,
  AwsThrottledError,
  PrefixListVersionConflictError,
} from "../errors.js";

/**
 * The simulator fails the way sdk-api.ts does: one of errors.ts's classes with the EC2 error
 * code, and as `cause` an error shaped like the SDK's service exception (its name is the code).
 */
type AwsApiErrorClass = new (message: string, code: string, options?: { cause?: unknown }) => AwsApiError;

function ec2Failure(ErrorClass: AwsApiErrorClass, code: string, message: string): AwsApiError {
  const cause = Object.assign(new Error(message), { name: code });
  return new ErrorClass(`${code}: ${message}`, code, { cause });
}

export const fail = {
  invalid: (code: string, message: string) => ec2Failure(AwsInvalidRequestError, code, message),
  notFound: (code: string, message: string) => ec2Failure(AwsNotFoundError, code, message),
  quota: (code: string, message: string) => ec2Failure(AwsQuotaExceededError, code, message),
  dependency: (message: string) => ec2Failure(AwsDependencyViolationError, "DependencyViolation", message),
  versionConflict: (message: string) =>
    ec2Failure(PrefixListVersionConflictError, "PrefixListVersionMismatch", message),
  throttled: () => ec2Failure(AwsThrottledError, "RequestLimitExceeded", "Request limit exceeded."),
};

export { SimulationInputError } from "../../sim-support/simulation-input-error.js";
