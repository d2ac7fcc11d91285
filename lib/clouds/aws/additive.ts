/**
 * Additive attachment keeps the customer's groups on an ENI beside segsync's, and EC2 allows what
 * any of an ENI's groups allows: every inbound rule of a kept group admits flows whether or not
 * the policy allows them. Those are reported per destination, so that additive mode is never a
 * silent widening (README, "Attachment").
 */
import type { DestinationIntent } from "../../compile/model.js";
import type { AwsFinding } from "./desired.js";
import type { IpPermission, SecurityGroup } from "./model.js";

/** One warning per kept customer group that has inbound rules. Pure and linear in the rules. */
export function additiveFindings(
  destination: DestinationIntent,
  vpcId: string,
  keptGroupIds: readonly string[],
  groups: ReadonlyMap<string, SecurityGroup>,
): AwsFinding[] {
  const findings: AwsFinding[] = [];
  for (const groupId of [...new Set(keptGroupIds)].sort()) {
    const group = groups.get(groupId);
    if (group === undefined || group.IpPermissions.length === 0) continue;
    findings.push({
      code: "aws-additive-extra-flows",
      severity: "warning",
      subject: `${destination.key}|${groupId}`,
      message: `${destination.identity} in ${vpcId}: customer group ${groupId} (${group.GroupName}) stays (attachment: additive) and admits ${group.IpPermissions.map(describePermission).join("; ")}, beyond what the policy allows`,
    });
  }
  return findings;
}

/** `tcp/22 from 10.8.0.0/16`, `all traffic from sg-0123`, `udp/1000-2000 from pl-0abc, ::/0`. */
export function describePermission(permission: IpPermission): string {
  const sources = [
    ...permission.IpRanges.map((range) => range.CidrIp),
    ...permission.Ipv6Ranges.map((range) => range.CidrIpv6),
    ...permission.PrefixListIds.map((list) => list.PrefixListId),
    ...permission.UserIdGroupPairs.map((pair) => pair.GroupId),
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
