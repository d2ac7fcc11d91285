/**
 * Looking first, end to end (docs/flows.md): the example policy in visibility on the example
 * estate, the example traffic through the clouds' own rules, `flows check` on the flow logs they
 * wrote, `flows suggest`, then the policy with the suggestions enforced and the same traffic:
 * every connection the policy allows is accepted in each cloud's log, every other one rejected.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { writeFlowLogs } from "../../cli/flow-logs-out.js";
import { observeFlows } from "../../cli/flows-observe.js";
import { loadSimulationInputs } from "../../cli/inputs.js";
import { suggestRules } from "../../lib/flows/suggest.js";
import { mergeSuggestions } from "../../lib/flows/suggest-yaml.js";
import { Simulation } from "../../sim/simulation.js";
import { REPO_ROOT } from "../policy/fixtures.js";

const ESTATE = join(REPO_ROOT, "examples", "estate.yaml");
const POLICY = join(REPO_ROOT, "examples", "policy.yaml");
const TRAFFIC = join(REPO_ROOT, "examples", "scenarios", "traffic.yaml");
const io = { out: () => {}, err: (text: string) => expect.fail(text) };
const directories: string[] = [];
afterAll(async () => Promise.all(directories.map((dir) => rm(dir, { recursive: true, force: true }))));

async function observe(policy: string, dir: string) {
  const inputs = await loadSimulationInputs({ policy, estate: ESTATE, scenario: TRAFFIC }, io);
  const step = inputs?.scenario?.steps.find((s) => "traffic" in s);
  if (inputs === undefined || step === undefined) throw new Error("the examples must load");
  const simulation = Simulation.start(inputs.policy, inputs.estate);
  await simulation.fullSync();
  const outcome = (await simulation.step(step)).traffic;
  expect(await writeFlowLogs(dir, simulation.clouds.flowLogs.files(), io)).toBe(true);
  const observed = await observeFlows("test", [dir], { policy, estate: ESTATE }, io);
  if (typeof observed === "number" || outcome === undefined) throw new Error("flows check failed");
  return { outcome, ...observed };
}

describe("looking first: visibility, check, suggest, enforce, the same traffic", () => {
  it("admits once enforced exactly what the policy with the suggestions allows", async () => {
    const dir = await mkdtemp(join(tmpdir(), "segsync-look-first-"));
    directories.push(dir);
    const text = await readFile(POLICY, "utf8");
    const document = parseDocument(text);
    document.setIn(["rulesets", 0, "enforcement"], "visibility");
    const visibility = join(dir, "visibility.yaml");
    await writeFile(visibility, document.toString());

    const before = await observe(visibility, join(dir, "before"));
    const wouldBlock = before.report.groups.filter((group) => group.wouldBlock);
    expect(wouldBlock.length).toBeGreaterThan(0);
    for (const group of wouldBlock)
      expect(group.verdict).toMatchObject({ kind: "denied", onceEnforced: true });

    const suggested = join(dir, "suggested.yaml");
    await writeFile(
      suggested,
      mergeSuggestions(text, POLICY, suggestRules(before.policy, before.report.groups)),
    );
    const after = await observe(suggested, join(dir, "after"));
    expect(after.report.summary.wouldBlock).toBe(0);
    // Each observed group: accepted exactly where the enforced policy allows, rejected where it denies.
    for (const group of after.report.groups) {
      if (group.verdict.kind === "allowed") expect(group.observed, JSON.stringify(group)).toBe("accepted");
      if (group.verdict.kind === "denied") expect(group.observed, JSON.stringify(group)).toBe("rejected");
    }
    // What enforcing would have broken is accepted now, through the suggested rules.
    for (const blocked of wouldBlock) {
      const same = after.report.groups.find(
        (group) =>
          JSON.stringify([group.source, group.destination, group.service]) ===
          JSON.stringify([blocked.source, blocked.destination, blocked.service]),
      );
      expect(same).toMatchObject({ observed: "accepted", verdict: { kind: "allowed", onceEnforced: false } });
    }
    expect(after.outcome.connections.rejected).toBeGreaterThan(0);
  }, 120_000);
});
