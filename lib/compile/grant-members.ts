import { cidrContains } from "../net/cidr.js";
import type { Grant, PeerMember, PeerSet } from "./model.js";

/**
 * The source workloads a grant admits, with the identity they share: every member of its peer set,
 * or, for a part of a split peer set (deny rules), the members seen from an address of that part.
 * Undefined for an ipList or a part of one (no workloads), or a peer set the intent does not hold.
 */
export function grantMembers(
  grant: Grant,
  peerSets: ReadonlyMap<string, PeerSet>,
): { readonly identity: string; readonly members: readonly PeerMember[] } | undefined {
  const { source } = grant;
  if (source.kind === "ipList") return undefined;
  const peerSet = peerSets.get(source.kind === "peerSet" ? source.key : source.of);
  if (peerSet === undefined) return undefined;
  const members = [...peerSet.local, ...peerSet.remote];
  if (source.kind === "peerSet") return { identity: peerSet.identity, members };
  const inPart = (address: string) => source.cidrs.some((cidr) => cidrContains(cidr, address));
  return { identity: peerSet.identity, members: members.filter((m) => m.addresses.some(inPart)) };
}
