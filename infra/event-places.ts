/**
 * The `account` and `region` part of the EC2 rules' event patterns: only the configured places.
 * Events keep their source account and region when another account or region forwards them to
 * the hub's bus, so the pattern also filters what the other accounts forward.
 */
import type { EventPattern } from "aws-cdk-lib/aws-events";

export interface AccountRegions {
  readonly account: string;
  readonly regions: readonly string[];
}

type PlacePattern = Pick<EventPattern, "account" | "region">;

/**
 * One `{account, region}` pair of lists when every account has the same regions; otherwise an
 * EventBridge `$or` of one such pair per set of regions, so that no account matches in another
 * account's regions.
 */
export function placePattern(accounts: readonly AccountRegions[]): EventPattern {
  const byRegions = new Map<string, { accounts: Set<string>; regions: readonly string[] }>();
  for (const { account, regions } of mergeAccounts(accounts)) {
    const key = regions.join(",");
    const group = byRegions.get(key) ?? { accounts: new Set<string>(), regions };
    group.accounts.add(account);
    byRegions.set(key, group);
  }
  const patterns: PlacePattern[] = [...byRegions.values()].map((group) => ({
    account: [...group.accounts].sort(),
    region: [...group.regions],
  }));
  if (patterns.length === 1) return patterns[0] as PlacePattern;
  // CDK's EventPattern type has no $or, but renders every member it is given.
  return { $or: patterns } as EventPattern;
}

/** An account listed twice has the union of its regions, sorted. */
function mergeAccounts(accounts: readonly AccountRegions[]): AccountRegions[] {
  const regions = new Map<string, Set<string>>();
  for (const entry of accounts) {
    const set = regions.get(entry.account) ?? new Set<string>();
    for (const region of entry.regions) set.add(region);
    regions.set(entry.account, set);
  }
  return [...regions].map(([account, set]) => ({ account, regions: [...set].sort() }));
}
