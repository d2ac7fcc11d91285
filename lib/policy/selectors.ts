/** Label selectors: normalizing, intersecting with a scope, and finding contradictions. */
import type { LabelSelector } from "./model.js";

/** A selector as written (a value or a list per dimension) or already normalized. */
export type SelectorInput = Readonly<Record<string, string | readonly string[]>>;

/** A selector value as a sorted list without repeats: `web` → [web]. */
export function selectorValues(value: string | readonly string[]): string[] {
  const values = typeof value === "string" ? [value] : value;
  return [...new Set(values)].sort();
}

/** Dimensions in sorted order, each with sorted unique values. */
export function normalizeSelector(selector: SelectorInput): LabelSelector {
  const entries = Object.entries(selector).map(
    ([dimension, value]) => [dimension, selectorValues(value)] as const,
  );
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}

/**
 * The workloads matching both selectors: per dimension the common values; a dimension that only
 * one side names is taken as that side has it. Assumes no dimension has an empty intersection
 * (validation rejects such a rule as contradicting its scope).
 */
export function intersectSelectors(a: LabelSelector, b: LabelSelector): LabelSelector {
  const result: Record<string, readonly string[]> = {};
  for (const [dimension, values] of Object.entries(a)) {
    const other = Object.hasOwn(b, dimension) ? b[dimension] : undefined;
    result[dimension] = other === undefined ? values : values.filter((value) => other.includes(value));
  }
  for (const [dimension, values] of Object.entries(b)) {
    if (!Object.hasOwn(result, dimension)) result[dimension] = values;
  }
  return normalizeSelector(result);
}

export interface ScopeConflict {
  readonly dimension: string;
  /** The scope's values for that dimension, sorted. */
  readonly scopeValues: readonly string[];
}

/** The dimensions where the selector and the scope share no value: such a selector can never match. */
export function scopeConflicts(selector: SelectorInput, scope: SelectorInput): ScopeConflict[] {
  const conflicts: ScopeConflict[] = [];
  for (const [dimension, value] of Object.entries(selector)) {
    const scopeValue = Object.hasOwn(scope, dimension) ? scope[dimension] : undefined;
    if (scopeValue === undefined) continue;
    const scopeValues = selectorValues(scopeValue);
    if (!selectorValues(value).some((v) => scopeValues.includes(v)))
      conflicts.push({ dimension, scopeValues });
  }
  return conflicts;
}
