/**
 * The reconciler function's use of the inventory's compact snapshot (lib/inventory/snapshot-keeper.ts):
 * what each snapshot event logs and counts, and when the function saves one.
 *
 * A save encodes the whole inventory (113 ms at 10,000 workloads, docs/benchmarks.md), so
 * the function saves after a batch only once the time since its last save began is at least
 * `1 / costShare` times what that save took: the snapshot costs at most `costShare` of the
 * function's time, whatever the estate's size. A cold start after writes that no save covered
 * reads the table in full, which is always correct.
 */
import type { SnapshotEvent } from "../inventory/snapshot-keeper.js";
import type { MetricPoint } from "../reconcile/batch-metrics.js";

/** One structured log entry (info: each event is expected, a full read too) and the metrics of a snapshot event. */
export interface SnapshotReport {
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly metrics: readonly MetricPoint[];
}

const count = (name: string): MetricPoint => ({ name, unit: "Count", value: 1 });
const ms = (name: string, value: number): MetricPoint => ({ name, unit: "Milliseconds", value });

export function snapshotReport(event: SnapshotEvent): SnapshotReport {
  switch (event.kind) {
    case "loaded-snapshot": {
      const { kind: _, ...fields } = event;
      const metrics = [count("InventorySnapshotLoads"), ms("InventoryLoadMs", event.ms)];
      return { message: "inventory loaded from its snapshot", fields, metrics };
    }
    case "full-read": {
      const { kind: _, ...fields } = event;
      const metrics = [count("InventoryFullReads"), ms("InventoryLoadMs", event.ms)];
      // Expected after a full sync's writes; after a cold start the reason says why it was slow.
      return { message: "inventory read in full", fields, metrics };
    }
    case "saved": {
      const { kind: _, ...fields } = event;
      return {
        message: "inventory snapshot saved",
        fields,
        metrics: [count("InventorySnapshotSaves")],
      };
    }
    case "not-saved":
      return {
        message: "inventory snapshot not saved",
        fields: { reason: event.reason },
        metrics: [],
      };
  }
}

export interface SnapshotScheduleOptions {
  /** The share of the function's time that saving may take; default 1 %. */
  readonly costShare?: number;
  /** Milliseconds. */
  readonly clock?: () => number;
}

/** Saves the snapshot after a batch when the last save is long enough ago (see above). */
export class SnapshotSchedule {
  private readonly costShare: number;
  private readonly clock: () => number;
  /** When the next save may start. */
  private notBefore = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly save: () => Promise<unknown>,
    options: SnapshotScheduleOptions = {},
  ) {
    this.costShare = options.costShare ?? 0.01;
    this.clock = options.clock ?? (() => performance.now());
    if (!(this.costShare > 0 && this.costShare <= 1)) {
      throw new RangeError(`costShare must be in (0, 1], not ${this.costShare}`);
    }
  }

  /** Saves if it is time to; resolves to whether it tried. A failed save is retried only as late. */
  async afterBatch(): Promise<boolean> {
    const started = this.clock();
    if (started < this.notBefore) return false;
    try {
      await this.save();
    } finally {
      this.notBefore = started + (this.clock() - started) / this.costShare;
    }
    return true;
  }
}
