import "aws-sdk-client-mock-vitest/extend";
import { AssumeRoleCommand, STSClient, STSServiceException } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { AwsAccessError } from "../../../../lib/clouds/aws/errors.js";
import { SdkAwsApi } from "../../../../lib/clouds/aws/sdk/api.js";
import { ACCOUNT, sdkApiFactory, TEST_CREDENTIALS } from "./api-fixtures.js";

const OTHER_ACCOUNT = "222222222222";
const PLAIN_ACCOUNT = "333333333333";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/segsync`;
const OTHER_ROLE = `arn:aws:iam::${OTHER_ACCOUNT}:role/segsync-other`;

const ACCOUNTS = [
  { account: ACCOUNT, regions: ["eu-west-1", "us-east-1"], roleArn: ROLE },
  { account: OTHER_ACCOUNT, regions: ["eu-west-1"], roleArn: OTHER_ROLE },
  { account: PLAIN_ACCOUNT, regions: ["eu-west-1"] },
];

const stsMock = mockClient(STSClient);
beforeEach(() => {
  stsMock.reset();
});

function session(name: string, expiresInMs = 60 * 60_000) {
  return {
    Credentials: {
      AccessKeyId: `ASIA${name}`,
      SecretAccessKey: `secret-${name}`,
      SessionToken: `token-${name}`,
      Expiration: new Date(Date.now() + expiresInMs),
    },
  };
}

/** The credentials an EC2 client would sign with (the SDK's resolved provider). */
async function signingCredentials(
  factory: ReturnType<typeof sdkApiFactory>,
  account: string,
  region = "eu-west-1",
) {
  const api = factory({ account, region });
  if (!(api instanceof SdkAwsApi)) throw new Error("not an SdkAwsApi");
  return api.client.config.credentials();
}

describe("cross-account credentials", () => {
  it("assumes the account's role with the session name segsync", async () => {
    stsMock.on(AssumeRoleCommand).resolves(session("ONE"));
    const credentials = await signingCredentials(sdkApiFactory({ accounts: ACCOUNTS }), ACCOUNT);
    expect(credentials).toMatchObject({
      accessKeyId: "ASIAONE",
      secretAccessKey: "secret-ONE",
      sessionToken: "token-ONE",
    });
    expect(stsMock).toHaveReceivedCommandExactlyOnceWith(AssumeRoleCommand, {
      RoleArn: ROLE,
      RoleSessionName: "segsync",
    });
  });

  it("assumes the role once for every client of the same account", async () => {
    stsMock.on(AssumeRoleCommand).resolves(session("ONE"));
    const factory = sdkApiFactory({ accounts: ACCOUNTS });
    const [ireland, virginia] = await Promise.all([
      signingCredentials(factory, ACCOUNT, "eu-west-1"),
      signingCredentials(factory, ACCOUNT, "us-east-1"),
    ]);
    expect(virginia.accessKeyId).toBe(ireland.accessKeyId);
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
  });

  it("assumes each account's own role", async () => {
    stsMock
      .on(AssumeRoleCommand, { RoleArn: ROLE })
      .resolves(session("ONE"))
      .on(AssumeRoleCommand, { RoleArn: OTHER_ROLE })
      .resolves(session("TWO"));
    const factory = sdkApiFactory({ accounts: ACCOUNTS });
    expect((await signingCredentials(factory, ACCOUNT)).accessKeyId).toBe("ASIAONE");
    expect((await signingCredentials(factory, OTHER_ACCOUNT)).accessKeyId).toBe("ASIATWO");
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it("uses the caller's credentials directly, without STS, for an account without a role", async () => {
    const credentials = await signingCredentials(sdkApiFactory({ accounts: ACCOUNTS }), PLAIN_ACCOUNT);
    expect(credentials).toMatchObject(TEST_CREDENTIALS);
    expect(stsMock).not.toHaveReceivedCommand(AssumeRoleCommand);
  });

  it("assumes the role again before the session expires", async () => {
    // 8 minutes left: still good for the SDK (it refreshes within 5), no longer for a new client.
    stsMock
      .on(AssumeRoleCommand)
      .resolvesOnce(session("SHORT", 8 * 60_000))
      .resolves(session("FRESH"));
    const factory = sdkApiFactory({ accounts: ACCOUNTS });
    expect((await signingCredentials(factory, ACCOUNT, "eu-west-1")).accessKeyId).toBe("ASIASHORT");
    expect((await signingCredentials(factory, ACCOUNT, "us-east-1")).accessKeyId).toBe("ASIAFRESH");
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it("reports a refused role as AwsAccessError, and asks STS again next time", async () => {
    const denied = new STSServiceException({
      name: "AccessDenied",
      $fault: "client",
      $metadata: {},
      message: "not authorized to perform sts:AssumeRole",
    });
    stsMock.on(AssumeRoleCommand).rejectsOnce(denied).resolves(session("ONE"));
    const factory = sdkApiFactory({ accounts: ACCOUNTS });

    const error = await signingCredentials(factory, ACCOUNT).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AwsAccessError);
    expect(error).toMatchObject({ code: "AccessDenied", cause: denied });
    expect((error as Error).message).toContain(ROLE);
    expect((await signingCredentials(factory, ACCOUNT, "us-east-1")).accessKeyId).toBe("ASIAONE");
  });
});
