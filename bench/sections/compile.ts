import { compile } from "../../lib/compile/compile.js";
import type { Intent, WorkloadTreatment } from "../../lib/compile/model.js";
import { formatCount, formatMs } from "../format.js";
import { forceGc, heapAfterGcMiB, median, round3, timeMs } from "../measure.js";
import { type CellInput, defineSection } from "./section.js";

export interface CompileResult {
  readonly runs: number;
  readonly warmupMs: number;
  readonly samplesMs: readonly number[];
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Distinct identities of running, labelled workloads. */
  readonly identities: number;
  readonly destinations: number;
  readonly enforcedDestinations: number;
  readonly peerSets: number;
  readonly grants: number;
  /** Grants by address of a source that deny rules split (0 without deny rules). */
  readonly splitGrants: number;
  readonly findings: number;
  readonly treatments: Readonly<Record<WorkloadTreatment, number>>;
  /** Heap in use after a full GC with the Intent alive, or null without --expose-gc. */
  readonly heapAfterGcMiB: number | null;
}

/** Runs further apart than this (max/min) mean something else was using the CPU. */
const NOISY_SPREAD = 1.5;

/** Fewer runs where one run takes seconds; more where noise matters more. */
function runsFor(workloads: number): number {
  return workloads <= 10_000 ? 5 : 3;
}

/** Times compile on a cell's estate and policy; also the deny section's measure (compile-deny.ts). */
export function runCompile({ spec, policy, inventory }: CellInput): CompileResult {
  // One untimed-for-the-median run first: JIT warm-up and inline caches.
  const warmup = timeMs(() => compile(policy, inventory));
  const samples: number[] = [];
  let intent: Intent = warmup.result;
  for (let run = 0; run < runsFor(spec.workloads); run++) {
    // Collect the previous run's garbage now, so that it is not charged to this run.
    forceGc();
    const timed = timeMs(() => compile(policy, inventory));
    intent = timed.result;
    samples.push(timed.ms);
  }
  // Measured before the counts read `intent`, so that the Intent is still alive and counted.
  const heap = heapAfterGcMiB();
  return {
    runs: samples.length,
    warmupMs: round3(warmup.ms),
    samplesMs: samples.map(round3),
    medianMs: round3(median(samples)),
    minMs: round3(Math.min(...samples)),
    maxMs: round3(Math.max(...samples)),
    ...intentCounts(intent),
    heapAfterGcMiB: heap === null ? null : round3(heap),
  };
}

function intentCounts(intent: Intent) {
  const treatments: Record<WorkloadTreatment, number> = {
    enforced: 0,
    visibility: 0,
    unscoped: 0,
    unmanaged: 0,
    inactive: 0,
  };
  const identities = new Set<string>();
  for (const report of intent.workloads) {
    treatments[report.treatment]++;
    if (report.treatment !== "unmanaged" && report.treatment !== "inactive" && report.identity !== "") {
      identities.add(report.identity);
    }
  }
  return {
    identities: identities.size,
    destinations: intent.destinations.length,
    enforcedDestinations: intent.destinations.filter((d) => d.enforcement === "enforced").length,
    peerSets: intent.peerSets.length,
    grants: intent.destinations.reduce((sum, d) => sum + d.grants.length, 0),
    splitGrants: intent.destinations.reduce(
      (sum, d) => sum + d.grants.filter((g) => g.source.kind === "addresses").length,
      0,
    ),
    findings: intent.findings.length,
    treatments,
  };
}

/** Runs further apart than NOISY_SPREAD make the median unreliable: say so. */
export function noisyRuns(r: CompileResult): string[] {
  return r.maxMs > NOISY_SPREAD * r.minMs
    ? [
        `compile runs vary ×${(r.maxMs / r.minMs).toFixed(1)} (min ${formatMs(r.minMs)} ms, max ${formatMs(r.maxMs)} ms): the machine was busy, the median is unreliable`,
      ]
    : [];
}

export const compileSection = defineSection<CompileResult>({
  name: "compile",
  description:
    "full compile(policy, inventory) → Intent: median of 5 runs (3 above 10k workloads) after a warm-up",
  run: runCompile,
  columns: [
    { header: "identities", cell: (r) => formatCount(r.identities) },
    { header: "destinations", cell: (r) => formatCount(r.destinations) },
    { header: "peer sets", cell: (r) => formatCount(r.peerSets) },
    { header: "compile ms", cell: (r) => formatMs(r.medianMs) },
  ],
  warnings: noisyRuns,
  targets: [
    {
      label: "full compile median ≤ 2000 ms",
      limit: 2000,
      unit: "ms",
      where: "100,000 workloads × 1,000 rules",
      appliesTo: (spec) => spec.workloads === 100_000 && spec.rules === 1_000,
      measure: (r) => r.medianMs,
    },
  ],
});
