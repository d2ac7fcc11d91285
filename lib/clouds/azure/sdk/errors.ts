import {
  AzureAccessError,
  AzureApiError,
  AzureConflictError,
  AzureInUseError,
  AzureInvalidRequestError,
  AzureNotFoundError,
  AzureOperationFailedError,
  AzureQuotaExceededError,
  AzureThrottledError,
} from "../errors.js";

/** What segsync reads of a RestError (core-client and the modular compute client throw different classes). */
interface RestErrorLike extends Error {
  readonly statusCode?: number;
  readonly code?: string;
}

function isRestError(error: unknown): error is RestErrorLike {
  return error instanceof Error && error.name === "RestError";
}

/** The ARM error of a failed long-running operation, as its last poll answered it. */
export interface OperationFailure {
  readonly status: string;
  readonly code?: string;
  readonly message?: string;
}

type AzureErrorClass = new (
  message: string,
  code: string,
  status: number,
  options?: { cause?: unknown },
) => AzureApiError;

/** Network RP quota codes: SecurityRuleCountLimitReached, …LimitExceeded, QuotaExceeded, … */
const QUOTA_CODE = /limit(reached|exceeded)|quotaexceeded|toomany|exceedsmax/i;
/** InUseNetworkSecurityGroupCannotBeDeleted, ApplicationSecurityGroupInUse…, … */
const IN_USE_CODE = /inuse/i;

function classify(status: number, code: string): AzureErrorClass {
  if (status === 429) return AzureThrottledError;
  if (status === 412) return AzureConflictError;
  if (status === 401 || status === 403) return AzureAccessError;
  if (status === 404) return AzureNotFoundError;
  if (IN_USE_CODE.test(code)) return AzureInUseError;
  if (QUOTA_CODE.test(code)) return AzureQuotaExceededError;
  if (status === 400) return AzureInvalidRequestError;
  return AzureApiError;
}

/**
 * Any failure of an ARM call → one of the errors of errors.ts, with the original as `cause`.
 * Access errors leave out ARM's message (it can describe the token's claims). The RestError kept
 * as cause holds the request, authorization header included, but the SDK makes request and
 * response non-enumerable and redacts them when inspected.
 */
export function toAzureError(error: unknown, operation: string, failure?: OperationFailure): AzureApiError {
  if (error instanceof AzureApiError) return error;
  if (failure !== undefined) {
    const code = failure.code ?? failure.status;
    const detail = failure.message === undefined ? "" : `: ${failure.message}`;
    return new AzureOperationFailedError(
      `${operation} ended ${failure.status} with ${code}${detail}`,
      code,
      0,
      {
        cause: error,
      },
    );
  }
  if (isRestError(error)) {
    const status = error.statusCode ?? 0;
    const code = error.code ?? (status === 0 ? "RequestFailed" : `Http${status}`);
    const ErrorClass = classify(status, code);
    const detail = ErrorClass === AzureAccessError || error.message === "" ? "" : `: ${error.message}`;
    const statusText = status === 0 ? "" : ` (HTTP ${status})`;
    return new ErrorClass(`${operation} failed with ${code}${statusText}${detail}`, code, status, {
      cause: error,
    });
  }
  const code = systemErrorCode(error) ?? "Unknown";
  const detail = error instanceof Error && error.message !== "" ? `: ${error.message}` : "";
  return new AzureApiError(`${operation} failed with ${code}${detail}`, code, 0, { cause: error });
}

function systemErrorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { code } = error as { code?: unknown };
  return typeof code === "string" && code !== "" ? code : undefined;
}

/** True for a 404 of any kind (ResourceNotFound, NotFound, ResourceGroupNotFound): "it is not there". */
export function isNotFound(error: unknown): boolean {
  return isRestError(error) && error.statusCode === 404;
}
