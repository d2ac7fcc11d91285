/**
 * One batch of queue messages through the reconciler, and which of them must come back.
 *
 * A batch with a full-sync message runs one full sync, which covers every other message in it;
 * otherwise its events go to one handleEvents. A message fails only when retrying it can help
 * (lib/reconcile/retryable.ts): its cloud failed retryably (for a full sync: any cloud), its hint
 * (an Azure NIC, a GCP service project) could not be resolved and a retry may, or the reconcile itself threw retryably (the inventory store). A failure
 * that a retry cannot help is a finding of the outcome and its messages are acknowledged: on the
 * one FIFO message group a failed message holds back every later one, of every cloud. Guard trips
 * are not failures either: a plan held back stays held back on every retry until someone
 * overrides it, and the next full sync checks it again.
 */
import type { Cloud } from "../inventory/model.js";
import {
  describeError,
  eventsOf,
  fullSyncReason,
  type MessageTarget,
  type QueuedMessage,
  type ResolveDeps,
  resolveMessages,
} from "./messages.js";
import type { ReconcileResult, Reconciler } from "./reconciler.js";
import { type CloudFailure, isRetryable } from "./retryable.js";

export type BatchReconciler = Pick<Reconciler, "fullSync" | "handleEvents">;

export type BatchRun =
  | { readonly mode: "full-sync"; readonly reason: string; readonly result: ReconcileResult }
  | { readonly mode: "events"; readonly events: number; readonly result: ReconcileResult }
  /** No message named anything to re-read. */
  | { readonly mode: "idle" }
  /** The reconcile threw (e.g. the inventory store failed): nothing is known to be done. */
  | {
      readonly mode: "error";
      readonly error: string;
      readonly cause: unknown;
      readonly retryable: boolean;
    };

/** A failure that retrying cannot help: reported, and its messages acknowledged. */
export interface BatchFinding {
  /** Absent when the reconcile itself failed. */
  readonly cloud?: Cloud;
  /** The message whose hint could not be resolved; absent for a cloud's or the reconcile's failure. */
  readonly messageId?: string;
  readonly error: string;
}

export interface BatchOutcome {
  readonly targets: readonly MessageTarget[];
  readonly run: BatchRun;
  /** The ids of the messages that failed themselves, before the FIFO rule (fifoFailures). */
  readonly failed: ReadonlySet<string>;
  /** The non-retryable failures, whose messages were acknowledged. */
  readonly findings: readonly BatchFinding[];
}

/** The reconciler, and what resolving the messages needs: the places managed, each cloud's hints. */
export interface BatchDeps extends ResolveDeps {
  readonly reconciler: BatchReconciler;
}

export async function reconcileBatch(
  messages: readonly QueuedMessage[],
  deps: BatchDeps,
): Promise<BatchOutcome> {
  const targets = await resolveMessages(messages, deps);
  const run = await runOnce(targets, deps.reconciler);
  const cloudFailures = run.mode === "full-sync" || run.mode === "events" ? run.result.failures : {};
  const failedClouds = new Set<Cloud>();
  const findings: BatchFinding[] = [];
  for (const [cloud, failure] of Object.entries(cloudFailures) as [Cloud, CloudFailure][]) {
    if (failure.retryable) failedClouds.add(cloud);
    else findings.push({ cloud, error: failure.message });
  }
  for (const target of targets) {
    if (target.kind === "unresolved" && !target.retryable)
      findings.push({ cloud: target.cloud, messageId: target.id, error: target.error });
  }
  if (run.mode === "error" && !run.retryable) findings.push({ error: run.error });
  const failed = new Set<string>();
  for (const target of targets) {
    if (messageFailed(target, run, failedClouds)) failed.add(target.id);
  }
  return { targets, run, failed, findings };
}

async function runOnce(targets: readonly MessageTarget[], reconciler: BatchReconciler): Promise<BatchRun> {
  const reason = fullSyncReason(targets);
  const events = eventsOf(targets);
  try {
    if (reason !== undefined) return { mode: "full-sync", reason, result: await reconciler.fullSync() };
    if (events.length > 0) {
      return { mode: "events", events: events.length, result: await reconciler.handleEvents(events) };
    }
    return { mode: "idle" };
  } catch (error) {
    return { mode: "error", error: describeError(error), cause: error, retryable: isRetryable(error) };
  }
}

function messageFailed(target: MessageTarget, run: BatchRun, failedClouds: ReadonlySet<Cloud>): boolean {
  switch (target.kind) {
    case "ignored":
      return false;
    case "unresolved":
      return target.retryable;
    case "full-sync":
      return (run.mode === "error" && run.retryable) || failedClouds.size > 0;
    case "event":
      return (run.mode === "error" && run.retryable) || failedClouds.has(target.event.cloud);
  }
}

/**
 * Lambda's rule for FIFO queues: once a message fails, every later message of the batch is
 * reported failed too, so that SQS hands them back in order. Reprocessing the later ones is
 * harmless: events are hints and the reconcile is idempotent.
 */
export function fifoFailures(order: readonly string[], failed: ReadonlySet<string>): string[] {
  const first = order.findIndex((id) => failed.has(id));
  return first === -1 ? [] : order.slice(first);
}
