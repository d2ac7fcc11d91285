import type { DestinationIntent, EgressIntent, EgressTarget } from "../../compile/model.js";
import { subtractCidrs } from "../../net/cidr.js";
import type { DesiredRule } from "./desired.js";
import { ruleKey } from "./desired.js";
import type { NetworkInterface } from "./model.js";
import { isIpv6, portSpec } from "./port-specs.js";

/** An egress rule and its quota cost (always 1: egress names groups and CIDRs, never prefix lists). */
export interface EgressUnit {
  readonly rule: DesiredRule;
  readonly weight: number;
}

/** What the egress rules of one source identity look destinations up in. */
export interface EgressLookup {
  /** Destination keys (`<hash>@<network>`) whose members carry their own owned group. */
  readonly carriers: ReadonlySet<string>;
  /** The intent's destinations by key: where a carrier's members' private addresses are. */
  readonly destinations: ReadonlyMap<string, DestinationIntent>;
  /**
   * A workload's ENIs in the source's VPC, as read: where a carrier's members' addresses are when
   * its destination is not in the intent (a change's slice).
   */
  readonly interfacesOf: (workload: string) => readonly NetworkInterface[];
  /** The owned group name that every member of a destination identity carries. */
  readonly groupOf: (hash: string) => string;
}

/**
 * The egress intent as EC2 egress rules (docs/clouds.md, "AWS egress and deny rules"): a target
 * identity whose members in the source's VPC carry their own owned group is named by that group,
 * and its other addresses by exact CIDRs; an ipList, or the part of a target that deny rules
 * split, by exact CIDRs. The peer of a DesiredRule is, for egress, the destination.
 */
export function egressUnits(egress: EgressIntent, lookup: EgressLookup): EgressUnit[] {
  const units = new Map<string, EgressUnit>();
  const add = (rule: DesiredRule) => units.set(ruleKey(rule), { rule, weight: 1 });
  for (const grant of egress.opens) {
    const { cidrs, group } = peers(grant.target, lookup);
    for (const service of grant.services) {
      for (const cidr of cidrs) add({ ...portSpec(service, isIpv6(cidr)), source: { kind: "cidr", cidr } });
      if (group !== undefined)
        add({ ...portSpec(service, false), source: { kind: "group", groupName: group } });
    }
  }
  return [...units.values()];
}

/** The CIDRs, and the owned group if any, that stand for one egress target. */
function peers(target: EgressTarget, lookup: EgressLookup): { cidrs: readonly string[]; group?: string } {
  if (target.kind !== "identity" || target.local.length === 0 || !lookup.carriers.has(target.key))
    return { cidrs: target.cidrs };
  const hash = target.key.slice(0, target.key.indexOf("@"));
  // The group stands for the members in the VPC: their private addresses need no CIDR.
  const members = lookup.destinations.get(target.key)?.members;
  const local =
    members === undefined
      ? target.local.flatMap((workload) => lookup.interfacesOf(workload).flatMap(privateAddresses))
      : members.flatMap((member) => member.addresses);
  return { cidrs: subtractCidrs(target.cidrs, local), group: lookup.groupOf(hash) };
}

function privateAddresses(eni: NetworkInterface): string[] {
  return [eni.PrivateIpAddress, ...(eni.PrivateIpAddresses ?? []).map((a) => a.PrivateIpAddress)];
}
