import { describe, expect, it } from "vitest";
import { AwsApiError, AwsNotFoundError } from "../../../lib/clouds/aws/errors.js";
import { AwsEventError } from "../../../lib/clouds/aws/ingest/errors.js";
import { AzureApiError, AzureThrottledError } from "../../../lib/clouds/azure/errors.js";
import { AzureEventError } from "../../../lib/clouds/azure/ingest/errors.js";
import { CloudApiError, CloudEventError, HttpCloudApiError } from "../../../lib/clouds/common/errors.js";
import { fieldPath, rejectedEvent } from "../../../lib/clouds/common/event-issues.js";
import { GcpApiError, GcpConflictError } from "../../../lib/clouds/gcp/errors.js";
import { GcpEventError } from "../../../lib/clouds/gcp/ingest/errors.js";

describe("the clouds' API errors", () => {
  it("name themselves after their own class and keep code, status and cause", () => {
    const cause = new Error("from the SDK");
    const aws = new AwsNotFoundError("no such group", "InvalidGroup.NotFound", { cause });
    expect(aws).toBeInstanceOf(AwsApiError);
    expect(aws).toBeInstanceOf(CloudApiError);
    expect([aws.name, aws.code, aws.message, aws.cause]).toEqual([
      "AwsNotFoundError",
      "InvalidGroup.NotFound",
      "no such group",
      cause,
    ]);
    const azure = new AzureThrottledError("slow down", "TooManyRequests", 429, { cause });
    expect(azure).toBeInstanceOf(HttpCloudApiError);
    expect([azure.name, azure.code, azure.status, azure.cause]).toEqual([
      "AzureThrottledError",
      "TooManyRequests",
      429,
      cause,
    ]);
    const gcp = new GcpConflictError("stale fingerprint", "conditionNotMet", 412);
    expect([gcp.name, gcp.status, gcp.cause]).toEqual(["GcpConflictError", 412, undefined]);
  });

  it("keep each cloud's errors apart", () => {
    const azure = new AzureApiError("x", "Code", 400);
    expect(azure).not.toBeInstanceOf(GcpApiError);
    expect(azure).not.toBeInstanceOf(AwsApiError);
    expect(new GcpApiError("x", "invalid", 400)).not.toBeInstanceOf(AzureApiError);
  });
});

describe("the clouds' event errors", () => {
  it("say the cloud and every line, and keep the lines", () => {
    const lines = ["detail.state: expected a string", "resources[0]: missing"];
    const aws = rejectedEvent(AwsEventError, "AWS", lines);
    expect(aws).toBeInstanceOf(AwsEventError);
    expect(aws).toBeInstanceOf(CloudEventError);
    expect(aws.name).toBe("AwsEventError");
    expect(aws.message).toBe("AWS event rejected: detail.state: expected a string; resources[0]: missing");
    expect(aws.issues).toEqual(lines);
    expect(rejectedEvent(AzureEventError, "Azure", ["(the body): x"]).name).toBe("AzureEventError");
    expect(rejectedEvent(GcpEventError, "GCP", ["message.data: x"])).not.toBeInstanceOf(AzureEventError);
  });

  it("name a field by its path, and the value itself by `whole`", () => {
    expect(fieldPath(["detail", "instance-id"], "(the event)")).toBe("detail.instance-id");
    expect(fieldPath([0, "data", "operationName"], "(the body)")).toBe("[0].data.operationName");
    expect(fieldPath(["resources", 0], "(the event)")).toBe("resources[0]");
    expect(fieldPath([], "(the event)")).toBe("(the event)");
  });
});
