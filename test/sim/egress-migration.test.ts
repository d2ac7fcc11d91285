/**
 * An egress-enforced three-tier app migrating across clouds (docs/policy.md, "Deny rules and egress
 * (v2)"): test/fixtures/v2/migration-policy.yaml on migration-estate.yaml, whose shop starts in
 * AWS; migration-scenario.yaml moves its api to Azure, then its db to GCP, each move reconciled
 * once from its events. After each state, every end of every flow is decided by its own cloud's
 * evaluator on the simulated native state: the source's egress and the destination's ingress, both
 * directions, every pair of workloads and the outside addresses, equal to the policy; the moved
 * workload keeps its egress enforcement and its denies; a second full sync plans nothing.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadPolicyFile } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import type { ReconcileResult } from "../../lib/reconcile/reconciler.js";
import { loadEstateFile } from "../../sim/estate.js";
import { loadScenarioFile, type Step } from "../../sim/scenario.js";
import { Simulation } from "../../sim/simulation.js";
import type { Probe } from "../compile/oracle.js";
import { REPO_ROOT } from "../policy/fixtures.js";
import { egressEnd, expectEveryEndEqualsPolicy, flowEnds, type TwoEnds, twoEnds } from "./two-ends.js";

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "v2");
const GATEWAY = "198.51.100.7";
const SANDBOX = "198.51.100.200";
const VPN = "10.8.0.5";
/** Outside addresses probed from and to every workload: the gateway, its sandbox half, the VPN, the internet. */
const OUTSIDE = [GATEWAY, SANDBOX, VPN, "8.8.8.8"];

type Tier = "web" | "api" | "db" | "dev";

/** A named flow: from a tier or an outside address, to a tier or an outside address, on one probe. */
interface NamedFlow {
  readonly from: Tier | string;
  readonly to: Tier | string;
  readonly probe: Probe;
}

const FLOWS: Readonly<Record<string, NamedFlow>> = {
  "web → api tcp/8080": { from: "web", to: "api", probe: ["tcp", 8080] },
  "api → db tcp/5432": { from: "api", to: "db", probe: ["tcp", 5432] },
  "api → gateway tcp/443": { from: "api", to: GATEWAY, probe: ["tcp", 443] },
  "api → gateway tcp/80": { from: "api", to: GATEWAY, probe: ["tcp", 80] },
  "api → sandbox tcp/443": { from: "api", to: SANDBOX, probe: ["tcp", 443] },
  "web → db tcp/5432": { from: "web", to: "db", probe: ["tcp", 5432] },
  "db → api tcp/8080": { from: "db", to: "api", probe: ["tcp", 8080] },
  "dev → db tcp/5432": { from: "dev", to: "db", probe: ["tcp", 5432] },
  "vpn → web tcp/443": { from: VPN, to: "web", probe: ["tcp", 443] },
  "vpn → web tcp/22": { from: VPN, to: "web", probe: ["tcp", 22] },
};

/** The named flows' ends after each state: `egress <cloud> <verdict>, ingress <cloud> <verdict>`. */
const STATES: readonly { readonly name: string; readonly flows: Readonly<Record<string, string>> }[] = [
  {
    name: "all in AWS",
    flows: {
      "web → api tcp/8080": "egress aws allowed, ingress aws allowed",
      "api → db tcp/5432": "egress aws allowed, ingress aws allowed",
      "api → gateway tcp/443": "egress aws allowed",
      "api → gateway tcp/80": "egress aws blocked",
      "api → sandbox tcp/443": "egress aws blocked",
      "web → db tcp/5432": "egress aws blocked, ingress aws blocked",
      "db → api tcp/8080": "egress aws blocked, ingress aws blocked",
      "dev → db tcp/5432": "egress aws allowed, ingress aws blocked",
      "vpn → web tcp/443": "ingress aws allowed",
      "vpn → web tcp/22": "ingress aws blocked",
    },
  },
  {
    name: "api moved to Azure",
    flows: {
      "web → api tcp/8080": "egress aws allowed, ingress azure allowed",
      "api → db tcp/5432": "egress azure allowed, ingress aws allowed",
      "api → gateway tcp/443": "egress azure allowed",
      "api → gateway tcp/80": "egress azure blocked",
      "api → sandbox tcp/443": "egress azure blocked",
      "web → db tcp/5432": "egress aws blocked, ingress aws blocked",
      "db → api tcp/8080": "egress aws blocked, ingress azure blocked",
      "dev → db tcp/5432": "egress aws allowed, ingress aws blocked",
      "vpn → web tcp/443": "ingress aws allowed",
      "vpn → web tcp/22": "ingress aws blocked",
    },
  },
  {
    name: "db moved to GCP",
    flows: {
      "web → api tcp/8080": "egress aws allowed, ingress azure allowed",
      "api → db tcp/5432": "egress azure allowed, ingress gcp allowed",
      "api → gateway tcp/443": "egress azure allowed",
      "api → gateway tcp/80": "egress azure blocked",
      "api → sandbox tcp/443": "egress azure blocked",
      "web → db tcp/5432": "egress aws blocked, ingress gcp blocked",
      "db → api tcp/8080": "egress gcp blocked, ingress azure blocked",
      "dev → db tcp/5432": "egress aws allowed, ingress gcp blocked",
      "vpn → web tcp/443": "ingress aws allowed",
      "vpn → web tcp/22": "ingress aws blocked",
    },
  },
];

/** The running workload of a tier, wherever it runs now. */
function tier(ends: TwoEnds, name: Tier) {
  const [role, env] = name === "dev" ? ["api", "dev"] : [name, "prod"];
  const found = ends.workloads.find((w) => w.tags["seg-role"] === role && w.tags["seg-env"] === env);
  if (found === undefined) throw new Error(`no running ${name}`);
  return found;
}

const isTier = (end: string): end is Tier => ["web", "api", "db", "dev"].includes(end);

/** Both ends of a named flow, as each cloud decides. */
function namedFlowEnds(ends: TwoEnds, flow: NamedFlow): string {
  const idOf = (end: string) => (isTier(end) ? tier(ends, end).id : end);
  return flowEnds(ends, idOf(flow.from), idOf(flow.to), flow.probe);
}

interface StateSeen {
  readonly name: string;
  readonly ends: TwoEnds;
  readonly result: ReconcileResult;
  readonly events: number;
  readonly secondSync: readonly unknown[];
}

let policy: Policy;
const seen: StateSeen[] = [];

/** One state: its reconcile's result, what the clouds now enforce, and a dry-run full sync after it. */
async function record(simulation: Simulation, name: string, result: ReconcileResult, events: number) {
  const again = await simulation.fullSync({ dryRun: true });
  const secondSync = Object.values(again.plan).flatMap((part) => part?.operations ?? []);
  seen.push({ name, ends: await twoEnds(simulation, policy), result, events, secondSync });
}

beforeAll(async () => {
  const loaded = await loadPolicyFile(join(FIXTURES, "migration-policy.yaml"));
  const estate = await loadEstateFile(join(FIXTURES, "migration-estate.yaml"));
  if (!loaded.ok || !estate.ok) throw new Error("the fixtures must load");
  policy = loaded.policy;
  const scenario = await loadScenarioFile(join(FIXTURES, "migration-scenario.yaml"), {
    estate: estate.estate,
  });
  if (!scenario.ok) throw new Error("the scenario must load");
  const simulation = Simulation.start(policy, estate.estate);
  await record(simulation, "all in AWS", await simulation.fullSync(), 0);
  let events = 0;
  const moves = ["api moved to Azure", "db moved to GCP"];
  for (const step of scenario.scenario.steps as readonly Step[]) {
    const outcome = await simulation.step(step);
    events += outcome.parsed.length;
    if (outcome.result === undefined) continue;
    await record(simulation, moves.shift() ?? "?", outcome.result, events);
    events = 0;
  }
}, 120_000);

describe("an egress-enforced three-tier app migrating AWS → Azure → GCP", () => {
  it("reconciles each move from its events, in full, and a second full sync plans nothing", () => {
    expect(seen.map((state) => state.name)).toEqual(STATES.map((state) => state.name));
    for (const state of seen) {
      expect(state.result.failures, state.name).toEqual({});
      expect(state.secondSync, state.name).toEqual([]);
    }
    expect(seen.slice(1).map((state) => state.events > 0)).toEqual([true, true]);
  });

  it.each(STATES.map((state, index) => [state.name, index] as const))(
    "%s: the named flows, each end decided by its own cloud",
    (_, index) => {
      const state = seen[index];
      const expected = STATES[index];
      if (state === undefined || expected === undefined) throw new Error("every state was recorded");
      const actual = Object.fromEntries(
        Object.entries(FLOWS).map(([name, flow]) => [name, namedFlowEnds(state.ends, flow)]),
      );
      expect(actual).toEqual(expected.flows);
    },
  );

  it.each(STATES.map((state, index) => [state.name, index] as const))(
    "%s: every end of every flow equals the policy, and the moved tiers keep their enforced egress",
    (_, index) => {
      const state = seen[index];
      if (state === undefined) throw new Error("every state was recorded");
      expect(expectEveryEndEqualsPolicy(state.ends, policy, OUTSIDE)).toBeGreaterThan(1000);
      const egressKeys = (state.result.intent.egress ?? []).map((entry) => entry.cloud);
      expect(new Set(egressKeys)).toEqual(new Set(["aws", "azure", "gcp"].slice(0, index + 1)));
      // The instance metadata service stays reachable under enforced egress, in every cloud.
      for (const workload of state.ends.workloads)
        expect(egressEnd(state.ends, workload, "169.254.169.254", ["tcp", 80]), workload.id).toMatch(
          / allowed$/,
        );
    },
  );
});
