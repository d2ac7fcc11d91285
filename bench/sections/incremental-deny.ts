import { formatMs } from "../format.js";
import { withBoundaries } from "./compile-deny.js";
import { type IncrementalResult, runIncremental, wrongSnapshot } from "./incremental.js";
import { defineSection } from "./section.js";

/**
 * The incremental section with compile-deny's deny rules: a destination that a deny rule reaches
 * is recomputed when any workload its `from` matches comes, goes or moves (its addresses are cut
 * out of every source), so broad deny rules make changes cost more.
 */
export const incrementalDenySection = defineSection<IncrementalResult>({
  name: "incremental-deny",
  description:
    "IncrementalCompiler with compile-deny's two deny rules per ruleset: single-workload apply([change]) latency",
  run: (input) => runIncremental({ ...input, policy: withBoundaries(input.policy) }),
  columns: [
    { header: "deny incr median ms", cell: (r) => formatMs(r.medianMs) },
    { header: "deny incr p99 ms", cell: (r) => formatMs(r.p99Ms) },
    { header: "destinations touched (mean)", cell: (r) => r.touched.destinationsMean.toFixed(1) },
  ],
  warnings: wrongSnapshot,
  targets: [],
});
