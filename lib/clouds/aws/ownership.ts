import type { Sealer } from "../common/seals.js";
import type { AwsLocation, AwsTag, ManagedPrefixList, NetworkInterface, SecurityGroup } from "./model.js";
import {
  IDENTITY_TAG_KEY,
  ORIGINAL_GROUPS_SEAL_TAG_KEY,
  ORIGINAL_GROUPS_TAG_KEY,
  OWNERSHIP_TAG,
  SEAL_TAG_KEY,
} from "./ownership-keys.js";

/**
 * How segsync marks what it owns in EC2, and the only objects it ever changes: security groups
 * and prefix lists that it created (the ownership tag, the `segsync-` name and segsync's seal over
 * that exact object), and on ENIs only their group list and segsync's own tags. The ownership tag
 * alone proves nothing: anyone who may tag could write it (docs/trust-model.md). The tags' keys
 * are in ./ownership-keys.ts.
 */
/** Every owned object's name starts with this. */
export const OWNED_NAME_PREFIX = "segsync-";

/** Carries the ownership tag (the IAM condition and the describe filter): a candidate, not proof. */
export function hasOwnershipTag(tags: readonly AwsTag[] | undefined): boolean {
  return (tags ?? []).some((tag) => tag.Key === OWNERSHIP_TAG.Key && tag.Value === OWNERSHIP_TAG.Value);
}

export function tagValue(tags: readonly AwsTag[] | undefined, key: string): string | undefined {
  return (tags ?? []).find((tag) => tag.Key === key)?.Value;
}

/**
 * The one ownership predicate of EC2 (plan, diff, guard, restore, discovery all use it), and the
 * tags that make an object or a record segsync's. A group's seal names it by VPC and name (unique
 * in a VPC, and known before it exists, so it is sealed in the creating call); a prefix list's
 * names it by id (names are not unique), so it is sealed right after it is created.
 */
export class AwsOwnership {
  constructor(private readonly sealer: Sealer) {}

  ownsGroup(location: AwsLocation, group: Pick<SecurityGroup, "GroupName" | "VpcId" | "Tags">): boolean {
    return (
      hasOwnershipTag(group.Tags) &&
      group.GroupName.startsWith(OWNED_NAME_PREFIX) &&
      this.sealer.verify(
        groupSubject(location, group.VpcId, group.GroupName),
        tagValue(group.Tags, SEAL_TAG_KEY),
      )
    );
  }

  ownsPrefixList(
    location: AwsLocation,
    list: Pick<ManagedPrefixList, "PrefixListId" | "PrefixListName" | "Tags">,
  ): boolean {
    return (
      hasOwnershipTag(list.Tags) &&
      list.PrefixListName.startsWith(OWNED_NAME_PREFIX) &&
      this.sealer.verify(prefixListSubject(location, list.PrefixListId), tagValue(list.Tags, SEAL_TAG_KEY))
    );
  }

  /** The tags of a group segsync creates, its seal included. */
  groupTags(location: AwsLocation, vpcId: string, name: string, identity: string): AwsTag[] {
    return [
      OWNERSHIP_TAG,
      { Key: IDENTITY_TAG_KEY, Value: identity.slice(0, TAG_VALUE_LIMIT) },
      { Key: SEAL_TAG_KEY, Value: this.sealer.seal(groupSubject(location, vpcId, name)) },
    ];
  }

  /** The tags of a prefix list segsync creates; its seal follows once EC2 gave it an id (prefixListSeal). */
  prefixListTags(identity: string): AwsTag[] {
    return [OWNERSHIP_TAG, { Key: IDENTITY_TAG_KEY, Value: identity.slice(0, TAG_VALUE_LIMIT) }];
  }

  prefixListSeal(location: AwsLocation, prefixListId: string): AwsTag {
    return { Key: SEAL_TAG_KEY, Value: this.sealer.seal(prefixListSubject(location, prefixListId)) };
  }

  /**
   * The ENI's original groups as segsync recorded them, or undefined when it recorded none: a
   * record without segsync's seal over this ENI and this value is not one (a tag writer's forgery).
   */
  recordedOriginals(
    location: AwsLocation,
    eni: Pick<NetworkInterface, "NetworkInterfaceId" | "TagSet">,
  ): string[] | undefined {
    const value = tagValue(eni.TagSet, ORIGINAL_GROUPS_TAG_KEY);
    if (value === undefined) return undefined;
    const subject = recordSubject(location, eni.NetworkInterfaceId, value);
    if (!this.sealer.verify(subject, tagValue(eni.TagSet, ORIGINAL_GROUPS_SEAL_TAG_KEY))) return undefined;
    return value.split(" ").filter((id) => id !== "");
  }

  /** The two tags that record an ENI's original groups. */
  recordTags(location: AwsLocation, networkInterfaceId: string, groupIds: readonly string[]): AwsTag[] {
    const value = groupIds.join(" ");
    return [
      { Key: ORIGINAL_GROUPS_TAG_KEY, Value: value },
      {
        Key: ORIGINAL_GROUPS_SEAL_TAG_KEY,
        Value: this.sealer.seal(recordSubject(location, networkInterfaceId, value)),
      },
    ];
  }
}

/** EC2 tag values are at most 256 characters. */
export const TAG_VALUE_LIMIT = 256;

function groupSubject(location: AwsLocation, vpcId: string, name: string): string {
  return `aws|security-group|${location.account}|${location.region}|${vpcId}|${name}`;
}

function prefixListSubject(location: AwsLocation, prefixListId: string): string {
  return `aws|prefix-list|${location.account}|${location.region}|${prefixListId}`;
}

function recordSubject(location: AwsLocation, networkInterfaceId: string, value: string): string {
  return `aws|original-groups|${location.account}|${location.region}|${networkInterfaceId}|${value}`;
}
