/**
 * What each cloud's simulator gives the `traffic` step (docs/flows.md, "Simulated flow logs"):
 * its interfaces as they are now, what its own rules decide for traffic leaving or arriving on one (the
 * cloud's evaluator, lib/clouds/<cloud>/evaluate.ts, on the simulated native state), and its flow
 * log, written in the cloud's own format (sim/clouds/<cloud>/flow-log.ts).
 */
import type { ProbeProtocol } from "../../lib/clouds/provider.js";
import type { NetworkId, WorkloadId } from "../../lib/inventory/model.js";

/** One network interface of a workload, with what its cloud's flow log names it by (`Native`). */
export interface TrafficNic<Native> {
  readonly workload: WorkloadId;
  readonly network: NetworkId;
  readonly privateIp: string;
  /** Its public address, while the workload runs. */
  readonly publicIp?: string;
  readonly native: Native;
}

/** The native rule that decided, as the cloud names it. */
export interface NativeRule {
  /** What decided: a security group (`name (id)`), an NSG's id, a firewall rule's name. */
  readonly object: string;
  /** The rule (an NSG rule's or firewall rule's name); absent for a security group, which has no names. */
  readonly rule?: string;
  readonly priority?: number;
  /** Whether the rule is one the cloud puts there itself (an NSG's default rules). */
  readonly builtIn?: boolean;
}

/** What the cloud's own rules decide for traffic arriving on (or leaving) one interface. */
export interface NativeDecision {
  readonly accepted: boolean;
  /** The rule that decided; absent when nothing did (no NSG on an Azure NIC, GCP's implied deny, no AWS rule). */
  readonly by?: NativeRule;
}

/** One simulated cloud's interfaces and rules now, for one traffic step. */
export interface TrafficView<Native> {
  /** The workload's interfaces, its primary one first; none when the cloud holds no such workload. */
  nicsOf(workload: WorkloadId): readonly TrafficNic<Native>[];
  /** Traffic from `sourceAddress` (as the interface's network sees it) arriving on the interface. */
  ingress(
    nic: TrafficNic<Native>,
    sourceAddress: string,
    protocol: ProbeProtocol,
    port: number | undefined,
  ): NativeDecision;
  /** Traffic the interface sends to `destinationAddress` (as its network reaches the destination). */
  egress(
    nic: TrafficNic<Native>,
    destinationAddress: string,
    protocol: ProbeProtocol,
    port: number | undefined,
  ): NativeDecision;
}

export interface Endpoint {
  readonly address: string;
  /** Absent for ICMP. */
  readonly port?: number;
}

/** Packets and bytes of one direction. */
export interface Counters {
  readonly packets: number;
  readonly bytes: number;
}

/** One connection as one interface saw it: what its cloud's flow log records. */
export interface LoggedConnection<Native> {
  readonly nic: TrafficNic<Native>;
  /** `ingress`: the interface received the connection (the remote end opened it); `egress`: it opened it. */
  readonly direction: "ingress" | "egress";
  /** The interface's own end (its private address) and the other end as the interface sees it. */
  readonly local: Endpoint;
  readonly remote: Endpoint;
  readonly protocol: ProbeProtocol;
  readonly accepted: boolean;
  /** The rule that decided on this interface, when one did. */
  readonly by?: NativeRule;
  /** Epoch milliseconds. */
  readonly start: number;
  readonly end: number;
  /** The opener's packets, and the answer's (none when rejected). */
  readonly request: Counters;
  readonly reply: Counters;
}

/** A file of a flow log, its name relative to the cloud's folder. */
export interface LogFile {
  readonly name: string;
  readonly text: string;
}

/** One cloud's flow log over a run: each connection its interfaces saw, then its files. */
export interface FlowLogWriter<Native> {
  record(connection: LoggedConnection<Native>): void;
  /** The log's objects in the cloud's own format, named as the cloud names them; sorted by name. */
  files(): LogFile[];
}

/** A cloud's part of the traffic step, in its simulator's registry entry (sim/clouds/simulator.ts). */
export interface CloudTraffic<State, Native> {
  /** The cloud's interfaces and rules now, from every location's native state. */
  view(states: readonly State[]): TrafficView<Native>;
  /** An empty flow log of this cloud. */
  newLog(): FlowLogWriter<Native>;
}
