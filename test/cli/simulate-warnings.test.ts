import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.js";

describe("simulate's warnings", () => {
  it("says each compiler warning once, not again at every reconcile", async () => {
    let out = "";
    const io = {
      out: (text: string) => {
        out += text;
      },
      err: () => {},
    };
    const stateOut = join(mkdtempSync(join(tmpdir(), "segsync-sim-")), "state.json");
    const args = ["--policy", "examples/policy.yaml", "--estate", "examples/estate.yaml"];
    const scenario = ["--scenario", "examples/scenarios/migrate-aws-to-azure.yaml", "--state-out", stateOut];
    expect(await main(["node", "segsync", "simulate", ...args, ...scenario], io)).toBe(0);
    const unreachable = out.split("\n").filter((line) => line.includes("cannot be seen from"));
    expect(unreachable.length).toBeGreaterThan(0);
    expect(new Set(unreachable).size).toBe(unreachable.length);
  });
});
