import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CreateTagsCommand,
  DeleteManagedPrefixListCommand,
  DeleteSecurityGroupCommand,
  EC2Client,
  ModifyManagedPrefixListCommand,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  AwsAccessError,
  AwsApiError,
  AwsDependencyViolationError,
  AwsInvalidRequestError,
  AwsNotFoundError,
  AwsQuotaExceededError,
  AwsThrottledError,
  PrefixListVersionConflictError,
} from "../../../../lib/clouds/aws/errors.js";
import { ec2Error, sdkApi, TEST_CREDENTIALS } from "./api-fixtures.js";

async function failure(promise: Promise<unknown>): Promise<AwsApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AwsApiError)) throw new Error(`expected an AwsApiError, got ${String(error)}`);
  return error;
}

/** Mocked for the mapping tests; restored for the retry tests, which need the SDK's real stack. */
const ec2Mock = mockClient(EC2Client);

describe("error mapping", () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it.each([
    ["RequestLimitExceeded", AwsThrottledError],
    ["RulesPerSecurityGroupLimitExceeded", AwsQuotaExceededError],
    ["SecurityGroupsPerInterfaceLimitExceeded", AwsQuotaExceededError],
    ["SecurityGroupLimitExceeded", AwsQuotaExceededError],
    ["InvalidGroup.NotFound", AwsNotFoundError],
    ["InvalidPrefixListID.NotFound", AwsNotFoundError],
    ["DependencyViolation", AwsDependencyViolationError],
    ["InvalidParameterValue", AwsInvalidRequestError],
    ["InvalidParameterCombination", AwsInvalidRequestError],
    ["InvalidPermission.Malformed", AwsInvalidRequestError],
    ["InvalidGroupId.Malformed", AwsInvalidRequestError],
    // The name is taken, or the group is a VPC's default group: retrying cannot help.
    ["InvalidGroup.Duplicate", AwsInvalidRequestError],
    ["CannotDelete", AwsInvalidRequestError],
    ["UnauthorizedOperation", AwsAccessError],
    ["AuthFailure", AwsAccessError],
    ["ExpiredToken", AwsAccessError],
    ["AccessDenied", AwsAccessError],
    ["IncorrectState", AwsApiError],
    ["InternalError", AwsApiError],
  ] as const)("%s → %o, with the EC2 error as cause and its code", async (code, ErrorClass) => {
    const original = ec2Error(code);
    ec2Mock.on(CreateTagsCommand).rejects(original);

    const error = await failure(sdkApi().createTags(["sg-1"], [{ Key: "k", Value: "v" }]));

    expect(error.constructor).toBe(ErrorClass);
    expect(error.code).toBe(code);
    expect(error.cause).toBe(original);
    expect(error.message).toContain("CreateTags");
  });

  it("deletes idempotently: a group or prefix list already gone is success, other failures are not", async () => {
    ec2Mock.on(DeleteSecurityGroupCommand).rejects(ec2Error("InvalidGroup.NotFound"));
    ec2Mock.on(DeleteManagedPrefixListCommand).rejects(ec2Error("InvalidPrefixListID.NotFound"));
    await expect(sdkApi().deleteSecurityGroup("sg-1")).resolves.toBeUndefined();
    await expect(sdkApi().deleteManagedPrefixList("pl-1")).resolves.toBeUndefined();
    ec2Mock.on(DeleteSecurityGroupCommand).rejects(ec2Error("DependencyViolation"));
    expect((await failure(sdkApi().deleteSecurityGroup("sg-1"))).constructor).toBe(
      AwsDependencyViolationError,
    );
    // The codes are not interchangeable: a prefix list's NotFound on a group delete is a failure.
    ec2Mock.on(DeleteSecurityGroupCommand).rejects(ec2Error("InvalidPrefixListID.NotFound"));
    expect((await failure(sdkApi().deleteSecurityGroup("sg-1"))).constructor).toBe(AwsNotFoundError);
  });

  it.each(["PrefixListVersionMismatch", "IncorrectState"])(
    "%s on ModifyManagedPrefixList → PrefixListVersionConflictError",
    async (code) => {
      ec2Mock.on(ModifyManagedPrefixListCommand).rejects(ec2Error(code));
      const modification = sdkApi().modifyManagedPrefixList({
        prefixListId: "pl-1",
        currentVersion: 1,
        addEntries: [{ Cidr: "10.0.0.0/24" }],
        removeCidrs: [],
      });
      expect((await failure(modification)).constructor).toBe(PrefixListVersionConflictError);
    },
  );

  it("maps a network failure by its code", async () => {
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    ec2Mock.on(DeleteSecurityGroupCommand).rejects(reset);
    const error = await failure(sdkApi().deleteSecurityGroup("sg-1"));
    expect(error.constructor).toBe(AwsApiError);
    expect(error).toMatchObject({ code: "ECONNRESET", cause: reset });
  });

  it("keeps AWS's message out of access errors, which can quote signed headers", async () => {
    const leaky = ec2Error(
      "SignatureDoesNotMatch",
      "Canonical request: x-amz-security-token:SESSION-TOKEN-VALUE",
    );
    ec2Mock.on(DeleteSecurityGroupCommand).rejects(leaky);
    const error = await failure(sdkApi().deleteSecurityGroup("sg-1"));
    expect(error).toBeInstanceOf(AwsAccessError);
    expect(error.message).not.toContain("SESSION-TOKEN-VALUE");
    expect(error.message).not.toContain(TEST_CREDENTIALS.secretAccessKey);
  });
});

/** The real SDK stack (retry middleware included) against a local endpoint that answers one fixed EC2 error. */
describe("retries through the SDK", () => {
  let server: Server;
  let endpoint: string;
  let requests = 0;
  let answer: { status: number; code: string } = { status: 503, code: "RequestLimitExceeded" };

  beforeAll(async () => {
    ec2Mock.restore();
    server = createServer((request, response) => {
      requests += 1;
      request.resume();
      request.on("end", () => {
        response.writeHead(answer.status, { "content-type": "text/xml" });
        response.end(
          `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${answer.code}</Code>` +
            `<Message>${answer.code} from the test server</Message></Error></Errors><RequestID>r-1</RequestID></Response>`,
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    requests = 0;
  });

  it("retries throttling up to maxAttempts, then surfaces AwsThrottledError", async () => {
    answer = { status: 503, code: "RequestLimitExceeded" };
    const error = await failure(sdkApi({ endpoint, maxAttempts: 2 }).deleteSecurityGroup("sg-1"));
    expect(error).toBeInstanceOf(AwsThrottledError);
    expect(error.cause).toMatchObject({ name: "RequestLimitExceeded", $metadata: { attempts: 2 } });
    expect(requests).toBe(2);
  });

  it("does not retry a client error", async () => {
    answer = { status: 400, code: "InvalidGroup.NotFound" };
    const error = await failure(
      sdkApi({ endpoint, maxAttempts: 3 }).createTags(["sg-1"], [{ Key: "k", Value: "v" }]),
    );
    expect(error).toBeInstanceOf(AwsNotFoundError);
    expect(requests).toBe(1);
  });
});
