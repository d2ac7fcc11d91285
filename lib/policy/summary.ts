import type { Policy } from "./model.js";

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** `4 rules`, or `4 rules, 2 deny rules` when there are deny rules (v2). */
function rulesPart(policy: Policy): string {
  const rules = policy.rulesets.reduce((total, ruleset) => total + ruleset.rules.length, 0);
  const deny = policy.rulesets.reduce((total, ruleset) => total + ruleset.deny.length, 0);
  return count(rules, "rule") + (deny > 0 ? `, ${count(deny, "deny rule")}` : "");
}

/**
 * `egress enforced in 1 ruleset (shop-prod)`: the enforced rulesets whose egress is enforced, the
 * only ones where it takes effect; nothing when egress is open everywhere, as in every v1 policy.
 */
function egressPart(policy: Policy): string[] {
  const names = policy.rulesets
    .filter((ruleset) => ruleset.enforcement === "enforced" && ruleset.egress === "enforced")
    .map((ruleset) => ruleset.name);
  if (names.length === 0 && policy.egress === "open") return [];
  const shown = names.slice(0, 3).join(", ");
  const more = names.length > 3 ? ` and ${names.length - 3} more` : "";
  return [`egress enforced in ${count(names.length, "ruleset")}${shown ? ` (${shown}${more})` : ""}`];
}

/**
 * One line for people: `1 ruleset: 1 enforced; 4 rules; 4 services; 1 ipList; dimensions app, env,
 * role, loc`, with deny rules and egress when the policy has them (v2).
 */
export function policySummary(policy: Policy): string {
  const enforced = policy.rulesets.filter((ruleset) => ruleset.enforcement === "enforced").length;
  const visibility = policy.rulesets.length - enforced;
  const modes = [enforced > 0 ? `${enforced} enforced` : "", visibility > 0 ? `${visibility} visibility` : ""]
    .filter(Boolean)
    .join(", ");
  const rulesets = count(policy.rulesets.length, "ruleset") + (modes ? `: ${modes}` : "");
  return [
    rulesets,
    rulesPart(policy),
    ...egressPart(policy),
    count(Object.keys(policy.services).length, "service"),
    count(Object.keys(policy.ipLists).length, "ipList"),
    `dimensions ${policy.labels.dimensions.join(", ")}`,
  ].join("; ");
}
