import type { AwsTag, IpPermission } from "../../../lib/clouds/aws/model.js";
import { fail } from "./failures.js";
import type { SimSecurityGroup } from "./records.js";
import { DEFAULT_GROUP_NAME, type SimRegion } from "./region.js";
import { ALLOW_ALL_EGRESS, EC2_TEXT, expandPermissions, ruleCost, ruleKey, type SimRule } from "./rules.js";
import { checkTags, mergedTags } from "./tags.js";

export function createSecurityGroup(
  region: SimRegion,
  input: {
    readonly vpcId: string;
    readonly groupName: string;
    readonly description: string;
    readonly tags: readonly AwsTag[];
  },
): { groupId: string } {
  if (!region.vpcs.has(input.vpcId)) {
    throw fail.notFound("InvalidVpcID.NotFound", `The vpc ID '${input.vpcId}' does not exist`);
  }
  checkGroupText("group name", input.groupName);
  checkGroupText("group description", input.description);
  if (input.groupName.toLowerCase().startsWith("sg-")) {
    throw fail.invalid(
      "InvalidParameterValue",
      `Group names may not start with "sg-": "${input.groupName}".`,
    );
  }
  if (region.groupsNamed(input.vpcId, input.groupName).length > 0) {
    throw fail.invalid(
      "InvalidGroup.Duplicate",
      `The security group '${input.groupName}' already exists for VPC '${input.vpcId}'`,
    );
  }
  checkTags(input.tags);
  const groupId = region.ids.next("sg");
  region.groups.set(groupId, {
    groupId,
    groupName: input.groupName,
    description: input.description,
    vpcId: input.vpcId,
    ingress: new Map(),
    // EC2 gives every new VPC group an allow-all egress rule.
    egress: new Map([[ruleKey(ALLOW_ALL_EGRESS), ALLOW_ALL_EGRESS]]),
    tags: mergedTags(groupId, new Map(), input.tags),
  });
  return { groupId };
}

function checkGroupText(what: string, text: string): void {
  if (text.length === 0 || text.length > 255 || !EC2_TEXT.test(text)) {
    throw fail.invalid(
      "InvalidParameterValue",
      `Invalid ${what} "${text}": 1 to 255 of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*.`,
    );
  }
}

export function deleteSecurityGroup(region: SimRegion, groupId: string): void {
  const group = region.group(groupId);
  if (group.groupName === DEFAULT_GROUP_NAME) {
    throw fail.invalid(
      "CannotDelete",
      `The security group '${groupId}' is a VPC's default group and cannot be deleted`,
    );
  }
  const [user] = region.interfacesInGroup(groupId);
  if (user !== undefined) {
    throw fail.dependency(
      `resource ${groupId} has a dependent object (network interface ${user.networkInterfaceId})`,
    );
  }
  const referrer = [...region.groups.values()].find(
    (other) => other.groupId !== groupId && referencesGroup(other, groupId),
  );
  if (referrer !== undefined) {
    throw fail.dependency(`resource ${groupId} has a dependent object (a rule of ${referrer.groupId})`);
  }
  region.groups.delete(groupId);
}

function referencesGroup(group: SimSecurityGroup, groupId: string): boolean {
  return [...group.ingress.values(), ...group.egress.values()].some(
    (rule) => rule.source.kind === "group" && rule.source.groupId === groupId,
  );
}

/** Adds the rules that are missing; existing ones are success (the port's contract). All or nothing. */
export function authorizeIngress(
  region: SimRegion,
  groupId: string,
  permissions: readonly IpPermission[],
): void {
  authorizeRules(region, groupId, permissions, "ingress");
}

/** authorizeIngress for egress rules, whose quota EC2 counts apart (per direction). */
export function authorizeEgress(
  region: SimRegion,
  groupId: string,
  permissions: readonly IpPermission[],
): void {
  authorizeRules(region, groupId, permissions, "egress");
}

function authorizeRules(
  region: SimRegion,
  groupId: string,
  permissions: readonly IpPermission[],
  direction: "ingress" | "egress",
): void {
  const group = region.group(groupId);
  const rules = expandPermissions(permissions);
  for (const rule of rules) checkReference(region, group, rule);
  const next = new Map(group[direction]);
  for (const rule of rules) if (!next.has(ruleKey(rule))) next.set(ruleKey(rule), rule);
  const cost = ruleCost(next.values(), (prefixListId) => {
    const list = region.prefixList(prefixListId);
    // An AWS-managed list has no MaxEntries: AWS weighs it by its entries.
    const weight = list.maxEntries ?? list.entries.size;
    return { family: list.addressFamily === "IPv4" ? 4 : 6, maxEntries: weight };
  });
  const limit = region.quotas.rulesPerSecurityGroup;
  if (cost.ipv4 > limit || cost.ipv6 > limit) {
    throw fail.quota(
      "RulesPerSecurityGroupLimitExceeded",
      `The maximum number of rules per security group has been reached: ${groupId} would need ` +
        `${Math.max(cost.ipv4, cost.ipv6)} ${direction} rules of ${limit} (a prefix list counts its MaxEntries).`,
    );
  }
  group[direction] = next;
  region.groups.set(groupId, group);
}

/** The referenced group must exist in the same VPC (segsync has no peering), the prefix list must exist. */
function checkReference(region: SimRegion, group: SimSecurityGroup, rule: SimRule): void {
  const source = rule.source;
  if (source.kind === "group") {
    const referenced = region.group(source.groupId);
    if (referenced.vpcId !== group.vpcId) {
      throw fail.invalid(
        "InvalidParameterValue",
        `You have specified two resources that belong to different networks: ${group.groupId} (${group.vpcId}) ` +
          `and ${referenced.groupId} (${referenced.vpcId}).`,
      );
    }
  } else if (source.kind === "prefixList") {
    region.prefixList(source.prefixListId);
  }
}

/** Removes the rules that exist; missing ones are success (the port's contract). */
export function revokeIngress(
  region: SimRegion,
  groupId: string,
  permissions: readonly IpPermission[],
): void {
  revokeRules(region, groupId, permissions, "ingress");
}

export function revokeEgress(region: SimRegion, groupId: string, permissions: readonly IpPermission[]): void {
  revokeRules(region, groupId, permissions, "egress");
}

function revokeRules(
  region: SimRegion,
  groupId: string,
  permissions: readonly IpPermission[],
  direction: "ingress" | "egress",
): void {
  const group = region.group(groupId);
  const rules = expandPermissions(permissions);
  const next = new Map(group[direction]);
  for (const rule of rules) next.delete(ruleKey(rule));
  group[direction] = next;
  region.groups.set(groupId, group);
}
