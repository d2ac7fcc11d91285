/**
 * The tag keys segsync writes in one cloud, which that cloud's guardrails reserve
 * (lib/guardrails/keys.ts). A leaf: each cloud's `ownership-keys.ts` is registered in
 * lib/clouds/names.ts, which lib/inventory imports.
 */
export interface ReservedKeys {
  /** On the objects segsync owns (security groups, NSGs, ASGs …), the ownership tag's first. */
  readonly owned: readonly string[];
  /** On customers' objects (ENIs, NICs …): segsync's records of what it replaced there. */
  readonly records: readonly string[];
}
