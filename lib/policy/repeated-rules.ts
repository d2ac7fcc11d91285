/**
 * A deny rule written twice in one ruleset: harmless to enforce, but a sign of a copy that was
 * meant to be changed (a port, a side), so it is refused. Allow rules are not checked: v1
 * accepted repeats, and a v1 policy must keep meaning what it meant.
 */
import type { DraftIssue, PathSegment } from "../util/source-issues.js";
import type { RuleParts } from "./parts.js";
import { normalizeSelector } from "./selectors.js";

/**
 * The rule as one text, equal for two spellings of the same rule (selector keys and values in
 * any order, services in any order); undefined when a part did not parse, so it cannot be told.
 */
function ruleKey(rule: RuleParts): string | undefined {
  const { from, to, services, extraScope } = rule;
  if (!from || !to || !services || extraScope === undefined) return undefined;
  if (services.some((entry) => entry === undefined)) return undefined;
  const sortedServices = [...new Set(services)].sort();
  return JSON.stringify([normalizeSelector(from), normalizeSelector(to), sortedServices, extraScope]);
}

/** One issue per deny rule that repeats an earlier one of the same list, at the repeat. */
export function checkRepeatedDenyRules(
  deny: readonly (RuleParts | undefined)[],
  path: readonly PathSegment[],
  issues: DraftIssue[],
): void {
  const firstIndex = new Map<string, number>();
  deny.forEach((rule, index) => {
    const key = rule && ruleKey(rule);
    if (key === undefined) return;
    const first = firstIndex.get(key);
    if (first === undefined) firstIndex.set(key, index);
    else issues.push({ path: [...path, index], message: `repeats deny[${first}]: the same rule twice` });
  });
}
