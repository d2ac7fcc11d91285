/**
 * The `aws` section: materializeAws and diffAws timed on the estate's AWS workloads, what they
 * produce counted, then the EC2 writes of single-workload changes through the simulators compared
 * with the minimal (bench/aws/write-counts.ts). Default quotas, exclusive attachment.
 */
import { DEFAULT_AWS_QUOTAS } from "../../lib/clouds/aws/config.js";
import type { AwsDesired, AwsFindingCode } from "../../lib/clouds/aws/desired.js";
import { diffAws } from "../../lib/clouds/aws/diff.js";
import { type AwsMaterializeOptions, materializeAws } from "../../lib/clouds/aws/materialize.js";
import type { AwsOperation } from "../../lib/clouds/aws/operations.js";
import { IncrementalCompiler } from "../../lib/compile/incremental.js";
import { compareText } from "../../lib/util/compare-text.js";
import { awsStateOf } from "../aws/estate-state.js";
import { type AwsWritesResult, measureWrites } from "../aws/write-counts.js";
import { formatCount, formatMs, formatRatio } from "../format.js";
import { forceGc, median, round3, timeMs } from "../measure.js";
import { type CellInput, defineSection } from "./section.js";

const OPTIONS: AwsMaterializeOptions & { readonly attachment: "exclusive" } = {
  quotas: DEFAULT_AWS_QUOTAS,
  attachment: "exclusive",
};

/** Changes measured through the simulators: at most this many, and at most --changes. */
const WRITE_CHANGES = 200;
/**
 * Above this many AWS instances, fewer: each change re-reads the state() of the locations it
 * touched (quadratic per location in SimulatedEc2: ~1 s at 3,000 instances), and materializes
 * and diffs the whole estate twice (once for the plan, once to check that it converged).
 */
const FULL_WRITES_MAX_INSTANCES = 10_000;
const WRITE_CHANGES_LARGE = 20;

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

export interface AwsResult {
  readonly instances: number;
  readonly locations: number;
  /** The timed state: AwsState built directly in describe shapes (bench/aws/estate-state.ts). */
  readonly stateBuildMs: number;
  readonly runs: number;
  readonly materialize: TimedFigure;
  readonly diff: TimedFigure;
  readonly counts: AwsCounts;
  readonly writes: AwsWritesResult;
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
  // A warm-up run, then timed ones, each after a GC so that one run's garbage is not the next's cost.
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
  const writes = await measureWrites({
    inventory,
    compiler,
    intent,
    state,
    desired,
    plan,
    options: OPTIONS,
    changes: writeChanges,
    seed: spec.seed + 2,
  });
  return {
    instances,
    locations: state.length,
    stateBuildMs: round3(built.ms),
    runs: materializeSamples.length,
    materialize: timed(materializeSamples),
    diff: timed(diffSamples),
    counts: counts(desired, plan),
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

function findingsCell(findings: AwsCounts["findings"]): string {
  const entries = Object.entries(findings).sort(([a], [b]) => compareText(a, b));
  return entries.length === 0
    ? "0"
    : entries.map(([code, count]) => `${code.replace(/^aws-/, "")}:${count}`).join(" ");
}

function methodsText(byMethod: Readonly<Record<string, number>>): string {
  const entries = Object.entries(byMethod).sort(([a], [b]) => compareText(a, b));
  return entries.length === 0 ? "none" : entries.map(([method, count]) => `${method} ${count}`).join(", ");
}

function optionalRatio(value: number | null): string {
  return value === null ? "-" : formatRatio(value);
}

/** The target's figure: the worst change's ratio, ∞ when a change that needed no write wrote. */
function worstRatio(writes: AwsWritesResult): number {
  if (writes.zeroMinimalWithWrites > 0) return Number.POSITIVE_INFINITY;
  return writes.ratioMax ?? 1;
}

/** Runs further apart than this (max/min) mean something else was using the CPU. */
const NOISY_SPREAD = 1.5;

function warnings(r: AwsResult): string[] {
  const w = r.writes;
  const lines: string[] = [];
  for (const [name, figure] of [
    ["materialize", r.materialize],
    ["diff", r.diff],
  ] as const) {
    if (figure.maxMs > NOISY_SPREAD * figure.minMs) {
      lines.push(
        `${name} runs vary ×${(figure.maxMs / figure.minMs).toFixed(1)} (min ${formatMs(figure.minMs)} ms, max ${formatMs(figure.maxMs)} ms): the machine was busy, the median is unreliable`,
      );
    }
  }
  if (!w.initial.converged) lines.push("the initial plan, applied, does not diff to nothing");
  if (w.notConverged > 0) lines.push(`${w.notConverged} changes: the diff after apply was not empty`);
  if (w.beforeMismatches > 0) {
    lines.push(`${w.beforeMismatches} desired objects were not in EC2 as desired when the next change came`);
  }
  if (w.applyFailures > 0) lines.push(`${w.applyFailures} applies failed; first: ${w.firstApplyError}`);
  if (w.approximateMinimal > 0) {
    lines.push(`${w.approximateMinimal} minimal counts are upper bounds (a reference cycle of > 16 groups)`);
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
}

export const awsSection = defineSection<AwsResult>({
  name: "aws",
  description:
    "materializeAws and diffAws on the estate's AWS workloads (default quotas, exclusive attachment); EC2 writes of single-workload changes through SimulatedEc2 against the minimal",
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
  ],
  notes: [
    "instances: AWS instances. SGs, SG rules, PLs, ENIs: what materializeAws wants (owned groups, their rules, owned prefix lists, ENIs whose groups it sets); plan ops: the first diffAws plan; findings by code.",
    "materialize ms, diff ms: median of 5 runs (3 above 10k workloads) after a warm-up, on an AwsState built directly in the describe shapes SimulatedEc2.state() returns (bench/aws/estate-state.ts; test/bench checks they are equal): building it through the simulator's controls is quadratic per location.",
    `writes via sim×N: N single-workload changes (at most ${WRITE_CHANGES}; ${WRITE_CHANGES_LARGE} above ${formatCount(FULL_WRITES_MAX_INSTANCES)} AWS instances, where every change re-reads quadratic simulator state) played on one SimulatedEc2 per location loaded from that state, after the first plan is applied; each: snapshot, materialize, diff, apply.`,
    "writes/chg: median (mean) write calls the simulators logged per change. issued/min, max: those ÷ the minimal computed without diff.ts (bench/aws/minimal-writes.ts), median and worst over changes whose minimal is > 0. zero-min: changes needing no write (u: to unlabelled workloads; w: that wrote anyway). mat+diff ms/chg: median materializeAws + diffAws per change.",
  ],
  warnings,
  targets: [
    {
      label: "writes per single-workload change / minimal = 1.00",
      limit: 1,
      unit: "ratio",
      where: "every cell (the worst change; ∞ when a change that needs no write wrote)",
      appliesTo: () => true,
      measure: (r) => worstRatio(r.writes),
    },
  ],
});
