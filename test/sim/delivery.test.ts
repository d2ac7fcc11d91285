import { describe, expect, it } from "vitest";
import type { QueueMessage } from "../../lib/ingest/queue-message.js";
import type { WorkloadEvent } from "../../lib/ingest/workload-event.js";
import {
  AtLeastOnceDelivery,
  DEFAULT_DUPLICATE_RATE,
  DEFAULT_REORDER_WINDOW,
  type Delivery,
  FIFO_DEDUP_WINDOW_MS,
} from "../../sim/delivery.js";
import { parseDeliverySpec } from "../../sim/delivery-spec.js";
import { deliveredIds, exampleScenario, examples, observedRun } from "./delivery-run.js";

const T0 = Date.parse("2025-01-01T00:00:00Z");

function events(n: number, prefix = "e"): WorkloadEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    cloud: "aws",
    eventId: `${prefix}${i}`,
    time: new Date(T0).toISOString(),
    workloadId: `aws:111111111111:us-east-1:i-0a0000000000000${i % 10}`,
    change: { kind: "state", state: "running" },
  }));
}

/** The ingest path's queue message of each event. */
function messages(n: number, prefix = "e"): QueueMessage[] {
  return events(n, prefix).map((event) => ({ kind: "workload", event }));
}

/** The event id of a delivered workload message. */
function idOf(delivery: Delivery): string {
  if (delivery.message.kind !== "workload") throw new Error("only workload messages are sent here");
  return delivery.message.event.eventId;
}

/** Batches until nothing is in flight (at most `limit`, so that a model that never delivers fails). */
function drain(model: AtLeastOnceDelivery, limit = 50): Delivery[][] {
  const batches: Delivery[][] = [];
  do batches.push(model.deliver());
  while (model.inFlight > 0 && batches.length < limit);
  return batches;
}

const ids = (batch: readonly Delivery[]) => batch.map(idOf);

describe("AtLeastOnceDelivery", () => {
  it("without duplicates or reordering delivers everything once, in order, to the next batch", () => {
    const model = new AtLeastOnceDelivery({ seed: 1 });
    model.send(messages(20), T0);
    const batches = drain(model);
    expect(batches.map(ids)).toEqual([events(20).map((e) => e.eventId)]);
    expect(model.stats).toEqual({ sent: 20, delivered: 20, redelivered: 0, heldBack: 0, inFlight: 0 });
  });

  it("with duplicates 1, delivers every event a second time in a later batch, after the FIFO window", () => {
    const model = new AtLeastOnceDelivery({ seed: 1, duplicates: 1 });
    model.send(messages(10), T0);
    const [first = [], second = [], ...rest] = drain(model);
    expect(ids(first)).toEqual(events(10).map((e) => e.eventId));
    expect(ids(second)).toEqual(ids(first));
    expect(rest).toEqual([]);
    expect(first.every((d) => !d.redelivery && d.arrivedAt === T0)).toBe(true);
    expect(second.every((d) => d.redelivery && d.arrivedAt - T0 > FIFO_DEDUP_WINDOW_MS)).toBe(true);
    expect(model.stats).toMatchObject({ sent: 10, delivered: 20, redelivered: 10 });
  });

  it("redelivers about the given share", () => {
    const model = new AtLeastOnceDelivery({ seed: 7, duplicates: 0.3 });
    model.send(messages(1000), T0);
    drain(model);
    expect(model.stats.redelivered).toBeGreaterThan(240);
    expect(model.stats.redelivered).toBeLessThan(360);
  });

  it("with reordering holds events back by up to the window and shuffles each batch, losing none", () => {
    const model = new AtLeastOnceDelivery({ seed: 3, reorder: { window: 2 } });
    model.send(messages(60), T0);
    const batches = drain(model);
    expect(batches.length).toBe(3);
    expect(batches.flatMap(ids).sort()).toEqual(
      events(60)
        .map((e) => e.eventId)
        .sort(),
    );
    for (const batch of batches) expect(batch.length).toBeGreaterThan(5);
    const first = ids(batches[0] ?? []);
    expect(first).not.toEqual([...first].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))));
    expect(model.stats.heldBack).toBe(60 - first.length);
  });

  it("holds nothing back with a window of 0, but still shuffles", () => {
    const model = new AtLeastOnceDelivery({ seed: 3, reorder: { window: 0 } });
    model.send(messages(30), T0);
    const batches = drain(model);
    expect(batches).toHaveLength(1);
    expect(ids(batches[0] ?? [])).not.toEqual(events(30).map((e) => e.eventId));
  });

  it("delivers a redelivery after its first delivery, and everything by 2 × window + 1 batches", () => {
    const model = new AtLeastOnceDelivery({ seed: 11, duplicates: 0.5, reorder: true });
    model.send(messages(200), T0);
    const batches = drain(model);
    expect(batches.length).toBeLessThanOrEqual(2 * DEFAULT_REORDER_WINDOW + 2);
    const firstBatch = new Map<string, number>();
    batches.forEach((batch, index) => {
      for (const d of batch) {
        if (d.redelivery) expect(firstBatch.get(idOf(d))).toBeLessThan(index);
        else firstBatch.set(idOf(d), index);
      }
    });
    expect(firstBatch.size).toBe(200);
  });

  it("is the same for the same seed, and differs between seeds", () => {
    const run = (seed: number) => {
      const model = new AtLeastOnceDelivery({ seed, duplicates: DEFAULT_DUPLICATE_RATE, reorder: true });
      model.send(messages(50), T0);
      model.send(messages(50, "f"), T0 + 60_000);
      return drain(model).map(ids);
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it("refuses options that mean nothing", () => {
    expect(() => new AtLeastOnceDelivery({ seed: 1, duplicates: 1.5 })).toThrow(RangeError);
    expect(() => new AtLeastOnceDelivery({ seed: 1, reorder: { window: -1 } })).toThrow(RangeError);
    expect(() => new AtLeastOnceDelivery({ seed: 0.5 })).toThrow(RangeError);
  });
});

describe("--delivery and --seed", () => {
  it.each([
    [
      "duplicate,reorder",
      "3",
      { seed: 3, duplicates: DEFAULT_DUPLICATE_RATE, reorder: { window: DEFAULT_REORDER_WINDOW } },
    ],
    ["duplicate=0.5", undefined, { seed: 1, duplicates: 0.5 }],
    ["reorder=4", "0", { seed: 0, reorder: { window: 4 } }],
    [" reorder , duplicate=1 ", "9", { seed: 9, duplicates: 1, reorder: { window: DEFAULT_REORDER_WINDOW } }],
  ])("%s (seed %s)", (text, seed, options) => {
    expect(parseDeliverySpec(text, seed)).toEqual({ ok: true, options });
  });

  it.each([
    ["shuffle", "1", '--delivery shuffle: "shuffle" is unknown (expected duplicate[=RATE],reorder[=WINDOW])'],
    [
      "duplicate,duplicate",
      "1",
      '--delivery duplicate,duplicate: "duplicate" is given twice (expected duplicate[=RATE],reorder[=WINDOW])',
    ],
    ["duplicate=2", "1", "--delivery duplicate=2: duplicate=2: expected a rate from 0 to 1"],
    ["duplicate=", "1", "--delivery duplicate=: duplicate=: expected a rate from 0 to 1"],
    ["reorder=1.5", "1", "--delivery reorder=1.5: reorder=1.5: expected a whole number of reconciles"],
    ["reorder=1=2", "1", '--delivery reorder=1=2: "reorder=1=2" has two values'],
    ["reorder", "-1", "--seed -1: expected a whole number"],
  ])("refuses %s (seed %s)", (text, seed, message) => {
    expect(parseDeliverySpec(text, seed)).toEqual({ ok: false, message });
  });
});

describe("a simulation with a delivery model", () => {
  it("hands the reconciler every event twice with duplicates 1 (the queue lets the late copy through), once without", async () => {
    const { policy, estate } = await examples();
    const scenario = await exampleScenario("stop-start.yaml", estate);
    const once = deliveredIds(await observedRun(policy, estate, scenario));
    const twice = await observedRun(policy, estate, scenario, { seed: 1, duplicates: 1 });
    const counts = new Map<string, number>();
    for (const id of deliveredIds(twice)) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect(once.length).toBeGreaterThan(5);
    expect([...counts.keys()].sort()).toEqual([...once].sort());
    expect(new Set(counts.values())).toEqual(new Set([2]));
    // The last steps' copies come after the scenario's last reconcile: run() drains until none is in flight.
    expect(twice.outcomes.filter((o) => "reconcile" in o.step).length).toBeGreaterThan(
      scenario.steps.filter((s) => "reconcile" in s).length,
    );
  });

  it("reports what each reconcile drained, in delivery order", async () => {
    const { policy, estate } = await examples();
    const scenario = await exampleScenario("duplicated-reordered-events.yaml", estate);
    const run = await observedRun(policy, estate, scenario, { seed: 2, duplicates: 0.3, reorder: true });
    const drained = run.outcomes.flatMap((o) => (o.drained ? [o.drained.map((e) => e.eventId)] : []));
    expect(drained).toEqual(run.batches.map((b) => b.events.map((e) => e.eventId)));
  });
});
