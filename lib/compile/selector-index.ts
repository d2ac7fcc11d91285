import type { LabelSelector } from "../policy/model.js";

export type Labels = Readonly<Record<string, string>>;

/**
 * A selector is an AND over dimensions and an OR within one (docs/policy.md); `{}` matches every
 * workload with at least one label.
 */
export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  let labelled = false;
  for (const _ in labels) {
    labelled = true;
    break;
  }
  if (!labelled) return false;
  for (const dimension in selector) {
    const value = labels[dimension];
    if (value === undefined || !(selector[dimension] as readonly string[]).includes(value)) return false;
  }
  return true;
}

/**
 * Finds the selectors that match a label set without testing every selector: each selector is
 * filed under the values of one of its dimensions (its anchor), so a lookup only verifies the
 * selectors filed under the labels' own `dimension=value` pairs, plus the match-all ones.
 * Cost grows with the candidates, not with the number of selectors.
 */
export class SelectorIndex<T> {
  private readonly byPair = new Map<string, { selector: LabelSelector; item: T }[]>();
  private readonly matchAll: { selector: LabelSelector; item: T }[] = [];

  add(selector: LabelSelector, item: T): void {
    const anchor = chooseAnchor(selector);
    if (anchor === undefined) {
      this.matchAll.push({ selector, item });
      return;
    }
    for (const value of selector[anchor] as readonly string[]) {
      const key = `${anchor}=${value}`;
      let bucket = this.byPair.get(key);
      if (!bucket) {
        bucket = [];
        this.byPair.set(key, bucket);
      }
      bucket.push({ selector, item });
    }
  }

  /** Items whose selector matches, in insertion order within each bucket; each item at most once. */
  matching(labels: Labels): T[] {
    const result: T[] = [];
    let labelled = false;
    for (const dimension in labels) {
      labelled = true;
      const bucket = this.byPair.get(`${dimension}=${labels[dimension]}`);
      if (!bucket) continue;
      for (const entry of bucket) if (selectorMatches(entry.selector, labels)) result.push(entry.item);
    }
    if (!labelled) return result;
    for (const entry of this.matchAll) if (selectorMatches(entry.selector, labels)) result.push(entry.item);
    return result;
  }
}

/** The dimension with the fewest values: the most selective bucket, so lookups verify the fewest candidates. */
function chooseAnchor(selector: LabelSelector): string | undefined {
  let anchor: string | undefined;
  let fewest = Number.POSITIVE_INFINITY;
  for (const dimension of Object.keys(selector).sort()) {
    const count = (selector[dimension] as readonly string[]).length;
    if (count < fewest) {
      anchor = dimension;
      fewest = count;
    }
  }
  return anchor;
}
