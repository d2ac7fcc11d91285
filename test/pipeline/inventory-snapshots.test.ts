import { describe, expect, it } from "vitest";
import { SnapshotSchedule, snapshotReport } from "../../lib/pipeline/inventory-snapshots.js";

describe("the reconciler function's snapshot schedule", () => {
  it("saves after a batch, then not again before the last save's time ÷ the cost share has passed", async () => {
    let now = 0;
    const saves: number[] = [];
    const schedule = new SnapshotSchedule(
      async () => {
        saves.push(now);
        now += 50; // a save that takes 50 ms
      },
      { costShare: 0.01, clock: () => now },
    );
    expect(await schedule.afterBatch()).toBe(true);
    now += 4_900; // 5,000 ms after the save began: 50 ms of saving in 5,000 is 1 %
    expect(await schedule.afterBatch()).toBe(false);
    now += 50;
    expect(await schedule.afterBatch()).toBe(true);
    expect(saves).toEqual([0, 5_000]);
  });

  it("waits as long after a failed save, and passes the failure on", async () => {
    let now = 0;
    const schedule = new SnapshotSchedule(
      async () => {
        now += 10;
        throw new Error("throttled");
      },
      { costShare: 0.5, clock: () => now },
    );
    await expect(schedule.afterBatch()).rejects.toThrow("throttled");
    now += 5;
    expect(await schedule.afterBatch()).toBe(false);
    now += 5;
    await expect(schedule.afterBatch()).rejects.toThrow("throttled");
  });

  it("refuses a cost share outside (0, 1]", () => {
    expect(() => new SnapshotSchedule(async () => undefined, { costShare: 0 })).toThrow(RangeError);
    expect(() => new SnapshotSchedule(async () => undefined, { costShare: 2 })).toThrow(RangeError);
  });
});

describe("what a snapshot event logs and counts", () => {
  it("a load from the snapshot, a full read with its reason, a save", () => {
    const loaded = {
      kind: "loaded-snapshot",
      revision: 9,
      workloads: 3,
      chunks: 1,
      bytes: 400,
      ms: 12,
    } as const;
    expect(snapshotReport(loaded)).toEqual({
      message: "inventory loaded from its snapshot",
      fields: { revision: 9, workloads: 3, chunks: 1, bytes: 400, ms: 12 },
      metrics: [
        { name: "InventorySnapshotLoads", unit: "Count", value: 1 },
        { name: "InventoryLoadMs", unit: "Milliseconds", value: 12 },
      ],
    });
    const fullRead = { kind: "full-read", reason: "snapshot not used: x", workloads: 3, ms: 80 } as const;
    expect(snapshotReport(fullRead)).toMatchObject({
      message: "inventory read in full",
      fields: { reason: "snapshot not used: x" },
      metrics: [{ name: "InventoryFullReads" }, { name: "InventoryLoadMs", value: 80 }],
    });
    const saved = { kind: "saved", revision: 9, workloads: 3, chunks: 1, bytes: 400 } as const;
    expect(snapshotReport(saved).metrics).toEqual([
      { name: "InventorySnapshotSaves", unit: "Count", value: 1 },
    ]);
    expect(snapshotReport({ kind: "not-saved", reason: "current" })).toMatchObject({
      fields: { reason: "current" },
    });
  });
});
