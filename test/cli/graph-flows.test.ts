/** `segsync graph --flows CHECK.json`: the overlay drawn, and a report that breaks the contract refused. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { graph } from "../../cli/commands/graph.js";
import type { GraphFormat } from "../../lib/graph/formats.js";
import { WARNINGS } from "../graph/fixtures.js";
import { REPO_ROOT } from "../policy/fixtures.js";
import { runCli } from "./run-cli.js";

const CHECK = join(REPO_ROOT, "test/fixtures/graph/check.json");
const dir = mkdtempSync(join(tmpdir(), "segsync-graph-flows-"));

async function run(flows: string, format: GraphFormat = "mermaid", out?: string) {
  const said = { out: "", err: "" };
  const io = { out: (text: string) => (said.out += text), err: (text: string) => (said.err += text) };
  const code = await graph(
    {
      policy: join(REPO_ROOT, WARNINGS.policy),
      estate: join(REPO_ROOT, WARNINGS.estate),
      format,
      flows,
      ...(out === undefined ? {} : { out }),
    },
    io,
  );
  return { code, ...said };
}

describe("graph --flows", () => {
  it("draws the observed flows over the policy's", async () => {
    const { code, out, err } = await run(CHECK);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain("%% observed flows (graph --flows), drawn over the policy's edges:");
    expect(out).toMatch(/ ==x\|"tcp\/22: 5 seen, would be blocked"\| /);
  });

  it("says how many observed flows the page has, and how many would be blocked", async () => {
    const out = join(dir, "graph.html");
    const result = await run(CHECK, "html", out);
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      `${out}: 7 identities, 4 flows, 4 findings, 8 observed flows (2 would be blocked) (html)\n`,
    );
    expect(readFileSync(out, "utf8")).toContain("<h1>Allowed and observed flows</h1>");
  });

  it("exits 1 naming the file and the path of the value that breaks the contract, drawing nothing", async () => {
    const bad = JSON.parse(readFileSync(CHECK, "utf8"));
    bad.groups[3].verdict = { kind: "allowed", onceEnforced: false };
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify(bad));
    const { code, out, err } = await run(file);
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toBe(
      `segsync graph: ${file}: groups.3.verdict.rule: Invalid input: expected string, received undefined\n`,
    );
  });

  it("exits 1 when the file is not JSON or cannot be read", async () => {
    const file = join(dir, "cut.json");
    writeFileSync(file, readFileSync(CHECK, "utf8").slice(0, 200));
    const cut = await run(file);
    expect(cut.code).toBe(1);
    expect(cut.err).toBe(
      `segsync graph: ${file}: not JSON: --flows reads what \`segsync flows check --json\` writes\n`,
    );
    const missing = await run(join(dir, "missing.json"));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^segsync graph: cannot read the flows check .*missing\.json: ENOENT/);
  });

  it("is an option of the command line (child processes)", async () => {
    const args = ["graph", "--policy", WARNINGS.policy, "--estate", WARNINGS.estate, "--format", "dot"];
    const drawn = await runCli([...args, "--flows", "test/fixtures/graph/check.json"]);
    expect(drawn.stderr).toBe("");
    expect(drawn.exitCode).toBe(0);
    expect(drawn.stdout).toContain('[label="tcp/22: 5 seen, would be blocked", color="#d81b60"');
    const refused = await runCli([...args, "--flows", "test/fixtures/graph/policy.yaml"]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(/^segsync graph: test\/fixtures\/graph\/policy\.yaml: not JSON/);
  });
});
