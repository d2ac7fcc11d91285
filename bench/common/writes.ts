/**
 * The writes of single-workload changes, for any cloud: the initial plan applied to that cloud's
 * simulators, then each change played on them (the cloud's own workloads, through their
 * simulation controls; other clouds' changes only in the inventory), compiled incrementally,
 * snapshotted, materialized, diffed and applied; the write calls the simulators log are
 * compared with the minimal the cloud's minimal-writes.ts counts for the same change.
 */
import type { IncrementalCompiler, IntentDelta } from "../../lib/compile/incremental.js";
import type { Intent, WorkloadReport } from "../../lib/compile/model.js";
import type { Cloud, Inventory, Workload, WorkloadChange } from "../../lib/inventory/model.js";
import { compareText } from "../../lib/util/compare-text.js";
import { randomChanges } from "../estate-generator.js";
import { median, percentile, round3, timeMs } from "../measure.js";
import { countBy, sumBy, total } from "./collections.js";

/** Changes drawn per change measured, at most: other clouds' changes that this cloud does not see are skipped. */
const DRAWS_PER_MEASURED = 5;

/** What the simulators saw of a change (launch, stop, retag…), or `remote`: another cloud's change this cloud sees. */
export type ChangeKind = string;

/** The cloud's simulators, as the measurement drives them. */
export interface CloudSimulators<State, Operation> {
  /**
   * Plays one change of one of this cloud's workloads (`previous`: the workload before, undefined
   * for a launch) and says what it did; undefined when the cloud could not hold the change (a
   * label value GCP refuses): it is then neither played nor compiled.
   */
  play(change: WorkloadChange, previous: Workload | undefined): ChangeKind | undefined;
  state(): State;
  /** Applies a plan with the cloud's apply (apply.ts) to the simulators. */
  apply(plan: readonly Operation[]): Promise<void>;
  clearCalls(): void;
  /** Write calls logged since clearCalls, by method. */
  writes(): Map<string, number>;
}

/** The fewest write calls for one change, by method (the simulators' method names). */
export interface MinimalCount {
  readonly total: number;
  readonly byMethod: Readonly<Record<string, number>>;
  /** Counted by an upper bound somewhere (see the cloud's minimal-writes.ts). */
  readonly approximate: boolean;
}

/** One cloud's pipeline, with the options of the run. */
export interface CloudPipeline<State, Desired, Operation> {
  readonly cloud: Cloud;
  materialize(intent: Intent, state: State): Desired;
  diff(desired: Desired, state: State): readonly Operation[];
  /** The cloud's simulators, loaded from `state`. */
  simulators(state: State): CloudSimulators<State, Operation>;
  /** The fewest writes from `state`, which holds `before` (the previous change's desired), to `after`. */
  minimal(before: Desired, after: Desired, state: State): MinimalCount;
  /** Desired objects that `state` does not hold as desired: 0 after a converged apply. */
  mismatches(desired: Desired, state: State): number;
}

export interface MeasuredChange {
  readonly change: string;
  readonly kind: ChangeKind;
  readonly issued: number;
  readonly minimal: number;
  readonly issuedByMethod: Readonly<Record<string, number>>;
  readonly minimalByMethod: Readonly<Record<string, number>>;
}

export interface WritesResult {
  readonly initial: {
    readonly operations: number;
    readonly writes: number;
    readonly applyMs: number;
    /** diff(desired, state after apply) is empty. */
    readonly converged: boolean;
  };
  /** Changes drawn from randomChanges; other clouds' ones that this cloud does not see were only compiled. */
  readonly drawn: number;
  readonly notSeen: number;
  /** Changes the cloud could not hold (neither played nor compiled). */
  readonly unplayable: number;
  /** This cloud's changes (played on the simulators), and other clouds' ones that its destinations see as sources. */
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
  /** Changes that issued fewer writes than the minimal: the minimal, or the convergence, is wrong. */
  readonly changesUnderMinimal: number;
  /** Write calls per change: over every measured change, and over those whose minimal is > 0. */
  readonly writesMedian: number;
  readonly writesMean: number;
  readonly writesMax: number;
  readonly writesMedianWhereNeeded: number | null;
  readonly minimalMedian: number;
  readonly issuedByMethod: Readonly<Record<string, number>>;
  readonly minimalByMethod: Readonly<Record<string, number>>;
  /** materialize + diff per change, on the compiler's snapshot. */
  readonly materializeDiffMedianMs: number;
  readonly materializeDiffP99Ms: number;
  readonly snapshotMedianMs: number;
  readonly compilerApplyMedianMs: number;
  /** Changes after whose apply a diff was not empty. */
  readonly notConverged: number;
  /** Desired objects that the cloud did not hold as desired when the next change came. */
  readonly beforeMismatches: number;
  readonly applyFailures: number;
  readonly firstApplyError: string | null;
  /** Minimal counts that used an upper bound. */
  readonly approximateMinimal: number;
  /** The changes that issued the most writes over their minimal, worst first. */
  readonly worst: readonly MeasuredChange[];
}

export interface WritesInput<State, Desired, Operation> {
  readonly inventory: Inventory;
  /** Built on `inventory`; it is changed along with the simulators. */
  readonly compiler: IncrementalCompiler;
  readonly intent: Intent;
  /** What materialize read for `desired`: the simulators are loaded from it. */
  readonly state: State;
  readonly desired: Desired;
  readonly plan: readonly Operation[];
  readonly pipeline: CloudPipeline<State, Desired, Operation>;
  readonly changes: number;
  readonly seed: number;
}

export async function measureWrites<State, Desired, Operation>(
  input: WritesInput<State, Desired, Operation>,
): Promise<WritesResult> {
  const { compiler, pipeline } = input;
  const { cloud } = pipeline;
  const sims = pipeline.simulators(input.state);
  const prefix = `${cloud}:`;
  const applyStart = performance.now();
  await sims.apply(input.plan);
  const applyMs = performance.now() - applyStart;
  const initial = {
    operations: input.plan.length,
    writes: total(sims.writes()),
    applyMs: round3(applyMs),
    converged: pipeline.diff(input.desired, sims.state()).length === 0,
  };

  const current = new Map(input.inventory.workloads.map((workload) => [workload.id, workload]));
  const changes = randomChanges(input.inventory, input.changes * DRAWS_PER_MEASURED, input.seed);
  let previousDesired = input.desired;
  let previousIntent = input.intent;
  let drawn = 0;
  let notSeen = 0;
  let unplayable = 0;
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
    const kind = id.startsWith(prefix) ? sims.play(change, current.get(id)) : "remote";
    if (kind === undefined) {
      unplayable += 1;
      continue;
    }
    const compiled = timeMs(() => compiler.apply([change]));
    track(current, change);
    if (kind === "remote" && !seenBy(cloud, compiled.result)) {
      notSeen += 1;
      continue;
    }
    compilerApplies.push(compiled.ms);
    const snapshot = timeMs(() => compiler.snapshot());
    snapshots.push(snapshot.ms);
    const intent = snapshot.result;

    const state = sims.state();
    beforeMismatches += pipeline.mismatches(previousDesired, state);
    const start = performance.now();
    const desired = pipeline.materialize(intent, state);
    const plan = pipeline.diff(desired, state);
    materializeDiff.push(performance.now() - start);
    const minimal = pipeline.minimal(previousDesired, desired, state);
    if (minimal.approximate) approximateMinimal += 1;

    sims.clearCalls();
    try {
      await sims.apply(plan);
    } catch (error) {
      applyFailures += 1;
      firstApplyError ??= `${kind} ${id}: ${error instanceof Error ? error.message : String(error)}`;
    }
    const issued = sims.writes();
    if (pipeline.diff(desired, sims.state()).length > 0) notConverged += 1;

    measured.push({
      change: `${kind} ${id}`,
      kind,
      issued: total(issued),
      minimal: minimal.total,
      issuedByMethod: Object.fromEntries(issued),
      minimalByMethod: Object.fromEntries(Object.entries(minimal.byMethod).filter(([, count]) => count > 0)),
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
    notSeen,
    unplayable,
    measured: measured.length,
    byKind: countBy(measured.map((m) => m.kind)),
    zeroMinimal: zero.length,
    zeroMinimalUnlabelled: zero.filter((m) => m.unlabelled).length,
    zeroMinimalByKind: countBy(zero.map((m) => m.kind)),
    zeroMinimalWithWrites: zero.filter((m) => m.issued > 0).length,
    ratioMedian: ratios.length > 0 ? round3(median(ratios)) : null,
    ratioMax: ratios.length > 0 ? round3(Math.max(...ratios)) : null,
    changesOverMinimal: measured.filter((m) => m.issued > m.minimal).length,
    changesUnderMinimal: measured.filter((m) => m.issued < m.minimal).length,
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

/** Another cloud's change matters to this one when it changes a destination or a peer set in one of its networks. */
function seenBy(cloud: Cloud, delta: IntentDelta): boolean {
  const marker = `@${cloud}:`;
  return [
    ...delta.destinations.upserted,
    ...delta.destinations.removed,
    ...delta.peerSets.upserted,
    ...delta.peerSets.removed,
  ].some((key) => key.includes(marker));
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
