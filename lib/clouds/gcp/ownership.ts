import type { Sealer } from "../common/seals.js";

/**
 * How segsync marks what it owns in GCP, and the only objects it changes: firewall rules named
 * `segsync-…` whose description starts with the marker and segsync's seal over that rule, and on
 * instances only network tags named `segsync-…`, sealed per instance by a seal tag. Anyone who may
 * edit a rule or set tags could write the marker or the names, never the seal (docs/trust-model.md).
 */
export const OWNED_PREFIX = "segsync-";
export const DESCRIPTION_MARKER = "segsync:managed";
/** The network tag that seals an instance's owned tags: `segsync-seal-<seal>`. */
export const SEAL_TAG_PREFIX = `${OWNED_PREFIX}seal-`;

/** A tag in segsync's namespace (its seal tag included). */
export function isOwnedTag(tag: string): boolean {
  return tag.startsWith(OWNED_PREFIX);
}

/** Carries the marker: a candidate, not proof. */
export function hasMarker(firewall: { readonly description?: string }): boolean {
  return (firewall.description ?? "").startsWith(DESCRIPTION_MARKER);
}

/**
 * The one ownership predicate of GCP (plan, diff, guard, cleanup, discovery). A rule's name is
 * unique in its project, so its seal names project and rule; an instance's seal tag names the
 * instance and the exact owned tags segsync set on it.
 */
export class GcpOwnership {
  constructor(private readonly sealer: Sealer) {}

  ownsFirewall(project: string, firewall: { readonly name: string; readonly description?: string }): boolean {
    const description = firewall.description ?? "";
    if (!firewall.name.startsWith(OWNED_PREFIX) || !description.startsWith(`${DESCRIPTION_MARKER} `))
      return false;
    const seal = description.slice(DESCRIPTION_MARKER.length + 1).split(" ", 1)[0];
    return this.sealer.verify(firewallSubject(project, firewall.name), seal);
  }

  /** The description of an owned rule: the marker, the seal, then `text` (at most 2,048 characters). */
  describe(project: string, name: string, text: string): string {
    return `${DESCRIPTION_MARKER} ${this.sealer.seal(firewallSubject(project, name))} ${text}`.slice(0, 2048);
  }

  /** The seal tag for these owned tags on this instance. */
  sealTag(project: string, zone: string, instance: string, owned: readonly string[]): string {
    return `${SEAL_TAG_PREFIX}${this.sealer.seal(instanceSubject(project, zone, instance, owned))}`;
  }

  /** Whether the instance's owned tags are the ones segsync set (its seal tag verifies them). */
  sealedTags(project: string, zone: string, instance: string, items: readonly string[]): boolean {
    const seals = items.filter((tag) => tag.startsWith(SEAL_TAG_PREFIX));
    const owned = items.filter((tag) => isOwnedTag(tag) && !tag.startsWith(SEAL_TAG_PREFIX));
    if (seals.length !== 1 || owned.length === 0) return false;
    const seal = (seals[0] as string).slice(SEAL_TAG_PREFIX.length);
    return this.sealer.verify(instanceSubject(project, zone, instance, owned), seal);
  }
}

function firewallSubject(project: string, name: string): string {
  return `gcp|firewall|${project}|${name}`;
}

function instanceSubject(project: string, zone: string, instance: string, owned: readonly string[]): string {
  return `gcp|instance-tags|${project}|${zone}|${instance}|${[...owned].sort().join(",")}`;
}
