/**
 * What the bundled CLI loads to start (docs/package.md, "CLI start"): `--help` and `validate` of
 * a policy load no cloud SDK (the SDKs are left in node_modules, so a load shows here). The times are measured by
 * `npm run bench -- --only cli-start`; this checks the cause, which does not depend on the machine.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../infra/bundling.js";

const run = promisify(execFile);
const folder = mkdtempSync(join(tmpdir(), "segsync-start-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const RECORDER = pathToFileURL(join(PROJECT_ROOT, "test", "support", "import-recorder.mjs")).href;
const SDKS =
  /^(@aws-sdk\/|@smithy\/|@azure\/|@google-cloud\/|google-auth-library$|googleapis|google-gax$|elkjs$)/;

/** The packages the compiled CLI resolved while running `args`. */
async function packagesLoadedBy(name: string, args: readonly string[]): Promise<string[]> {
  const log = join(folder, `${name}.log`);
  await run(process.execPath, ["--import", RECORDER, join(PROJECT_ROOT, "bin", "segsync.js"), ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, SEGSYNC_IMPORT_LOG: log },
  });
  // No file: the process resolved nothing from node_modules.
  const lines = existsSync(log) ? readFileSync(log, "utf8").split("\n") : [];
  return [...new Set(lines.filter(Boolean))].sort();
}

describe("the compiled CLI's start", () => {
  it("--help loads no package from node_modules: commander is in the bundle, and no command is loaded", async () => {
    const loaded = await packagesLoadedBy("help", ["--help"]);
    expect(loaded).toEqual([]);
  });

  it("validate of a policy loads no cloud SDK", async () => {
    const loaded = await packagesLoadedBy("validate", ["validate", "examples/policy.yaml"]);
    expect(loaded.filter((name) => SDKS.test(name))).toEqual([]);
  });

  it("the recorder sees an SDK when a command loads one (plan --live)", async () => {
    const log = join(folder, "live.log");
    // No config file: the command fails after loading its code, which is what is recorded.
    await run(
      process.execPath,
      [
        "--import",
        RECORDER,
        join(PROJECT_ROOT, "bin", "segsync.js"),
        "plan",
        "--policy",
        "examples/policy.yaml",
        "--live",
        "--config",
        "examples/live-config.yaml",
        "--aws-endpoint",
        "http://127.0.0.1:9",
      ],
      { cwd: PROJECT_ROOT, env: { ...process.env, SEGSYNC_IMPORT_LOG: log }, timeout: 60_000 },
    ).catch(() => undefined);
    const loaded = readFileSync(log, "utf8").split("\n");
    expect(loaded.some((name) => name.startsWith("@aws-sdk/"))).toBe(true);
  }, 90_000);
});
