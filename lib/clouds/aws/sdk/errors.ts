import {
  AwsAccessError,
  AwsApiError,
  AwsDependencyViolationError,
  AwsInvalidRequestError,
  AwsNotFoundError,
  AwsQuotaExceededError,
  AwsThrottledError,
  PrefixListVersionConflictError,
} from "../errors.js";

/** The EC2 (or STS) error code of an SDK error: ServiceException names itself after the code. */
export function errorCode(error: unknown): string {
  if (typeof error !== "object" || error === null) return "Unknown";
  const { Code, code, name } = error as { Code?: unknown; code?: unknown; name?: unknown };
  for (const candidate of [Code, name, code]) {
    if (typeof candidate === "string" && candidate !== "" && candidate !== "Error") return candidate;
  }
  return "Unknown";
}

/**
 * A stale CurrentVersion on ModifyManagedPrefixList. AWS answers `PrefixListVersionMismatch: The
 * prefix list has the incorrect version number.` (quoted from AWS responses in
 * hashicorp/terraform-provider-aws#43528 and #43661; the API reference only says "the request
 * fails"), and `IncorrectState` while an earlier modification is still in progress; the
 * Terraform provider treats both as a conflicting change. Either way: re-read and retry.
 */
const PREFIX_LIST_CONFLICT_CODES: ReadonlySet<string> = new Set([
  "PrefixListVersionMismatch",
  "IncorrectState",
]);

const ACCESS_CODES: ReadonlySet<string> = new Set([
  "UnauthorizedOperation",
  "AccessDenied",
  "AccessDeniedException",
  "AuthFailure",
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "CredentialsProviderError",
  "OptInRequired",
]);

const THROTTLING_CODES: ReadonlySet<string> = new Set([
  "RequestLimitExceeded",
  "Throttling",
  "ThrottlingException",
]);

type AwsErrorClass = new (message: string, code: string, options?: { cause?: unknown }) => AwsApiError;

function classify(code: string, operation: string): AwsErrorClass {
  if (THROTTLING_CODES.has(code)) return AwsThrottledError;
  if (operation === "ModifyManagedPrefixList" && PREFIX_LIST_CONFLICT_CODES.has(code)) {
    return PrefixListVersionConflictError;
  }
  if (ACCESS_CODES.has(code)) return AwsAccessError;
  if (code.endsWith("LimitExceeded")) return AwsQuotaExceededError;
  if (code.endsWith(".NotFound")) return AwsNotFoundError;
  if (code === "DependencyViolation") return AwsDependencyViolationError;
  if (
    code.startsWith("InvalidParameter") ||
    code.endsWith(".Malformed") ||
    // InvalidGroup.Duplicate and the like: the name is taken. CannotDelete: a VPC's default group
    // (docs/clouds.md, "AWS default security group"). Retrying either cannot help.
    code.endsWith(".Duplicate") ||
    code === "CannotDelete" ||
    code === "MissingParameter" ||
    code === "InvalidPrefixListModification" ||
    code === "IdempotentParameterMismatch"
  ) {
    return AwsInvalidRequestError;
  }
  return AwsApiError;
}

/**
 * Any failure of an EC2 call → one of the errors of errors.ts, with the original as `cause`.
 * Access errors leave out AWS's message: a SignatureDoesNotMatch message can quote the signed
 * request, session token header included.
 */
export function toAwsError(error: unknown, operation: string): AwsApiError {
  if (error instanceof AwsApiError) return error;
  const code = errorCode(error);
  const ErrorClass = classify(code, operation);
  const detail =
    ErrorClass === AwsAccessError || !(error instanceof Error) || error.message === ""
      ? ""
      : `: ${error.message}`;
  return new ErrorClass(`${operation} failed with ${code}${detail}`, code, { cause: error });
}
