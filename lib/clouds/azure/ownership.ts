/**
 * How segsync marks what it owns in Azure, and the only objects it changes: NSGs and ASGs with the
 * ownership tag (and the `segsync-` name prefix), and on NICs only their NSG association, their
 * membership of owned ASGs and segsync's own tags.
 */
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

export function isOwned(tags: Readonly<Record<string, string>> | undefined): boolean {
  return tags?.[OWNERSHIP_TAG_KEY] === OWNERSHIP_TAG_VALUE;
}

/** The tags of every NSG and ASG segsync creates. */
export function ownedTags(identity: string): Record<string, string> {
  return { [OWNERSHIP_TAG_KEY]: OWNERSHIP_TAG_VALUE, [IDENTITY_TAG_KEY]: identity.slice(0, 256) };
}
