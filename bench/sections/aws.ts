import { applyAwsPlan } from "../../lib/clouds/aws/apply.js";
import { DEFAULT_AWS_QUOTAS } from "../../lib/clouds/aws/config.js";
import type { AwsDesired, AwsFindingCode } from "../../lib/clouds/aws/desired.js";
import { diffAws } from "../../lib/clouds/aws/diff.js";
import { type AwsMaterializeOptions, materializeAws } from "../../lib/clouds/aws/materialize.js";
import type { AwsState } from "../../lib/clouds/aws/model.js";
import type { AwsOperation } from "../../lib/clouds/aws/operations.js";
import { IncrementalCompiler, type IntentDelta } from "../../lib/compile/incremental.js";
import type { Workload, WorkloadChange } from "../../lib/inventory/model.js";
import { awsStateOf } from "../aws/estate-state.js";
import { type MinimalWrites, minimalWrites, mismatchesWith } from "../aws/minimal-writes.js";
import { AwsSimulators, type SimulatedChange } from "../aws/simulators.js";
import { randomChanges } from "../estate-generator.js";
import { formatCount, formatMs, formatRatio } from "../format.js";
import { forceGc, median, percentile, round3, timeMs } from "../measure.js";
import { type CellInput, defineSection } from "./section.js";

const OPTIONS: AwsMaterializeOptions = { quotas: DEFAULT_AWS_QUOTAS, attachment: "exclusive" };

/**
 * Above this many AWS instances the write part runs fewer changes: each change re-reads the
 * touched locations' state() (quadratic in the simulator) and materializes the whole estate.
 */
const FULL_WRITES_MAX_INSTANCES = 10_000;
/** Changes measured through the simulators: at most this many, and at most --changes. */
const WRITE_CHANGES = 200;
const WRITE_CHANGES_LARGE = 20;
/** Changes drawn per change measured, at most: non-AWS changes that no AWS object sees are skipped. */
const DRAWS_PER_MEASURED = 5;

export interface TimedFigure {
  readonly samplesMs: readonly number[];
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

export interface AwsCounts {
  readonly securityGroups: number;
  /** Rules over every owned group (a prefix-list reference counts once here). */
  readonly rules: number;
  readonly prefixLists: number;
  readonly prefixListEntries: number;
  /** ENIs whose groups segsync sets (enforced, or given back). */
  readonly interfaces: number;
  readonly planOperations: number;
  readonly planByKind: Readonly<Record<string, number>>;
  readonly findings: Readonly<Partial<Record<AwsFindingCode, number>>>;
}

type ChangeKind = SimulatedChange | "remote";

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
  /** Changes whose minimal is 0 (an unlabelled workload, a visibility-only one…): no ratio. */
  readonly zeroMinimal: number;
  readonly zeroMinimalWithWrites: number;
  /** issued / minimal over the changes whose minimal is > 0; null when there are none. */
  readonly ratioMedian: number | null;
  readonly ratioMax: number | null;
  readonly changesOverMinimal: number;
  readonly writesMedian: number;
  readonly writesMean: number;
  readonly writesMax: number;
  readonly minimalMedian: number;
  readonly issuedByMethod: Readonly<Record<string, number>>;
  readonly minimalByMethod: Readonly<Record<string, number>>;
  /** materializeAws + diffAws per change, on the compiler's snapshot. */
  readonly materializeDiffMedianMs: number;
  readonly materializeDiffP99Ms: number;
  readonly snapshotMedianMs: number;
  readonly compilerApplyMedianMs: number;
  /** Changes after whose apply a diff was not empty; desired objects EC2 did not hold before a change. */
  readonly notConverged: number;
  readonly beforeMismatches: number;
  readonly applyFailures: number;
  readonly firstApplyError: string | null;
  /** Minimal counts that used an upper bound (a reference cycle of more than 16 groups). */
  readonly approximateMinimal: number;
  /** The changes that issued the most writes over their minimal, worst first. */
  readonly worst: readonly MeasuredChange[];
}

export interface AwsResult {
  readonly instances: number;
  readonly locations: number;
  /** The timed state: AwsState built directly in describe shapes (bench/aws/estate-state.ts). */
  readonly stateBuildMs: number;
  readonly runs: number;
  readonly materialize: TimedFigure;
  readonly diff: TimedFigure;
  readonly counts: AwsCounts;
  /** Why the write part did not run, or null. */
  readonly writesSkipped: string | null;
  readonly writes: AwsWritesResult | null;
}

function runsFor(workloads: number): number {
  return workloads <= 10_000 ? 5 : 3;
}

async function runAws({ spec, policy, inventory }: CellInput): Promise<AwsResult> {
  const built = timeMs(() => awsStateOf(inventory.workloads));
  const state = built.result;
  const compiler = IncrementalCompiler.build(policy, inventory);
  const intent = compiler.snapshot();

  const materializeSamples: number[] = [];
  const diffSamples: number[] = [];
  // Warm-up runs, then timed ones, each after a GC so that one run's garbage is not the next's cost.
  let desired = materializeAws(intent, state, OPTIONS);
  let plan = diffAws(desired, state);
  for (let run = 0; run < runsFor(spec.workloads); run++) {
    forceGc();
    const materialized = timeMs(() => materializeAws(intent, state, OPTIONS));
    desired = materialized.result;
    materializeSamples.push(materialized.ms);
    forceGc();
    const diffed = timeMs(() => diffAws(desired, state));
    plan = diffed.result;
    diffSamples.push(diffed.ms);
  }

  const instances = state.reduce((sum, region) => sum + region.instances.length, 0);
  const writeChanges = Math.min(
    spec.changes,
    instances <= FULL_WRITES_MAX_INSTANCES ? WRITE_CHANGES : WRITE_CHANGES_LARGE,
  );
  const writes = await measureWrites({ spec, inventory, compiler, state, desired, plan, writeChanges });
  return {
    instances,
    locations: state.length,
    stateBuildMs: round3(built.ms),
    runs: materializeSamples.length,
    materialize: timed(materializeSamples),
    diff: timed(diffSamples),
    counts: counts(desired, plan),
    writesSkipped: null,
    writes,
  };
}

function timed(samples: readonly number[]): TimedFigure {
  return {
    samplesMs: samples.map(round3),
    medianMs: round3(median(samples)),
    minMs: round3(Math.min(...samples)),
    maxMs: round3(Math.max(...samples)),
  };
}

function counts(desired: AwsDesired, plan: readonly AwsOperation[]): AwsCounts {
  const planByKind: Record<string, number> = {};
  for (const operation of plan) planByKind[operation.kind] = (planByKind[operation.kind] ?? 0) + 1;
  const findings: Partial<Record<AwsFindingCode, number>> = {};
  for (const finding of desired.findings) findings[finding.code] = (findings[finding.code] ?? 0) + 1;
  return {
    securityGroups: desired.securityGroups.length,
    rules: desired.securityGroups.reduce((sum, group) => sum + group.rules.length, 0),
    prefixLists: desired.prefixLists.length,
    prefixListEntries: desired.prefixLists.reduce((sum, list) => sum + list.entries.length, 0),
    interfaces: desired.interfaces.length,
    planOperations: plan.length,
    planByKind,
    findings,
  };
}

interface WritesInput {
  readonly spec: CellInput["spec"];
  readonly inventory: CellInput["inventory"];
  readonly compiler: IncrementalCompiler;
  readonly state: AwsState;
  readonly desired: AwsDesired;
  readonly plan: readonly AwsOperation[];
  readonly writeChanges: number;
}

async function measureWrites(input: WritesInput): Promise<AwsWritesResult> {
  const { inventory, compiler, writeChanges } = input;
  const sims = new AwsSimulators(input.state, OPTIONS.quotas);
  const applied = await timeAsync(() => applyAwsPlan(input.plan, sims.apiFor));
  const initialWrites = total(sims.writes());
  sims.clearCalls();
  const initial = {
    operations: input.plan.length,
    writes: initialWrites,
    applyMs: round3(applied.ms),
    converged: diffAws(input.desired, sims.state()).length === 0,
  };

  const current = new Map(inventory.workloads.map((workload) => [workload.id, workload]));
  const changes = randomChanges(inventory, writeChanges * DRAWS_PER_MEASURED, input.spec.seed + 2);
  let previous = input.desired;
  let drawn = 0;
  let notSeenByAws = 0;
  const byKind: Partial<Record<ChangeKind, number>> = {};
  const measured: MeasuredChange[] = [];
  const materializeDiff: number[] = [];
  const snapshots: number[] = [];
  const compilerApplies: number[] = [];
  const issuedByMethod: Record<string, number> = {};
  const minimalByMethod: Record<string, number> = {};
  let notConverged = 0;
  let beforeMismatches = 0;
  let applyFailures = 0;
  let firstApplyError: string | null = null;
  let approximateMinimal = 0;

  for (const change of changes) {
    if (measured.length >= writeChanges) break;
    drawn += 1;
    const id = change.kind === "delete" ? change.id : change.workload.id;
    const before = current.get(id);
    const kind: ChangeKind = id.startsWith("aws:") ? sims.play(change, before) : "remote";
    const compiled = timeMs(() => compiler.apply([change]));
    track(current, change);
    if (kind === "remote" && !seenByAws(compiled.result)) {
      notSeenByAws += 1;
      continue;
    }
    byKind[kind] = (byKind[kind] ?? 0) + 1;
    compilerApplies.push(compiled.ms);

    const snapshot = timeMs(() => compiler.snapshot());
    snapshots.push(snapshot.ms);
    const state = sims.state();
    beforeMismatches += mismatchesWith(previous, state);
    const start = performance.now();
    const desired = materializeAws(snapshot.result, state, OPTIONS);
    const plan = diffAws(desired, state);
    materializeDiff.push(performance.now() - start);

    const minimal = minimalWrites(desired, state, "exclusive");
    if (minimal.approximate) approximateMinimal += 1;
    sims.clearCalls();
    try {
      await applyAwsPlan(plan, sims.apiFor);
    } catch (error) {
      applyFailures += 1;
      firstApplyError ??= `${describe(kind, id)}: ${error instanceof Error ? error.message : String(error)}`;
    }
    const issued = Object.fromEntries(sims.writes());
    if (diffAws(desired, sims.state()).length > 0) notConverged += 1;
    previous = desired;

    const minimalMethods = methodsOf(minimal);
    add(issuedByMethod, issued);
    add(minimalByMethod, minimalMethods);
    measured.push({
      change: describe(kind, id),
      kind,
      issued: total(new Map(Object.entries(issued))),
      minimal: minimal.total,
      issuedByMethod: issued,
      minimalByMethod: minimalMethods,
    });
  }

  const ratios = measured.filter((m) => m.minimal > 0).map((m) => m.issued / m.minimal);
  const zero = measured.filter((m) => m.minimal === 0);
  const issuedCounts = measured.map((m) => m.issued);
  return {
    initial,
    drawn,
    notSeenByAws,
    measured: measured.length,
    byKind,
    zeroMinimal: zero.length,
    zeroMinimalWithWrites: zero.filter((m) => m.issued > 0).length,
    ratioMedian: ratios.length > 0 ? round3(median(ratios)) : null,
    ratioMax: ratios.length > 0 ? round3(Math.max(...ratios)) : null,
    changesOverMinimal: measured.filter((m) => m.issued > m.minimal).length,
    writesMedian: issuedCounts.length > 0 ? median(issuedCounts) : 0,
    writesMean: round3(issuedCounts.reduce((sum, n) => sum + n, 0) / Math.max(1, issuedCounts.length)),
    writesMax: Math.max(0, ...issuedCounts),
    minimalMedian: measured.length > 0 ? median(measured.map((m) => m.minimal)) : 0,
    issuedByMethod,
    minimalByMethod,
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
      .slice(0, 5),
  };
}

async function timeAsync<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const start = performance.now();
  const result = await work();
  return { result, ms: performance.now() - start };
}

/** A non-AWS change matters to AWS when it changes a destination or a peer set seen from an AWS VPC. */
function seenByAws(delta: IntentDelta): boolean {
  return [
    ...delta.destinations.upserted,
    ...delta.destinations.removed,
    ...delta.peerSets.upserted,
    ...delta.peerSets.removed,
  ].some((key) => key.includes("@aws:"));
}

function track(current: Map<string, Workload>, change: WorkloadChange): void {
  if (change.kind === "delete") current.delete(change.id);
  else current.set(change.workload.id, change.workload);
}

function describe(kind: ChangeKind, id: string): string {
  return `${kind} ${id}`;
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

function add(into: Record<string, number>, counts: Readonly<Record<string, number>>): void {
  for (const [method, count] of Object.entries(counts)) into[method] = (into[method] ?? 0) + count;
}

function findingsCell(findings: AwsCounts["findings"]): string {
  const entries = Object.entries(findings).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0
    ? "0"
    : entries.map(([code, count]) => `${code.replace(/^aws-/, "")}:${count}`).join(" ");
}

function methodsText(byMethod: Readonly<Record<string, number>>): string {
  const entries = Object.entries(byMethod);
  return entries.length === 0 ? "none" : entries.map(([method, count]) => `${method} ${count}`).join(", ");
}

/** The ratio target's figure: the worst change, and ∞ when a change that needed no write issued some. */
function worstRatio(writes: AwsWritesResult): number | null {
  if (writes.zeroMinimalWithWrites > 0) return Number.POSITIVE_INFINITY;
  return writes.ratioMax;
}

export const awsSection = defineSection<AwsResult>({
  name: "aws",
  description:
    "materializeAws and diffAws on the estate's AWS workloads (default quotas, exclusive attachment), then the EC2 writes of single-workload changes through SimulatedEc2 against the minimal",
  run: runAws,
  ownTable: true,
  columns: [
    { header: "instances", cell: (r) => formatCount(r.instances) },
    { header: "SGs", cell: (r) => formatCount(r.counts.securityGroups) },
    { header: "SG rules", cell: (r) => formatCount(r.counts.rules) },
    { header: "PLs", cell: (r) => formatCount(r.counts.prefixLists) },
    { header: "ENIs", cell: (r) => formatCount(r.counts.interfaces) },
    { header: "plan ops", cell: (r) => formatCount(r.counts.planOperations) },
    { header: "findings", cell: (r) => findingsCell(r.counts.findings) },
    { header: "materialize ms", cell: (r) => formatMs(r.materialize.medianMs) },
    { header: "diff ms", cell: (r) => formatMs(r.diff.medianMs) },
    { header: "writes via", cell: (r) => (r.writes === null ? "-" : `sim×${r.writes.measured}`) },
    { header: "writes/chg", cell: (r) => (r.writes === null ? "-" : String(r.writes.writesMedian)) },
    {
      header: "issued/min med",
      cell: (r) => (r.writes?.ratioMedian == null ? "-" : formatRatio(r.writes.ratioMedian)),
    },
    { header: "max", cell: (r) => (r.writes?.ratioMax == null ? "-" : formatRatio(r.writes.ratioMax)) },
    {
      header: "zero-min",
      cell: (r) =>
        r.writes === null ? "-" : `${r.writes.zeroMinimal} (${r.writes.zeroMinimalWithWrites} wrote)`,
    },
    {
      header: "mat+diff ms/chg",
      cell: (r) => (r.writes === null ? "-" : formatMs(r.writes.materializeDiffMedianMs)),
    },
  ],
  notes: [
    "instances: AWS instances; SGs, SG rules, PLs, ENIs: what materializeAws wants (owned groups, their rules, owned prefix lists, ENIs whose groups it sets); plan ops: diffAws's first plan; findings by code.",
    "materialize ms, diff ms: median over 5 runs (3 above 10k workloads) after a warm-up, on an AwsState built directly in the describe shapes SimulatedEc2.state() returns (bench/aws/estate-state.ts; test/bench checks they are equal).",
    `writes via: sim×N = N single-workload changes played on one SimulatedEc2 per location loaded from that state (${WRITE_CHANGES} at most; ${WRITE_CHANGES_LARGE} above ${formatCount(FULL_WRITES_MAX_INSTANCES)} AWS instances, where every change re-reads quadratic simulator state), each followed by snapshot → materialize → diff → apply.`,
    "writes/chg: median write calls the simulators logged per change; issued/min: those ÷ the minimal computed without diff.ts (bench/aws/minimal-writes.ts), median and max over changes whose minimal is > 0; zero-min: changes that need no write, and how many wrote anyway; mat+diff ms/chg: median materializeAws + diffAws per change.",
  ],
  warnings: (r) => {
    const w = r.writes;
    if (w === null) return [];
    const lines: string[] = [];
    if (!w.initial.converged) lines.push("the initial plan, applied, does not diff to nothing");
    if (w.notConverged > 0) lines.push(`${w.notConverged} changes: the diff after apply was not empty`);
    if (w.beforeMismatches > 0) {
      lines.push(`${w.beforeMismatches} desired objects were not in EC2 as desired before the next change`);
    }
    if (w.applyFailures > 0) lines.push(`${w.applyFailures} applies failed; first: ${w.firstApplyError}`);
    if (w.approximateMinimal > 0) {
      lines.push(`${w.approximateMinimal} minimal counts are upper bounds (a reference cycle of > 16 groups)`);
    }
    if (w.changesOverMinimal > 0) {
      const worst = w.worst[0];
      lines.push(
        `${w.changesOverMinimal} of ${w.measured} changes issued more writes than the minimal (issued ${methodsText(w.issuedByMethod)}; minimal ${methodsText(w.minimalByMethod)})` +
          (worst === undefined
            ? ""
            : `; worst: ${worst.change}: issued ${methodsText(worst.issuedByMethod)}; minimal ${methodsText(worst.minimalByMethod)}`),
      );
    }
    return lines;
  },
  targets: [
    {
      label: "writes per single-workload change / minimal = 1.00",
      limit: 1,
      unit: "ratio",
      where: "every cell with the simulator (worst change; ∞ when a change that needs no write wrote)",
      appliesTo: () => true,
      measure: (r) => (r.writes === null ? null : worstRatio(r.writes)),
    },
  ],
});
