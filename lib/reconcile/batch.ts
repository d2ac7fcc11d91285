/**
 * One batch of queue messages through the reconciler, and which of them must come back.
 *
 * A batch with a full-sync message runs one full sync, which covers every other message in it;
 * otherwise its events go to one handleEvents. A message fails when retrying it can help: its
 * cloud failed (for a full sync: any cloud), its NIC could not be looked up, or the reconcile
 * itself threw. Guard trips are not failures: a plan held back stays held back on every retry
 * until someone overrides it, and the next full sync checks it again.
 */
import type { AzureConnection } from "../clouds/azure/provider.js";
import type { Cloud } from "../inventory/model.js";
import {
  describeError,
  eventsOf,
  fullSyncReason,
  type MessageTarget,
  type QueuedMessage,
  resolveMessages,
} from "./messages.js";
import type { ReconcileResult, Reconciler } from "./reconciler.js";

export type BatchReconciler = Pick<Reconciler, "fullSync" | "handleEvents">;

export type BatchRun =
  | { readonly mode: "full-sync"; readonly reason: string; readonly result: ReconcileResult }
  | { readonly mode: "events"; readonly events: number; readonly result: ReconcileResult }
  /** No message named anything to re-read. */
  | { readonly mode: "idle" }
  /** The reconcile threw (e.g. the inventory store failed): nothing is known to be done. */
  | { readonly mode: "error"; readonly error: string; readonly cause: unknown };

export interface BatchOutcome {
  readonly targets: readonly MessageTarget[];
  readonly run: BatchRun;
  /** The ids of the messages that failed themselves, before the FIFO rule (fifoFailures). */
  readonly failed: ReadonlySet<string>;
}

export interface BatchDeps {
  readonly reconciler: BatchReconciler;
  /** For the azure-nic messages. */
  readonly azure: AzureConnection;
}

export async function reconcileBatch(
  messages: readonly QueuedMessage[],
  deps: BatchDeps,
): Promise<BatchOutcome> {
  const targets = await resolveMessages(messages, deps.azure);
  const run = await runOnce(targets, deps.reconciler);
  const failedClouds = new Set<Cloud>(
    run.mode === "full-sync" || run.mode === "events" ? (Object.keys(run.result.failures) as Cloud[]) : [],
  );
  const failed = new Set<string>();
  for (const target of targets) {
    if (messageFailed(target, run, failedClouds)) failed.add(target.id);
  }
  return { targets, run, failed };
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
    return { mode: "error", error: describeError(error), cause: error };
  }
}

function messageFailed(target: MessageTarget, run: BatchRun, failedClouds: ReadonlySet<Cloud>): boolean {
  switch (target.kind) {
    case "ignored":
      return false;
    case "unresolved":
      return true;
    case "full-sync":
      return run.mode === "error" || failedClouds.size > 0;
    case "event":
      return run.mode === "error" || failedClouds.has(target.event.cloud);
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
