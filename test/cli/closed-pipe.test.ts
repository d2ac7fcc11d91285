/** `segsync … | head -1`: a reader that goes away early ends the run quietly, without a stack trace. */
import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../policy/fixtures.js";

/** The command through a real shell pipe into `head -1`; its own exit code and stderr. */
function pipedIntoHead(command: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      "bash",
      ["-c", `${command} | head -1 >/dev/null; exit "\${PIPESTATUS[0]}"`],
      { cwd: REPO_ROOT },
      (error, _stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr }),
    );
  });
}

describe("a closed pipe", () => {
  it("ends a long write to stdout quietly", async () => {
    const { code, stderr } = await pipedIntoHead(
      `"${process.execPath}" bin/segsync.js simulate --policy examples/policy.yaml --estate examples/estate.yaml ` +
        "--scenario examples/scenarios/burst-200-launches.yaml --state-out /dev/stdout",
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
  }, 60_000);
});
