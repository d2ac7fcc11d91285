/**
 * The parts of a policy that the compiler cannot enforce yet: deny rules, rules to an ipList and
 * enforced egress (v2). The language accepts them; until the compiler knows them, compiling such
 * a policy is refused rather than done without them, since a deny or an egress limit that is
 * silently dropped would leave open what the policy closes.
 */
import type { Policy } from "./model.js";

export type UnsupportedKind = "deny-rule" | "rule-to-ipList" | "enforced-egress";

export interface UnsupportedFeature {
  readonly kind: UnsupportedKind;
  readonly ruleset: string;
  /** The rule's id, for a deny rule or a rule to an ipList. */
  readonly rule?: string;
  /**
   * For people: `deny rule shop-prod#deny-0`, `rule shop-prod#4 goes to ipList payments-gateway`,
   * `ruleset shop-prod enforces egress`.
   */
  readonly description: string;
}

/** Every unsupported feature, in file order; empty for a v1 policy. */
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
    for (const rule of ruleset.rules) {
      if (rule.to.kind !== "ipList") continue;
      const description = `rule ${rule.id} goes to ipList ${rule.to.name}`;
      features.push({ kind: "rule-to-ipList", ruleset: name, rule: rule.id, description });
    }
    for (const rule of ruleset.deny) {
      features.push({ kind: "deny-rule", ruleset: name, rule: rule.id, description: `deny rule ${rule.id}` });
    }
  }
  return features;
}

/** What `segsync validate` says of a policy that it accepts but the compiler would refuse. */
export function unsupportedV2Warning(features: readonly UnsupportedFeature[]): string | undefined {
  if (features.length === 0) return undefined;
  const shown = features.slice(0, 3).map((feature) => feature.description);
  const more = features.length > shown.length ? ` and ${features.length - shown.length} more` : "";
  return `enforcement of deny rules and egress is not available yet: plan, apply and simulate refuse this policy (${shown.join("; ")}${more})`;
}
