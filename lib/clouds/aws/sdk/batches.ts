import type { IpPermission, PrefixListEntry } from "../model.js";

/**
 * AddEntry.N and RemoveEntry.N take at most 100 entries per ModifyManagedPrefixList
 * (docs/clouds.md, "AWS managed prefix lists").
 */
export const PREFIX_LIST_ENTRIES_PER_CALL = 100;

/**
 * One rule per permission. A batch authorize fails as a whole when one of its rules exists
 * (InvalidPermission.Duplicate), and a batch revoke may fail when one is missing; retried one
 * rule at a time, the others still get through.
 */
export function singleRulePermissions(permissions: readonly IpPermission[]): IpPermission[] {
  return permissions.flatMap((permission) => {
    const none = { IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] };
    return [
      ...permission.IpRanges.map((range) => ({ ...permission, ...none, IpRanges: [range] })),
      ...permission.Ipv6Ranges.map((range) => ({ ...permission, ...none, Ipv6Ranges: [range] })),
      ...permission.PrefixListIds.map((reference) => ({
        ...permission,
        ...none,
        PrefixListIds: [reference],
      })),
      ...permission.UserIdGroupPairs.map((pair) => ({ ...permission, ...none, UserIdGroupPairs: [pair] })),
    ];
  });
}

export interface PrefixListBatch {
  readonly addEntries: readonly PrefixListEntry[];
  readonly removeCidrs: readonly string[];
}

/**
 * Splits one modification into calls of at most 100 additions and 100 removals each.
 * A CIDR that is removed and added again (a new description) goes into the same call, first,
 * so that it is never absent from the list (AWS applies a call's removals before its additions).
 * Chunks fill in order, so every call but one is net zero or moves towards the final size:
 * no intermediate version holds more entries than both the first and the last.
 */
export function prefixListBatches(
  addEntries: readonly PrefixListEntry[],
  removeCidrs: readonly string[],
): PrefixListBatch[] {
  const added = new Set(addEntries.map((entry) => entry.Cidr));
  const replaced = removeCidrs.filter((cidr) => added.has(cidr));
  const replacedSet = new Set(replaced);
  const orderedRemovals = [...replaced, ...removeCidrs.filter((cidr) => !replacedSet.has(cidr))];
  const orderedAdditions = [
    ...replaced.flatMap((cidr) => addEntries.filter((entry) => entry.Cidr === cidr)),
    ...addEntries.filter((entry) => !replacedSet.has(entry.Cidr)),
  ];
  const calls = Math.ceil(
    Math.max(orderedAdditions.length, orderedRemovals.length) / PREFIX_LIST_ENTRIES_PER_CALL,
  );
  return Array.from({ length: calls }, (_, index) => {
    const start = index * PREFIX_LIST_ENTRIES_PER_CALL;
    const end = start + PREFIX_LIST_ENTRIES_PER_CALL;
    return { addEntries: orderedAdditions.slice(start, end), removeCidrs: orderedRemovals.slice(start, end) };
  });
}
