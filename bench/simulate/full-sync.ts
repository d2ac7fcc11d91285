/**
 * The simulate section's measurement (bench/sections/simulate.ts), in the process that runs it:
 * the cell's generated estate loaded as an Estate document (its schema, its checks, and the
 * simulated clouds built once to find what they refuse), the clouds built again by
 * `Simulation.start` (which takes the clouds the check built), the initial full sync through the production path, then a second full sync
 * that must find nothing to change. Each phase timed once: at 100k workloads one run takes long
 * enough that the noise of a second run matters less than its cost.
 */
import { CLOUDS, type Cloud } from "../../lib/inventory/model.js";
import { resolvePolicyDocument } from "../../lib/policy/load.js";
import type { ReconcileResult } from "../../lib/reconcile/reconciler.js";
import { resolveEstateDocument } from "../../sim/estate.js";
import { type PortCalls, totalCalls } from "../../sim/port-calls.js";
import { Simulation } from "../../sim/simulation.js";
import { generateEstate } from "../estate-generator.js";
import { heapAfterGcMiB, peakRssMiB, round3, timeMs } from "../measure.js";
import type { CellSpec } from "../sections/section.js";
import { estateDocumentOf } from "./estate-document.js";

export interface CallTotals {
  readonly reads: number;
  readonly writes: number;
}

export interface SimulateResult {
  /** The estate's workloads of each cloud. */
  readonly workloads: Readonly<Record<Cloud, number>>;
  /** resolveEstateDocument: schema, checks, and a trial build of the clouds. */
  readonly loadMs: number;
  /** Simulation.start: the clouds the load built taken, providers and reconciler wired. */
  readonly startMs: number;
  /** The initial full sync: discover, compile, plan and apply on every location. */
  readonly fullSyncMs: number;
  /** load + start + full sync: what `simulate` spends before its first scenario step. */
  readonly totalMs: number;
  /** A second full sync, on clouds that already match the intent. */
  readonly resyncMs: number;
  /** Plan operations of the initial full sync, and of the second one (0 when it converged). */
  readonly operations: number;
  readonly resyncOperations: number;
  /** Places whose reconcile failed, over both syncs. */
  readonly failures: number;
  /** The port calls of the initial full sync, by cloud. */
  readonly calls: Readonly<Record<Cloud, CallTotals>>;
  /** RSS once the estate was generated and the policy resolved, before loading. */
  readonly rssBeforeMiB: number;
  /** The process's RSS high-water mark once the initial full sync is done: generation, load, start, sync. */
  readonly peakRssMiB: number;
  /** The high-water mark at the end, the second full sync included. */
  readonly peakRssAfterResyncMiB: number;
  /** Heap in use after a full GC at the end, the simulation alive; null without --expose-gc. */
  readonly heapAfterGcMiB: number | null;
}

function operations(result: ReconcileResult): number {
  return Object.values(result.plan).reduce((sum, part) => sum + (part?.operations.length ?? 0), 0);
}

function byCloud<T>(make: (cloud: Cloud) => T): Record<Cloud, T> {
  return Object.fromEntries(CLOUDS.map((cloud) => [cloud, make(cloud)])) as Record<Cloud, T>;
}

function callTotals(calls: PortCalls | undefined): Record<Cloud, CallTotals> {
  return byCloud((cloud) => (calls === undefined ? { reads: 0, writes: 0 } : totalCalls(calls[cloud])));
}

export async function measureFullSync(spec: CellSpec): Promise<SimulateResult> {
  const { inventory, policyDocument } = generateEstate(spec);
  const policy = resolvePolicyDocument(policyDocument);
  if (!policy.ok) throw new Error("the generated policy does not resolve");
  const document = estateDocumentOf(inventory);
  const rssBefore = process.memoryUsage().rss / (1024 * 1024);
  const loaded = timeMs(() => resolveEstateDocument(document));
  if (!loaded.result.ok) {
    const issues = loaded.result.issues.slice(0, 5).map((issue) => `${issue.path}: ${issue.message}`);
    throw new Error(`the generated estate does not load:\n  ${issues.join("\n  ")}`);
  }
  const estate = loaded.result.estate;
  const started = timeMs(() => Simulation.start(policy.policy, estate));
  const simulation = started.result;
  const first = await simulation.step({ fullSync: {} });
  const peakAfterFirst = peakRssMiB();
  const second = await simulation.step({ fullSync: {} });
  const results = [first.result, second.result].flatMap((result) => (result ? [result] : []));
  const heap = heapAfterGcMiB();
  const fullSyncMs = first.wallMs ?? Number.NaN;
  return {
    workloads: byCloud((cloud) => estate.workloads.filter((w) => w.id.startsWith(`${cloud}:`)).length),
    loadMs: round3(loaded.ms),
    startMs: round3(started.ms),
    fullSyncMs: round3(fullSyncMs),
    totalMs: round3(loaded.ms + started.ms + fullSyncMs),
    resyncMs: round3(second.wallMs ?? Number.NaN),
    operations: first.result === undefined ? 0 : operations(first.result),
    resyncOperations: second.result === undefined ? 0 : operations(second.result),
    failures: results.reduce((sum, result) => sum + Object.keys(result.failures).length, 0),
    calls: callTotals(first.calls),
    rssBeforeMiB: round3(rssBefore),
    peakRssMiB: round3(peakAfterFirst),
    peakRssAfterResyncMiB: round3(peakRssMiB()),
    heapAfterGcMiB: heap === null ? null : round3(heap),
  };
}
