/**
 * The tags segsync writes in EC2 (what each proves: ./ownership.ts). A leaf, registered in
 * lib/clouds/names.ts, so that the guardrails reserve these keys without importing the provider.
 */

/** Marks an owned SG or prefix list: a candidate, not proof (the seal is). */
export const OWNERSHIP_TAG = { Key: "segsync:managed", Value: "true" } as const;
/** On an owned SG or prefix list: the identity (canonical tuple) it enforces or stands for. */
export const IDENTITY_TAG_KEY = "segsync:identity";
/** On an ENI attached exclusively: its groups before segsync, for `segsync restore`, space-separated. */
export const ORIGINAL_GROUPS_TAG_KEY = "segsync:original-groups";
/** On an owned SG or prefix list: segsync's seal (an HMAC under its record key) binding the tag to that object. */
export const SEAL_TAG_KEY = "segsync:seal";
/** On an ENI: segsync's seal over its original-groups record, so that a tag writer cannot forge one. */
export const ORIGINAL_GROUPS_SEAL_TAG_KEY = "segsync:original-groups-seal";

/** Every AWS tag key of segsync starts with it: the SCP reserves them all with `segsync:*`. */
export const RESERVED_PREFIX = "segsync:";

export const AWS_OWNERSHIP_KEYS = {
  prefix: RESERVED_PREFIX,
  ownershipTag: OWNERSHIP_TAG,
  owned: [OWNERSHIP_TAG.Key, IDENTITY_TAG_KEY, SEAL_TAG_KEY],
  records: [ORIGINAL_GROUPS_TAG_KEY, ORIGINAL_GROUPS_SEAL_TAG_KEY],
} as const;
