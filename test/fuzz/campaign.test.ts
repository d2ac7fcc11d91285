/**
 * The randomized convergence campaign on CI's fixed seeds (issue 13; docs/scenarios.md, "The
 * randomized campaign"): every seed's case converges, and across the seeds every step kind and
 * every fault fires. `npm run fuzz -- --seeds N --time T` runs more. CI's cases include GCP Shared
 * VPC service projects and watch the initial sync's flows too; they leave out additive mode, where
 * customer groups that stay admit more than the intent by design (reported as warnings), which
 * the checker does not model yet.
 */
import { describe, expect, it } from "vitest";
import { parseWorkloadId } from "../../lib/inventory/ids.js";
import { resolvePolicyDocument } from "../../lib/policy/load.js";
import { resolveEstateDocument } from "../../sim/estate.js";
import { STEP_KINDS } from "../../sim/scenario-schema.js";
import { Simulation } from "../../sim/simulation.js";
import { countEgressOutsideChanges, noCounts } from "../reconcile/egress-outside-change.js";
import { checkCloudsAgainstIntent } from "../sim/clouds-match-intent.js";
import { FlowWatch } from "./check.js";
import { type FuzzCase, generateCase } from "./generate.js";
import { runCase } from "./run-case.js";
import { shrink } from "./shrink.js";

/**
 * Measured on a 2-core machine shared with other jobs: 300 seeds in 31 s, so these 500 in about
 * a minute (`npm run fuzz` ran seeds 1 to 1,000; only 682 failed, kept in regressions/; after the
 * make-before-break fix, 1,000 seeds with Shared VPC and the initial sync watched: none failed).
 */
const CI_SEEDS = Array.from({ length: 500 }, (_, i) => i + 1);
const CI_CASES = { sharedVpc: true } as const;
const CI_RUN = { watchInitialSync: true } as const;
const CHUNK = 50;
/**
 * Policy v2 (the generator's `v2` option: deny rules, rules to an ipList, enforced egress) on the
 * first 60 seeds, and cases a hunt over 1-200 found whose event batches open egress to an identity
 * outside the change in Azure (126, 133, 177) and AWS (69): about 15 s. Of seeds 1-1150, 420
 * and 603 held the guard for ever after a failed event batch (fixed:
 * regressions/azure-read-fails-in-event-batches.json, gcp-crash-in-event-batch-then-source-retag.json);
 * 290, 326, 618, 851 and 1047 block a flow while a
 * source moves between two identities one rule admits, a v1 defect not fixed yet
 * (regressions/gcp-source-retag-swaps-tag.json, aws-remote-source-retag-between-prefix-lists.json).
 */
const V2_SEEDS = [...Array.from({ length: 60 }, (_, i) => i + 1), 69, 126, 133, 177];
const V2_CASES = { sharedVpc: true, v2: true } as const;

describe("the campaign's cases", () => {
  it("are the same for the same seed and differ between seeds", () => {
    expect(generateCase(42)).toEqual(generateCase(42));
    expect(generateCase(42)).not.toEqual(generateCase(43));
  });

  it("cover every step kind and fault kind, and both delivery orders, within the CI seeds", () => {
    const cases = CI_SEEDS.map((seed) => generateCase(seed));
    const steps = new Set(cases.flatMap((c) => c.steps.map((step) => Object.keys(step)[0])));
    // A traffic step changes no cloud, so nothing the campaign checks; test/sim/traffic-property.test.ts covers it.
    const changing = STEP_KINDS.filter((kind) => kind !== "traffic");
    expect([...steps].sort()).toEqual([...changing].sort());
    const faults = new Set(cases.flatMap((c) => c.faults.map((fault) => fault.kind)));
    expect([...faults].sort()).toEqual(
      ["crash", "editCustomer", "editOwned", "serverErrors", "terminateWhileApplying", "throttle"].sort(),
    );
    expect(cases.filter((c) => c.delivery).length).toBeGreaterThan(50);
    expect(cases.filter((c) => !c.delivery).length).toBeGreaterThan(50);
    const clouds = new Set(cases.flatMap((c) => c.estate.workloads.map((w) => parseWorkloadId(w.id).cloud)));
    expect([...clouds].sort()).toEqual(["aws", "azure", "gcp"]);
  });

  it("leave out additive mode unless asked, and put GCP workloads in a Shared VPC service project", () => {
    const cases = CI_SEEDS.map((seed) => generateCase(seed, CI_CASES));
    expect(cases.every((c) => c.policy.attachment === "exclusive")).toBe(true);
    expect(cases.flatMap((c) => c.estate.workloads).some((w) => w.id.startsWith("gcp:blog-prod-data:"))).toBe(
      true,
    );
    const asked = CI_SEEDS.map((seed) => generateCase(seed, { additive: true, sharedVpc: true }));
    expect(asked.some((c) => c.policy.attachment === "additive")).toBe(true);
    expect(asked.flatMap((c) => c.estate.workloads).some((w) => w.id.startsWith("gcp:blog-prod-data:"))).toBe(
      true,
    );
  });
});

describe("the campaign's policy v2 cases", () => {
  it("add deny rules, rules to an ipList and enforced egress to the seed's v1 case, only when asked", () => {
    type Ruleset = { egress?: string; deny?: unknown[]; rules: { to: Record<string, unknown> }[] };
    const rulesets = (options: object) =>
      V2_SEEDS.flatMap((seed) => generateCase(seed, options).policy.rulesets as Ruleset[]);
    const v2 = rulesets(V2_CASES);
    expect(v2.some((r) => r.egress === "enforced")).toBe(true);
    expect(v2.some((r) => (r.deny ?? []).length > 0)).toBe(true);
    expect(v2.some((r) => r.rules.some((rule) => "ipList" in rule.to))).toBe(true);
    const v1 = rulesets(CI_CASES);
    expect(v1.some((r) => r.egress !== undefined || r.deny !== undefined)).toBe(false);
    // The same estate and steps: v2 changes the policy only.
    const [plain, withV2] = [generateCase(7, CI_CASES), generateCase(7, V2_CASES)];
    expect({ ...withV2, policy: undefined }).toEqual({ ...plain, policy: undefined });
  });
});

describe("the campaign on CI's fixed seeds", () => {
  const totals = { flowChecks: 0, evaluated: 0, fired: new Set<string>() };
  const chunks = Array.from({ length: CI_SEEDS.length / CHUNK }, (_, i) =>
    CI_SEEDS.slice(i * CHUNK, (i + 1) * CHUNK),
  );

  it.each(chunks.map((seeds) => [seeds[0], seeds.at(-1), seeds] as const))(
    "seeds %i to %i: the evaluators equal the intent, a full sync plans nothing, no allowed flow is blocked",
    async (_first, _last, seeds) => {
      const failed: string[] = [];
      for (const seed of seeds) {
        const outcome = await runCase(generateCase(seed, CI_CASES), CI_RUN);
        for (const problem of outcome.problems.slice(0, 3))
          failed.push(`seed ${seed}: ${problem.kind}: ${problem.detail}`);
        totals.flowChecks += outcome.flowChecks;
        totals.evaluated += outcome.evaluated;
        for (const fired of outcome.fired) totals.fired.add(fired.replace(/@\d+/, ""));
      }
      expect(failed).toEqual([]);
    },
    300_000,
  );

  it("watched flows, compared the evaluators, and fired every pipeline fault during an apply", () => {
    expect(totals.flowChecks).toBeGreaterThan(1000);
    expect(totals.evaluated).toBeGreaterThan(10_000);
    for (const fired of ["crash", "terminateWhileApplying:during", "editOwned:during", "editCustomer:during"])
      expect(totals.fired).toContain(fired);
  });
});

describe("the campaign on policy v2", () => {
  const outside = noCounts();

  it("the evaluators equal the intent, a full sync after the events plans nothing, no allowed flow is blocked", async () => {
    const failed: string[] = [];
    const observe = (simulation: Simulation) => countEgressOutsideChanges(simulation, outside);
    for (const seed of V2_SEEDS) {
      const outcome = await runCase(generateCase(seed, V2_CASES), { ...CI_RUN, observe });
      for (const problem of outcome.problems.slice(0, 3))
        failed.push(`seed ${seed}: ${problem.kind}: ${problem.detail}`);
    }
    expect(failed).toEqual([]);
  }, 300_000);

  it("opened egress to identities outside an event's change in every cloud", () => {
    for (const cloud of ["aws", "azure", "gcp"] as const) expect(outside[cloud], cloud).toBeGreaterThan(0);
  });
});

/** The first running AWS workload of a seed whose intent allows flows to it, with its simulation settled. */
async function settledWithFlows() {
  for (let seed = 1; ; seed++) {
    const fuzz = generateCase(seed);
    const policy = resolvePolicyDocument(fuzz.policy);
    const estate = resolveEstateDocument(fuzz.estate);
    if (!policy.ok || !estate.ok) throw new Error("a generated case must load");
    const simulation = Simulation.start(policy.policy, estate.estate);
    const { intent } = await simulation.fullSync();
    const aws = intent.destinations.filter((d) => d.cloud === "aws" && d.enforcement === "enforced");
    if (aws.some((d) => d.grants.length > 0 && d.members.length > 0)) return { simulation, intent, policy };
  }
}

describe("the checks can fail", () => {
  it("an owned rule revoked by someone else: the flow watch names the closed flows and the evaluators differ from the intent", async () => {
    const { simulation, intent, policy } = await settledWithFlows();
    const watch = new FlowWatch(simulation);
    watch.start(intent);
    for (const location of simulation.clouds.connections().aws.locations) {
      const sim = simulation.clouds.aws(location);
      for (const group of sim.state().securityGroups)
        if (group.IpPermissions.length > 0 && group.GroupName.startsWith("segsync"))
          await sim.revokeIngress(group.GroupId, group.IpPermissions);
    }
    expect(watch.blockedAfter(intent).length).toBeGreaterThan(0);
    const check = await checkCloudsAgainstIntent(simulation, intent, policy.policy);
    expect(check.mismatches.length).toBeGreaterThan(0);
  });
});

describe("shrink", () => {
  it("keeps only what the failure needs, and names the scenario", async () => {
    const fuzz = generateCase(7);
    const target = fuzz.steps.find((step) => "launch" in step);
    expect(target).toBeDefined();
    // A stand-in failure: "the case still launches this workload"; no run of the clouds needed.
    const stillFails = async (candidate: FuzzCase) => candidate.steps.includes(target as never);
    const shrunk = await shrink(fuzz, "not-settled", { stillFails });
    expect(shrunk.fuzz.steps).toEqual([target]);
    expect(shrunk.fuzz.faults).toEqual([]);
    expect(shrunk.fuzz.estate.workloads).toEqual([]);
    expect(shrunk.fuzz.delivery).toBeUndefined();
    expect(shrunk.name).toBe("not-settled after launch (seed 7)");
  });
});
