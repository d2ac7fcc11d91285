import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { NetworkTopology } from "../../lib/compile/address-view.js";
import type { EgressIntent, Intent } from "../../lib/compile/model.js";
import { CLOUDS, type Inventory } from "../../lib/inventory/model.js";
import { cidrContains } from "../../lib/net/cidr.js";
import { loadPolicyFile } from "../../lib/policy/load.js";
import type { Service } from "../../lib/policy/model.js";
import { servicesAdmit } from "../../lib/policy/services.js";
import { Simulation } from "../../sim/simulation.js";
import { FlowLogs } from "../../sim/traffic/flow-logs.js";
import { sendTraffic, type TrafficOutcome } from "../../sim/traffic/send.js";
import { type TrafficFlow, type TrafficService, trafficService } from "../../sim/traffic-schema.js";
import { intentAllows } from "../clouds/intent-probes.js";
import { exampleEstate, REPO_ROOT } from "./fixtures.js";
import { discoveredInventory, expectedKeys, readBack, servicePortsOf } from "./traffic-logs.js";

const OUTSIDE = ["10.8.0.5", "198.51.100.7"];
const SERVICES = ["tcp/8080", "tcp/5432", "tcp/9100", "tcp/443", "udp/53", "icmp"];

let simulation: Simulation;
let intent: Intent;
let inventory: Inventory;

async function syncedOn(policyFile: string): Promise<void> {
  const policy = await loadPolicyFile(join(REPO_ROOT, "examples", policyFile));
  if (!policy.ok) throw new Error(`examples/${policyFile} must load`);
  simulation = Simulation.start(policy.policy, await exampleEstate());
  intent = (await simulation.fullSync()).intent;
  inventory = await discoveredInventory(simulation);
}

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
  const opened = openedFlows();
  const either = opened.length === 0 ? flow : fc.oneof(flow, fc.constantFrom(...opened));
  return fc.array(either, { minLength: 1, maxLength: 6 });
}

/** A service's first port, as a traffic step names it. */
function serviceText(service: Service): string {
  if (service.protocol === "all") return "tcp/443";
  return service.protocol === "icmp" ? "icmp" : `${service.protocol}/${service.fromPort}`;
}

/**
 * Flows the intent lets an egress-enforced source open to a workload (random ends seldom are):
 * each member to each member its grants name, on the grant's first service.
 */
function openedFlows(): TrafficFlow[] {
  return (intent.egress ?? []).flatMap((entry) =>
    entry.opens.flatMap((grant) => {
      const service = grant.services[0];
      if (grant.target.kind !== "identity" || service === undefined) return [];
      const targets = grant.target.local;
      return entry.members.flatMap((member) =>
        targets
          .filter((target) => target !== member.workload)
          .map((to) => ({ from: member.workload, to, service: serviceText(service), count: 1 })),
      );
    }),
  );
}

/** ICMP has no ports: two exchanges between the same two ends are one connection, whatever their verdicts. */
function icmpPairsRepeat(spec: readonly TrafficFlow[]): boolean {
  const pairs = spec.filter((f) => f.service === "icmp").map((f) => [f.from, f.to].sort().join(" "));
  return new Set(pairs).size !== pairs.length;
}

/** What the intent lets an egress-enforced source open (test/compile/egress.property.test.ts reads it so too). */
function intentOpens(entry: EgressIntent, address: string, service: TrafficService): boolean {
  const { protocol, port } = service;
  return entry.opens.some(
    (grant) =>
      servicesAdmit(grant.services, protocol, port ?? 0) &&
      grant.target.cidrs.some((cidr) => cidrContains(cidr, address)),
  );
}

/** The egress entry of a source workload in its primary network, when its egress is enforced. */
function egressOf(source: string): EgressIntent | undefined {
  const workload = simulation.clouds.workload(source);
  if (workload === undefined) return undefined;
  return intent.egress?.find(
    (entry) => entry.network === workload.network && entry.members.some((m) => m.workload === source),
  );
}

/** Whether the destination's ingress is enforced, and if so whether the intent admits the address. */
function ingressAllows(to: string, address: string, service: TrafficService): boolean | undefined {
  const workload = simulation.clouds.workload(to);
  if (workload === undefined) return undefined;
  const destination = intent.destinations.find(
    (d) => d.network === workload.network && d.members.some((m) => m.workload === workload.id),
  );
  if (destination?.enforcement !== "enforced") return undefined;
  return intentAllows(intent, destination, address, service.protocol, service.port ?? 0);
}

interface Checked {
  ingress: number;
  egress: number;
  /** Flows an egress-enforced source's egress let through. */
  opened: number;
}

/**
 * Where an end is enforced, the clouds' own rules decided as the intent says, in both directions:
 * the source's egress (which decides first), then the destination's ingress. Counts the flows checked at each end.
 */
function expectIntentVerdicts(outcome: TrafficOutcome): Checked {
  const checked = { ingress: 0, egress: 0, opened: 0 };
  for (const flow of outcome.flows) {
    if (flow.verdict === "unreachable") continue;
    const where = `${flow.flow.from} → ${flow.flow.to} ${flow.flow.service}`;
    const service = trafficService(flow.flow.service);
    const egress = egressOf(flow.flow.from);
    if (egress !== undefined) {
      checked.egress++;
      const opens = intentOpens(egress, flow.destinationAddress as string, service);
      if (!opens) {
        expect([flow.verdict, flow.decidedBy?.end], where).toEqual(["rejected", "source"]);
        continue;
      }
      checked.opened++;
      if (!flow.flow.to.includes(":")) expect(flow.verdict, where).toBe("accepted");
    }
    const ingress = flow.flow.from.includes(":")
      ? ingressAllows(flow.flow.to, flow.sourceAddress as string, service)
      : undefined;
    if (ingress === undefined || flow.decidedBy?.end === "source") continue;
    expect(flow.verdict, where).toBe(ingress ? "accepted" : "rejected");
    checked.ingress++;
  }
  return checked;
}

describe.each([
  { policyFile: "policy.yaml", ingress: 20, egress: 0 },
  { policyFile: "policy-v2.yaml", ingress: 5, egress: 20 },
])("random traffic on the example estate synced with examples/$policyFile", (expected) => {
  const { policyFile } = expected;
  beforeAll(() => syncedOn(policyFile));

  it("reads back from every cloud's log as sent, and enforced ends decide as the intent says", async () => {
    const checked: Checked = { ingress: 0, egress: 0, opened: 0 };
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
        const counted = expectIntentVerdicts(outcome);
        checked.ingress += counted.ingress;
        checked.egress += counted.egress;
        checked.opened += counted.opened;
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
    expect(checked.ingress).toBeGreaterThan(expected.ingress);
    expect(checked.egress).toBeGreaterThanOrEqual(expected.egress);
    expect(checked.opened > 0).toBe(expected.egress > 0);
  });
});
