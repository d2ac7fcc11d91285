import { isDeepStrictEqual } from "node:util";
import { compile } from "../../lib/compile/compile.js";
import { IncrementalCompiler } from "../../lib/compile/incremental.js";
import { applyChanges, randomChanges } from "../estate-generator.js";
import { formatMs } from "../format.js";
import { heapAfterGcMiB, mean, median, percentile, round3, timeMs } from "../measure.js";
import { type CellInput, defineSection } from "./section.js";

/** Changes applied before timing starts: JIT warm-up of the update paths. */
const WARMUP_CHANGES = 50;

export interface IncrementalResult {
  readonly buildMs: number;
  readonly warmupChanges: number;
  /** Timed changes, each one `apply([change])`. */
  readonly changes: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  readonly maxMs: number;
  readonly upsertMedianMs: number | null;
  readonly deleteMedianMs: number | null;
  /** Destinations and peer sets that one change rewrote (upserted or removed). */
  readonly touched: {
    readonly destinationsMean: number;
    readonly destinationsMax: number;
    readonly peerSetsMean: number;
    readonly peerSetsMax: number;
  };
  /** Heap in use after a full GC with the compiler alive, or null without --expose-gc. */
  readonly heapAfterGcMiB: number | null;
  /** After all the changes, snapshot() equals a full compile of the changed inventory. */
  readonly snapshotMatchesFullCompile: boolean;
}

/** Times single-workload changes on a cell's estate and policy; also the deny section's measure. */
export function runIncremental({ spec, policy, inventory }: CellInput): IncrementalResult {
  const changes = randomChanges(inventory, WARMUP_CHANGES + spec.changes, spec.seed + 1);
  const built = timeMs(() => IncrementalCompiler.build(policy, inventory));
  const compiler = built.result;
  for (const change of changes.slice(0, WARMUP_CHANGES)) compiler.apply([change]);

  const samples: number[] = [];
  const upserts: number[] = [];
  const deletes: number[] = [];
  const destinations: number[] = [];
  const peerSets: number[] = [];
  for (const change of changes.slice(WARMUP_CHANGES)) {
    const start = performance.now();
    const delta = compiler.apply([change]);
    const ms = performance.now() - start;
    samples.push(ms);
    (change.kind === "delete" ? deletes : upserts).push(ms);
    destinations.push(delta.destinations.upserted.length + delta.destinations.removed.length);
    peerSets.push(delta.peerSets.upserted.length + delta.peerSets.removed.length);
  }

  const heap = heapAfterGcMiB();
  // A fast update is worth nothing if it is wrong: compare with a full compile of the result.
  const expected = compile(policy, applyChanges(inventory, changes));
  const matches = isDeepStrictEqual(compiler.snapshot(), expected);
  return {
    buildMs: round3(built.ms),
    warmupChanges: WARMUP_CHANGES,
    changes: samples.length,
    medianMs: round3(median(samples)),
    p99Ms: round3(percentile(samples, 0.99)),
    meanMs: round3(mean(samples)),
    maxMs: round3(Math.max(...samples)),
    upsertMedianMs: upserts.length > 0 ? round3(median(upserts)) : null,
    deleteMedianMs: deletes.length > 0 ? round3(median(deletes)) : null,
    touched: {
      destinationsMean: round3(mean(destinations)),
      destinationsMax: Math.max(...destinations),
      peerSetsMean: round3(mean(peerSets)),
      peerSetsMax: Math.max(...peerSets),
    },
    heapAfterGcMiB: heap === null ? null : round3(heap),
    snapshotMatchesFullCompile: matches,
  };
}

export function wrongSnapshot(r: IncrementalResult): string[] {
  return r.snapshotMatchesFullCompile
    ? []
    : ["incremental snapshot() differs from a full compile of the same changed inventory"];
}

export const incrementalSection = defineSection<IncrementalResult>({
  name: "incremental",
  description:
    "IncrementalCompiler: single-workload apply([change]) latency over random changes, after a warm-up",
  run: runIncremental,
  columns: [
    { header: "incr median ms", cell: (r) => formatMs(r.medianMs) },
    { header: "incr p99 ms", cell: (r) => formatMs(r.p99Ms) },
  ],
  warnings: wrongSnapshot,
  targets: [
    {
      label: "incremental median ≤ 5 ms",
      limit: 5,
      unit: "ms",
      where: "100,000 workloads",
      appliesTo: (spec) => spec.workloads === 100_000,
      measure: (r) => r.medianMs,
    },
  ],
});
