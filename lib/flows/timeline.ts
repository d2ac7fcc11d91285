/**
 * The inventory of a connection's time (docs/flows.md, "Resolution"): one inventory for every
 * connection, or snapshots, each connection resolved against the latest taken at or before its
 * first record (before the first snapshot: the first). Each snapshot is indexed once, when a
 * connection first needs it.
 */
import type { Inventory } from "../inventory/model.js";
import { AddressIndex, type ResolutionPolicy } from "./address-index.js";
import { FlowResolutionError } from "./errors.js";

/** The inventory as it was at `time` (epoch milliseconds, as connections' times are). */
export interface InventorySnapshot {
  readonly time: number;
  readonly inventory: Inventory;
}

export class InventoryTimeline {
  private readonly snapshots: readonly InventorySnapshot[];
  private readonly indexes: (AddressIndex | undefined)[];

  /** One inventory (`undefined` time: every connection resolves against it), or snapshots in any order. */
  constructor(
    source: Inventory | readonly InventorySnapshot[],
    private readonly policy: ResolutionPolicy,
  ) {
    this.snapshots = Array.isArray(source)
      ? checkedSnapshots(source as readonly InventorySnapshot[])
      : [{ time: Number.NEGATIVE_INFINITY, inventory: source as Inventory }];
    this.indexes = this.snapshots.map(() => undefined);
  }

  /** The snapshot a connection first seen at `time` resolves against: its time (none for one inventory) and index. */
  at(time: number): { readonly time?: number; readonly index: AddressIndex } {
    const position = this.latestAtOrBefore(time);
    const snapshot = this.snapshots[position] as InventorySnapshot;
    let index = this.indexes[position];
    if (index === undefined) {
      index = new AddressIndex(snapshot.inventory, this.policy);
      this.indexes[position] = index;
    }
    return Number.isFinite(snapshot.time) ? { time: snapshot.time, index } : { index };
  }

  /** Binary search: the last snapshot whose time is at or before `time`, else the first. */
  private latestAtOrBefore(time: number): number {
    let low = 0;
    let high = this.snapshots.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if ((this.snapshots[middle] as InventorySnapshot).time <= time) low = middle;
      else high = middle - 1;
    }
    return low;
  }
}

function checkedSnapshots(snapshots: readonly InventorySnapshot[]): InventorySnapshot[] {
  if (snapshots.length === 0)
    throw new FlowResolutionError("an inventory timeline needs at least one snapshot");
  for (const snapshot of snapshots) {
    if (!Number.isFinite(snapshot.time)) {
      throw new FlowResolutionError(
        `inventory snapshot time ${snapshot.time} is not a time (epoch milliseconds)`,
      );
    }
  }
  const sorted = [...snapshots].sort((a, b) => a.time - b.time);
  sorted.forEach((snapshot, position) => {
    if (position > 0 && (sorted[position - 1] as InventorySnapshot).time === snapshot.time) {
      throw new FlowResolutionError(`two inventory snapshots at ${new Date(snapshot.time).toISOString()}`);
    }
  });
  return sorted;
}
