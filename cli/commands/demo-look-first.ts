/**
 * The demo's "look first" part (docs/flows.md): the example policy in visibility on the same
 * estate, traffic through the clouds' own rules, `flows check` on the flow logs they wrote (what
 * enforcing would break), `flows suggest`, and the policy with the suggestions enforced: the same
 * traffic again.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import type { CheckEndpoint, CheckGroup } from "../../lib/flows/check.js";
import { suggestRules } from "../../lib/flows/suggest.js";
import { mergeSuggestions, suggestionFragment } from "../../lib/flows/suggest-yaml.js";
import type { Step } from "../../sim/scenario-schema.js";
import { Simulation } from "../../sim/simulation.js";
import type { TrafficOutcome } from "../../sim/traffic/model.js";
import { writeFlowLogs } from "../flow-logs-out.js";
import { observeFlows } from "../flows-observe.js";
import { summaryLine, verdictText } from "../flows-text.js";
import { loadSimulationInputs } from "../inputs.js";
import type { CliIo } from "../io.js";

export interface LookFirstFiles {
  readonly policy: string;
  readonly estate: string;
  /** A scenario whose first step is a traffic step. */
  readonly traffic: string;
}

interface Say {
  readonly say: (text: string, by?: string) => void;
  readonly heading: (text: string) => void;
}

/** The part, narrated; false when a step of it failed (said on stderr). */
export async function lookFirst(files: LookFirstFiles, narrator: Say, io: CliIo): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), "segsync-demo-"));
  try {
    return await lookFirstIn(dir, files, narrator, io);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function lookFirstIn(dir: string, files: LookFirstFiles, narrator: Say, io: CliIo): Promise<boolean> {
  const { say, heading } = narrator;
  const text = await readFile(files.policy, "utf8");
  const visibility = join(dir, "policy-visibility.yaml");
  await writeFile(visibility, inVisibility(text));
  heading("4. Look first: what would enforcing break? Real traffic, the policy in visibility");
  const before = await sendTraffic({ ...files, policy: visibility }, join(dir, "before"), io);
  if (before === undefined) return false;
  say(`Traffic through the clouds' own rules: ${trafficLine(before.outcome)}.`, "  ");
  say(`flows check on the clouds' flow logs: ${summaryLine(before.report)}`, "  ");
  for (const group of before.report.groups.filter((g) => g.wouldBlock)) say(wouldBlockLine(group), "    ");
  const suggestions = suggestRules(before.policy, before.report.groups);
  say(`flows suggest: ${suggestions.rules.length} rule(s) that admit what was observed:`, "  ");
  // YAML as suggest writes it, not rewrapped: only its evidence's times are made shorter.
  for (const line of suggestionFragment(suggestions).trimEnd().split("\n"))
    io.out(`    ${shortTimes(line)}\n`);
  const suggested = join(dir, "policy-suggested.yaml");
  await writeFile(suggested, mergeSuggestions(text, files.policy, suggestions));
  const after = await sendTraffic({ ...files, policy: suggested }, join(dir, "after"), io);
  if (after === undefined) return false;
  say(`Enforced with the suggestions, the same traffic: ${trafficLine(after.outcome)}.`, "  ");
  say(`flows check: ${summaryLine(after.report)}`, "  ");
  return after.report.summary.wouldBlock === 0;
}

/** The policy text with every ruleset in visibility: computed and reported, never written. */
function inVisibility(text: string): string {
  const document = parseDocument(text);
  const rulesets = document.get("rulesets");
  const count = Array.isArray((rulesets as { items?: unknown[] } | undefined)?.items)
    ? (rulesets as { items: unknown[] }).items.length
    : 0;
  for (let index = 0; index < count; index++)
    document.setIn(["rulesets", index, "enforcement"], "visibility");
  return document.toString();
}

/**
 * A simulation of the estate under the policy: an initial sync, the scenario's first traffic
 * step, the flow logs written to `logs`, and `flows check` on them.
 */
async function sendTraffic(files: LookFirstFiles, logs: string, io: CliIo) {
  const inputs = await loadSimulationInputs(
    { policy: files.policy, estate: files.estate, scenario: files.traffic },
    io,
  );
  const step = inputs?.scenario?.steps.find((s): s is Extract<Step, { traffic: unknown }> => "traffic" in s);
  if (inputs === undefined || step === undefined) {
    if (inputs !== undefined) io.err(`${files.traffic}: the demo needs a traffic step\n`);
    return undefined;
  }
  const simulation = Simulation.start(inputs.policy, inputs.estate);
  await simulation.fullSync();
  const outcome = (await simulation.step(step)).traffic;
  if (outcome === undefined || !(await writeFlowLogs(logs, simulation.clouds.flowLogs.files(), io)))
    return undefined;
  const observed = await observeFlows("demo", [logs], { policy: files.policy, estate: files.estate }, io);
  if (typeof observed === "number") return undefined;
  return { outcome, report: observed.report, policy: observed.policy };
}

function wouldBlockLine(group: CheckGroup): string {
  const end = (endpoint: CheckEndpoint) =>
    endpoint.kind === "workload" ? endpoint.workload : endpoint.address;
  const connections = `${group.connections} connection(s) accepted`;
  return `would be blocked: ${end(group.source)} → ${end(group.destination)} ${group.service}, ${connections}, ${verdictText(group.verdict)}`;
}

/** `first 2025-01-01T00:01:03.000Z, last 2025-01-01T00:01:03.000Z` → `at 2025-01-01T00:01:03Z`. */
function shortTimes(line: string): string {
  const short = (iso: string) => iso.replace(/\.000Z$/, "Z");
  return line.replace(/first (\S+), last (\S+)$/, (_, first: string, last: string) =>
    first === last ? `at ${short(first)}` : `${short(first)} to ${short(last)}`,
  );
}

function trafficLine(outcome: TrafficOutcome): string {
  const { accepted, rejected, unreachable } = outcome.connections;
  return `${accepted} connection(s) accepted, ${rejected} rejected, ${unreachable} unreachable`;
}
