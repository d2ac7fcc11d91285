import type { Sealer } from "../common/seals.js";
import {
  IDENTITY_TAG_KEY,
  ORIGINAL_NSG_SEAL_TAG_KEY,
  ORIGINAL_NSG_TAG_KEY,
  OWNERSHIP_TAG_KEY,
  OWNERSHIP_TAG_VALUE,
  SEAL_TAG_KEY,
} from "./ownership-keys.js";

/**
 * How segsync marks what it owns in Azure, and the only objects it changes: NSGs and ASGs that it
 * created (the ownership tag, the `segsync-` name and segsync's seal over that resource id), and
 * on NICs only their NSG association, their membership of owned ASGs and segsync's own tags. The
 * ownership tag alone proves nothing: a Tag Contributor could write it (docs/trust-model.md). The
 * tags' keys are in ./ownership-keys.ts.
 */
/** Every owned resource's name starts with this. */
export const OWNED_NAME_PREFIX = "segsync-";

type Tags = Readonly<Record<string, string>> | undefined;

/** A tag's value; Azure tag names are case-insensitive. */
export function tagOf(tags: Tags, name: string): string | undefined {
  if (tags === undefined) return undefined;
  if (tags[name] !== undefined) return tags[name];
  const lower = name.toLowerCase();
  return Object.entries(tags).find(([key]) => key.toLowerCase() === lower)?.[1];
}

/** Carries the ownership tag: a candidate, not proof. */
export function hasOwnershipTag(tags: Tags): boolean {
  return tagOf(tags, OWNERSHIP_TAG_KEY) === OWNERSHIP_TAG_VALUE;
}

/** The tags without these names (compared as Azure does, ignoring case). */
export function withoutTags(
  tags: Readonly<Record<string, string>>,
  names: readonly string[],
): Record<string, string> {
  const drop = new Set(names.map((name) => name.toLowerCase()));
  return Object.fromEntries(Object.entries(tags).filter(([key]) => !drop.has(key.toLowerCase())));
}

/** A NIC's sealed record: the NSG it had before segsync (undefined: none). */
export interface RecordedNsg {
  readonly original: string | undefined;
}

/**
 * The one ownership predicate of Azure (plan, diff, guard, restore, discovery), and the tags that
 * make a resource or a record segsync's. Resource ids are case-insensitive in ARM: seals are over
 * the lowercase id.
 */
export class AzureOwnership {
  constructor(private readonly sealer: Sealer) {}

  owns(resource: { readonly id: string; readonly name: string; readonly tags: Tags }): boolean {
    return (
      hasOwnershipTag(resource.tags) &&
      resource.name.toLowerCase().startsWith(OWNED_NAME_PREFIX) &&
      this.sealer.verify(resourceSubject(resource.id), tagOf(resource.tags, SEAL_TAG_KEY))
    );
  }

  /** The tags of every NSG and ASG segsync creates, its seal included. */
  ownedTags(id: string, identity: string): Record<string, string> {
    return {
      [OWNERSHIP_TAG_KEY]: OWNERSHIP_TAG_VALUE,
      [IDENTITY_TAG_KEY]: identity.slice(0, 256),
      [SEAL_TAG_KEY]: this.sealer.seal(resourceSubject(id)),
    };
  }

  /** The NIC's record as segsync sealed it; undefined when there is none or it is not segsync's. */
  recordedNsg(nic: { readonly id: string; readonly tags: Tags }): RecordedNsg | undefined {
    const value = tagOf(nic.tags, ORIGINAL_NSG_TAG_KEY);
    if (value === undefined) return undefined;
    if (!this.sealer.verify(recordSubject(nic.id, value), tagOf(nic.tags, ORIGINAL_NSG_SEAL_TAG_KEY)))
      return undefined;
    return { original: value === "none" ? undefined : value };
  }

  /** The two tags that record a NIC's original NSG (undefined: it had none). */
  recordTags(nicId: string, original: string | undefined): Record<string, string> {
    const value = original ?? "none";
    return {
      [ORIGINAL_NSG_TAG_KEY]: value,
      [ORIGINAL_NSG_SEAL_TAG_KEY]: this.sealer.seal(recordSubject(nicId, value)),
    };
  }
}

function resourceSubject(id: string): string {
  return `azure|resource|${id.toLowerCase()}`;
}

function recordSubject(nicId: string, value: string): string {
  return `azure|original-nsg|${nicId.toLowerCase()}|${value.toLowerCase()}`;
}
