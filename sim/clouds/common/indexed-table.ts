/**
 * A Map whose values can also be found by what they hold: each named index files every value
 * under the (group, item) pairs it names (a NIC under its VNet and private address, under each of
 * its ASGs with its VNet, under its NSG), kept true on every set and delete. A check then looks up
 * the few values it needs instead of scanning the whole location on every call, which made the
 * simulators quadratic per location.
 *
 * A value changed in place must be set again (`set(key, sameValue)`) for the indexes to see the
 * change: until then it stays filed under what it held when it was last set.
 */

/** Where an index files a value: a group, and an item within it ("" when the index has no items). */
export type IndexEntry = readonly [group: string, item: string];

/** How each index files a value. */
export type Indexers<V, I extends string> = { readonly [Name in I]: (value: V) => Iterable<IndexEntry> };

const NO_KEYS: ReadonlySet<string> = new Set();
const NO_ITEMS: ReadonlyMap<string, ReadonlySet<string>> = new Map();

export class IndexedTable<V, I extends string> extends Map<string, V> {
  /** By key: when it was first set, so that lookups answer in the order a scan of values() would. */
  private readonly positions = new Map<string, number>();
  private nextPosition = 0;
  private readonly filed = new Map<I, Map<string, Map<string, Set<string>>>>();
  /** By key: where each index filed its value when it was last set (what to unfile, even if changed in place since). */
  private readonly filedAt = new Map<string, Map<I, readonly IndexEntry[]>>();

  constructor(private readonly indexers: Indexers<V, I>) {
    super();
  }

  override set(key: string, value: V): this {
    if (super.has(key)) this.unfile(key);
    else this.positions.set(key, this.nextPosition++);
    super.set(key, value);
    this.file(key, value);
    return this;
  }

  override delete(key: string): boolean {
    if (!super.has(key)) return false;
    this.unfile(key);
    this.positions.delete(key);
    return super.delete(key);
  }

  override clear(): void {
    this.filed.clear();
    this.filedAt.clear();
    this.positions.clear();
    super.clear();
  }

  /** The items of a group, each with the keys filed under it. */
  items(index: I, group: string): ReadonlyMap<string, ReadonlySet<string>> {
    return this.filed.get(index)?.get(group) ?? NO_ITEMS;
  }

  /** The keys filed under one item of a group. */
  keysAt(index: I, group: string, item = ""): ReadonlySet<string> {
    return this.items(index, group).get(item) ?? NO_KEYS;
  }

  /** The values filed anywhere in a group, in insertion order (the order values() lists them in). */
  valuesIn(index: I, group: string): V[] {
    const keys = new Set<string>();
    for (const filed of this.items(index, group).values()) for (const key of filed) keys.add(key);
    return this.inOrder(keys);
  }

  /** The values of these keys of the table, in insertion order. */
  inOrder(keys: Iterable<string>): V[] {
    const present = [...keys].filter((key) => super.has(key));
    present.sort((a, b) => (this.positions.get(a) ?? 0) - (this.positions.get(b) ?? 0));
    return present.map((key) => super.get(key) as V);
  }

  private file(key: string, value: V): void {
    const filedEntries = new Map<I, readonly IndexEntry[]>();
    for (const index of Object.keys(this.indexers) as I[]) {
      let groups = this.filed.get(index);
      if (groups === undefined) {
        groups = new Map();
        this.filed.set(index, groups);
      }
      const entries = [...this.indexers[index](value)];
      filedEntries.set(index, entries);
      for (const [group, item] of entries) {
        let items = groups.get(group);
        if (items === undefined) {
          items = new Map();
          groups.set(group, items);
        }
        let keys = items.get(item);
        if (keys === undefined) {
          keys = new Set();
          items.set(item, keys);
        }
        keys.add(key);
      }
    }
    this.filedAt.set(key, filedEntries);
  }

  private unfile(key: string): void {
    for (const [index, entries] of this.filedAt.get(key) ?? []) {
      const groups = this.filed.get(index);
      for (const [group, item] of entries) {
        const items = groups?.get(group);
        const keys = items?.get(item);
        if (items === undefined || keys === undefined) continue;
        keys.delete(key);
        if (keys.size === 0) items.delete(item);
        if (items.size === 0) groups?.delete(group);
      }
    }
    this.filedAt.delete(key);
  }
}
