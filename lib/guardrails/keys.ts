/**
 * The keys and names that the guardrails reserve. Each cloud's tag keys are the constants its
 * provider writes (lib/clouds/<cloud>/ownership-keys.ts), reached through the registry of names
 * (lib/clouds/names.ts), so that a renamed key cannot leave its guardrail behind
 * (test/guardrails/build.test.ts checks that every key written is reserved).
 */
import { CLOUD_ENTRIES } from "../clouds/names.js";
import type { Cloud } from "../inventory/model.js";

/** The policy's labels: what the label guardrails protect. */
export interface LabelKeys {
  readonly tagPrefix: string;
  readonly dimensions: readonly string[];
}

type OwnershipKeysOf<C extends Cloud> = Extract<
  (typeof CLOUD_ENTRIES)[number],
  { readonly ids: { readonly cloud: C } }
>["ownershipKeys"];

/**
 * Each cloud's tag keys as its registry entry carries them, exact per cloud: the keys on the
 * objects segsync owns and on customers' objects, and what a cloud adds (AWS: the reserved
 * prefix and the ownership tag).
 */
export const OWNERSHIP_KEYS = Object.fromEntries(
  CLOUD_ENTRIES.map((entry) => [entry.ids.cloud, entry.ownershipKeys]),
) as unknown as { readonly [C in Cloud]: OwnershipKeysOf<C> };

/** Every tag key segsync writes in `cloud`, on its own objects first: what the guardrails reserve. */
export function reservedKeys(cloud: Cloud): readonly string[] {
  return [...OWNERSHIP_KEYS[cloud].owned, ...OWNERSHIP_KEYS[cloud].records];
}

/**
 * The label keys as patterns for a policy language with a `*` wildcard: `<tagPrefix>*` covers
 * dimensions added later; with an empty prefix, `*` would cover every key, so the keys themselves.
 */
export function labelKeyPatterns(labels: LabelKeys): readonly string[] {
  if (labels.tagPrefix !== "") return [`${labels.tagPrefix}*`];
  return [...labels.dimensions].sort();
}

/** The label keys themselves (`<tagPrefix><dimension>`). */
export function labelKeys(labels: LabelKeys): readonly string[] {
  return labels.dimensions.map((dimension) => `${labels.tagPrefix}${dimension}`).sort();
}
