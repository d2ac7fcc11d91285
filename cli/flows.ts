/**
 * Flows as the intent allows them, and as a cloud enforces them: who may reach a workload (its
 * destinations' grants), why one flow is allowed or denied, and the native rule that lets it in.
 */

import type { NativeMatch, ProbeProtocol, Reachability } from "../lib/clouds/provider.js";
import { NetworkTopology, viewFrom } from "../lib/compile/address-view.js";
import { identityLabels, matchingDenyRule } from "../lib/compile/deny-match.js";
import { grantMembers } from "../lib/compile/grant-members.js";
import type { AddressVia, DestinationIntent, Intent, WorkloadReport } from "../lib/compile/model.js";
import { cloudOfId } from "../lib/inventory/ids.js";
import type { Cloud, NetworkId, WorkloadId } from "../lib/inventory/model.js";
import type { Policy, Service } from "../lib/policy/model.js";
import { formatService, servicesAdmit } from "../lib/policy/services.js";
import type { SimulatedClouds } from "../sim/simulated-clouds.js";
import type { LiveWorkload } from "../sim/workload-book.js";

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

export interface FlowExplanation {
  readonly verdict: "allowed" | "denied";
  /** The policy rule ids that allow it (empty when denied). */
  readonly rules: readonly string[];
  /** Why it is denied, or why segsync does not decide it. */
  readonly why?: string;
  /** The deny rule that denies it (deny rules beat every allow). */
  readonly deniedBy?: string;
  readonly from?: WorkloadReport;
  readonly to?: WorkloadReport;
  /** The destination's network and cloud, the address it sees the source from, and the native verdict. */
  readonly network?: NetworkId;
  readonly cloud?: Cloud;
  readonly sourceAddress?: string;
  /** How the destination's network sees the source: a NAT address stands for every workload behind it. */
  readonly sourceVia?: AddressVia;
  readonly native?: NativeMatch;
}

/** Where a flow lands: the destination in the network that lets the source in, else the primary one. */
interface FlowTarget {
  readonly destination: DestinationIntent | undefined;
  readonly network: NetworkId;
  /** The destination's peers that are the source and admit the probe. */
  readonly grants: readonly Peer[];
}

/**
 * Explains one flow after a reconcile: the intent's grants decide for enforced destinations (the
 * clouds enforce exactly the intent); otherwise the cloud's own controls decide, and `why` says so.
 */
export function explainFlow(
  input: {
    readonly intent: Intent;
    readonly policy: Policy;
    /** Only its workloads are asked for: discovered ones answer as well as the simulator's. */
    readonly clouds: Pick<SimulatedClouds, "workload">;
    readonly reach: Record<Cloud, Reachability>;
  },
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
  const { destination, network, grants } = flowTarget(intent, { fromId, toId, target }, probe);
  const view = viewFrom(network, asInventoryWorkload(source), new NetworkTopology(input.policy.networks));
  const sourceAddress = grants[0]?.address ?? probeAddress(view.addresses);
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
 */
function flowTarget(
  intent: Intent,
  flow: { readonly fromId: WorkloadId; readonly toId: WorkloadId; readonly target: LiveWorkload },
  probe: Probe,
): FlowTarget {
  const { fromId, target } = flow;
  const admitted = (d: DestinationIntent) =>
    peersOf(intent, d).filter(
      (peer) => peer.source === fromId && servicesAdmit(peer.services, probe.protocol, probe.port),
    );
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
  const rules = [...new Set(grants.flatMap((g) => g.rules))].sort();
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
  if (flow.cloud === undefined || flow.sourceAddress === undefined) return undefined;
  const native = flow.native === undefined ? "denied" : "allowed";
  return native === flow.verdict ? undefined : native;
}
