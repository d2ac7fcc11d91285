/**
 * Egress "once enforced" (docs/flows.md, "Both ends"): a visibility ruleset may say `egress:
 * enforced`, which takes effect only when the ruleset is enforced (docs/policy.md, "Deny rules and
 * egress (v2)"). `flows check` checks its workloads' egress as if it were, as it checks a
 * visibility destination's ingress: from the intent compiled from this policy, every such ruleset
 * enforced. Pure.
 */
import type { Policy } from "../policy/model.js";

/** The policy with every visibility ruleset that enforces egress enforced; undefined when there is none. */
export function egressOnceEnforced(policy: Policy): Policy | undefined {
  const previewed = (ruleset: Policy["rulesets"][number]) =>
    ruleset.enforcement === "visibility" && ruleset.egress === "enforced";
  if (!policy.rulesets.some(previewed)) return undefined;
  return {
    ...policy,
    rulesets: policy.rulesets.map((ruleset) =>
      previewed(ruleset) ? { ...ruleset, enforcement: "enforced" as const } : ruleset,
    ),
  };
}
