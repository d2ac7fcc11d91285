import { fail } from "./failures.js";
import type { SimRegion } from "./region.js";

/**
 * EC2's rules for the groups of one ENI: at least one, each once, each existing in the ENI's VPC
 * (docs/clouds.md, "AWS attaching security groups").
 */
export function checkGroupList(
  region: SimRegion,
  networkInterfaceId: string,
  vpcId: string,
  groupIds: readonly string[],
): void {
  checkSomeGroup(networkInterfaceId, groupIds);
  if (new Set(groupIds).size !== groupIds.length) {
    throw fail.invalid("InvalidParameterValue", `A security group is listed twice: ${groupIds.join(", ")}.`);
  }
  for (const groupId of groupIds) {
    const group = region.group(groupId);
    if (group.vpcId !== vpcId) {
      throw fail.invalid(
        "InvalidParameterValue",
        `Security group ${groupId} is in ${group.vpcId}, but network interface ${networkInterfaceId} is in ${vpcId}.`,
      );
    }
  }
}

function checkSomeGroup(networkInterfaceId: string, groupIds: readonly string[]): void {
  if (groupIds.length === 0) {
    throw fail.invalid(
      "InvalidParameterValue",
      `Network interface ${networkInterfaceId} needs at least one security group.`,
    );
  }
}

/**
 * checkGroupList, and no more groups than the SGs-per-interface quota (docs/clouds.md,
 * "AWS security group quotas").
 */
export function checkInterfaceGroups(
  region: SimRegion,
  networkInterfaceId: string,
  vpcId: string,
  groupIds: readonly string[],
): void {
  checkGroupList(region, networkInterfaceId, vpcId, groupIds);
  const limit = region.quotas.securityGroupsPerInterface;
  if (groupIds.length > limit) {
    throw fail.quota(
      "SecurityGroupsPerInterfaceLimitExceeded",
      `The maximum number of security groups per interface has been reached: ${groupIds.length} of ${limit} for ${networkInterfaceId}.`,
    );
  }
}

/**
 * ModifyNetworkInterfaceAttribute with SecurityGroupId.N: the new list replaces the old one. An
 * empty list is refused before anything is looked up, as the SDK adapter refuses it before EC2.
 */
export function modifyNetworkInterfaceGroups(
  region: SimRegion,
  networkInterfaceId: string,
  groupIds: readonly string[],
): void {
  checkSomeGroup(networkInterfaceId, groupIds);
  const eni = region.networkInterface(networkInterfaceId);
  checkInterfaceGroups(region, networkInterfaceId, eni.vpcId, groupIds);
  eni.groupIds = [...groupIds];
  region.refile(eni);
}
