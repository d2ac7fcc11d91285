import type { DesiredRule } from "./desired.js";
import { ruleKey } from "./desired.js";
import type { IpPermission } from "./model.js";

export interface ActualRule {
  /** The rule exactly as read (one source, with its description), ready to revoke. */
  readonly permission: IpPermission;
}

const PROTOCOL_NUMBERS: Record<string, DesiredRule["protocol"]> = {
  "6": "tcp",
  "17": "udp",
  "1": "icmp",
  icmpv6: "58",
};

/**
 * EC2 permissions → one rule per source, keyed like desired rules (ruleKey), with owned groups and
 * prefix lists named as desired rules name them. Sources segsync does not own get keys no desired
 * rule has, so a diff revokes them from owned groups.
 */
export function flattenPermissions(
  permissions: readonly IpPermission[],
  names: { readonly groups: ReadonlyMap<string, string>; readonly prefixLists: ReadonlyMap<string, string> },
): Map<string, ActualRule> {
  const rules = new Map<string, ActualRule>();
  for (const permission of permissions) {
    const protocol =
      PROTOCOL_NUMBERS[permission.IpProtocol] ?? (permission.IpProtocol as DesiredRule["protocol"]);
    const ports =
      protocol === "-1" ? {} : { fromPort: permission.FromPort ?? -1, toPort: permission.ToPort ?? -1 };
    const base = {
      IpProtocol: permission.IpProtocol,
      ...(permission.FromPort === undefined ? {} : { FromPort: permission.FromPort }),
      ...(permission.ToPort === undefined ? {} : { ToPort: permission.ToPort }),
      IpRanges: [],
      Ipv6Ranges: [],
      PrefixListIds: [],
      UserIdGroupPairs: [],
    };
    const add = (source: DesiredRule["source"], single: Partial<IpPermission>) =>
      rules.set(ruleKey({ protocol, ...ports, source }), { permission: { ...base, ...single } });
    for (const range of permission.IpRanges) add({ kind: "cidr", cidr: range.CidrIp }, { IpRanges: [range] });
    for (const range of permission.Ipv6Ranges)
      add({ kind: "cidr", cidr: range.CidrIpv6 }, { Ipv6Ranges: [range] });
    for (const list of permission.PrefixListIds) {
      const name = names.prefixLists.get(list.PrefixListId);
      add(
        name === undefined
          ? { kind: "cidr", cidr: `pl-id:${list.PrefixListId}` }
          : { kind: "prefixList", name },
        { PrefixListIds: [list] },
      );
    }
    for (const pair of permission.UserIdGroupPairs) {
      const name = names.groups.get(pair.GroupId);
      add(
        name === undefined
          ? { kind: "cidr", cidr: `group-id:${pair.GroupId}` }
          : { kind: "group", groupName: name },
        { UserIdGroupPairs: [pair] },
      );
    }
  }
  return rules;
}
