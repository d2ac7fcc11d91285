/**
 * The reconciler function's metrics for one batch (CloudWatch EMF, namespace "segsync"), as data:
 * the handler only emits them. Per-cloud metrics carry a `cloud` dimension.
 */
import { CLOUDS, type Cloud } from "../inventory/model.js";
import type { BatchOutcome } from "./batch.js";

export interface MetricPoint {
  readonly name: string;
  readonly unit: "Count" | "Milliseconds";
  readonly value: number;
  readonly cloud?: Cloud;
}

export interface BatchCounts {
  /** Records in the SQS batch. */
  readonly received: number;
  /** Records whose body is not a queue message (dropped). */
  readonly malformed: number;
  /** Records reported back to SQS, the FIFO rule applied. */
  readonly reportedFailed: number;
  /** Resolving and reconciling, in milliseconds. */
  readonly latencyMs: number;
}

export function batchMetrics(outcome: BatchOutcome, counts: BatchCounts): MetricPoint[] {
  const count = (name: string, value: number, cloud?: Cloud): MetricPoint => ({
    name,
    unit: "Count",
    value,
    ...(cloud === undefined ? {} : { cloud }),
  });
  const points: MetricPoint[] = [
    count("MessagesReceived", counts.received),
    count("MessagesMalformed", counts.malformed),
    count("MessagesIgnored", outcome.targets.filter((target) => target.kind === "ignored").length),
    count("MessagesFailed", counts.reportedFailed),
    // Acknowledged although they failed: retrying could not help (lib/reconcile/retryable.ts).
    count("NonRetryableFailures", outcome.findings.length),
  ];
  const { run } = outcome;
  if (run.mode === "idle") return points;
  points.push({ name: "ReconcileLatency", unit: "Milliseconds", value: counts.latencyMs });
  if (run.mode === "error") return [...points, count("ReconcileErrors", 1)];
  const { result } = run;
  points.push(count("ReconcileErrors", 0), count("FullSyncs", run.mode === "full-sync" ? 1 : 0));
  points.push(count("GuardTrips", result.guard.allowed ? 0 : 1));
  points.push(count("PeerSetsCoalesced", result.coalesced?.length ?? 0));
  // Every cloud this reconcile planned for or failed in gets its three numbers, zeros included,
  // so that alarms see data rather than gaps.
  for (const cloud of CLOUDS) {
    const failed = result.failures[cloud] !== undefined;
    const part = result.plan[cloud];
    if (part === undefined && !failed) continue;
    points.push(
      count("OperationsApplied", result.applied[cloud] ?? 0, cloud),
      count("Findings", part?.findings.length ?? 0, cloud),
      count("CloudFailures", failed ? 1 : 0, cloud),
    );
  }
  return points;
}
