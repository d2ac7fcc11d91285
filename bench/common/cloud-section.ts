/**
 * What the aws, azure and gcp sections share: materialize and diff timed on the estate's
 * workloads of one cloud (as that cloud would describe them), then the writes of single-workload
 * changes through the cloud's simulators against the minimal (writes.ts); and the columns,
 * notes, warnings and target that report them.
 */
import { IncrementalCompiler } from "../../lib/compile/incremental.js";
import type { Inventory } from "../../lib/inventory/model.js";
import { compareText } from "../../lib/util/compare-text.js";
import { formatCount, formatMs, formatRatio } from "../format.js";
import { round3, timeMs } from "../measure.js";
import {
  type AnySection,
  type CellInput,
  type Column,
  defineSection,
  type Target,
} from "../sections/section.js";
import { countBy } from "./collections.js";
import { noiseWarnings, runsFor, type TimedFigure, timeMaterializeDiff } from "./timing.js";
import { type CloudPipeline, measureWrites, type WritesResult } from "./writes.js";

/** Changes measured through the simulators: at most this many, and at most --changes. */
export const WRITE_CHANGES = 200;
/**
 * Above a cloud's `fullWritesMaxInstances`, this many: each change re-reads the simulator state
 * of the locations it touched (a sorted copy of everything they hold), and materializes and
 * diffs the whole estate twice (once for the plan, once to check that it converged).
 */
export const WRITE_CHANGES_LARGE = 20;

/** What a cloud section counts of materialize's first result, besides its own counts. */
export interface PlanCounts {
  readonly planOperations: number;
  readonly planByKind: Readonly<Partial<Record<string, number>>>;
  /** By finding code. */
  readonly findings: Readonly<Partial<Record<string, number>>>;
}

export interface CloudResult<Counts> {
  readonly instances: number;
  readonly locations: number;
  /** The timed state, built directly in the shapes the simulators' state() returns. */
  readonly stateBuildMs: number;
  readonly runs: number;
  readonly materialize: TimedFigure;
  readonly diff: TimedFigure;
  readonly counts: Counts & PlanCounts;
  readonly writes: WritesResult;
}

/** How one cloud plugs into the shared section. */
export interface CloudSectionSpec<
  State extends readonly unknown[],
  Desired,
  Operation extends { readonly kind: string },
  Counts,
> {
  readonly name: "aws" | "azure" | "gcp";
  readonly description: string;
  /** The cell's pipeline (options may come from the cell's policy and inventory). */
  pipeline(input: CellInput): CloudPipeline<State, Desired, Operation>;
  /** The estate's workloads of this cloud as the cloud would describe them, one entry per location. */
  stateOf(inventory: Inventory): State;
  /** Instances (VMs) in that state. */
  instances(state: State): number;
  /** What materialize wants, counted; and its findings. */
  counts(desired: Desired): Counts;
  findings(desired: Desired): readonly { readonly code: string }[];
  /** Above this many instances, WRITE_CHANGES_LARGE changes. */
  readonly fullWritesMaxInstances: number;
  /** The instances column's header (`instances`, `VMs`). */
  readonly instancesHeader: string;
  /** The columns of `Counts`, between the instances and plan ops. */
  readonly countColumns: readonly Column<Counts>[];
  /** The first note: what the instances and count columns are. */
  readonly countsNote: string;
  readonly names: CloudNames;
}

/** The section of one cloud: its own table, notes, warnings and the writes target. */
export function defineCloudSection<
  State extends readonly unknown[],
  Desired,
  Operation extends { readonly kind: string },
  Counts,
>(spec: CloudSectionSpec<State, Desired, Operation, Counts>): AnySection {
  type R = CloudResult<Counts>;
  return defineSection<R>({
    name: spec.name,
    description: spec.description,
    run: (input) => runCloudBench(spec, input),
    ownTable: true,
    columns: [
      { header: spec.instancesHeader, cell: (r) => formatCount(r.instances) },
      ...spec.countColumns.map((column) => ({
        header: column.header,
        cell: (r: R) => column.cell(r.counts),
      })),
      { header: "plan ops", cell: (r) => formatCount(r.counts.planOperations) },
      { header: "findings", cell: (r) => findingsCell(r.counts.findings) },
      ...timingAndWritesColumns<R>(),
    ],
    notes: [spec.countsNote, ...timingAndWritesNotes(spec.names, spec.fullWritesMaxInstances)],
    warnings: cloudWarnings<R>(spec.names.api),
    targets: [writesTarget<R>(spec.name)],
  });
}

async function runCloudBench<
  State extends readonly unknown[],
  Desired,
  Operation extends { readonly kind: string },
  Counts,
>(spec: CloudSectionSpec<State, Desired, Operation, Counts>, input: CellInput): Promise<CloudResult<Counts>> {
  const { spec: cell, policy, inventory } = input;
  const pipeline = spec.pipeline(input);
  const built = timeMs(() => spec.stateOf(inventory));
  const state = built.result;
  const compiler = IncrementalCompiler.build(policy, inventory);
  const intent = compiler.snapshot();
  const timing = timeMaterializeDiff(
    runsFor(cell.workloads),
    () => pipeline.materialize(intent, state),
    (desired) => pipeline.diff(desired, state),
  );
  const instances = spec.instances(state);
  const changes = Math.min(
    cell.changes,
    instances <= spec.fullWritesMaxInstances ? WRITE_CHANGES : WRITE_CHANGES_LARGE,
  );
  const writes = await measureWrites({
    inventory,
    compiler,
    intent,
    state,
    desired: timing.desired,
    plan: timing.plan,
    pipeline,
    changes,
    seed: cell.seed + 2,
  });
  return {
    instances,
    locations: state.length,
    stateBuildMs: round3(built.ms),
    runs: timing.runs,
    materialize: timing.materialize,
    diff: timing.diff,
    counts: {
      ...spec.counts(timing.desired),
      planOperations: timing.plan.length,
      planByKind: countBy(timing.plan.map((operation) => operation.kind)),
      findings: countBy(spec.findings(timing.desired).map((finding) => finding.code)),
    },
    writes,
  };
}

/** Findings by code, the cloud's prefix (`aws-`, …) dropped; "0" for none. */
function findingsCell(findings: Readonly<Partial<Record<string, number>>>): string {
  const entries = Object.entries(findings).sort(([a], [b]) => compareText(a, b));
  return entries.length === 0
    ? "0"
    : entries.map(([code, count]) => `${code.replace(/^(aws|azure|gcp)-/, "")}:${count}`).join(" ");
}

function methodsText(byMethod: Readonly<Record<string, number>>): string {
  const entries = Object.entries(byMethod).sort(([a], [b]) => compareText(a, b));
  return entries.length === 0 ? "none" : entries.map(([method, count]) => `${method} ${count}`).join(", ");
}

function optionalRatio(value: number | null): string {
  return value === null ? "-" : formatRatio(value);
}

/** The target's figure: the worst change's ratio, ∞ when a change that needed no write wrote. */
function worstRatio(writes: WritesResult): number {
  if (writes.zeroMinimalWithWrites > 0) return Number.POSITIVE_INFINITY;
  return writes.ratioMax ?? 1;
}

type AnyCloudResult = CloudResult<unknown>;

/** materialize ms, diff ms, then the writes columns. */
function timingAndWritesColumns<R extends AnyCloudResult>(): Column<R>[] {
  return [
    { header: "materialize ms", cell: (r) => formatMs(r.materialize.medianMs) },
    { header: "diff ms", cell: (r) => formatMs(r.diff.medianMs) },
    { header: "writes via", cell: (r) => `sim×${r.writes.measured}` },
    { header: "writes/chg", cell: (r) => `${r.writes.writesMedian} (${r.writes.writesMean.toFixed(2)})` },
    { header: "issued/min", cell: (r) => optionalRatio(r.writes.ratioMedian) },
    { header: "max", cell: (r) => optionalRatio(r.writes.ratioMax) },
    {
      header: "zero-min",
      cell: (r) =>
        `${r.writes.zeroMinimal} (${r.writes.zeroMinimalUnlabelled}u, ${r.writes.zeroMinimalWithWrites}w)`,
    },
    { header: "mat+diff ms/chg", cell: (r) => formatMs(r.writes.materializeDiffMedianMs) },
  ];
}

export interface CloudNames {
  /** What the simulators stand for: `EC2`, `ARM`, `Compute`. */
  readonly api: string;
  /** `materializeAws`, … */
  readonly materialize: string;
  readonly diff: string;
  /** `SimulatedEc2.state()`, … */
  readonly simulatorState: string;
  /** Why the timed state is built directly rather than through the simulator. */
  readonly stateBuiltDirectly: string;
  /** `SimulatedEc2 per location`, … */
  readonly simulators: string;
  /** `AWS instances`, … */
  readonly instances: string;
  /** `bench/aws/estate-state.ts`, … */
  readonly estateState: string;
  readonly minimalWrites: string;
}

/** The notes under the table after the cloud's own first line (what its count columns are). */
function timingAndWritesNotes(names: CloudNames, fullWritesMaxInstances: number): string[] {
  return [
    `materialize ms, diff ms: median of 5 runs (3 above 10k workloads) after a warm-up, on a state built directly in the shapes ${names.simulatorState} returns (${names.estateState}; test/bench checks they are equal): ${names.stateBuiltDirectly}.`,
    `writes via sim×N: N single-workload changes (at most ${WRITE_CHANGES}; ${WRITE_CHANGES_LARGE} above ${formatCount(fullWritesMaxInstances)} ${names.instances}, where every change re-reads large simulator state) played on one ${names.simulators} loaded from that state, after the first plan is applied; each: snapshot, materialize, diff, apply.`,
    `writes/chg: median (mean) write calls the simulators logged per change. issued/min, max: those ÷ the minimal computed without the diff (${names.minimalWrites}), median and worst over changes whose minimal is > 0. zero-min: changes needing no write (u: to unlabelled workloads; w: that wrote anyway). mat+diff ms/chg: median ${names.materialize} + ${names.diff} per change.`,
  ];
}

function cloudWarnings<R extends AnyCloudResult>(api: string): (result: R) => string[] {
  return (r) => {
    const w = r.writes;
    const lines = noiseWarnings([
      ["materialize", r.materialize],
      ["diff", r.diff],
    ]);
    if (!w.initial.converged) lines.push("the initial plan, applied, does not diff to nothing");
    if (w.notConverged > 0) lines.push(`${w.notConverged} changes: the diff after apply was not empty`);
    if (w.beforeMismatches > 0) {
      lines.push(
        `${w.beforeMismatches} desired objects were not in ${api} as desired when the next change came`,
      );
    }
    if (w.applyFailures > 0) lines.push(`${w.applyFailures} applies failed; first: ${w.firstApplyError}`);
    if (w.approximateMinimal > 0) lines.push(`${w.approximateMinimal} minimal counts are upper bounds`);
    if (w.changesUnderMinimal > 0) {
      lines.push(
        `${w.changesUnderMinimal} changes issued fewer writes than the minimal: the minimal is wrong`,
      );
    }
    if (w.zeroMinimalWithWrites > 0) {
      lines.push(`${w.zeroMinimalWithWrites} changes that need no write issued writes`);
    }
    if (w.changesOverMinimal > 0) {
      const worst = w.worst[0];
      lines.push(
        `${w.changesOverMinimal} of ${w.measured} changes issued more writes than the minimal; over all changes issued ${methodsText(w.issuedByMethod)}; minimal ${methodsText(w.minimalByMethod)}` +
          (worst === undefined
            ? ""
            : `; worst: ${worst.change}: issued ${methodsText(worst.issuedByMethod)}; minimal ${methodsText(worst.minimalByMethod)}`),
      );
    }
    return lines;
  };
}

/** Every cloud section's target; `cloud` tells their lines apart. */
function writesTarget<R extends AnyCloudResult>(cloud: string): Target<R> {
  return {
    label: "writes per single-workload change / minimal = 1.00",
    limit: 1,
    unit: "ratio",
    where: `every ${cloud} cell (the worst change; ∞ when a change that needs no write wrote)`,
    appliesTo: () => true,
    measure: (r) => worstRatio(r.writes),
  };
}
