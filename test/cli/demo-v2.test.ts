/**
 * The demo's policy v2 part (cli/commands/demo-v2.ts): examples/policy-v2.yaml applied to the
 * example estate, and the first traffic step of examples/scenarios/egress.yaml decided at both ends
 * by each cloud's evaluator. Its output is golden; when it legitimately changes, regenerate it:
 *   npm run segsync -- demo | sed -n '/^5\. /,/^$/p' > test/cli/golden/demo-v2.txt
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { policyV2 } from "../../cli/commands/demo-v2.js";
import { main } from "../../cli/main.js";
import { REPO_ROOT } from "../policy/fixtures.js";

const GOLDEN = join(REPO_ROOT, "test", "cli", "golden", "demo-v2.txt");

function capture() {
  const output = { out: "", err: "" };
  const io = {
    out: (text: string) => {
      output.out += text;
    },
    err: (text: string) => {
      output.err += text;
    },
    color: false,
  };
  return { output, io };
}

describe("the demo's policy v2 part", () => {
  it("ends the demo: one flow allowed at both ends, one blocked by egress, two by deny rules", async () => {
    const { output, io } = capture();
    expect(await main(["node", "segsync", "demo"], io)).toBe(0);
    expect(output.err).toBe("");
    const part = output.out.slice(output.out.indexOf("\n5. Policy v2") + 1);
    expect(part.slice(0, part.indexOf("\n\n") + 2)).toBe(readFileSync(GOLDEN, "utf8"));
    expect(part).toMatch(/\n\nDone in /);
  }, 60_000);

  it("says on stderr, and fails, when its scenario has no traffic step", async () => {
    const dir = mkdtempSync(join(tmpdir(), "segsync-demo-v2-"));
    const scenario = join(dir, "no-traffic.yaml");
    writeFileSync(scenario, "apiVersion: segsync/v1\nkind: Scenario\nsteps:\n  - fullSync: {}\n");
    const { output, io } = capture();
    const files = {
      policy: join(REPO_ROOT, "examples", "policy-v2.yaml"),
      estate: join(REPO_ROOT, "examples", "estate.yaml"),
      scenario,
    };
    const narrator = { say: io.out, heading: io.out };
    expect(await policyV2(files, narrator, io)).toBe(false);
    expect(output.err).toBe(`${scenario}: the demo needs a traffic step\n`);
    expect(output.out).toBe("");
  });
});
