import type { DesiredRule, DesiredSecurityGroup } from "./desired.js";
import { ruleKey } from "./desired.js";
import { type ActualRule, flattenPermissions } from "./flatten.js";
import type { IpPermission, SecurityGroup } from "./model.js";
import type { AwsOperation, GroupRef, RuleSpec } from "./operations.js";

/** EC2's allow-all egress, as it creates it on every new group (without a description). */
export const ALLOW_ALL_EGRESS: readonly IpPermission[] = [
  {
    IpProtocol: "-1",
    IpRanges: [{ CidrIp: "0.0.0.0/0" }],
    Ipv6Ranges: [],
    PrefixListIds: [],
    UserIdGroupPairs: [],
  },
  {
    IpProtocol: "-1",
    IpRanges: [],
    Ipv6Ranges: [{ CidrIpv6: "::/0" }],
    PrefixListIds: [],
    UserIdGroupPairs: [],
  },
];

/** Open egress as rules: all traffic to every IPv4 and IPv6 address. */
const OPEN_EGRESS: readonly DesiredRule[] = [
  { protocol: "-1", source: { kind: "cidr", cidr: "0.0.0.0/0" } },
  { protocol: "-1", source: { kind: "cidr", cidr: "::/0" } },
];

/** What the egress diff of one group needs from the region's diff. */
export interface EgressDiffContext {
  readonly location: AwsOperation["location"];
  readonly names: Parameters<typeof flattenPermissions>[1];
  readonly groupRef: (vpcId: string, name: string) => GroupRef;
  readonly ruleSpec: (rule: DesiredRule, vpcId: string) => RuleSpec;
  readonly weight: { actual(p: IpPermission): number; desired(r: DesiredRule): number };
  readonly rulesPerSecurityGroup: number;
}

/**
 * An owned group's egress (v2, docs/clouds.md "AWS egress and deny rules"). Enforced: exactly the
 * desired egress rules, everything else revoked (EC2's allow-all egress first of all, at once for
 * a group the plan creates). Open: left as it is while it holds EC2's IPv4 allow-all (every group
 * of a v1 policy), else the allow-all is restored and segsync's egress rules revoked.
 */
export function diffGroupEgress(
  group: DesiredSecurityGroup,
  existing: SecurityGroup | undefined,
  context: EgressDiffContext,
): AwsOperation[] {
  const actual = existing
    ? flattenPermissions(existing.IpPermissionsEgress, context.names)
    : new Map<string, ActualRule>(ALLOW_ALL_EGRESS.map((p) => [ruleKeyOfAllowAll(p), { permission: p }]));
  const open = group.egress === undefined;
  if (open && actual.has(ruleKey(OPEN_EGRESS[0] as DesiredRule))) return [];
  const wanted = group.egress ?? OPEN_EGRESS;
  const wantedKeys = new Set(wanted.map(ruleKey));
  const toAdd = wanted.filter((rule) => !actual.has(ruleKey(rule)));
  const stale = [...actual].filter(([key]) => !wantedKeys.has(key)).map(([, rule]) => rule.permission);
  const currentWeight = [...actual.values()].reduce((sum, r) => sum + context.weight.actual(r.permission), 0);
  const addedWeight = toAdd.reduce((sum, rule) => sum + context.weight.desired(rule), 0);
  // A group the plan creates is carried by no ENI yet: its allow-all goes before anything else.
  const toMakeRoom = !existing || currentWeight + addedWeight > context.rulesPerSecurityGroup;
  const ref = context.groupRef(group.vpcId, group.name);
  const operations: AwsOperation[] = [];
  if (toAdd.length > 0) {
    operations.push({
      location: context.location,
      kind: "authorizeEgress",
      groupName: group.name,
      group: ref,
      rules: toAdd.map((rule) => context.ruleSpec(rule, group.vpcId)),
    });
  }
  if (stale.length > 0) {
    operations.push({
      location: context.location,
      kind: "revokeEgress",
      groupName: group.name,
      group: ref,
      permissions: stale,
      ...(toMakeRoom ? { toMakeRoom: true as const } : {}),
    });
  }
  return operations;
}

function ruleKeyOfAllowAll(permission: IpPermission): string {
  const cidr = permission.IpRanges[0]?.CidrIp ?? permission.Ipv6Ranges[0]?.CidrIpv6 ?? "";
  return ruleKey({ protocol: "-1", source: { kind: "cidr", cidr } });
}
