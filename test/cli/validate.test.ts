import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.js";
import { EXAMPLES, invalidFixtures } from "../policy/fixtures.js";
import { type CliRun, runCliAll } from "./run-cli.js";

const SUMMARY =
  "valid (1 ruleset: 1 enforced; 4 rules; 4 services; 1 ipList; dimensions app, env, role, loc)";
// validate checks each file by its kind: the policy fixture of another kind is an estate to it.
const fixtures = invalidFixtures().filter((fixture) => !fixture.file.endsWith("wrong-kind.yaml"));
const [firstFixture] = fixtures;

function stderrOf(lines: readonly string[]): string {
  return lines.map((line) => `${line}\n`).join("");
}

// Each run is a cold Node process (~0.4 s): all of them start at once, a few at a time.
describe("segsync validate (child processes)", () => {
  let runs: CliRun[];

  beforeAll(async () => {
    runs = await runCliAll([
      ...EXAMPLES.map((file) => ["validate", file]),
      ["validate", ...fixtures.map((fixture) => fixture.file)],
      ["validate", firstFixture?.file ?? ""],
      ["validate", EXAMPLES[0], firstFixture?.file ?? ""],
      ["validate", "missing.yaml"],
    ]);
  }, 120_000);

  it.each(EXAMPLES.map((file, index) => [file, index] as const))(
    "accepts %s with one summary line",
    (file, index) => {
      expect(runs[index]).toEqual({ exitCode: 0, stdout: `${file}: ${SUMMARY}\n`, stderr: "" });
    },
  );

  it("rejects every invalid fixture with exactly its expected lines", () => {
    const run = runs[EXAMPLES.length];
    expect(run?.exitCode).toBe(1);
    expect(run?.stdout).toBe("");
    const stderrLines = run?.stderr.split("\n").filter(Boolean) ?? [];
    for (const fixture of fixtures) {
      const own = stderrLines.filter((line) => line.startsWith(`${fixture.file}:`));
      expect(own, fixture.file).toEqual(fixture.expectedLines);
    }
    expect(run?.stderr).toBe(stderrOf(fixtures.flatMap((fixture) => fixture.expectedLines)));
  });

  it("exits 1 for one invalid file, with its lines on stderr", () => {
    expect(runs[EXAMPLES.length + 1]).toEqual({
      exitCode: 1,
      stdout: "",
      stderr: stderrOf(firstFixture?.expectedLines ?? []),
    });
  });

  it("exits 1 when any of several files is invalid, still reporting each", () => {
    expect(runs[EXAMPLES.length + 2]).toEqual({
      exitCode: 1,
      stdout: `${EXAMPLES[0]}: ${SUMMARY}\n`,
      stderr: stderrOf(firstFixture?.expectedLines ?? []),
    });
  });

  it("reports a missing file", () => {
    expect(runs[EXAMPLES.length + 3]).toEqual({
      exitCode: 1,
      stdout: "",
      stderr: "missing.yaml: (root): cannot read the file: no such file\n",
    });
  });
});

describe("main (in process)", () => {
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

  it("fails on a missing argument, with commander's message", async () => {
    const { output, io } = capture();
    expect(await main(["node", "segsync", "validate"], io)).toBe(1);
    expect(output.err).toContain("missing required argument 'files'");
  });

  it("fails on an unknown command", async () => {
    const { output, io } = capture();
    expect(await main(["node", "segsync", "frobnicate"], io)).toBe(1);
    expect(output.err).toContain("unknown command 'frobnicate'");
  });

  it("prints its version and help with exit code 0", async () => {
    const version = capture();
    expect(await main(["node", "segsync", "--version"], version.io)).toBe(0);
    expect(version.output.out).toMatch(/^\d+\.\d+\.\d+\n$/);
    const help = capture();
    expect(await main(["node", "segsync", "validate", "--help"], help.io)).toBe(0);
    expect(help.output.out).toContain("Usage: segsync validate [options] <files...>");
  });

  it("validates in process too", async () => {
    const { output, io } = capture();
    expect(await main(["node", "segsync", "validate", EXAMPLES[1]], io)).toBe(0);
    expect(output.out).toBe(`${EXAMPLES[1]}: ${SUMMARY}\n`);
  });

  it.each([
    ["examples/estate.yaml", "valid (Estate: 4 network(s), 14 workload(s))"],
    ["examples/scenarios/retag.yaml", "valid (Scenario: 6 step(s))"],
    [
      "examples/live-config.yaml",
      "valid (Config: AWS 2 account(s), Azure 1 subscription(s), GCP 1 project(s))",
    ],
  ])("checks %s by its kind", async (file, summary) => {
    const { output, io } = capture();
    expect(await main(["node", "segsync", "validate", file], io)).toBe(0);
    expect(output.out).toBe(`${file}: ${summary}\n`);
  });

  it("accepts a v2 policy and counts its deny rules and egress", async () => {
    const { output, io } = capture();
    const file = "examples/policy-v2.yaml";
    expect(await main(["node", "segsync", "validate", file], io)).toBe(0);
    expect(output.out).toBe(
      `${file}: valid (2 rulesets: 2 enforced; 5 rules, 3 deny rules; egress enforced in 1 ruleset (shop-prod); 3 services; 3 ipLists; dimensions app, env, role, loc)\n`,
    );
    expect(output.err).toBe("");
  });

  it("prints a placed warning for a setting without effect, and still exits 0", async () => {
    const { output, io } = capture();
    const dir = mkdtempSync(join(tmpdir(), "segsync-validate-"));
    const file = join(dir, "policy.yaml");
    writeFileSync(
      file,
      "apiVersion: segsync/v1\nkind: Policy\nrulesets:\n  - name: tried\n    scope: {}\n    enforcement: visibility\n    egress: enforced\n    rules: []\n",
    );
    expect(await main(["node", "segsync", "validate", file], io)).toBe(0);
    expect(output.err).toBe(
      `${file}:7:13 rulesets[0].egress: warning: egress: enforced has no effect on a visibility ruleset: its workloads' egress stays open until enforcement is enforced\n`,
    );
  });

  it("reports an estate's problems with the estate's own rules, not a policy's", async () => {
    const { output, io } = capture();
    const dir = mkdtempSync(join(tmpdir(), "segsync-validate-"));
    const file = join(dir, "estate.yaml");
    writeFileSync(file, "apiVersion: segsync/v1\nkind: Estate\nnetworks: []\nworkloads:\n  - { id: x }\n");
    expect(await main(["node", "segsync", "validate", file], io)).toBe(1);
    expect(output.err).toContain(`${file}:5:11 workloads[0].id: "x" is not a workload id`);
    expect(output.err).not.toContain("rulesets");
  });
});
