import type { Policy } from "./model.js";

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** One line for people: `1 ruleset: 1 enforced; 4 rules; 4 services; 1 ipList; dimensions app, env, role, loc`. */
export function policySummary(policy: Policy): string {
  const enforced = policy.rulesets.filter((ruleset) => ruleset.enforcement === "enforced").length;
  const visibility = policy.rulesets.length - enforced;
  const modes = [enforced > 0 ? `${enforced} enforced` : "", visibility > 0 ? `${visibility} visibility` : ""]
    .filter(Boolean)
    .join(", ");
  const rulesets = count(policy.rulesets.length, "ruleset") + (modes ? `: ${modes}` : "");
  const rules = policy.rulesets.reduce((total, ruleset) => total + ruleset.rules.length, 0);
  return [
    rulesets,
    count(rules, "rule"),
    count(Object.keys(policy.services).length, "service"),
    count(Object.keys(policy.ipLists).length, "ipList"),
    `dimensions ${policy.labels.dimensions.join(", ")}`,
  ].join("; ");
}
