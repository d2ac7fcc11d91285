/**
 * Which policy rule a verdict names (docs/flows.md, "Checking flows"): the first in policy order
 * whose own services admit the connection. A grant merges every rule from one source to one
 * destination with the union of their services, so its first rule may not admit it. Pure.
 */
import type { Policy, Service } from "../policy/model.js";

export type Admits = (services: readonly Service[]) => boolean;

/** The policy's allow rules' own services, by rule id. */
export class RuleServices {
  private readonly byId = new Map<string, readonly Service[]>();

  constructor(policy: Policy | undefined) {
    for (const ruleset of policy?.rulesets ?? [])
      for (const rule of ruleset.rules) this.byId.set(rule.id, rule.services);
  }

  /** The first of the rules, in policy order, whose own services admit the connection. */
  firstAdmitting(rules: readonly string[], admits: Admits): string | undefined {
    return firstInPolicyOrder(this.admitting(rules, admits));
  }

  /** The rules whose own services admit the connection; a rule the policy does not hold is kept. */
  admitting(rules: readonly string[], admits: Admits): string[] {
    return rules.filter((id) => {
      const services = this.byId.get(id);
      return services === undefined || admits(services);
    });
  }
}

/** The first of the rule ids in policy order: by ruleset name, then index as a number (`#10` after `#9`). */
export function firstInPolicyOrder(rules: readonly string[]): string | undefined {
  return [...rules].sort(compareRuleIds)[0];
}

function compareRuleIds(a: string, b: string): number {
  const [rulesetA = "", indexA = ""] = a.split("#");
  const [rulesetB = "", indexB = ""] = b.split("#");
  if (rulesetA !== rulesetB) return rulesetA < rulesetB ? -1 : 1;
  return Number(indexA) - Number(indexB) || (indexA < indexB ? -1 : indexA > indexB ? 1 : 0);
}
