/**
 * The campaign's checks, independent of segsync's planner: which flows an intent allows (the
 * oracle of test/clouds/intent-probes.ts), what each cloud's own evaluator says of its native
 * state at any moment (read straight from the simulators, so it can run between two writes), and
 * the flow watch: a flow the policy allowed before a reconcile and allows after it is never
 * blocked by any of the reconcile's writes.
 */
import type { Reachability } from "../../lib/clouds/provider.js";
import type { Intent } from "../../lib/compile/model.js";
import type { Cloud } from "../../lib/inventory/model.js";
import type { Policy } from "../../lib/policy/model.js";
import type { Simulation } from "../../sim/simulation.js";
import { intentAllows, probes } from "../clouds/intent-probes.js";

export type Probe = Parameters<Reachability["explain"]>[0];

export interface Flow {
  readonly key: string;
  readonly cloud: Cloud;
  readonly probe: Probe;
}

/** Addresses nobody is allowed from, and one inside the ipList the generated policies name. */
const OUTSIDE_ADDRESSES = ["203.0.113.250", "198.51.100.250", "10.8.1.1"];

/** Every flow the intent allows to an enforced member, from every address the intent knows, on the probe ports. */
export function allowedFlows(intent: Intent, policy: Policy): Flow[] {
  const addresses = new Set(OUTSIDE_ADDRESSES);
  for (const peerSet of intent.peerSets)
    for (const member of [...peerSet.local, ...peerSet.remote])
      for (const address of member.addresses) if (!address.includes("/")) addresses.add(address);
  const ports = probes(policy);
  const flows: Flow[] = [];
  for (const destination of intent.destinations) {
    if (destination.enforcement !== "enforced") continue;
    for (const sourceAddress of addresses) {
      for (const [protocol, port] of ports) {
        if (!intentAllows(intent, destination, sourceAddress, protocol, port)) continue;
        for (const member of destination.members) {
          const probe = {
            workload: member.workload,
            network: destination.network,
            sourceAddress,
            protocol,
            port,
          };
          flows.push({ key: JSON.stringify(probe), cloud: destination.cloud, probe });
        }
      }
    }
  }
  return flows;
}

/** Each cloud's reachability now, from the simulators' state (synchronous: no port call, no fault). */
export function reachNow(simulation: Simulation): Record<Cloud, Reachability> {
  const { clouds, providers } = simulation;
  const connections = clouds.connections();
  return {
    aws: providers.aws.evaluate(connections.aws.locations.map((l) => clouds.aws(l).state())),
    azure: providers.azure.evaluate(connections.azure.subscriptions.map((s) => clouds.azure(s).state())),
    gcp: providers.gcp.evaluate(connections.gcp.projects.map((p) => clouds.gcp(p).state())),
  };
}

/**
 * Watches one reconcile: `start` takes the flows allowed by the intent before it and open now;
 * every audit record (an operation applied, or the one that failed) and `blockedAfter` note which
 * of them are closed; `blockedAfter` returns those the intent after the reconcile allows too.
 */
export class FlowWatch {
  private watched: Flow[] = [];
  /** The addresses of the running workloads when the watch started. */
  private addresses = new Set<string>();
  private readonly blocked = new Map<string, string>();
  checks = 0;

  constructor(private readonly simulation: Simulation) {
    const audit = simulation.audit;
    const original = audit.record.bind(audit);
    audit.record = (record) => {
      original(record);
      if (this.watched.length > 0) this.look(record.object);
    };
  }

  start(before: Intent): void {
    const reach = reachNow(this.simulation);
    this.watched = allowedFlows(before, this.simulation.policy).filter(
      (flow) => reach[flow.cloud].explain(flow.probe) !== undefined,
    );
    this.blocked.clear();
    this.addresses = runningAddresses(this.simulation);
  }

  /** The watched flows closed at some point that `after` still allows, each with the write that closed it. */
  blockedAfter(after: Intent): string[] {
    this.look("the end of the reconcile");
    const allowed = new Set(allowedFlows(after, this.simulation.policy).map((flow) => flow.key));
    // A workload stopped or terminated while the reconcile ran (a fault) takes its flows, both ways, with it.
    const stillThere = (id: string) => this.simulation.clouds.workload(id)?.state === "running";
    const now = runningAddresses(this.simulation);
    const sourceThere = (address: string) => !this.addresses.has(address) || now.has(address);
    const found = [...this.blocked].flatMap(([key, when]) => {
      const probe = JSON.parse(key) as Probe;
      const kept = allowed.has(key) && stillThere(probe.workload) && sourceThere(probe.sourceAddress);
      return kept ? [`${key} closed after ${when}`] : [];
    });
    this.watched = [];
    return found;
  }

  private look(when: string): void {
    const reach = reachNow(this.simulation);
    for (const flow of this.watched) {
      this.checks++;
      if (!this.blocked.has(flow.key) && reach[flow.cloud].explain(flow.probe) === undefined)
        this.blocked.set(flow.key, when);
    }
  }
}

function runningAddresses(simulation: Simulation): Set<string> {
  return new Set(
    simulation.clouds
      .workloads()
      .filter((w) => w.state === "running")
      .flatMap((w) => [w.privateIp, ...(w.publicIp === undefined ? [] : [w.publicIp])]),
  );
}
