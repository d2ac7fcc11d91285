import { identityHash } from "../../inventory/identity.js";
import { compareText } from "../../util/compare-text.js";
import type { SecurityRule } from "./model.js";

/** Allow rules live in 100–3999; 4000–4096 is for segsync's platform rules and its deny-all. */
const FIRST = 100;
const LAST = 3999;

/**
 * Gives every allow rule a priority that stays put: a rule that already exists keeps its
 * priority; a new one takes the first free slot at or after a slot derived from its name. So one
 * rule coming or going never renumbers the others (and never forces an NSG-wide rewrite).
 * Undefined when there are more rules than slots.
 */
export function assignPriorities(
  rules: readonly SecurityRule[],
  existing: readonly SecurityRule[],
): SecurityRule[] | undefined {
  if (rules.length > LAST - FIRST + 1) return undefined;
  // ARM matches rule names ignoring case: an existing `Segsync-…` is the same rule.
  const previous = new Map(existing.map((rule) => [rule.name.toLowerCase(), rule.priority]));
  const taken = new Set<number>();
  const result = new Map<string, SecurityRule>();
  const sorted = [...rules].sort((a, b) => compareText(a.name, b.name));
  for (const rule of sorted) {
    const priority = previous.get(rule.name.toLowerCase());
    if (priority !== undefined && priority >= FIRST && priority <= LAST && !taken.has(priority)) {
      taken.add(priority);
      result.set(rule.name, { ...rule, priority });
    }
  }
  for (const rule of sorted) {
    if (result.has(rule.name)) continue;
    let slot = FIRST + (slotHash(rule.name) % (LAST - FIRST + 1));
    while (taken.has(slot)) slot = slot === LAST ? FIRST : slot + 1;
    taken.add(slot);
    result.set(rule.name, { ...rule, priority: slot });
  }
  return sorted.map((rule) => result.get(rule.name) as SecurityRule);
}

function slotHash(name: string): number {
  let value = 0;
  for (const char of identityHash(name).slice(0, 6))
    value = value * 32 + "abcdefghijklmnopqrstuvwxyz234567".indexOf(char);
  return value;
}
