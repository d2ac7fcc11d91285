/**
 * Where each of `native.aws`'s objects is: a group or an ENI in the account and region of its
 * VPC's estate network; a prefix list where its ARN says, else where the groups that use it
 * are, else in the only estate location of its owner.
 */
import type { AwsLocation } from "../../../lib/clouds/aws/model.js";
import type { DraftIssue, PathSegment } from "../../../lib/util/source-issues.js";
import type { EstateIndex } from "../../estate-index.js";
import type { NativeAws, NativePrefixList } from "./native-schema.js";

// An AWS-owned list's ARN has `aws` for the account: it is in every account of its region.
const PREFIX_LIST_ARN = /^arn:aws[a-z-]*:ec2:([a-z0-9-]+):(\d{12}|aws):prefix-list\/(pl-[0-9a-f]+)$/;

export function locationKey(location: AwsLocation): string {
  return `${location.account}:${location.region}`;
}

export function vpcLocation(index: EstateIndex, vpcId: string): AwsLocation | undefined {
  const parts = index.awsVpcs.get(vpcId)?.parts;
  return parts?.cloud === "aws" ? { account: parts.account, region: parts.region } : undefined;
}

/** The estate's AWS locations, each once, in the order of their first network. */
export function awsLocations(index: EstateIndex): AwsLocation[] {
  const found = new Map<string, AwsLocation>();
  for (const { parts } of index.networks.values()) {
    if (parts.cloud !== "aws") continue;
    const location = { account: parts.account, region: parts.region };
    if (!found.has(locationKey(location))) found.set(locationKey(location), location);
  }
  return [...found.values()];
}

/** The prefix list's location, or why it cannot be told. */
export function prefixListLocation(
  list: NativePrefixList,
  native: NativeAws,
  index: EstateIndex,
): { ok: true; location: AwsLocation } | { ok: false; field: string; message: string } {
  const known = new Set(awsLocations(index).map(locationKey));
  const match = list.PrefixListArn === undefined ? undefined : PREFIX_LIST_ARN.exec(list.PrefixListArn);
  if (match === null || (match !== undefined && match[3] !== list.PrefixListId)) {
    return {
      ok: false,
      field: "PrefixListArn",
      message: `not the ARN of ${list.PrefixListId} (arn:aws:ec2:<region>:<account>:prefix-list/${list.PrefixListId})`,
    };
  }
  if (match !== undefined && match[2] !== "aws") {
    const location = { account: match[2] as string, region: match[1] as string };
    if (!known.has(locationKey(location))) {
      return {
        ok: false,
        field: "PrefixListArn",
        message: `${locationKey(location)} has no AWS network in networks`,
      };
    }
    return { ok: true, location };
  }
  const users = new Map<string, AwsLocation>();
  for (const group of native.securityGroups ?? []) {
    const rules = [...group.IpPermissions, ...group.IpPermissionsEgress];
    if (!rules.some((rule) => rule.PrefixListIds.some((ref) => ref.PrefixListId === list.PrefixListId)))
      continue;
    const location = vpcLocation(index, group.VpcId);
    if (location !== undefined) users.set(locationKey(location), location);
  }
  const candidates =
    users.size > 0
      ? [...users.values()]
      : awsLocations(index)
          .filter((l) => match === undefined || l.region === match[1])
          .filter(
            // An AWS-owned list is in every account of its region.
            (l) => list.OwnerId === undefined || list.OwnerId === "AWS" || l.account === list.OwnerId,
          );
  const [only] = candidates;
  if (candidates.length === 1 && only !== undefined) return { ok: true, location: only };
  return {
    ok: false,
    field: "PrefixListId",
    message: `cannot tell which account and region ${list.PrefixListId} is in: give its PrefixListArn`,
  };
}

/** The VPC must be an estate network's, and OwnerId (when given) its account. */
export function ownerIssues(
  index: EstateIndex,
  vpcId: string,
  ownerId: string | undefined,
  path: readonly PathSegment[],
): DraftIssue[] {
  const location = vpcLocation(index, vpcId);
  if (location === undefined) {
    return [{ path: [...path, "VpcId"], message: `${vpcId} is not the VPC of an AWS network in networks` }];
  }
  if (ownerId !== undefined && ownerId !== location.account) {
    return [
      {
        path: [...path, "OwnerId"],
        message: `is ${ownerId}, but ${vpcId} is in account ${location.account}`,
      },
    ];
  }
  return [];
}
