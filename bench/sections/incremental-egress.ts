import { formatMs } from "../format.js";
import { withBoundaries } from "./compile-deny.js";
import { type IncrementalResult, runIncremental, wrongSnapshot } from "./incremental.js";
import { defineSection } from "./section.js";

/**
 * The incremental-deny section with egress enforced in every ruleset (docs/policy.md, "Deny rules
 * and egress (v2)"): each change also recomputes the egress of the sources whose targets it moved.
 */
export const incrementalEgressSection = defineSection<IncrementalResult>({
  name: "incremental-egress",
  description:
    "IncrementalCompiler with compile-deny's deny rules and egress enforced in every ruleset: single-workload apply([change]) latency",
  run: (input) => {
    const boundaries = withBoundaries(input.policy);
    const rulesets = boundaries.rulesets.map((ruleset) => ({ ...ruleset, egress: "enforced" as const }));
    return runIncremental({ ...input, policy: { ...boundaries, rulesets } });
  },
  columns: [
    { header: "egress incr median ms", cell: (r) => formatMs(r.medianMs) },
    { header: "egress incr p99 ms", cell: (r) => formatMs(r.p99Ms) },
  ],
  warnings: wrongSnapshot,
  targets: [],
});
