import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.js";

function capture() {
  const output = { out: "", err: "" };
  const io = {
    out: (text: string) => {
      output.out += text;
    },
    err: (text: string) => {
      output.err += text;
    },
  };
  return { output, io };
}

const ESTATE = ["--estate", "examples/estate.yaml"];
const run = (args: string[], io: ReturnType<typeof capture>["io"]) => main(["node", "segsync", ...args], io);

describe("plan --out and apply --plan: apply exactly what was reviewed", () => {
  const dir = mkdtempSync(join(tmpdir(), "segsync-plan-"));
  const saved = join(dir, "plan.json");

  it("saves the plan, and applies it when planning again gives exactly its writes", async () => {
    const planned = capture();
    expect(
      await run(["plan", "--policy", "examples/policy.yaml", ...ESTATE, "--out", saved], planned.io),
    ).toBe(2);
    expect(JSON.parse(readFileSync(saved, "utf8"))).toMatchObject({ apiVersion: "segsync/v1", kind: "Plan" });
    const applied = capture();
    expect(
      await run(["apply", "--policy", "examples/policy.yaml", ...ESTATE, "--plan", saved], applied.io),
    ).toBe(0);
    expect(applied.output.out).toContain("Applied: AWS");
    expect(applied.output.err).toBe("");
  });

  it("writes nothing when the policy changed since", async () => {
    const policy = join(dir, "policy.yaml");
    writeFileSync(policy, readFileSync("examples/policy.yaml", "utf8").replace("tcp/8080", "tcp/8081"));
    const applied = capture();
    expect(await run(["apply", "--policy", policy, ...ESTATE, "--plan", saved], applied.io)).toBe(1);
    expect(applied.output.err).toContain("nothing written: planning again gives other writes than");
    expect(applied.output.out).not.toContain("Applied:");
  });

  it("refuses a file that is not a saved plan", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{}");
    const applied = capture();
    expect(
      await run(["apply", "--policy", "examples/policy.yaml", ...ESTATE, "--plan", bad], applied.io),
    ).toBe(1);
    expect(applied.output.err).toContain("not a saved plan");
  });
});
