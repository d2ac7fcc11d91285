/**
 * examples/scenarios/egress.yaml under examples/policy-v2.yaml on examples/estate.yaml, as
 * `segsync simulate` runs it (docs/scenarios.md): before and after the shop's api moves from Azure
 * to GCP, each flow of its traffic steps as both ends' clouds decide it on the rules segsync wrote,
 * and every end of every flow equal to the policy. The traffic step's own verdicts are not
 * checked here: what it decides at the source is the traffic step's business (docs/flows.md).
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadPolicyFile } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import type { ReconcileResult } from "../../lib/reconcile/reconciler.js";
import { type Estate, loadEstateFile } from "../../sim/estate.js";
import { loadScenarioFile, type Scenario } from "../../sim/scenario.js";
import { Simulation, type SimulationOptions } from "../../sim/simulation.js";
import type { Probe } from "../compile/oracle.js";
import { REPO_ROOT } from "../policy/fixtures.js";
import { expectEveryEndEqualsPolicy, flowEnds, type TwoEnds, twoEnds } from "./two-ends.js";

const EXAMPLES = join(REPO_ROOT, "examples");

/** Each traffic step's flows, in the file's order, with both ends. */
const EXPECTED: readonly (readonly string[])[] = [
  [
    "vm-api-2 → i-0a00000000000004 tcp/5432: egress azure allowed, ingress aws allowed",
    "i-0a00000000000001 → 198.51.100.7 tcp/443: egress aws blocked",
    "blog-db-1 → blog-api-dev tcp/8080: egress gcp allowed, ingress gcp blocked",
    "blog-api-dev → shop-db-2 tcp/5432: egress gcp allowed, ingress gcp blocked",
  ],
  [
    "shop-api-3 → shop-db-2 tcp/5432: egress gcp allowed, ingress gcp allowed",
    "shop-api-3 → 198.51.100.7 tcp/443: egress gcp allowed",
    "shop-api-3 → 8.8.8.8 tcp/443: egress gcp blocked",
    "shop-web-3 → shop-api-3 tcp/8080: egress gcp allowed, ingress gcp allowed",
    "blog-api-dev → shop-api-3 tcp/8080: egress gcp allowed, ingress gcp blocked",
  ],
];

const short = (end: string) => end.split(":").at(-1) ?? end;

function probeOf(service: string): Probe {
  const [protocol, port] = service.split("/");
  if (protocol !== "tcp" && protocol !== "udp")
    throw new Error(`the example's services are tcp or udp: ${service}`);
  return [protocol, Number(port)];
}

interface Run {
  readonly results: readonly ReconcileResult[];
  readonly traffic: readonly { readonly ends: TwoEnds; readonly flows: readonly string[] }[];
  readonly secondSync: readonly unknown[];
}

let policy: Policy;
/** As `segsync simulate` runs it: each event batch read as the change (the default). */
let targeted: Run;
/** Each event batch reading the places it touches whole. */
let whole: Run;

async function run(scenario: Scenario, estate: Estate, options: SimulationOptions): Promise<Run> {
  const simulation = Simulation.start(policy, estate, options);
  const results = [await simulation.fullSync()];
  const traffic: Run["traffic"][number][] = [];
  for (const step of scenario.steps) {
    if (!("traffic" in step)) {
      const { result } = await simulation.step(step);
      if (result) results.push(result);
      continue;
    }
    const ends = await twoEnds(simulation, policy);
    const flows = step.traffic.map(
      (flow) =>
        `${short(flow.from)} → ${short(flow.to)} ${flow.service}: ${flowEnds(ends, flow.from, flow.to, probeOf(flow.service))}`,
    );
    traffic.push({ ends, flows });
  }
  const again = await simulation.fullSync({ dryRun: true });
  return {
    results,
    traffic,
    secondSync: Object.values(again.plan).flatMap((part) => part?.operations ?? []),
  };
}

beforeAll(async () => {
  const loaded = await loadPolicyFile(join(EXAMPLES, "policy-v2.yaml"));
  const estate = await loadEstateFile(join(EXAMPLES, "estate.yaml"));
  if (!loaded.ok || !estate.ok) throw new Error("the examples must load");
  policy = loaded.policy;
  const scenario = await loadScenarioFile(join(EXAMPLES, "scenarios", "egress.yaml"), {
    estate: estate.estate,
  });
  if (!scenario.ok) throw new Error("the scenario must load");
  targeted = await run(scenario.scenario, estate.estate, {});
  whole = await run(scenario.scenario, estate.estate, { readChanges: false });
}, 120_000);

describe("examples/scenarios/egress.yaml under examples/policy-v2.yaml", () => {
  it("applies in full, the move in one reconcile from its events", () => {
    for (const { results } of [targeted, whole]) {
      expect(results).toHaveLength(2);
      for (const result of results) expect(result.failures).toEqual({});
    }
  });

  it("read as the change and read whole, a second full sync after it plans nothing", () => {
    // Read as the change, the move's reconcile once wrote the AWS web group's egress to the AWS api
    // by address beside its group reference (the api's group was outside the change's read).
    expect(targeted.secondSync).toEqual([]);
    expect(whole.secondSync).toEqual([]);
  });

  it("decides each flow of its traffic steps at both ends, as its comments say", () => {
    expect(targeted.traffic.map((step) => step.flows)).toEqual(EXPECTED);
    expect(whole.traffic.map((step) => step.flows)).toEqual(EXPECTED);
  });

  it("before and after the move: every end of every flow equals the policy", () => {
    for (const step of [...targeted.traffic, ...whole.traffic])
      expect(
        expectEveryEndEqualsPolicy(step.ends, policy, ["198.51.100.7", "8.8.8.8", "10.8.0.5"]),
      ).toBeGreaterThan(1000);
  });
});
