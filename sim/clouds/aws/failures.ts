import {
  AwsApiError,
  AwsDependencyViolationError,
  AwsInvalidRequestError,
  AwsNotFoundError,
  AwsQuotaExceededError,
  AwsThrottledError,
  PrefixListVersionConflictError,
} from "../../../lib/clouds/aws/errors.js";
import type { ServerErrorStatus } from "../common/call-log.js";

/**
 * The simulator fails the way the SDK adapter (lib/clouds/<cloud>/sdk/api.ts) does: one of errors.ts's classes with the EC2 error
 * code, and as `cause` an error shaped like the SDK's service exception (its name is the code).
 */
type AwsApiErrorClass = new (message: string, code: string, options?: { cause?: unknown }) => AwsApiError;

/** `httpStatusCode`, when given, goes where the SDK's exception carries it, with its `$fault`. */
function ec2Failure(
  ErrorClass: AwsApiErrorClass,
  code: string,
  message: string,
  httpStatusCode?: number,
): AwsApiError {
  const cause = Object.assign(
    new Error(message),
    { name: code },
    httpStatusCode === undefined
      ? {}
      : { $fault: httpStatusCode >= 500 ? "server" : "client", $metadata: { httpStatusCode } },
  );
  return new ErrorClass(`${code}: ${message}`, code, { cause });
}

/**
 * EC2's 5xx codes and messages (EC2 API reference, "Error codes for the Amazon EC2 API").
 * sdk-errors.ts has no class for them, so they stay AwsApiError, as a real 5xx does once the SDK
 * stops retrying.
 */
const SERVER_ERRORS: Readonly<Record<ServerErrorStatus, { code: string; message: string }>> = {
  500: { code: "InternalError", message: "An internal error has occurred." },
  503: { code: "Unavailable", message: "The server is overloaded and can't handle the request." },
};

export const fail = {
  invalid: (code: string, message: string) => ec2Failure(AwsInvalidRequestError, code, message),
  notFound: (code: string, message: string) => ec2Failure(AwsNotFoundError, code, message),
  quota: (code: string, message: string) => ec2Failure(AwsQuotaExceededError, code, message),
  dependency: (message: string) => ec2Failure(AwsDependencyViolationError, "DependencyViolation", message),
  versionConflict: (message: string) =>
    ec2Failure(PrefixListVersionConflictError, "PrefixListVersionMismatch", message),
  throttled: () => ec2Failure(AwsThrottledError, "RequestLimitExceeded", "Request limit exceeded."),
  serverError: (status: ServerErrorStatus) =>
    ec2Failure(AwsApiError, SERVER_ERRORS[status].code, SERVER_ERRORS[status].message, status),
};

export { SimulationInputError } from "../common/simulation-input-error.js";
