/**
 * The two ends of the `flows check --json` contract (docs/flows.md, "Checking flows"): what the
 * check writes on the flow log samples is what `graph --flows` reads (lib/graph/check-report.ts)
 * and draws, would-block edges included.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { flowsCheck } from "../../cli/commands/flows.js";
import { graph } from "../../cli/commands/graph.js";
import { parseCheckReport } from "../../lib/graph/check-report.js";
import { REPO_ROOT } from "../policy/fixtures.js";

const fixture = (path: string) => join(REPO_ROOT, "test", "fixtures", "flows", path);
const TARGET = { policy: fixture("check/policy.yaml"), estate: fixture("check/estate.yaml") };
const LOGS = [
  "aws/default-v2.log",
  "aws/tcp-flags-v3.log",
  "azure/vnet-flow-log.json",
  "gcp/firewall.jsonl",
].map(fixture);

function capture() {
  const said = { out: "", err: "" };
  return {
    said,
    io: { out: (text: string) => (said.out += text), err: (text: string) => (said.err += text) },
  };
}

describe("flows check --json, read by graph --flows", () => {
  it("keeps the contract the overlay checks, and the overlay draws it", async () => {
    const check = capture();
    expect(await flowsCheck(LOGS, { ...TARGET, json: true }, check.io)).toBe(2);
    const written = JSON.parse(check.said.out);
    expect(parseCheckReport(check.said.out, "check.json")).toEqual(written);
    const file = join(mkdtempSync(join(tmpdir(), "segsync-flows-graph-")), "check.json");
    writeFileSync(file, check.said.out);
    const drawn = capture();
    expect(await graph({ ...TARGET, format: "mermaid", flows: file }, drawn.io)).toBe(0);
    expect(drawn.said.err).toBe("");
    expect(drawn.said.out).toMatch(/ ==x\|"tcp\/22: 1 seen, would be blocked"\| /);
  });
});
