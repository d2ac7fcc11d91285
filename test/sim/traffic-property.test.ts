import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { NetworkTopology } from "../../lib/compile/address-view.js";
import type { Intent } from "../../lib/compile/model.js";
import { CLOUDS, type Inventory } from "../../lib/inventory/model.js";
import { loadPolicyFile } from "../../lib/policy/load.js";
import { Simulation } from "../../sim/simulation.js";
import { FlowLogs } from "../../sim/traffic/flow-logs.js";
import { sendTraffic, type TrafficOutcome } from "../../sim/traffic/send.js";
import { type TrafficFlow, trafficService } from "../../sim/traffic-schema.js";
import { intentAllows } from "../clouds/intent-probes.js";
import { exampleEstate, REPO_ROOT } from "./fixtures.js";
import { discoveredInventory, expectedKeys, readBack, servicePortsOf } from "./traffic-logs.js";

const OUTSIDE = ["10.8.0.5", "198.51.100.7"];
const SERVICES = ["tcp/8080", "tcp/5432", "tcp/9100", "tcp/443", "udp/53", "icmp"];

let simulation: Simulation;
let intent: Intent;
let inventory: Inventory;

beforeAll(async () => {
  const policy = await loadPolicyFile(join(REPO_ROOT, "examples", "policy.yaml"));
  if (!policy.ok) throw new Error("the example policy must load");
  simulation = Simulation.start(policy.policy, await exampleEstate());
  intent = (await simulation.fullSync()).intent;
  inventory = await discoveredInventory(simulation);
});

function flows(): fc.Arbitrary<TrafficFlow[]> {
  const running = simulation.clouds
    .workloads()
    .filter((w) => w.state === "running")
    .map((w) => w.id);
  const end = fc.constantFrom(...running, ...OUTSIDE);
  const flow = fc
    .record({
      from: end,
      to: end,
      service: fc.constantFrom(...SERVICES),
      count: fc.integer({ min: 1, max: 2 }),
    })
    .filter((f) => f.from !== f.to && (f.from.includes(":") || f.to.includes(":")));
  return fc.array(flow, { minLength: 1, maxLength: 6 });
}

/** ICMP has no ports: two exchanges between the same two ends are one connection, whatever their verdicts. */
function icmpPairsRepeat(spec: readonly TrafficFlow[]): boolean {
  const pairs = spec.filter((f) => f.service === "icmp").map((f) => [f.from, f.to].sort().join(" "));
  return new Set(pairs).size !== pairs.length;
}

/** For a destination segsync enforces, the cloud's own rules decided as the intent says. */
function expectIntentVerdicts(outcome: TrafficOutcome): number {
  let checked = 0;
  for (const flow of outcome.flows) {
    const to = simulation.clouds.workload(flow.flow.to);
    if (flow.verdict === "unreachable" || !flow.flow.from.includes(":") || to === undefined) continue;
    const destination = intent.destinations.find(
      (d) => d.network === to.network && d.members.some((m) => m.workload === to.id),
    );
    if (destination?.enforcement !== "enforced") continue;
    const { protocol, port } = trafficService(flow.flow.service);
    const allowed = intentAllows(intent, destination, flow.sourceAddress as string, protocol, port ?? 0);
    expect(flow.verdict, `${flow.flow.from} → ${flow.flow.to} ${flow.flow.service}`).toBe(
      allowed ? "accepted" : "rejected",
    );
    checked++;
  }
  return checked;
}

describe("random traffic on the synced example estate", () => {
  it("reads back from every cloud's log as sent, and enforced destinations decide as the intent says", async () => {
    let enforced = 0;
    await fc.assert(
      fc.asyncProperty(flows(), async (spec) => {
        fc.pre(!icmpPairsRepeat(spec));
        const logs = new FlowLogs();
        const outcome = sendTraffic(
          simulation.clouds,
          new NetworkTopology(simulation.policy.networks),
          spec,
          logs,
        );
        enforced += expectIntentVerdicts(outcome);
        const files = logs.files();
        for (const cloud of CLOUDS) {
          const read = await readBack(
            files.filter((file) => file.cloud === cloud),
            inventory,
            simulation,
            servicePortsOf([outcome]),
          );
          expect(read.malformed).toBe(0);
          expect(read.keys, cloud).toEqual(expectedKeys([outcome], cloud, simulation, inventory));
        }
      }),
      { numRuns: 40 },
    );
    expect(enforced).toBeGreaterThan(20);
  });
});
