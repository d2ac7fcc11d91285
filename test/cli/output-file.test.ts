import { mkdtempSync } from "node:fs";
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

const INPUTS = ["--policy", "examples/policy.yaml", "--estate", "examples/estate.yaml"];

describe("an output file that cannot be written", () => {
  it("is one line on stderr and exit 1 for simulate --state-out", async () => {
    const { output, io } = capture();
    const missing = join(mkdtempSync(join(tmpdir(), "segsync-out-")), "no-such-dir", "state.json");
    const args = [
      "simulate",
      ...INPUTS,
      "--scenario",
      "examples/scenarios/retag.yaml",
      "--state-out",
      missing,
    ];
    expect(await main(["node", "segsync", ...args], io)).toBe(1);
    expect(output.err).toBe(`segsync simulate: cannot write ${missing}: no such directory\n`);
  });

  it("is one line on stderr and exit 1 for graph --out", async () => {
    const { output, io } = capture();
    const directory = mkdtempSync(join(tmpdir(), "segsync-out-"));
    expect(await main(["node", "segsync", "graph", ...INPUTS, "--out", directory], io)).toBe(1);
    expect(output.err).toBe(`segsync graph: cannot write ${directory}: it is a directory\n`);
  });
});
