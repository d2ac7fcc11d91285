/**
 * A burst of launches through the simulated estate and the production event path (sim/simulation.ts:
 * native events → ingest parsers → queue → Reconciler), measured three ways on the same launches:
 *
 * - paced: a reconcile as soon as BATCH_EVENTS events are queued, as the deployed reconciler gets
 *   them (the SQS event source's batch size, infra/synchronizer.ts; a launch emits one or two
 *   events, so a batch has 10 or 11), and a last one for the rest. Each reconcile is timed.
 * - drain: every launch first, then one reconcile of all their events (burst-200-launches.yaml's
 *   shape).
 * - minimal: the operations of the one plan from the state after the initial sync to the final
 *   intent (a dry-run full sync, with a reconciler of its own, once every launch has happened).
 *   The diff is minimal per object (test/bench checks it for each cloud), so no sequence of
 *   reconciles can reach the final state with fewer operations; the paced run writes more
 *   because a peer set that changes in many batches is rewritten in each.
 *
 * Writes are plan operations applied (the unit of the minimal); the simulators' write calls are
 * reported beside them. After each run a full sync must change nothing.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CLOUDS } from "../../lib/inventory/model.js";
import { loadPolicyFile } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import type { ReconcileResult } from "../../lib/reconcile/reconciler.js";
import { type Estate, loadEstateFile } from "../../sim/estate.js";
import type { Step } from "../../sim/scenario.js";
import { Simulation } from "../../sim/simulation.js";
import { median, percentile, round3 } from "../measure.js";
import { burstLaunches } from "./scenario.js";

/** The deployed reconciler's SQS batch size. */
export const BATCH_EVENTS = 10;

const EXAMPLES = fileURLToPath(new URL("../../examples/", import.meta.url));

export interface ReconcileSample {
  readonly events: number;
  readonly ms: number;
  readonly writes: number;
}

export interface BurstRun {
  readonly reconciles: number;
  readonly events: number;
  /** Plan operations applied, over every reconcile of the run. */
  readonly writes: number;
  /** Write calls the simulators logged. */
  readonly writeCalls: number;
  /** writes ÷ the minimal. */
  readonly ratio: number;
  readonly totalMs: number;
  /** Per reconcile: its time ÷ the events it handled. */
  readonly msPerEventMedian: number;
  readonly msPerEventP95: number;
  readonly reconcileMsMedian: number;
  readonly reconcileMsP95: number;
  /** A full sync after the run planned nothing, and no reconcile failed. */
  readonly converged: boolean;
}

export interface BurstResult {
  readonly launches: number;
  readonly launchesByCloud: Readonly<Record<string, number>>;
  readonly batchEvents: number;
  readonly minimalWrites: number;
  readonly paced: BurstRun;
  readonly drain: BurstRun;
}

export async function loadExamples(): Promise<{ policy: Policy; estate: Estate }> {
  const [policy, estate] = await Promise.all([
    loadPolicyFile(join(EXAMPLES, "policy.yaml")),
    loadEstateFile(join(EXAMPLES, "estate.yaml")),
  ]);
  if (!policy.ok || !estate.ok) throw new Error("examples/policy.yaml and examples/estate.yaml must load");
  return { policy: policy.policy, estate: estate.estate };
}

function operations(result: ReconcileResult): number {
  return Object.values(result.plan).reduce((sum, part) => sum + (part?.operations.length ?? 0), 0);
}

function applied(result: ReconcileResult): number {
  return Object.values(result.applied).reduce((sum: number, n) => sum + (n ?? 0), 0);
}

function writeCalls(simulation: Simulation): number {
  return CLOUDS.reduce((sum, cloud) => sum + simulation.clouds.writes(cloud), 0);
}

async function timedReconcile(simulation: Simulation) {
  const events = simulation.pending.length;
  const start = performance.now();
  const result = await simulation.reconcile();
  return { result, sample: { events, ms: performance.now() - start, writes: applied(result) } };
}

/** An initial full sync, then the launches; `reconcileWhen` says after which ones to reconcile. */
async function play(
  policy: Policy,
  estate: Estate,
  launches: readonly Step[],
  reconcileWhen: (simulation: Simulation) => boolean,
) {
  const simulation = Simulation.start(policy, estate);
  await simulation.fullSync();
  const callsBefore = writeCalls(simulation);
  const samples: ReconcileSample[] = [];
  let failed = false;
  const reconcile = async () => {
    const { result, sample } = await timedReconcile(simulation);
    samples.push(sample);
    failed ||= Object.keys(result.failures).length > 0;
  };
  for (const launch of launches) {
    await simulation.step(launch);
    if (reconcileWhen(simulation)) await reconcile();
  }
  if (simulation.pending.length > 0) await reconcile();
  const calls = writeCalls(simulation) - callsBefore;
  const settled = await simulation.fullSync({ dryRun: true });
  return { simulation, samples, calls, converged: !failed && operations(settled) === 0 };
}

function summary(run: Awaited<ReturnType<typeof play>>, minimal: number): BurstRun {
  const { samples } = run;
  const perEvent = samples.filter((s) => s.events > 0).map((s) => s.ms / s.events);
  const times = samples.map((s) => s.ms);
  const writes = samples.reduce((sum, s) => sum + s.writes, 0);
  return {
    reconciles: samples.length,
    events: samples.reduce((sum, s) => sum + s.events, 0),
    writes,
    writeCalls: run.calls,
    ratio: minimal === 0 ? Number.POSITIVE_INFINITY : round3(writes / minimal),
    totalMs: round3(times.reduce((sum, ms) => sum + ms, 0)),
    msPerEventMedian: round3(median(perEvent)),
    msPerEventP95: round3(percentile(perEvent, 0.95)),
    reconcileMsMedian: round3(median(times)),
    reconcileMsP95: round3(percentile(times, 0.95)),
    converged: run.converged,
  };
}

export async function runBurst(launchCount: number): Promise<BurstResult> {
  const { policy, estate } = await loadExamples();
  const launches = burstLaunches(launchCount);
  const paced = await play(policy, estate, launches, (s) => s.pending.length >= BATCH_EVENTS);
  const drain = await play(policy, estate, launches, () => false);

  // The one plan from the synced estate to the final intent: every launch, nothing reconciled,
  // planned by a reconciler of its own (a dry run writes nothing).
  const planned = Simulation.start(policy, estate);
  await planned.fullSync();
  for (const launch of launches) await planned.step(launch);
  const minimal = operations(await planned.withPolicy(policy).fullSync({ dryRun: true }));

  const launchesByCloud: Record<string, number> = {};
  for (const step of launches) {
    const cloud = "launch" in step ? (step.launch.id.split(":")[0] ?? "") : "";
    launchesByCloud[cloud] = (launchesByCloud[cloud] ?? 0) + 1;
  }
  return {
    launches: launches.length,
    launchesByCloud,
    batchEvents: BATCH_EVENTS,
    minimalWrites: minimal,
    paced: summary(paced, minimal),
    drain: summary(drain, minimal),
  };
}
