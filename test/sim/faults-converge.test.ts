import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Reachability } from "../../lib/clouds/provider.js";
import type { Intent } from "../../lib/compile/model.js";
import { CLOUDS, type Cloud } from "../../lib/inventory/model.js";
import { loadPolicyFile } from "../../lib/policy/load.js";
import { loadEstateFile } from "../../lib/sim/estate.js";
import { Simulation } from "../../lib/sim/run.js";
import { loadScenarioFile } from "../../lib/sim/scenario.js";

const examples = join(import.meta.dirname, "../../examples");

async function setup() {
  const policy = await loadPolicyFile(join(examples, "policy.yaml"));
  const estate = await loadEstateFile(join(examples, "estate.yaml"));
  if (!policy.ok || !estate.ok) throw new Error("the examples must load");
  const scenario = await loadScenarioFile(join(examples, "scenarios", "migrate-aws-to-azure.yaml"), {
    estate: estate.estate,
  });
  if (!scenario.ok) throw new Error("the example scenario must load");
  return { policy: policy.policy, estate: estate.estate, scenario: scenario.scenario };
}

/** The clouds' reachability read straight from the simulators (synchronous, so it can run between two writes). */
function reachNow(simulation: Simulation): Record<Cloud, Reachability> {
  const { clouds, providers } = simulation;
  const connections = clouds.connections();
  return {
    aws: providers.aws.evaluate(connections.aws.locations.map((l) => clouds.aws(l).state())),
    azure: providers.azure.evaluate(connections.azure.subscriptions.map((s) => clouds.azure(s).state())),
    gcp: providers.gcp.evaluate(connections.gcp.projects.map((p) => clouds.gcp(p).state())),
  };
}

/** Every (destination member, source address, port) the intent allows, as probe keys. */
function allowedProbes(
  intent: Intent,
): { key: string; probe: Parameters<Reachability["explain"]>[0]; cloud: Cloud }[] {
  const peerSets = new Map(intent.peerSets.map((p) => [p.key, p]));
  const probes: { key: string; probe: Parameters<Reachability["explain"]>[0]; cloud: Cloud }[] = [];
  for (const destination of intent.destinations) {
    if (destination.enforcement !== "enforced") continue;
    for (const member of destination.members) {
      for (const grant of destination.grants) {
        const service = grant.services[0];
        if (!service || grant.source.kind !== "peerSet") continue;
        const port = "fromPort" in service ? service.fromPort : 0;
        const protocol = service.protocol === "all" ? "tcp" : service.protocol;
        for (const source of [
          ...(peerSets.get(grant.source.key)?.local ?? []),
          ...(peerSets.get(grant.source.key)?.remote ?? []),
        ]) {
          for (const sourceAddress of source.addresses.filter((a) => !a.includes("/"))) {
            const probe = {
              workload: member.workload,
              network: destination.network,
              sourceAddress,
              protocol,
              port,
            };
            probes.push({ key: JSON.stringify(probe), probe, cloud: destination.cloud });
          }
        }
      }
    }
  }
  return probes;
}

describe("faults: the pipeline converges and never blocks a flow allowed before and after", () => {
  it.each(CLOUDS)(
    "throttling on %s and a crash mid-plan on every cloud",
    async (throttled) => {
      const { policy, estate, scenario } = await setup();
      const simulation = Simulation.start(policy, estate);
      const first = await simulation.fullSync();
      const before = new Set(allowedProbes(first.intent).map((p) => p.key));

      // Check after every write of every reconcile that flows allowed before the migration and after it stay allowed.
      let keep: { probe: Parameters<Reachability["explain"]>[0]; cloud: Cloud }[] = [];
      let intermediateChecks = 0;
      simulation.audit.record = ((original) => (record) => {
        original(record);
        const reach = reachNow(simulation);
        for (const { probe, cloud } of keep) {
          expect(reach[cloud].explain(probe), `${record.object}: ${JSON.stringify(probe)}`).toBeDefined();
          intermediateChecks++;
        }
      })(simulation.audit.record.bind(simulation.audit));

      simulation.clouds.setThrottle(throttled, { rate: 0.3, seed: 7 });
      for (const cloud of CLOUDS) simulation.clouds.failAfterWrites(cloud, 2);
      for (const step of scenario.steps)
        if (!("reconcile" in step) && !("fullSync" in step)) await simulation.step(step);
      // The intent after the migration, to know which flows must hold throughout.
      const target = (await simulation.reconcile({ dryRun: true })).intent;
      keep = allowedProbes(target).filter((p) => before.has(p.key));
      expect(keep.length).toBeGreaterThan(5);

      // Reconcile until one runs without failures: at most three, the first one crashing on every cloud.
      const rounds = [];
      do {
        rounds.push(await simulation.fullSync());
        if (rounds.length === 1) simulation.clouds.setThrottle(throttled, undefined);
      } while (Object.keys(rounds.at(-1)?.failures ?? {}).length > 0 && rounds.length < 3);
      expect(Object.keys(rounds[0]?.failures ?? {}).length).toBeGreaterThan(0);
      expect(rounds.at(-1)?.failures).toEqual({});
      const settled = await simulation.fullSync();
      expect(settled.failures).toEqual({});
      expect(Object.values(settled.plan).flatMap((p) => p?.operations ?? [])).toEqual([]);
      expect(intermediateChecks).toBeGreaterThan(0);
    },
    120_000,
  );
});
