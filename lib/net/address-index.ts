import type { AddressRange, AddressRanges } from "./cidr.js";

interface Entry<T> {
  readonly start: bigint;
  readonly end: bigint;
  readonly owner: T;
}

/** Both families on one line: IPv6 after every IPv4 address. */
function position(family: AddressRange["family"], address: bigint): bigint {
  return (BigInt(family) << 129n) + address;
}

/**
 * Which of many address sets meet a given one, without looking at each set: their ranges sorted by
 * start with the largest end so far, so that a query looks back only over ranges that may reach it.
 * The sets may overlap (a NAT range held by many identities).
 */
export class AddressIndex<T> {
  private constructor(
    private readonly entries: readonly Entry<T>[],
    /** maxEnd[i]: the largest end among entries[0..i]. */
    private readonly maxEnd: readonly bigint[],
  ) {}

  static of<T>(parts: Iterable<readonly [T, AddressRanges]>): AddressIndex<T> {
    const entries: Entry<T>[] = [];
    for (const [owner, ranges] of parts)
      for (const span of ranges.spans)
        entries.push({
          start: position(span.family, span.start),
          end: position(span.family, span.end),
          owner,
        });
    entries.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    const maxEnd: bigint[] = [];
    for (const entry of entries) {
      const last = maxEnd.at(-1);
      maxEnd.push(last !== undefined && last > entry.end ? last : entry.end);
    }
    return new AddressIndex(entries, maxEnd);
  }

  /** The owners with an address in `ranges`. */
  meeting(ranges: AddressRanges): Set<T> {
    const owners = new Set<T>();
    for (const span of ranges.spans) {
      const start = position(span.family, span.start);
      const end = position(span.family, span.end);
      for (let i = this.startingAtOrBefore(end); i >= 0 && (this.maxEnd[i] as bigint) >= start; i--) {
        const entry = this.entries[i] as Entry<T>;
        if (entry.end >= start) owners.add(entry.owner);
      }
    }
    return owners;
  }

  /** Index of the last entry starting at or before `address`, -1 if none. */
  private startingAtOrBefore(address: bigint): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.entries[middle] as Entry<T>).start <= address) low = middle + 1;
      else high = middle;
    }
    return low - 1;
  }
}
