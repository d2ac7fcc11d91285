/**
 * Flows as the intent allows them, and as a cloud enforces them: who may reach a workload (its
 * destinations' grants), why one flow is allowed or denied, and the native rule that lets it in.
 */

import { isIP } from "node:net";
import type { NativeMatch, ProbeProtocol, Reachability } from "../lib/clouds/provider.js";
import { NetworkTopology, viewFrom } from "../lib/compile/address-view.js";
import { identityLabels, matchingDenyRule } from "../lib/compile/deny-match.js";
import { grantMembers } from "../lib/compile/grant-members.js";
import type { AddressVia, DestinationIntent, Intent, WorkloadReport } from "../lib/compile/model.js";
import { RuleServices } from "../lib/flows/rule-order.js";
import { cloudOfId } from "../lib/inventory/ids.js";
import type { Cloud, NetworkId, WorkloadId } from "../lib/inventory/model.js";
import { cidrContains } from "../lib/net/cidr.js";
import type { Policy, Service } from "../lib/policy/model.js";
import { formatService, servicesAdmit } from "../lib/policy/services.js";
import type { SimulatedClouds } from "../sim/simulated-clouds.js";
import type { LiveWorkload } from "../sim/workload-book.js";
import { explainSource, type FlowDestination, type SourceEnd } from "./flow-source.js";

export interface Probe {
  readonly protocol: ProbeProtocol;
  readonly port?: number;
}

/** `tcp/5432`, `udp/53` or `icmp`; undefined when it is none of these. */
export type ProbeParse = { readonly probe: Probe } | { readonly error: string };

/**
 * `tcp/5432`, `udp/53`, `icmp`, or the name of one of the policy's services that stands for one
 * port (`postgres`); anything else is an error that says what would do.
 */
export function parseProbe(
  text: string,
  services: Readonly<Record<string, readonly Service[]>> = {},
): ProbeParse {
  if (text === "icmp") return { probe: { protocol: "icmp" } };
  const match = /^(tcp|udp)\/(\d+)$/.exec(text);
  if (match) {
    const port = Number(match[2]);
    if (port < 1 || port > 65535) return { error: `port ${match[2]} is out of range (1-65535)` };
    return { probe: { protocol: match[1] as "tcp" | "udp", port } };
  }
  const named = Object.hasOwn(services, text) ? services[text] : undefined;
  if (named === undefined) {
    const names = Object.keys(services).sort();
    const known = names.length === 0 ? "" : ` (the policy's: ${names.join(", ")})`;
    return { error: `expected tcp/PORT, udp/PORT, icmp or a service name${known}` };
  }
  const only = named.length === 1 ? named[0] : undefined;
  if (only?.protocol === "icmp") return { probe: { protocol: "icmp" } };
  if ((only?.protocol === "tcp" || only?.protocol === "udp") && only.fromPort === only.toPort)
    return { probe: { protocol: only.protocol, port: only.fromPort } };
  return {
    error: `service ${text} stands for ${named.map(formatService).join(", ")}: give one port, e.g. --port ${firstPort(named)}`,
  };
}

function firstPort(services: readonly Service[]): string {
  for (const service of services)
    if (service.protocol === "tcp" || service.protocol === "udp")
      return `${service.protocol}/${service.fromPort}`;
  return "icmp";
}

export function formatProbe(probe: Probe): string {
  return probe.protocol === "icmp" ? "icmp" : `${probe.protocol}/${probe.port}`;
}

/** One source that a destination's grants let in. */
export interface Peer {
  /** A workload id, or `ipList:<name>`. */
  readonly source: string;
  readonly identity: string;
  /** The address the destination's network sees it from (a CIDR's first address for NAT and ipLists). */
  readonly address?: string;
  /** An ipList (or the part of one deny rules left): the addresses it lets in. */
  readonly cidrs?: readonly string[];
  readonly services: readonly Service[];
  readonly rules: readonly string[];
}

/** `10.1.0.11`, `203.0.113.10/32` → `203.0.113.10`. */
function probeAddress(addresses: readonly string[]): string | undefined {
  return addresses[0]?.split("/")[0];
}

/** The destinations (one per network) that the workload is a running member of. */
export function destinationsOf(intent: Intent, workload: WorkloadId): DestinationIntent[] {
  return intent.destinations.filter((d) => d.members.some((m) => m.workload === workload));
}

/** Every source the destination's grants let in: each member of each peer set, and each ipList. */
export function peersOf(intent: Intent, destination: DestinationIntent): Peer[] {
  const peerSets = new Map(intent.peerSets.map((p) => [p.key, p]));
  return destination.grants.flatMap((grant): Peer[] => {
    if (grant.source.kind === "ipList") {
      const address = probeAddress(grant.source.cidrs);
      return [
        {
          source: `ipList:${grant.source.name}`,
          identity: `ipList ${grant.source.name}`,
          ...(address === undefined ? {} : { address }),
          cidrs: grant.source.cidrs,
          services: grant.services,
          rules: grant.rules,
        },
      ];
    }
    const admitted = grantMembers(grant, peerSets);
    if (grant.source.kind === "addresses" && admitted === undefined) {
      const address = probeAddress(grant.source.cidrs);
      const { of, label } = grant.source;
      return [
        {
          source: of,
          identity: label,
          ...(address === undefined ? {} : { address }),
          cidrs: grant.source.cidrs,
          services: grant.services,
          rules: grant.rules,
        },
      ];
    }
    if (!admitted) return [];
    return admitted.members.map((member) => {
      const address = probeAddress(member.addresses);
      return {
        source: member.workload,
        identity: admitted.identity,
        ...(address === undefined ? {} : { address }),
        services: grant.services,
        rules: grant.rules,
      };
    });
  });
}

/** The destination's end of a flow: its ingress, as explain has always told it. */
export interface DestinationEnd {
  readonly verdict: "allowed" | "denied";
  /** The policy rule ids that let the source in (empty when denied). */
  readonly rules: readonly string[];
  /** Why it is denied, or why segsync does not decide it. */
  readonly why?: string;
  /** The deny rule that denies it (deny rules beat every allow). */
  readonly deniedBy?: string;
  /** The destination's network and cloud, the address it sees the source from, and the native verdict. */
  readonly network?: NetworkId;
  readonly cloud?: Cloud;
  readonly sourceAddress?: string;
  /** How the destination's network sees the source: a NAT address stands for every workload behind it. */
  readonly sourceVia?: AddressVia;
  readonly native?: NativeMatch;
  /** An address outside the estate: nothing of segsync's guards it, only the source's egress decides. */
  readonly outside?: string;
}

/**
 * One flow explained at both ends. `verdict` is allowed only when both ends allow it; the other
 * top-level fields are the destination's (as before `source` and `destination` were added),
 * except `why` and `deniedBy`, which are the source's when only the source closes the flow.
 */
export interface FlowExplanation extends Omit<DestinationEnd, "outside"> {
  readonly from?: WorkloadReport;
  readonly to?: WorkloadReport;
  /** The source's end: its egress (absent when the flow stops before it: a workload not running). */
  readonly source?: SourceEnd;
  /** The destination's end: its ingress, or the outside address. */
  readonly destination?: DestinationEnd;
}

/** Where a flow lands: the destination in the network that lets the source in, else the primary one. */
interface FlowTarget {
  readonly destination: DestinationIntent | undefined;
  readonly network: NetworkId;
  /** The destination's peers that are the source and admit the probe. */
  readonly grants: readonly Peer[];
}

export interface FlowInput {
  readonly intent: Intent;
  readonly policy: Policy;
  /** Only its workloads are asked for: discovered ones answer as well as the simulator's. */
  readonly clouds: Pick<SimulatedClouds, "workload">;
  readonly reach: Record<Cloud, Reachability>;
}

/**
 * Explains one flow after a reconcile, at both ends: the source's egress where it is enforced
 * (cli/flow-source.ts), and the destination's ingress, where the intent's grants decide for
 * enforced destinations (the clouds enforce exactly the intent) and otherwise the cloud's own
 * controls do, and `why` says so. `toId` may be an address outside the estate: then only the
 * source's egress decides.
 */
export function explainFlow(
  input: FlowInput,
  fromId: WorkloadId,
  toId: WorkloadId | string,
  probe: Probe,
): FlowExplanation {
  if (isIP(toId) !== 0) return explainToAddress(input, fromId, toId, probe);
  const flow = explainDestination(input, fromId, toId, probe);
  const source = input.clouds.workload(fromId);
  const target = input.clouds.workload(toId);
  if (source?.state !== "running" || target?.state !== "running") return flow;
  const workload = asInventoryWorkload(target);
  const identity = flow.to?.identity ?? "";
  const end = sourceEnd(input, source, flow.from, { kind: "workload", id: toId, workload, identity }, probe);
  const { from: _from, to: _to, ...destination } = flow;
  if (end.verdict === "allowed") return { ...flow, source: end, destination };
  const closed = flow.verdict === "allowed" ? { why: end.why, deniedBy: end.deniedBy } : {};
  return withoutUndefined({ ...flow, ...closed, verdict: "denied", source: end, destination });
}

/** A flow to an address outside the estate: only the source's egress stands in its way. */
function explainToAddress(
  input: FlowInput,
  fromId: WorkloadId,
  address: string,
  probe: Probe,
): FlowExplanation {
  const from = input.intent.workloads.find((w) => w.workload === fromId);
  const report = from ? { from } : {};
  const source = input.clouds.workload(fromId);
  if (source?.state !== "running")
    return { verdict: "denied", rules: [], why: `the source ${fromId} is not running`, ...report };
  const end = sourceEnd(input, source, from, { kind: "address", address }, probe);
  const { verdict, rules, why, deniedBy } = end;
  const destination: DestinationEnd = { verdict: "allowed", rules: [], outside: address };
  return withoutUndefined({ verdict, rules, why, deniedBy, ...report, source: end, destination });
}

function sourceEnd(
  input: FlowInput,
  source: LiveWorkload,
  from: WorkloadReport | undefined,
  destination: FlowDestination,
  probe: Probe,
): SourceEnd {
  const topology = new NetworkTopology(input.policy.networks);
  const who = { id: source.id, network: source.network, identity: from?.identity ?? "" };
  return explainSource({ ...input, topology }, who, destination, probe);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The destination's end, as explain has always told it: the intent's grants, the native rule, the deny rule. */
function explainDestination(
  input: FlowInput,
  fromId: WorkloadId,
  toId: WorkloadId,
  probe: Probe,
): FlowExplanation {
  const { intent, reach } = input;
  const from = intent.workloads.find((w) => w.workload === fromId);
  const to = intent.workloads.find((w) => w.workload === toId);
  const reports = { ...(from ? { from } : {}), ...(to ? { to } : {}) };
  const source = input.clouds.workload(fromId);
  const target = input.clouds.workload(toId);
  if (source?.state !== "running")
    return { verdict: "denied", rules: [], why: `the source ${fromId} is not running`, ...reports };
  if (target?.state !== "running")
    return { verdict: "denied", rules: [], why: `the destination ${toId} is not running`, ...reports };
  const cloud = cloudOfId(toId);
  const topology = new NetworkTopology(input.policy.networks);
  const seenFrom = (network: NetworkId) =>
    probeAddress(viewFrom(network, asInventoryWorkload(source), topology).addresses);
  const { destination, network, grants } = flowTarget(intent, { fromId, toId, target, seenFrom }, probe);
  const view = viewFrom(network, asInventoryWorkload(source), topology);
  const sourceAddress = grants.find((g) => g.source === fromId)?.address ?? probeAddress(view.addresses);
  const native =
    sourceAddress === undefined
      ? undefined
      : reach[cloud].explain({ workload: toId, network, sourceAddress, ...probe });
  const where = {
    ...reports,
    network,
    cloud,
    ...(sourceAddress === undefined ? {} : { sourceAddress }),
    ...(view.via === undefined ? {} : { sourceVia: view.via }),
    ...(native === undefined ? {} : { native }),
  };
  if (sourceAddress === undefined)
    return { verdict: "denied", rules: [], why: `${network} cannot see ${fromId} at any address`, ...where };
  const verdict = policyVerdict(destination, grants, {
    rules: new RuleServices(input.policy),
    from,
    to,
    fromId,
    probe,
    native: native !== undefined,
  });
  const deny =
    verdict.verdict === "denied" && destination?.enforcement === "enforced"
      ? matchingDenyRule(input.policy, {
          destinationLabels: destination.labels,
          sourceLabels: identityLabels(from?.identity ?? ""),
          sourceAddress,
          admits: (services) => servicesAdmit(services, probe.protocol, probe.port),
        })
      : undefined;
  if (deny === undefined) return { ...verdict, ...where };
  const why = `deny rule ${deny.id} denies ${from?.identity || fromId} to ${destination?.identity} on ${formatProbe(probe)}`;
  return { ...verdict, why, deniedBy: deny.id, ...where };
}

/**
 * A workload with secondary NICs is a destination in each of their networks: the flow is the
 * one in a network where the policy lets the source in, else the one in its primary network.
 * The source is let in as itself (a peer set's member) or by an ipList that holds the address
 * the destination's network sees it from (`seenFrom`).
 */
function flowTarget(
  intent: Intent,
  flow: {
    readonly fromId: WorkloadId;
    readonly toId: WorkloadId;
    readonly target: LiveWorkload;
    readonly seenFrom: (network: NetworkId) => string | undefined;
  },
  probe: Probe,
): FlowTarget {
  const { fromId, target } = flow;
  const isSource = (peer: Peer, address: string | undefined) =>
    peer.source === fromId ||
    (address !== undefined && (peer.cidrs ?? []).some((cidr) => cidrContains(cidr, address)));
  const admitted = (d: DestinationIntent) => {
    const address = flow.seenFrom(d.network);
    return peersOf(intent, d).filter(
      (peer) => isSource(peer, address) && servicesAdmit(peer.services, probe.protocol, probe.port),
    );
  };
  const destinations = destinationsOf(intent, flow.toId);
  const destination =
    destinations.find((d) => admitted(d).length > 0) ??
    destinations.find((d) => d.network === target.network);
  return {
    destination,
    network: destination?.network ?? target.network,
    grants: destination ? admitted(destination) : [],
  };
}

/** The simulated workload as discovery sees it: its one NIC. */
function asInventoryWorkload(source: LiveWorkload) {
  return {
    id: source.id,
    state: source.state,
    tags: source.tags,
    nics: [
      {
        network: source.network,
        privateIp: source.privateIp,
        ...(source.publicIp === undefined ? {} : { publicIp: source.publicIp }),
      },
    ],
  };
}

/** The verdict where the source is seen: the policy's grants when enforced, else the cloud's own rules. */
function policyVerdict(
  destination: DestinationIntent | undefined,
  grants: readonly Peer[],
  flow: {
    /** The policy's rules' own services: a grant merges rules whose services differ. */
    readonly rules: RuleServices;
    readonly from: WorkloadReport | undefined;
    readonly to: WorkloadReport | undefined;
    readonly fromId: WorkloadId;
    readonly probe: Probe;
    /** Whether a native rule admits it. */
    readonly native: boolean;
  },
): Pick<FlowExplanation, "verdict" | "rules" | "why"> {
  if (destination?.enforcement !== "enforced") {
    const treatment = destination?.enforcement ?? flow.to?.treatment ?? "unmanaged";
    return {
      verdict: flow.native ? "allowed" : "denied",
      rules: [],
      why: `the destination is not enforced by segsync (${treatment}): its own security controls decide`,
    };
  }
  const { protocol, port } = flow.probe;
  const rules = flow.rules
    .admitting([...new Set(grants.flatMap((g) => g.rules))], (services) =>
      servicesAdmit(services, protocol, port),
    )
    .sort();
  if (rules.length === 0)
    return {
      verdict: "denied",
      rules,
      why: `no policy rule lets ${flow.from?.identity || flow.fromId} reach ${destination.identity} on ${formatProbe(flow.probe)}`,
    };
  return { verdict: "allowed", rules };
}

/**
 * What the cloud's rules say about the flow, when it differs from the policy's verdict: for
 * enforced destinations the policy decides, but a native rule may admit an address that stands
 * for more than the policy's source (a shared NAT address) or miss one. Undefined when they agree
 * or when the cloud was not asked (no address to ask about).
 */
export function nativeDisagreement(flow: FlowExplanation): "allowed" | "denied" | undefined {
  const end: DestinationEnd = flow.destination ?? flow;
  if (end.cloud === undefined || end.sourceAddress === undefined) return undefined;
  const native = end.native === undefined ? "denied" : "allowed";
  return native === end.verdict ? undefined : native;
}

/**
 * What the source's cloud says about the flow leaving, when it differs from the policy's verdict
 * at the source; undefined when they agree, or when egress is open (segsync asks nothing there).
 */
export function sourceDisagreement(source: SourceEnd | undefined): "allowed" | "denied" | undefined {
  if (source?.egress !== "enforced" || source.destinationAddress === undefined) return undefined;
  const native = source.native === undefined ? "denied" : "allowed";
  return native === source.verdict ? undefined : native;
}
