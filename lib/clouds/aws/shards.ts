import { compareText } from "../../util/compare-text.js";
import type { DesiredRule } from "./desired.js";
import { ruleKey } from "./desired.js";

/**
 * Packs weighted rules into at most `maxShards` groups of `capacity` rules: first fit, in rule-key
 * order, so that the same rules always land in the same shards. Undefined when they do not fit.
 * There is always at least one shard: an owned group with no rules is how an ENI denies all.
 */
export function packShards(
  units: readonly { readonly rule: DesiredRule; readonly weight: number }[],
  capacity: number,
  maxShards: number,
): DesiredRule[][] | undefined {
  if (maxShards < 1) return undefined;
  const shards: { rules: DesiredRule[]; used: number }[] = [{ rules: [], used: 0 }];
  const sorted = [...units].sort((a, b) => compareText(ruleKey(a.rule), ruleKey(b.rule)));
  for (const unit of sorted) {
    if (unit.weight > capacity) return undefined;
    let shard = shards.find((candidate) => candidate.used + unit.weight <= capacity);
    if (!shard) {
      if (shards.length >= maxShards) return undefined;
      shard = { rules: [], used: 0 };
      shards.push(shard);
    }
    shard.rules.push(unit.rule);
    shard.used += unit.weight;
  }
  return shards.map((shard) => shard.rules);
}
