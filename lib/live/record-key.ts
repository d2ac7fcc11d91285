/**
 * The live record key (docs/trust-model.md): read from Secrets Manager (the construct's secret) or
 * an environment variable, on the first reconcile, never logged.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { RecordKeyError } from "../clouds/common/errors.js";
import { DeferredRecordKey, RecordKey } from "../clouds/common/seals.js";
import type { RecordKeySource } from "./config.js";
import { readSecretString } from "./secrets.js";

export const DEFAULT_RECORD_KEY_SOURCE: RecordKeySource = { kind: "env", variable: "SEGSYNC_RECORD_KEY" };

export function liveRecordKey(
  source: RecordKeySource = DEFAULT_RECORD_KEY_SOURCE,
  environment: NodeJS.ProcessEnv = process.env,
  secrets: () => SecretsManagerClient = () => new SecretsManagerClient({}),
): DeferredRecordKey {
  return new DeferredRecordKey(async () => {
    if (source.kind === "secret") {
      return RecordKey.fromText(
        (await readSecretString(secrets(), source.secretArn)).trim(),
        source.secretArn,
      );
    }
    const value = environment[source.variable];
    if (value === undefined || value === "") {
      throw new RecordKeyError(
        `no record key: set ${source.variable} (at least 32 random characters, kept secret and the same for every run against these clouds), or give recordKey in the config`,
      );
    }
    return RecordKey.fromText(value, `environment variable ${source.variable}`);
  });
}
