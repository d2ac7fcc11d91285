/** What the `--live` CLI tests against moto share: moto's account, dummy keys, and how to run segsync on them. */
import { vi } from "vitest";
import { TEST_RECORD_KEY } from "../support/seals.js";
import { type CliRun, runCli } from "./run-cli.js";

/** moto's default account. */
export const MOTO_ACCOUNT = "123456789012";
export const MOTO_REGION = "eu-west-1";
export const MOTO_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };

/**
 * The environment of a child: dummy keys for the default chain, a record key (live mode needs one),
 * and nothing of the caller's AWS setup.
 */
function childEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("AWS_")));
  return {
    ...env,
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    AWS_REGION: MOTO_REGION,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    SEGSYNC_RECORD_KEY: TEST_RECORD_KEY,
  };
}

/** `node bin/segsync.js …` in a child process with the dummy keys. */
export function segsyncOnMoto(args: readonly string[]): Promise<CliRun> {
  return runCli(args, childEnv());
}

/** The same keys and record key for an in-process run of main(); undo with vi.unstubAllEnvs(). */
export function stubMotoCredentials(): void {
  vi.stubEnv("AWS_ACCESS_KEY_ID", MOTO_CREDENTIALS.accessKeyId);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", MOTO_CREDENTIALS.secretAccessKey);
  vi.stubEnv("AWS_PROFILE", undefined);
  vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
  vi.stubEnv("SEGSYNC_RECORD_KEY", TEST_RECORD_KEY);
}
