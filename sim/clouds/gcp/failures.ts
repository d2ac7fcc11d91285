import {
  GcpAlreadyExistsError,
  GcpApiError,
  GcpConflictError,
  GcpInvalidRequestError,
  GcpNotFoundError,
  GcpQuotaExceededError,
  GcpThrottledError,
} from "../../../lib/clouds/gcp/errors.js";
import type { ServerErrorStatus } from "../common/call-log.js";

/**
 * The simulator fails the way the SDK adapter (lib/clouds/<cloud>/sdk/api.ts) does: one of errors.ts's classes with the Compute
 * reason as `code` and the HTTP status, and as `cause` an error shaped like the REST API's error
 * body (`code` is the status, `errors[0].reason` the reason). Messages follow Compute's own wording.
 */
type GcpApiErrorClass = new (
  message: string,
  code: string,
  status: number,
  options?: { cause?: unknown },
) => GcpApiError;

function computeFailure(ErrorClass: GcpApiErrorClass, status: number, reason: string, message: string) {
  const cause = Object.assign(new Error(message), {
    code: status,
    errors: [{ message, domain: "global", reason }],
  });
  return new ErrorClass(`${reason}: ${message}`, reason, status, { cause });
}

/**
 * Compute's 5xx: 503 backendError is what it answers when a backend is unavailable, 500
 * internalError an internal failure. sdk-errors.ts classifies neither, so they stay GcpApiError.
 */
const SERVER_ERRORS: Readonly<Record<ServerErrorStatus, { reason: string; message: string }>> = {
  500: { reason: "internalError", message: "Internal error encountered." },
  503: { reason: "backendError", message: "Internal error. Please try again or contact Google Support." },
};

export const fail = {
  /** 400 invalid, worded as Compute words it: the field, the value, and why. */
  invalid: (field: string, value: unknown, why: string) =>
    computeFailure(
      GcpInvalidRequestError,
      400,
      "invalid",
      `Invalid value for field '${field}': '${String(value)}'. ${why}`,
    ),
  /** A per-rule or per-instance system limit (too many ranges, tags). */
  limit: (field: string, count: number, limit: number, what: string) =>
    computeFailure(
      GcpQuotaExceededError,
      400,
      "limitExceeded",
      `Invalid value for field '${field}': ${count} ${what}. At most ${limit} are allowed.`,
    ),
  /** A project quota, reported by the operation as QUOTA_EXCEEDED. */
  quota: (metric: string, limit: number) =>
    computeFailure(
      GcpQuotaExceededError,
      403,
      "QUOTA_EXCEEDED",
      `Quota '${metric}' exceeded. Limit: ${limit.toFixed(1)} globally.`,
    ),
  notFound: (resource: string) =>
    computeFailure(GcpNotFoundError, 404, "notFound", `The resource '${resource}' was not found`),
  alreadyExists: (resource: string) =>
    computeFailure(GcpAlreadyExistsError, 409, "alreadyExists", `The resource '${resource}' already exists`),
  staleFingerprint: (resource: string) =>
    computeFailure(
      GcpConflictError,
      412,
      "conditionNotMet",
      `Supplied fingerprint does not match current tags fingerprint of '${resource}'.`,
    ),
  throttled: () =>
    computeFailure(
      GcpThrottledError,
      403,
      "rateLimitExceeded",
      "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'compute.googleapis.com'.",
    ),
  serverError: (status: ServerErrorStatus) =>
    computeFailure(GcpApiError, status, SERVER_ERRORS[status].reason, SERVER_ERRORS[status].message),
};

export { SimulationInputError } from "../common/simulation-input-error.js";
