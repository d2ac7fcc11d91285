/**
 * The tags segsync writes in Azure (what each proves: ./ownership.ts). A leaf, registered in
 * lib/clouds/names.ts, so that the guardrails reserve these keys without importing the provider.
 */

/** Marks an owned NSG or ASG: a candidate, not proof (the seal is). */
export const OWNERSHIP_TAG_KEY = "segsync-managed";
export const OWNERSHIP_TAG_VALUE = "true";
/** On an owned NSG or ASG: the identity it enforces or stands for. */
export const IDENTITY_TAG_KEY = "segsync-identity";
/** On a NIC whose NSG segsync replaced: the original NSG's id, for `segsync restore` ("none" when it had none). */
export const ORIGINAL_NSG_TAG_KEY = "segsync-original-nsg";
/** On an owned NSG or ASG: segsync's seal (an HMAC under its record key) binding the tags to that resource id. */
export const SEAL_TAG_KEY = "segsync-seal";
/** On a NIC: segsync's seal over its original-NSG record. */
export const ORIGINAL_NSG_SEAL_TAG_KEY = "segsync-original-nsg-seal";

export const AZURE_OWNERSHIP_KEYS = {
  owned: [OWNERSHIP_TAG_KEY, IDENTITY_TAG_KEY, SEAL_TAG_KEY],
  records: [ORIGINAL_NSG_TAG_KEY, ORIGINAL_NSG_SEAL_TAG_KEY],
} as const;
