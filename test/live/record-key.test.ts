import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { RecordKey } from "../../lib/clouds/common/seals.js";
import { liveRecordKey } from "../../lib/live/record-key.js";

const VALUE = "0123456789abcdef0123456789abcdef";
const ARN = "arn:aws:secretsmanager:us-east-1:111111111111:secret:segsync/record-key-AbCdEf";

describe("the live record key", () => {
  it("comes from SEGSYNC_RECORD_KEY by default", async () => {
    const key = liveRecordKey(undefined, { SEGSYNC_RECORD_KEY: VALUE });
    await key.load();
    expect(key.seal("s")).toBe(RecordKey.fromText(VALUE, "t").seal("s"));
  });

  it("without the variable, says how to give one", async () => {
    await expect(liveRecordKey(undefined, {}).load()).rejects.toThrow(
      /no record key: set SEGSYNC_RECORD_KEY \(at least 32 random characters/,
    );
  });

  it("from a named variable that is too short, names the variable and not the value", async () => {
    const load = liveRecordKey({ kind: "env", variable: "MY_KEY" }, { MY_KEY: "tiny" }).load();
    await expect(load).rejects.toThrow(
      /environment variable MY_KEY: a record key has at least 32 characters/,
    );
  });

  it("from Secrets Manager, trimmed", async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: `${VALUE}\n` });
    const key = liveRecordKey({ kind: "secret", secretArn: ARN }, {}, () => new SecretsManagerClient({}));
    await key.load();
    expect(key.seal("s")).toBe(RecordKey.fromText(VALUE, "t").seal("s"));
    secrets.restore();
  });
});
