import {
  AzureApiError,
  AzureConflictError,
  AzureInUseError,
  AzureInvalidRequestError,
  AzureNotFoundError,
  AzureQuotaExceededError,
  AzureThrottledError,
} from "../../../lib/clouds/azure/errors.js";
import type { ServerErrorStatus } from "../common/call-log.js";

/**
 * The simulator fails the way the SDK adapter (lib/clouds/<cloud>/sdk/api.ts) does: one of errors.ts's classes with the ARM error code
 * and HTTP status, and as `cause` an error shaped like @azure/core-rest-pipeline's RestError.
 * Where ARM's own code is known it is used (SecurityRuleConflict, InvalidResourceReference,
 * InUseNetworkSecurityGroupCannotBeDeleted, PrivateIPAddressInUse, PreconditionFailed, …); the
 * quota codes are named for what they mean.
 */
type AzureApiErrorClass = new (
  message: string,
  code: string,
  status: number,
  options?: { cause?: unknown },
) => AzureApiError;

function armFailure(ErrorClass: AzureApiErrorClass, status: number, code: string, message: string) {
  const cause = Object.assign(new Error(message), { name: "RestError", code, statusCode: status });
  return new ErrorClass(`${code}: ${message}`, code, status, { cause });
}

/**
 * ARM's 5xx (the Network RP's 500 says no more than "An error occurred."). sdk-errors.ts classifies neither status, so they stay
 * AzureApiError, as a real 5xx does once the client's retries are spent.
 */
const SERVER_ERRORS: Readonly<Record<ServerErrorStatus, { code: string; message: string }>> = {
  500: {
    code: "InternalServerError",
    message: "An error occurred.",
  },
  503: {
    code: "ServiceUnavailable",
    message: "The service is currently unavailable. Please try again later.",
  },
};

export const fail = {
  invalid: (code: string, message: string) => armFailure(AzureInvalidRequestError, 400, code, message),
  quota: (code: string, message: string) => armFailure(AzureQuotaExceededError, 400, code, message),
  inUse: (code: string, message: string) => armFailure(AzureInUseError, 400, code, message),
  notFound: (message: string) => armFailure(AzureNotFoundError, 404, "ResourceNotFound", message),
  /** ARM answers a missing or other-region reference with one code and one message. */
  reference: (referenced: string, by: string) =>
    armFailure(
      AzureInvalidRequestError,
      400,
      "InvalidResourceReference",
      `Resource ${referenced} referenced by resource ${by} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
    ),
  preconditionFailed: (id: string) =>
    armFailure(
      AzureConflictError,
      412,
      "PreconditionFailed",
      `The condition specified using HTTP conditional header(s) is not met for ${id}.`,
    ),
  throttled: () =>
    armFailure(
      AzureThrottledError,
      429,
      "TooManyRequests",
      "The request is being throttled as the limit has been reached for operation type. Retry after 17 seconds.",
    ),
  serverError: (status: ServerErrorStatus) =>
    armFailure(AzureApiError, status, SERVER_ERRORS[status].code, SERVER_ERRORS[status].message),
};

export { SimulationInputError } from "../common/simulation-input-error.js";
