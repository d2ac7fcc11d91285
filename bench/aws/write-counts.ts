/**
 * The EC2 writes of single-workload changes: the initial plan applied to one SimulatedEc2 per
 * location, then each change played on the simulators (launch, stop, start, terminate, retag
 * through their controls; non-AWS changes only in the inventory), compiled incrementally,
 * snapshotted, materialized, diffed and applied; the write calls the simulators log are
 * compared with the minimal (minimal-writes.ts) for the same change.
 */
import { applyAwsPlan } from "../../lib/clouds/aws/apply.js";
import type { AwsDesired } from "../../lib/clouds/aws/desired.js";
import { diffAws } from "../../lib/clouds/aws/diff.js";
import { type AwsMaterializeOptions, materializeAws } from "../../lib/clouds/aws/materialize.js";
import type { AwsState } from "../../lib/clouds/aws/model.js";
import type { AwsOperation } from "../../lib/clouds/aws/operations.js";
import type { IncrementalCompiler, IntentDelta } from "../../lib/compile/incremental.js";
import type { Intent, WorkloadReport } from "../../lib/compile/model.js";
import type { Inventory, Workload, WorkloadChange } from "../../lib/inventory/model.js";
import { compareText } from "../../lib/util/compare-text.js";
import { randomChanges } from "../estate-generator.js";
import { median, percentile, round3, timeMs } from "../measure.js";
import { type MinimalWrites, minimalWrites, mismatchesWith } from "./minimal-writes.js";
import { AwsSimulators, type SimulatedChange } from "./simulators.js";

/** Changes drawn per change measured, at most: non-AWS changes that no AWS object sees are skipped. */
const DRAWS_PER_MEASURED = 5;

/** What the simulators saw of a change; `remote` is a non-AWS change that an AWS object sees. */
export type ChangeKind = SimulatedChange | "remote";

export interface MeasuredChange {
  readonly change: string;
  readonly kind: ChangeKind;
  readonly issued: number;
  readonly minimal: number;
  readonly issuedByMethod: Readonly<Record<string, number>>;
  readonly minimalByMethod: Readonly<Record<string, number>>;
}

export interface AwsWritesResult {
  readonly initial: {
    readonly operations: number;
    readonly writes: number;
    readonly applyMs: number;
    /** diffAws(desired, state after apply) is empty. */
    readonly converged: boolean;
  };
  /** Changes drawn from randomChanges; the non-AWS ones no AWS object sees were only compiled. */
  readonly drawn: number;
  readonly notSeenByAws: number;
  /** AWS changes (played on the simulators), and non-AWS ones that AWS destinations see as sources. */
  readonly measured: number;
  readonly byKind: Readonly<Partial<Record<ChangeKind, number>>>;
  /** Changes whose minimal is 0 (an unlabelled workload, a stopped one…): no ratio. */
  readonly zeroMinimal: number;
  /** Of those, changes to a workload without segsync labels before and after (or not there). */
  readonly zeroMinimalUnlabelled: number;
  readonly zeroMinimalByKind: Readonly<Partial<Record<ChangeKind, number>>>;
  readonly zeroMinimalWithWrites: number;
  /** issued / minimal over the changes whose minimal is > 0; null when there are none. */
  readonly ratioMedian: number | null;
  readonly ratioMax: number | null;
  readonly changesOverMinimal: number;
  /** Write calls per change: over every measured change, and over those whose minimal is > 0. */
  readonly writesMedian: number;
  readonly writesMean: number;
  readonly writesMax: number;
  readonly writesMedianWhereNeeded: number | null;
  readonly minimalMedian: number;
  readonly issuedByMethod: Readonly<Record<string, number>>;
  readonly minimalByMethod: Readonly<Record<string, number>>;
  /** materializeAws + diffAws per change, on the compiler's snapshot. */
  readonly materializeDiffMedianMs: number;
  readonly materializeDiffP99Ms: number;
  readonly snapshotMedianMs: number;
  readonly compilerApplyMedianMs: number;
  /** Changes after whose apply a diff was not empty. */
  readonly notConverged: number;
  /** Desired objects that EC2 did not hold as desired when the next change came. */
  readonly beforeMismatches: number;
  readonly applyFailures: number;
  readonly firstApplyError: string | null;
  /** Minimal counts that used an upper bound (a reference cycle of more than 16 groups). */
  readonly approximateMinimal: number;
  /** The changes that issued the most writes over their minimal, worst first. */
  readonly worst: readonly MeasuredChange[];
}

export interface WritesInput {
  readonly inventory: Inventory;
  /** Built on `inventory`; it is changed along with the simulators. */
  readonly compiler: IncrementalCompiler;
  readonly intent: Intent;
  readonly state: AwsState;
  readonly desired: AwsDesired;
  readonly plan: readonly AwsOperation[];
  readonly options: AwsMaterializeOptions & { readonly attachment: "exclusive" };
  readonly changes: number;
  readonly seed: number;
}

export async function measureWrites(input: WritesInput): Promise<AwsWritesResult> {
  const { compiler, options } = input;
  const sims = new AwsSimulators(input.state, options.quotas);
  const applyStart = performance.now();
  await applyAwsPlan(input.plan, sims.apiFor);
  const applyMs = performance.now() - applyStart;
  const initial = {
    operations: input.plan.length,
    writes: total(sims.writes()),
    applyMs: round3(applyMs),
    converged: diffAws(input.desired, sims.state()).length === 0,
  };

  const current = new Map(input.inventory.workloads.map((workload) => [workload.id, workload]));
  const changes = randomChanges(input.inventory, input.changes * DRAWS_PER_MEASURED, input.seed);
  let previousDesired = input.desired;
  let previousIntent = input.intent;
  let drawn = 0;
  let notSeenByAws = 0;
  const measured: (MeasuredChange & { readonly unlabelled: boolean })[] = [];
  const materializeDiff: number[] = [];
  const snapshots: number[] = [];
  const compilerApplies: number[] = [];
  let notConverged = 0;
  let beforeMismatches = 0;
  let applyFailures = 0;
  let firstApplyError: string | null = null;
  let approximateMinimal = 0;

  for (const change of changes) {
    if (measured.length >= input.changes) break;
    drawn += 1;
    const id = change.kind === "delete" ? change.id : change.workload.id;
    const kind: ChangeKind = id.startsWith("aws:") ? sims.play(change, current.get(id)) : "remote";
    const compiled = timeMs(() => compiler.apply([change]));
    track(current, change);
    if (kind === "remote" && !seenByAws(compiled.result)) {
      notSeenByAws += 1;
      continue;
    }
    compilerApplies.push(compiled.ms);
    const snapshot = timeMs(() => compiler.snapshot());
    snapshots.push(snapshot.ms);
    const intent = snapshot.result;

    const state = sims.state();
    beforeMismatches += mismatchesWith(previousDesired, state);
    const start = performance.now();
    const desired = materializeAws(intent, state, options);
    const plan = diffAws(desired, state);
    materializeDiff.push(performance.now() - start);
    const minimal = minimalWrites(desired, state, options.attachment);
    if (minimal.approximate) approximateMinimal += 1;

    sims.clearCalls();
    try {
      await applyAwsPlan(plan, sims.apiFor);
    } catch (error) {
      applyFailures += 1;
      firstApplyError ??= `${kind} ${id}: ${error instanceof Error ? error.message : String(error)}`;
    }
    const issued = sims.writes();
    if (diffAws(desired, sims.state()).length > 0) notConverged += 1;

    measured.push({
      change: `${kind} ${id}`,
      kind,
      issued: total(issued),
      minimal: minimal.total,
      issuedByMethod: Object.fromEntries(issued),
      minimalByMethod: methodsOf(minimal),
      unlabelled: isUnlabelled(previousIntent, id) && isUnlabelled(intent, id),
    });
    previousDesired = desired;
    previousIntent = intent;
  }

  const needed = measured.filter((m) => m.minimal > 0);
  const ratios = needed.map((m) => m.issued / m.minimal);
  const zero = measured.filter((m) => m.minimal === 0);
  const issuedCounts = measured.map((m) => m.issued);
  return {
    initial,
    drawn,
    notSeenByAws,
    measured: measured.length,
    byKind: countBy(measured.map((m) => m.kind)),
    zeroMinimal: zero.length,
    zeroMinimalUnlabelled: zero.filter((m) => m.unlabelled).length,
    zeroMinimalByKind: countBy(zero.map((m) => m.kind)),
    zeroMinimalWithWrites: zero.filter((m) => m.issued > 0).length,
    ratioMedian: ratios.length > 0 ? round3(median(ratios)) : null,
    ratioMax: ratios.length > 0 ? round3(Math.max(...ratios)) : null,
    changesOverMinimal: measured.filter((m) => m.issued > m.minimal).length,
    writesMedian: issuedCounts.length > 0 ? median(issuedCounts) : 0,
    writesMean: round3(issuedCounts.reduce((sum, n) => sum + n, 0) / Math.max(1, issuedCounts.length)),
    writesMax: Math.max(0, ...issuedCounts),
    writesMedianWhereNeeded: needed.length > 0 ? median(needed.map((m) => m.issued)) : null,
    minimalMedian: measured.length > 0 ? median(measured.map((m) => m.minimal)) : 0,
    issuedByMethod: sumBy(measured.map((m) => m.issuedByMethod)),
    minimalByMethod: sumBy(measured.map((m) => m.minimalByMethod)),
    materializeDiffMedianMs: materializeDiff.length > 0 ? round3(median(materializeDiff)) : 0,
    materializeDiffP99Ms: materializeDiff.length > 0 ? round3(percentile(materializeDiff, 0.99)) : 0,
    snapshotMedianMs: snapshots.length > 0 ? round3(median(snapshots)) : 0,
    compilerApplyMedianMs: compilerApplies.length > 0 ? round3(median(compilerApplies)) : 0,
    notConverged,
    beforeMismatches,
    applyFailures,
    firstApplyError,
    approximateMinimal,
    worst: measured
      .filter((m) => m.issued > m.minimal)
      .sort((a, b) => b.issued - b.minimal - (a.issued - a.minimal))
      .slice(0, 5)
      .map(({ unlabelled: _unlabelled, ...change }) => change),
  };
}

/** A non-AWS change matters to AWS when it changes a destination or a peer set in an AWS VPC. */
function seenByAws(delta: IntentDelta): boolean {
  return [
    ...delta.destinations.upserted,
    ...delta.destinations.removed,
    ...delta.peerSets.upserted,
    ...delta.peerSets.removed,
  ].some((key) => key.includes("@aws:"));
}

/** No segsync label (an empty identity, whatever its state), or not in the intent's reports (sorted by id). */
function isUnlabelled(intent: Intent, id: string): boolean {
  const report = reportOf(intent, id);
  return report === undefined || report.identity === "";
}

function reportOf(intent: Intent, id: string): WorkloadReport | undefined {
  let low = 0;
  let high = intent.workloads.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const report = intent.workloads[middle];
    if (report === undefined) return undefined;
    const order = compareText(report.workload, id);
    if (order === 0) return report;
    if (order < 0) low = middle + 1;
    else high = middle - 1;
  }
  return undefined;
}

function track(current: Map<string, Workload>, change: WorkloadChange): void {
  if (change.kind === "delete") current.delete(change.id);
  else current.set(change.workload.id, change.workload);
}

function total(byMethod: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (const count of byMethod.values()) sum += count;
  return sum;
}

function methodsOf(minimal: MinimalWrites): Record<string, number> {
  const { total: _total, approximate: _approximate, ...methods } = minimal;
  return Object.fromEntries(Object.entries(methods).filter(([, count]) => count > 0));
}

function countBy<K extends string>(keys: readonly K[]): Partial<Record<K, number>> {
  const counts: Partial<Record<K, number>> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

function sumBy(records: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const record of records) {
    for (const [key, count] of Object.entries(record)) sums[key] = (sums[key] ?? 0) + count;
  }
  return sums;
}
