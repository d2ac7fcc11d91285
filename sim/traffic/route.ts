/**
 * How a flow gets from its source to its destination (docs/formats.md, "Traffic"): the
 * destination's network sees a source workload as docs/policy.md, "Addresses" says (a NIC in the
 * same network, else in a connected one, by its private address; else its public address; else
 * its network's NAT address; else it cannot be seen, and the flow is unreachable). The source
 * sends to the destination's private address over a private path, else to its public address.
 */
import { type MemberView, type NetworkTopology, viewFrom } from "../../lib/compile/address-view.js";
import { cidrContains } from "../../lib/net/cidr.js";
import type { TrafficNic } from "../clouds/traffic.js";
import type { TrafficEndpoint } from "./endpoints.js";

type Nic = TrafficNic<unknown>;

export type Route =
  | { readonly kind: "unreachable"; readonly why: string }
  | {
      readonly kind: "routed";
      /** The source's interface; absent for an address outside the estate. */
      readonly sourceNic?: Nic;
      /** The destination's interface; absent for an address outside the estate. */
      readonly destinationNic?: Nic;
      /** The address the destination sees the source from. */
      readonly seenSource: string;
      /** The address the source sends to. */
      readonly target: string;
    };

/** The interfaces of each end that is a workload, primary first, as its cloud holds them now. */
export interface RouteEnds {
  readonly from: TrafficEndpoint;
  readonly to: TrafficEndpoint;
  readonly fromNics: readonly Nic[];
  readonly toNics: readonly Nic[];
}

/** Addresses that reach an estate network over a private link (a VPN, an interconnect), not the internet. */
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

export function isPrivateAddress(address: string): boolean {
  return PRIVATE_RANGES.some((range) => cidrContains(range, address));
}

function unreachable(why: string): Route {
  return { kind: "unreachable", why };
}

/** The route of one flow; the ends' interfaces are those their clouds hold now. */
export function routeOf(ends: RouteEnds, topology: NetworkTopology): Route {
  const { from, to } = ends;
  if (from.kind === "workload" && ends.fromNics.length === 0)
    return unreachable(`its cloud holds no network interface of ${from.workload.id}`);
  if (to.kind === "workload" && ends.toNics.length === 0)
    return unreachable(`its cloud holds no network interface of ${to.workload.id}`);
  if (to.kind === "outside") return toOutside(ends.fromNics, to.address, topology);
  if (from.kind === "outside") return fromOutside(from.address, ends.toNics);
  return betweenWorkloads(ends.fromNics, ends.toNics, topology);
}

/** From an outside address: over a private link to a private address, else over the internet to a public one. */
function fromOutside(address: string, toNics: readonly Nic[]): Route {
  const primary = toNics[0] as Nic;
  if (isPrivateAddress(address))
    return { kind: "routed", destinationNic: primary, seenSource: address, target: primary.privateIp };
  const reachable = toNics.find((nic) => nic.publicIp !== undefined);
  if (reachable?.publicIp === undefined)
    return unreachable(`${primary.workload} has no public address: ${address} cannot reach it`);
  return { kind: "routed", destinationNic: reachable, seenSource: address, target: reachable.publicIp };
}

/** To an outside address: from the primary interface, over a private link or out by its public or NAT address. */
function toOutside(fromNics: readonly Nic[], address: string, topology: NetworkTopology): Route {
  const primary = fromNics[0] as Nic;
  const sends = { kind: "routed", sourceNic: primary, target: address } as const;
  if (isPrivateAddress(address)) return { ...sends, seenSource: primary.privateIp };
  const leavesFrom = primary.publicIp ?? firstAddress(topology.nat(primary.network));
  if (leavesFrom === undefined)
    return unreachable(`${primary.workload} has no public address and its network no NAT address`);
  return { ...sends, seenSource: leavesFrom };
}

/** `203.0.113.10/32` → `203.0.113.10`: the address a NAT CIDR stands for first. */
function firstAddress(cidrs: readonly string[] | undefined): string | undefined {
  return cidrs?.[0]?.split("/")[0];
}

/** The destination interface that sees the source best (same network, connected, then public or NAT). */
function betweenWorkloads(
  fromNics: readonly Nic[],
  toNics: readonly Nic[],
  topology: NetworkTopology,
): Route {
  const source = {
    id: fromNics[0]?.workload as string,
    state: "running" as const,
    tags: {},
    nics: fromNics.map(({ network, privateIp, publicIp }) => ({
      network,
      privateIp,
      ...(publicIp === undefined ? {} : { publicIp }),
    })),
  };
  const views = toNics.map((nic) => ({ nic, view: viewFrom(nic.network, source, topology) }));
  const chosen =
    views.find(({ view }) => view.local) ??
    views.find(({ view }) => view.via === "private") ??
    views.find(({ nic, view }) => nic.publicIp !== undefined && view.addresses.length > 0);
  if (chosen === undefined) {
    const why = toNics.some((nic) => nic.publicIp !== undefined)
      ? `no network of ${toNics[0]?.workload} can see ${source.id} (no public address, no NAT address)`
      : `${toNics[0]?.workload} has no public address and no network of it is connected to ${source.id}'s`;
    return unreachable(why);
  }
  const { nic, view } = chosen;
  const seenSource = firstAddress(view.addresses) as string;
  const target = view.via === "private" ? nic.privateIp : (nic.publicIp as string);
  return {
    kind: "routed",
    sourceNic: sendingNic(fromNics, view, topology),
    destinationNic: nic,
    seenSource,
    target,
  };
}

/** The source interface the destination sees: the one holding the address, or behind the NAT address. */
function sendingNic(fromNics: readonly Nic[], view: MemberView, topology: NetworkTopology): Nic {
  const seen = view.addresses[0];
  const holder = fromNics.find((nic) =>
    view.via === "private"
      ? nic.privateIp === seen
      : view.via === "public"
        ? nic.publicIp === seen
        : (topology.nat(nic.network) ?? []).includes(seen as string),
  );
  return holder ?? (fromNics[0] as Nic);
}
