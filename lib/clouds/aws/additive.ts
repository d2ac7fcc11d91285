/**
 * Additive attachment keeps the customer's groups on an ENI beside segsync's, and EC2 allows what
 * any of an ENI's groups allows: every inbound rule of a kept group admits flows whether or not
 * the policy allows them. Those are reported per destination, so that additive mode is never a
 * silent widening (README, "Attachment"). The VPC's default group is one of them: EC2 gives it to
 * every interface launched without a named group, and its rule admits all traffic from itself,
 * so it admits every such member of the VPC on every port (docs/clouds.md, "AWS default
 * security group").
 */
import type { DestinationIntent } from "../../compile/model.js";
import type { AwsFinding } from "./desired.js";
import type { IpPermission, SecurityGroup } from "./model.js";

/** The name EC2 gives each VPC's own group, which it attaches when a launch names none. */
export const DEFAULT_GROUP_NAME = "default";

/** One warning per kept customer group that has inbound rules. Pure and linear in the rules. */
export function additiveFindings(
  destination: DestinationIntent,
  vpcId: string,
  keptGroupIds: readonly string[],
  groups: ReadonlyMap<string, SecurityGroup>,
): AwsFinding[] {
  const findings: AwsFinding[] = [];
  const named = (groupId: string) => {
    const group = groups.get(groupId);
    return group === undefined ? groupId : groupLabel(group);
  };
  for (const groupId of [...new Set(keptGroupIds)].sort()) {
    const group = groups.get(groupId);
    if (group === undefined || group.IpPermissions.length === 0) continue;
    const admits = group.IpPermissions.map((permission) => describePermission(permission, named)).join("; ");
    const isDefault = group.GroupName === DEFAULT_GROUP_NAME;
    findings.push({
      code: "aws-additive-extra-flows",
      severity: "warning",
      subject: `${destination.key}|${groupId}`,
      message: `${destination.identity} in ${vpcId}: customer group ${groupLabel(group)} stays (attachment: additive) and admits ${admits}, beyond what the policy allows${isDefault ? `; it is ${vpcId}'s default group, which EC2 gives every interface launched without a named group, so that is every such member of ${vpcId}` : ""}`,
    });
  }
  return findings;
}

/** `legacy-ssh (sg-0123)`: how plans name a group. */
export function groupLabel(group: Pick<SecurityGroup, "GroupId" | "GroupName">): string {
  return `${group.GroupName} (${group.GroupId})`;
}

/**
 * `tcp/22 from 10.8.0.0/16`, `all traffic from every interface that carries sg-0123`,
 * `udp/1000-2000 from pl-0abc, ::/0`. A source group admits every interface that carries it, which
 * the text says; `groupName` names it (by its id unless given).
 */
export function describePermission(
  permission: IpPermission,
  groupName: (groupId: string) => string = (groupId) => groupId,
): string {
  const sources = [
    ...permission.IpRanges.map((range) => range.CidrIp),
    ...permission.Ipv6Ranges.map((range) => range.CidrIpv6),
    ...permission.PrefixListIds.map((list) => list.PrefixListId),
    ...permission.UserIdGroupPairs.map((pair) => `every interface that carries ${groupName(pair.GroupId)}`),
  ];
  return `${describePorts(permission)} from ${sources.length === 0 ? "nothing" : sources.join(", ")}`;
}

function describePorts(permission: IpPermission): string {
  const { IpProtocol: protocol, FromPort: from, ToPort: to } = permission;
  if (protocol === "-1") return "all traffic";
  if (protocol === "icmp" || protocol === "58" || protocol === "icmpv6")
    return protocol === "icmp" ? "icmp" : "icmpv6";
  if (from === undefined || to === undefined || (from === 0 && to === 65535)) return `${protocol}/all ports`;
  return from === to ? `${protocol}/${from}` : `${protocol}/${from}-${to}`;
}
