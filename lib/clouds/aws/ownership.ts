import type { AwsTag } from "./model.js";

/**
 * How segsync marks what it owns in EC2, and the only objects it ever changes: security groups
 * and prefix lists carrying the ownership tag (and the `segsync-` name prefix), and on ENIs only
 * their group list and segsync's own tags.
 */
export const OWNERSHIP_TAG: AwsTag = { Key: "segsync:managed", Value: "true" };
/** On an owned SG or prefix list: the identity (canonical tuple) it enforces or stands for. */
export const IDENTITY_TAG_KEY = "segsync:identity";
/** On an ENI attached exclusively: its groups before segsync, for `segsync restore`, space-separated. */
export const ORIGINAL_GROUPS_TAG_KEY = "segsync:original-groups";
/** On an owned SG or prefix list: segsync's seal (an HMAC under its record key) binding the tag to that object. */
export const SEAL_TAG_KEY = "segsync:seal";
/** On an ENI: segsync's seal over its original-groups record, so that a tag writer cannot forge one. */
export const ORIGINAL_GROUPS_SEAL_TAG_KEY = "segsync:original-groups-seal";

export function isOwned(tags: readonly AwsTag[] | undefined): boolean {
  return (tags ?? []).some((tag) => tag.Key === OWNERSHIP_TAG.Key && tag.Value === OWNERSHIP_TAG.Value);
}

export function tagValue(tags: readonly AwsTag[] | undefined, key: string): string | undefined {
  return (tags ?? []).find((tag) => tag.Key === key)?.Value;
}
