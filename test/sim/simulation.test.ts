import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Intent } from "../../lib/compile/model.js";
import { loadPolicyFile } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import { loadEstateFile } from "../../sim/estate.js";
import { loadScenarioFile } from "../../sim/scenario.js";
import { Simulation } from "../../sim/simulation.js";
import { intentAllows, probes } from "../clouds/intent-probes.js";

const examples = join(import.meta.dirname, "../../examples");

async function fixtures() {
  const policy = await loadPolicyFile(join(examples, "policy.yaml"));
  const estate = await loadEstateFile(join(examples, "estate.yaml"));
  if (!policy.ok || !estate.ok) throw new Error("the examples must load");
  return { policy: policy.policy, estate: estate.estate };
}

/** Every enforced destination member, every address the intent knows and a few outside ones, every probe port. */
async function expectCloudsEqualIntent(simulation: Simulation, intent: Intent, policy: Policy) {
  const reach = await simulation.reachability();
  const addresses = new Set(["203.0.113.250", "198.51.100.250"]);
  for (const peerSet of intent.peerSets)
    for (const member of [...peerSet.local, ...peerSet.remote])
      for (const a of member.addresses) if (!a.includes("/")) addresses.add(a);
  let checked = 0;
  for (const destination of intent.destinations) {
    if (destination.enforcement !== "enforced") continue;
    for (const member of destination.members) {
      for (const sourceAddress of addresses) {
        for (const [protocol, port] of probes(policy)) {
          const expected = intentAllows(intent, destination, sourceAddress, protocol, port);
          const verdict = reach[destination.cloud].explain({
            workload: member.workload,
            network: destination.network,
            sourceAddress,
            protocol,
            port,
          });
          expect(verdict !== undefined, `${member.workload} ← ${sourceAddress} ${protocol}/${port}`).toBe(
            expected,
          );
          checked++;
        }
      }
    }
  }
  expect(checked).toBeGreaterThan(100);
}

describe("simulate: every example scenario through the production path", () => {
  const scenarios = readdirSync(join(examples, "scenarios")).filter((f) => f.endsWith(".yaml"));

  it.each(scenarios)(
    "%s ends with the clouds equal to the intent, and a full sync after it changes nothing",
    async (file) => {
      const { policy, estate } = await fixtures();
      const scenario = await loadScenarioFile(join(examples, "scenarios", file), { estate });
      if (!scenario.ok) throw new Error(scenario.issues.map((i) => i.message).join("\n"));
      const simulation = Simulation.start(policy, estate);
      const outcomes = await simulation.run(scenario.scenario);
      const results = outcomes.flatMap((o) => (o.result ? [o.result] : []));
      for (const result of results) {
        expect(result.failures).toEqual({});
        expect(result.guard.allowed).toBe(true);
      }
      expect(outcomes.some((o) => o.parsed.length > 0)).toBe(true);
      const last = results.at(-1);
      if (!last) throw new Error("no reconcile ran");
      await expectCloudsEqualIntent(simulation, last.intent, policy);
      const after = await simulation.fullSync();
      expect(Object.values(after.plan).flatMap((p) => p?.operations ?? [])).toEqual([]);
    },
    120_000,
  );
});
