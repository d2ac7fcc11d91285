/**
 * Both ends of every flow, each decided by its own cloud's evaluator on the simulated native state
 * (lib/clouds/provider.ts, Reachability): the destination's ingress (`explain`) and the source's
 * egress (`explainEgress`), against a reading of docs/policy.md that subtracts nothing
 * (test/compile/oracle.ts). For the scenario tests of policy v2.
 */
import { expect } from "vitest";
import type { Reachability } from "../../lib/clouds/provider.js";
import { NetworkTopology, reachFrom, viewFrom } from "../../lib/compile/address-view.js";
import { cloudOfId } from "../../lib/inventory/ids.js";
import type { Cloud, Workload } from "../../lib/inventory/model.js";
import type { Policy } from "../../lib/policy/model.js";
import type { Simulation } from "../../sim/simulation.js";
import { probes } from "../clouds/intent-probes.js";
import { naiveEgress, naiveIngress, type Probe } from "../compile/oracle.js";

/** The simulation's running workloads as the inventory reads them. */
export function runningWorkloads(simulation: Simulation): Workload[] {
  return simulation.clouds
    .workloads()
    .filter((w) => w.state === "running")
    .map((w) => ({
      id: w.id,
      state: "running",
      nics: [{ network: w.network, privateIp: w.privateIp, ...(w.publicIp ? { publicIp: w.publicIp } : {}) }],
      tags: w.tags,
    }));
}

/** One end's verdict: `aws allowed`, `gcp blocked`, or `open` for egress segsync does not enforce. */
export type EndVerdict = string;

export interface TwoEnds {
  readonly reach: Record<Cloud, Reachability>;
  readonly workloads: readonly Workload[];
  readonly topology: NetworkTopology;
  readonly ingress: ReturnType<typeof naiveIngress>;
  readonly egress: ReturnType<typeof naiveEgress>;
}

export async function twoEnds(simulation: Simulation, policy: Policy): Promise<TwoEnds> {
  const workloads = runningWorkloads(simulation);
  const inventory = { workloads, networks: [] };
  return {
    reach: await simulation.reachability(),
    workloads,
    topology: new NetworkTopology(policy.networks),
    ingress: naiveIngress(policy, inventory),
    egress: naiveEgress(policy, inventory),
  };
}

const verdictOf = (cloud: Cloud, passes: boolean): EndVerdict => `${cloud} ${passes ? "allowed" : "blocked"}`;

/** The source's egress toward `address` as its cloud decides it. */
export function egressEnd(
  ends: TwoEnds,
  source: Workload,
  address: string,
  [protocol, port]: Probe,
): EndVerdict {
  const network = source.nics[0]?.network ?? "";
  const cloud = cloudOfId(source.id);
  const match = ends.reach[cloud].explainEgress({
    workload: source.id,
    network,
    destinationAddress: address,
    protocol,
    ...(protocol === "icmp" ? {} : { port }),
  });
  return verdictOf(cloud, match !== undefined);
}

/** The destination's ingress from `address` as its cloud decides it. */
export function ingressEnd(
  ends: TwoEnds,
  destination: Workload,
  address: string,
  [protocol, port]: Probe,
): EndVerdict {
  const network = destination.nics[0]?.network ?? "";
  const cloud = cloudOfId(destination.id);
  const match = ends.reach[cloud].explain({
    workload: destination.id,
    network,
    sourceAddress: address,
    protocol,
    ...(protocol === "icmp" ? {} : { port }),
  });
  return verdictOf(cloud, match !== undefined);
}

/** Where `source` sends to reach `destination`, and where `destination` sees it from; undefined: no path. */
export function addressesBetween(ends: TwoEnds, source: Workload, destination: Workload) {
  const sourceNetwork = source.nics[0]?.network ?? "";
  const destinationNetwork = destination.nics[0]?.network ?? "";
  const target = reachFrom(sourceNetwork, destination, ends.topology).addresses[0];
  const seen = viewFrom(destinationNetwork, source, ends.topology).addresses[0];
  return { target, seen };
}

/**
 * Every ordered pair of running workloads and every outside address, on every probe of the
 * policy: each enforced end equals the policy, both directions; an end the policy does not
 * enforce is left as its cloud has it (egress open: it must pass). Returns how many ends it checked.
 */
export function expectEveryEndEqualsPolicy(
  ends: TwoEnds,
  policy: Policy,
  outside: readonly string[],
): number {
  let checked = 0;
  const check = (actual: EndVerdict, expected: boolean | undefined, cloud: Cloud, what: string) => {
    if (expected === undefined && !what.startsWith("egress")) return;
    expect(actual, what).toBe(verdictOf(cloud, expected ?? true));
    checked++;
  };
  for (const source of ends.workloads) {
    const sourceNetwork = source.nics[0]?.network ?? "";
    const targets = [
      ...ends.workloads.filter((w) => w !== source).map((w) => addressesBetween(ends, source, w).target),
      ...outside,
    ].filter((address): address is string => address !== undefined);
    for (const probe of probes(policy))
      for (const target of targets)
        check(
          egressEnd(ends, source, target, probe),
          ends.egress(source, sourceNetwork, target, probe),
          cloudOfId(source.id),
          `egress ${source.id} → ${target} ${probe.join("/")}`,
        );
  }
  for (const destination of ends.workloads) {
    const network = destination.nics[0]?.network ?? "";
    const sources = [
      ...ends.workloads
        .filter((w) => w !== destination)
        .map((w) => addressesBetween(ends, w, destination).seen),
      ...outside,
    ].filter((address): address is string => address !== undefined);
    for (const probe of probes(policy))
      for (const address of sources)
        check(
          ingressEnd(ends, destination, address, probe),
          ends.ingress(destination, network, address, probe),
          cloudOfId(destination.id),
          `ingress ${destination.id} ← ${address} ${probe.join("/")}`,
        );
  }
  return checked;
}

/**
 * Both ends of one flow between workload ids or outside addresses, each as its own cloud decides:
 * `egress <cloud> <verdict>` for a workload source, `ingress <cloud> <verdict>` for a workload
 * destination, joined by a comma. An outside address has no end of its own.
 */
export function flowEnds(ends: TwoEnds, from: string, to: string, probe: Probe): string {
  const source = ends.workloads.find((w) => w.id === from);
  const destination = ends.workloads.find((w) => w.id === to);
  const between = source && destination ? addressesBetween(ends, source, destination) : undefined;
  const parts: string[] = [];
  if (source) parts.push(`egress ${egressEnd(ends, source, between?.target ?? to, probe)}`);
  if (destination) parts.push(`ingress ${ingressEnd(ends, destination, between?.seen ?? from, probe)}`);
  return parts.join(", ");
}
