import { describe, expect, it } from "vitest";
import {
  AwsAccessError,
  AwsApiError,
  AwsDependencyViolationError,
  AwsInvalidRequestError,
  AwsNotFoundError,
  AwsQuotaExceededError,
  AwsThrottledError,
  PrefixListVersionConflictError,
} from "../../lib/clouds/aws/errors.js";
import { toAwsError } from "../../lib/clouds/aws/sdk/errors.js";
import {
  AzureAccessError,
  AzureApiError,
  AzureConflictError,
  AzureInvalidRequestError,
  AzureNotFoundError,
  AzureThrottledError,
} from "../../lib/clouds/azure/errors.js";
import {
  GcpAlreadyExistsError,
  GcpApiError,
  GcpConflictError,
  GcpInvalidRequestError,
  GcpThrottledError,
} from "../../lib/clouds/gcp/errors.js";
import { InvalidWorkloadError, InventoryConflictError, InventoryError } from "../../lib/inventory/errors.js";
import { cloudFailure, isRetryable, worseFailure } from "../../lib/reconcile/retryable.js";

const aws = (ErrorClass: typeof AwsApiError, code: string) => new ErrorClass(`failed with ${code}`, code);

describe("isRetryable", () => {
  it.each([
    ["AWS throttling", aws(AwsThrottledError, "RequestLimitExceeded")],
    ["a stale prefix list version", aws(PrefixListVersionConflictError, "PrefixListVersionMismatch")],
    ["an EC2 5xx", aws(AwsApiError, "InternalError")],
    ["an EC2 Unavailable", aws(AwsApiError, "Unavailable")],
    ["Azure throttling", new AzureThrottledError("429", "TooManyRequests", 429)],
    ["a stale Azure etag", new AzureConflictError("412", "PreconditionFailed", 412)],
    ["an ARM 503", new AzureApiError("503", "ServiceUnavailable", 503)],
    ["an ARM 409 (another operation)", new AzureApiError("409", "AnotherOperationInProgress", 409)],
    ["no ARM response", new AzureApiError("reset", "ECONNRESET", 0)],
    ["GCP throttling", new GcpThrottledError("429", "rateLimitExceeded", 403)],
    ["a stale GCP fingerprint", new GcpConflictError("412", "conditionNotMet", 412)],
    ["a Compute 500", new GcpApiError("500", "backendError", 500)],
    ["an unreachable zone", new GcpApiError("unreachable", "UNREACHABLE", 503)],
    ["a revision conflict in the store", new InventoryConflictError("aws:x", 1, 2)],
    ["the store failing", new InventoryError("inventory table t: put failed: ProvisionedThroughputExceeded")],
    ["a refused connection", Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })],
    ["an SDK timeout", Object.assign(new Error("timed out"), { name: "TimeoutError" })],
    [
      "an SDK 503 wrapped as a cause",
      new Error("credentials", { cause: { $metadata: { httpStatusCode: 503 } } }),
    ],
  ])("retries %s", (_, error) => {
    expect(isRetryable(error)).toBe(true);
  });

  it.each([
    ["a group that is gone", aws(AwsNotFoundError, "InvalidGroup.NotFound")],
    ["an invalid parameter", aws(AwsInvalidRequestError, "InvalidParameterValue")],
    ["a missing permission", aws(AwsAccessError, "UnauthorizedOperation")],
    ["access denied", aws(AwsAccessError, "AccessDenied")],
    ["a quota", aws(AwsQuotaExceededError, "RulesPerSecurityGroupLimitExceeded")],
    ["a dependency", aws(AwsDependencyViolationError, "DependencyViolation")],
    ["an EC2 answer segsync cannot read", aws(AwsApiError, "MalformedResponse")],
    ["a place that is not configured", aws(AwsAccessError, "NotConfigured")],
    ["an Azure 400", new AzureInvalidRequestError("400", "SecurityRuleInvalidPriority", 400)],
    ["an Azure 403", new AzureAccessError("403", "AuthorizationFailed", 403)],
    ["an Azure 404", new AzureNotFoundError("404", "NotFound", 404)],
    ["a Compute 400", new GcpInvalidRequestError("400", "invalid", 400)],
    ["a Compute 409 already exists", new GcpAlreadyExistsError("409", "alreadyExists", 409)],
    ["a Compute answer segsync cannot read", new GcpApiError("no name", "MalformedResponse", 0)],
    ["an invalid workload", new InvalidWorkloadError("aws:x", ["bad"])],
    ["a bug", new TypeError("cannot read properties of undefined")],
    ["a thrown string", "nope"],
  ])("does not retry %s", (_, error) => {
    expect(isRetryable(error)).toBe(false);
  });

  it("classifies what the EC2 adapter makes of SDK errors", () => {
    const sdk = (name: string, status: number) =>
      Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });
    expect(isRetryable(toAwsError(sdk("InvalidGroup.NotFound", 400), "DescribeSecurityGroups"))).toBe(false);
    expect(isRetryable(toAwsError(sdk("UnauthorizedOperation", 403), "DescribeInstances"))).toBe(false);
    expect(isRetryable(toAwsError(sdk("RequestLimitExceeded", 503), "DescribeInstances"))).toBe(true);
    expect(isRetryable(toAwsError(sdk("InternalError", 500), "DescribeInstances"))).toBe(true);
  });
});

describe("cloudFailure and worseFailure", () => {
  it("describes the error and its retryability", () => {
    expect(cloudFailure(aws(AwsNotFoundError, "InvalidGroup.NotFound"))).toEqual({
      message: "AwsNotFoundError: failed with InvalidGroup.NotFound",
      retryable: false,
    });
  });

  it("keeps a retryable failure over a non-retryable one, in either order", () => {
    const refused = { message: "refused", retryable: false };
    const throttled = { message: "throttled", retryable: true };
    expect(worseFailure(refused, throttled)).toBe(throttled);
    expect(worseFailure(throttled, refused)).toBe(throttled);
    expect(worseFailure(undefined, refused)).toBe(refused);
    expect(worseFailure(refused, { message: "later", retryable: false })).toBe(refused);
  });
});
