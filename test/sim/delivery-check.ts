/**
 * The check that every example scenario passes with duplicated and reordered delivery: for each
 * seed, no reconcile fails, nothing is lost and some events arrive twice or out of order, the
 * clouds equal the intent (the evaluators), a full sync after changes nothing, and the end is the
 * in-order run's (same intent, same state but for what the clouds assign as they write).
 */
import { expect } from "vitest";
import type { Policy } from "../../lib/policy/model.js";
import type { Estate } from "../../sim/estate.js";
import { checkCloudsAgainstIntent } from "./clouds-match-intent.js";
import { comparableState } from "./comparable-state.js";
import { deliveredIds, exampleScenario, type ObservedRun, observedRun } from "./delivery-run.js";

export const DELIVERY = { duplicates: 0.3, reorder: true } as const;

export interface DeliveryCheckOptions {
  readonly seeds: readonly number[];
  /** The seeds whose run is also checked with the evaluators (default: every seed). */
  readonly evaluate?: (seed: number) => boolean;
}

function operations(result: { plan: Record<string, { operations: readonly unknown[] } | undefined> }) {
  return Object.values(result.plan).flatMap((part) => part?.operations ?? []);
}

function expectCleanRun(run: ObservedRun): void {
  for (const outcome of run.outcomes) {
    if (!outcome.result) continue;
    expect(outcome.result.failures).toEqual({});
    expect(outcome.result.guard.allowed).toBe(true);
  }
}

export async function expectSameEndUnderDelivery(
  file: string,
  policy: Policy,
  estate: Estate,
  options: DeliveryCheckOptions,
): Promise<void> {
  const scenario = await exampleScenario(file, estate);
  const inOrder = await observedRun(policy, estate, scenario);
  expectCleanRun(inOrder);
  const inOrderIds = deliveredIds(inOrder);
  expect(new Set(inOrderIds).size).toBe(inOrderIds.length);
  const expectedState = comparableState(inOrder.simulation.clouds.stateOut());
  const expectedIntent = (await inOrder.simulation.fullSync({ dryRun: true })).intent;

  let redelivered = 0;
  let reorderedSeeds = 0;
  for (const seed of options.seeds) {
    const run = await observedRun(policy, estate, scenario, { ...DELIVERY, seed });
    expectCleanRun(run);
    const ids = deliveredIds(run);
    const distinct = [...new Set(ids)];
    // Nothing lost; the reconciler got as many events twice as the model says it redelivered.
    expect(new Set(ids)).toEqual(new Set(inOrderIds));
    expect(ids.length - distinct.length).toBe(run.simulation.delivery?.stats.redelivered);
    expect(run.simulation.delivery?.stats.inFlight).toBe(0);
    redelivered += ids.length - distinct.length;
    if (distinct.some((id, index) => id !== inOrderIds[index])) reorderedSeeds++;

    const last = run.outcomes.flatMap((outcome) => (outcome.result ? [outcome.result] : [])).at(-1);
    if (!last) throw new Error("no reconcile ran");
    if (options.evaluate?.(seed) ?? true) {
      const check = await checkCloudsAgainstIntent(run.simulation, last.intent, policy);
      expect(check.mismatches).toEqual([]);
      expect(check.checked).toBeGreaterThan(100);
    }
    const after = await run.simulation.fullSync();
    expect(operations(after)).toEqual([]);
    expect(after.intent).toEqual(expectedIntent);
    expect(comparableState(run.simulation.clouds.stateOut())).toEqual(expectedState);
  }
  // The delivery did duplicate and reorder: without it the checks above would prove nothing new.
  expect(redelivered).toBeGreaterThan(0);
  expect(reorderedSeeds).toBeGreaterThan(0);
}
