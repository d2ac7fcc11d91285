/**
 * A burst of launches through the simulated estate and the production event path (sim/simulation.ts:
 * native events → ingest parsers → queue → Reconciler), measured four ways on the same launches:
 *
 * - paced: a reconcile as soon as BATCH_EVENTS messages are queued, and a last one for the rest:
 *   the reconciler keeps up with the launches, nothing waits behind a batch, so nothing is
 *   coalesced (docs/architecture.md, "Coalescing a burst").
 * - queued: every launch first (a burst outpaces the reconciler, a function of concurrency 1),
 *   then batches of BATCH_EVENTS messages (the SQS event source's batch size, infra/synchronizer.ts)
 *   until the queue is empty; the reconciler sees what waits behind each batch and coalesces.
 *   Run twice: as deployed, and with coalescing off.
 * - drain: every launch first, then one reconcile of all their events.
 * - the single plan: the operations of the one plan from the state after the initial sync to the
 *   final intent (a dry-run full sync, with a reconciler of its own, once every launch has
 *   happened), and the distinct objects it writes. Each of those objects must be written at least
 *   once, whatever the sequence: the true lower bound. The single plan itself writes some objects
 *   twice (a NIC joins an ASG that the same plan creates before the NSG names it; an ENI gets its
 *   group beside the default one before the default goes), so a coalesced sequence can write
 *   fewer operations than it.
 *
 * Writes are plan operations applied; the simulators' write calls are reported beside them. After
 * each run a full sync must change nothing.
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

/** The deployed reconciler's SQS batch size (messages). */
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
  /** The single plan's operations: the `minimal` of each run's ratio. */
  readonly minimalWrites: number;
  /** The distinct objects the single plan writes: no sequence of reconciles writes fewer. */
  readonly minimalObjects: number;
  readonly paced: BurstRun;
  /** Batches of BATCH_EVENTS with the rest of the burst waiting, coalesced as deployed. */
  readonly queued: BurstRun;
  /** The same batches with coalescing off. */
  readonly queuedUncoalesced: BurstRun;
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

function objectsWritten(result: ReconcileResult): number {
  const objects = new Set<string>();
  for (const part of Object.values(result.plan))
    for (const summary of part?.summaries ?? [])
      objects.add(`${summary.cloud} ${summary.objectType} ${summary.object}`);
  return objects.size;
}

function applied(result: ReconcileResult): number {
  return Object.values(result.applied).reduce((sum: number, n) => sum + (n ?? 0), 0);
}

function writeCalls(simulation: Simulation): number {
  return CLOUDS.reduce((sum, cloud) => sum + simulation.clouds.writes(cloud), 0);
}

/** One batch: every waiting message, or the first `maxMessages`. */
async function timedReconcile(simulation: Simulation, maxMessages?: number) {
  const events = Math.min(simulation.pending.length, maxMessages ?? Number.POSITIVE_INFINITY);
  const start = performance.now();
  const result =
    maxMessages === undefined ? await simulation.reconcile() : await simulation.reconcileNext(maxMessages);
  return { result, sample: { events, ms: performance.now() - start, writes: applied(result) } };
}

interface Play {
  /** After which launches to reconcile (every waiting message); the rest of the queue is reconciled at the end. */
  readonly reconcileWhen: (simulation: Simulation) => boolean;
  /** The end's batch size: all at once when absent. */
  readonly batchMessages?: number;
  readonly coalesce?: false;
}

/** An initial full sync, then the launches, reconciled as `how` says. */
async function play(policy: Policy, estate: Estate, launches: readonly Step[], how: Play) {
  const simulation = Simulation.start(policy, estate, how.coalesce === false ? { coalesce: false } : {});
  await simulation.fullSync();
  const callsBefore = writeCalls(simulation);
  const samples: ReconcileSample[] = [];
  let failed = false;
  const reconcile = async (maxMessages?: number) => {
    const { result, sample } = await timedReconcile(simulation, maxMessages);
    samples.push(sample);
    failed ||= Object.keys(result.failures).length > 0;
  };
  for (const launch of launches) {
    await simulation.step(launch);
    if (how.reconcileWhen(simulation)) await reconcile();
  }
  while (simulation.pending.length > 0) await reconcile(how.batchMessages);
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
  const never = () => false;
  const paced = await play(policy, estate, launches, {
    reconcileWhen: (s) => s.pending.length >= BATCH_EVENTS,
  });
  const queued = await play(policy, estate, launches, { reconcileWhen: never, batchMessages: BATCH_EVENTS });
  const queuedUncoalesced = await play(policy, estate, launches, {
    reconcileWhen: never,
    batchMessages: BATCH_EVENTS,
    coalesce: false,
  });
  const drain = await play(policy, estate, launches, { reconcileWhen: never });
  const single = await singlePlan(policy, estate, launches);
  return {
    launches: launches.length,
    launchesByCloud: countByCloud(launches),
    batchEvents: BATCH_EVENTS,
    minimalWrites: single.operations,
    minimalObjects: single.objects,
    paced: summary(paced, single.operations),
    queued: summary(queued, single.operations),
    queuedUncoalesced: summary(queuedUncoalesced, single.operations),
    drain: summary(drain, single.operations),
  };
}

/**
 * The one plan from the synced estate to the final intent: every launch, nothing reconciled,
 * planned by a reconciler of its own (a dry run writes nothing).
 */
async function singlePlan(policy: Policy, estate: Estate, launches: readonly Step[]) {
  const planned = Simulation.start(policy, estate);
  await planned.fullSync();
  for (const launch of launches) await planned.step(launch);
  const plan = await planned.withPolicy(policy).fullSync({ dryRun: true });
  return { operations: operations(plan), objects: objectsWritten(plan) };
}

function countByCloud(launches: readonly Step[]): Record<string, number> {
  const byCloud: Record<string, number> = {};
  for (const step of launches) {
    const cloud = "launch" in step ? (step.launch.id.split(":")[0] ?? "") : "";
    byCloud[cloud] = (byCloud[cloud] ?? 0) + 1;
  }
  return byCloud;
}
