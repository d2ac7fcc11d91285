import { readdirSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { Policy } from "../../lib/policy/model.js";
import type { Estate } from "../../sim/estate.js";
import { comparableState } from "./comparable-state.js";
import { DELIVERY, expectSameEndUnderDelivery } from "./delivery-check.js";
import { exampleScenario, examples, observedRun, staleLastEvents } from "./delivery-run.js";
import { SCENARIOS_DIR } from "./fixtures.js";

/** The burst has a file of its own (scenarios-delivery-burst.test.ts): it is slow to check. */
const BURST = "burst-200-launches.yaml";

let policy: Policy;
let estate: Estate;
beforeAll(async () => {
  ({ policy, estate } = await examples());
});

const files = readdirSync(SCENARIOS_DIR)
  .filter((name) => name.endsWith(".yaml"))
  .sort();

describe("every example scenario with duplicated and reordered delivery", () => {
  it("includes migrations from and to every cloud, the burst and the flapping scenario", () => {
    for (const cloud of ["aws", "azure", "gcp"]) {
      expect(files.some((name) => name.startsWith(`migrate-${cloud}-to-`))).toBe(true);
      expect(files.some((name) => name.startsWith("migrate-") && name.endsWith(`-to-${cloud}.yaml`))).toBe(
        true,
      );
    }
    expect(files).toContain(BURST);
    expect(files).toContain("duplicated-reordered-events.yaml");
  });

  it.each(files.filter((name) => name !== BURST))(
    "%s, for seeds 1 to 3: equal to the intent in every cloud, a full sync after changes nothing, the same end as in order",
    async (file) => {
      await expectSameEndUnderDelivery(file, policy, estate, { seeds: [1, 2, 3] });
    },
    120_000,
  );
});

describe("duplicated-reordered-events.yaml", () => {
  const FILE = "duplicated-reordered-events.yaml";

  it("in order: one reconcile gets several events about one workload, the last of each saying what it is", async () => {
    const run = await observedRun(policy, estate, await exampleScenario(FILE, estate));
    const perWorkload = run.batches.flatMap((batch) => {
      const counts = new Map<string, number>();
      for (const event of batch.events) counts.set(event.workloadId, (counts.get(event.workloadId) ?? 0) + 1);
      return [...counts.values()];
    });
    expect(Math.max(...perWorkload)).toBeGreaterThanOrEqual(6);
    expect(run.batches.flatMap(staleLastEvents)).toEqual([]);
  });

  it("duplicated and reordered: the last event about a workload is often stale, and the end is the same", async () => {
    const scenario = await exampleScenario(FILE, estate);
    const inOrder = await observedRun(policy, estate, scenario);
    const expected = comparableState(inOrder.simulation.clouds.stateOut());
    let stale = 0;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const run = await observedRun(policy, estate, scenario, { ...DELIVERY, seed });
      stale += run.batches.flatMap(staleLastEvents).length;
      expect(comparableState(run.simulation.clouds.stateOut())).toEqual(expected);
    }
    expect(stale).toBeGreaterThan(0);
  });
});

describe("comparableState", () => {
  it("still tells apart two runs that end differently", async () => {
    const scenario = await exampleScenario("migrate-gcp-to-aws.yaml", estate);
    const migrated = await observedRun(policy, estate, scenario);
    const notMigrated = await observedRun(policy, estate, { ...scenario, steps: scenario.steps.slice(0, 1) });
    expect(comparableState(notMigrated.simulation.clouds.stateOut())).not.toEqual(
      comparableState(migrated.simulation.clouds.stateOut()),
    );
  });
});
