/**
 * The part of a policy that the clouds cannot enforce yet: enforced egress (v2). The compiler
 * computes deny rules and rules to an ipList (docs/policy.md, "How deny rules compile"), but no
 * cloud writes egress rules yet, so compiling a policy that enforces egress is refused rather than
 * done without it: an egress limit that is silently dropped would leave open what the policy closes.
 */
import type { Policy } from "./model.js";

export type UnsupportedKind = "enforced-egress";

export interface UnsupportedFeature {
  readonly kind: UnsupportedKind;
  readonly ruleset: string;
  /** For people: `ruleset shop-prod enforces egress`. */
  readonly description: string;
}

/** Every unsupported feature, in file order; empty for a v1 policy and for one with deny rules only. */
export function unsupportedV2Features(policy: Policy): UnsupportedFeature[] {
  const features: UnsupportedFeature[] = [];
  for (const ruleset of policy.rulesets) {
    const { name } = ruleset;
    // Egress takes effect only in enforced rulesets (docs/policy.md, "Deny rules and egress (v2)").
    if (ruleset.enforcement === "enforced" && ruleset.egress === "enforced") {
      features.push({
        kind: "enforced-egress",
        ruleset: name,
        description: `ruleset ${name} enforces egress`,
      });
    }
  }
  return features;
}

/** What `segsync validate` says of a policy that it accepts but the compiler would refuse. */
export function unsupportedV2Warning(features: readonly UnsupportedFeature[]): string | undefined {
  if (features.length === 0) return undefined;
  const shown = features.slice(0, 3).map((feature) => feature.description);
  const more = features.length > shown.length ? ` and ${features.length - shown.length} more` : "";
  return `enforcement of egress is not available yet: plan, apply and simulate refuse this policy (${shown.join("; ")}${more})`;
}
