/**
 * The reconciler function: the single writer (one FIFO message group, reserved concurrency 1).
 * An SQS batch → each body parsed → one reconcile (lib/reconcile/batch.ts) → the messages to
 * retry as batchItemFailures (ReportBatchItemFailures), with structured logs and EMF metrics.
 *
 * A body that is not a queue message is logged (never its content) and dropped with a metric,
 * not reported failed: no retry can fix it, and on a FIFO queue a failed message holds back the
 * whole message group, with every message after it, until the redrive policy moves it to the DLQ.
 * For the same reason a failure that retrying cannot help is logged, counted
 * (NonRetryableFailures) and acknowledged, and a message about a place the configuration does not
 * list is ignored (lib/reconcile/batch.ts).
 */
import { isAbsolute, join } from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { z } from "zod";
import { ConfiguredPlaces } from "../lib/ingest/places.js";
import { sqsEventsWaiting } from "../lib/ingest/queue-depth.js";
import { QueueMessageSchema } from "../lib/ingest/queue-message.js";
import { DynamoDbInventoryStore } from "../lib/inventory/dynamodb-store.js";
import { describeIssues } from "../lib/inventory/issues.js";
import type { Cloud } from "../lib/inventory/model.js";
import type { SnapshotEvent } from "../lib/inventory/snapshot-keeper.js";
import type { InventoryStore } from "../lib/inventory/store.js";
import { connectLive } from "../lib/live/connect.js";
import { parseEnvironment, ReconcilerEnvironmentSchema } from "../lib/pipeline/environment.js";
import { SnapshotSchedule, snapshotReport } from "../lib/pipeline/inventory-snapshots.js";
import { policyOrThrow } from "../lib/policy/errors.js";
import { loadPolicyFile } from "../lib/policy/load.js";
import type { Attachment, Policy } from "../lib/policy/model.js";
import { LogAuditSink, type StructuredLog } from "../lib/reconcile/audit-log.js";
import {
  type BatchOutcome,
  type BatchReconciler,
  fifoFailures,
  reconcileBatch,
} from "../lib/reconcile/batch.js";
import { batchMetrics, type MetricPoint } from "../lib/reconcile/batch-metrics.js";
import type { CloudDriver } from "../lib/reconcile/driver.js";
import type { GuardLimits } from "../lib/reconcile/guard.js";
import type { HintResolver, QueuedMessage } from "../lib/reconcile/messages.js";
import { Reconciler } from "../lib/reconcile/reconciler.js";

/** The part of Powertools Metrics the handler uses. */
export interface MetricsPort {
  addMetric(name: string, unit: MetricPoint["unit"], value: number): unknown;
  /** A metric published at once, with its own dimensions. */
  singleMetric(): {
    addDimension(name: string, value: string): unknown;
    addMetric(name: string, unit: MetricPoint["unit"], value: number): unknown;
  };
  publishStoredMetrics(): void;
}

export interface ReconcilerHandlerDeps {
  readonly reconciler: BatchReconciler;
  /** The places the connections manage; messages about others are ignored. */
  readonly places: ConfiguredPlaces;
  /** Each cloud's hints: an Azure NIC to its VM, a possible GCP Shared VPC service project to its host. */
  readonly hints: Readonly<Record<Cloud, HintResolver>>;
  readonly logger: StructuredLog;
  readonly metrics: MetricsPort;
  /** Milliseconds, for the latency metric. */
  readonly clock?: () => number;
  /**
   * After each batch: save the inventory's compact snapshot if it is time to
   * (lib/pipeline/inventory-snapshots.ts). A failure is logged; it never fails the batch.
   */
  readonly saveSnapshot?: () => Promise<unknown>;
}

export type ReconcilerHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

const SqsEventSchema = z.object({
  Records: z.array(z.object({ messageId: z.string().min(1), body: z.string() })),
});

type ParsedRecord = QueuedMessage | { readonly id: string; readonly problems: readonly string[] };

export function createReconcilerHandler(deps: ReconcilerHandlerDeps): ReconcilerHandler {
  const { logger, metrics } = deps;
  const clock = deps.clock ?? (() => performance.now());
  return async (event) => {
    try {
      const records = SqsEventSchema.parse(event).Records.map(parseRecord);
      const messages = records.filter((record): record is QueuedMessage => "message" in record);
      for (const record of records) {
        if ("problems" in record) {
          logger.warn("malformed queue message dropped", { messageId: record.id, problems: record.problems });
        }
      }
      const started = clock();
      const outcome = await reconcileBatch(messages, deps);
      const latencyMs = Math.round(clock() - started);
      const failed = fifoFailures(
        records.map((record) => record.id),
        outcome.failed,
      );
      logOutcome(logger, outcome, failed, latencyMs);
      const counts = {
        received: records.length,
        malformed: records.length - messages.length,
        reportedFailed: failed.length,
        latencyMs,
      };
      emit(metrics, batchMetrics(outcome, counts));
      await saveSnapshot(deps);
      return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

async function saveSnapshot(deps: ReconcilerHandlerDeps): Promise<void> {
  try {
    await deps.saveSnapshot?.();
  } catch (error) {
    // The next cold start reads the table in full: slower, never wrong.
    deps.logger.warn("inventory snapshot not saved", { error: describeError(error) });
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** A snapshot event as a structured log entry and its metrics. */
export function reportSnapshot(logger: StructuredLog, metrics: MetricsPort, event: SnapshotEvent): void {
  const report = snapshotReport(event);
  logger.info(report.message, report.fields);
  emit(metrics, report.metrics);
}

function parseRecord(record: { messageId: string; body: string }): ParsedRecord {
  let json: unknown;
  try {
    json = JSON.parse(record.body);
  } catch {
    // Not the parser's message: it quotes the body.
    return { id: record.messageId, problems: [`the body is not JSON (${record.body.length} characters)`] };
  }
  const parsed = QueueMessageSchema.safeParse(json);
  if (!parsed.success) return { id: record.messageId, problems: describeIssues(parsed.error) };
  return { id: record.messageId, message: parsed.data };
}

function logOutcome(
  logger: StructuredLog,
  outcome: BatchOutcome,
  failed: readonly string[],
  latencyMs: number,
) {
  for (const target of outcome.targets) {
    if (target.kind === "ignored")
      logger.info("queue message ignored", { messageId: target.id, why: target.why });
    if (target.kind === "unresolved") {
      logger.warn("queue message not resolved", {
        messageId: target.id,
        cloud: target.cloud,
        error: target.error,
      });
    }
  }
  const { run } = outcome;
  if (run.mode === "error") logger.error("reconcile failed", { error: run.cause, retryable: run.retryable });
  for (const finding of outcome.findings) logger.error("non-retryable failure acknowledged", { ...finding });
  const summary: Record<string, unknown> = {
    mode: run.mode,
    messages: outcome.targets.length,
    batchItemFailures: failed,
    latencyMs,
  };
  if (run.mode === "full-sync" || run.mode === "events") {
    const { result } = run;
    if (run.mode === "full-sync") summary.reason = run.reason;
    for (const [cloud, failure] of Object.entries(result.failures))
      logger.error("cloud failed", { cloud, error: failure?.message, retryable: failure?.retryable });
    if (!result.guard.allowed) {
      const { removedRules, ownedRules, reason } = result.guard;
      logger.warn("plan held back by the blast-radius guard", { removedRules, ownedRules, reason });
    }
    const findings = Object.values(result.plan).flatMap((part) => part?.findings ?? []);
    if (findings.length > 0) logger.warn("findings", { findings });
    summary.applied = result.applied;
    summary.failedClouds = Object.keys(result.failures);
    summary.guardAllowed = result.guard.allowed;
    summary.findings = findings.length;
    // Peer sets whose growth waits for a later batch of this burst (docs/architecture.md, "Coalescing a burst").
    summary.coalesced = result.coalesced?.length ?? 0;
  }
  logger.info("batch reconciled", summary);
}

function emit(metrics: MetricsPort, points: readonly MetricPoint[]): void {
  for (const point of points) {
    if (point.cloud === undefined) {
      metrics.addMetric(point.name, point.unit, point.value);
    } else {
      const single = metrics.singleMetric();
      single.addDimension("cloud", point.cloud);
      single.addMetric(point.name, point.unit, point.value);
    }
  }
}

/** What a reconciler function is made of, wherever its clouds and store come from. */
export interface ReconcilerParts {
  /** Each cloud's driver: it reads, plans and applies, and resolves the cloud's hints. */
  readonly drivers: Readonly<Record<Cloud, CloudDriver>>;
  readonly places: ConfiguredPlaces;
  readonly store: InventoryStore;
  readonly policy: Policy;
  readonly guard: GuardLimits;
  readonly logger: StructuredLog;
  readonly metrics: MetricsPort;
  readonly now?: () => Date;
  /** Saves the inventory's compact snapshot when it is time to (SnapshotSchedule.afterBatch). */
  readonly saveSnapshot?: () => Promise<unknown>;
  /** Messages waiting behind the batch: given, bursts are coalesced (lib/reconcile/coalesce.ts). */
  readonly eventsWaiting?: () => Promise<number>;
}

/** The handler over a Reconciler whose audit records go to the logger, one structured entry each. */
export function reconcilerHandlerOf(parts: ReconcilerParts): ReconcilerHandler {
  const reconciler = new Reconciler({
    drivers: parts.drivers,
    store: parts.store,
    policy: parts.policy,
    audit: new LogAuditSink(parts.logger),
    guard: parts.guard,
    // The handler reports counts, never the intent: an event batch builds only its change's slice.
    reportIntent: "change",
    ...(parts.now === undefined ? {} : { now: parts.now }),
    ...(parts.eventsWaiting === undefined ? {} : { eventsWaiting: parts.eventsWaiting }),
  });
  return createReconcilerHandler({
    reconciler,
    places: parts.places,
    hints: parts.drivers,
    logger: parts.logger,
    metrics: parts.metrics,
    ...(parts.saveSnapshot === undefined ? {} : { saveSnapshot: parts.saveSnapshot }),
  });
}

/**
 * The policy file (relative to the task root unless absolute), with the construct's attachment
 * mode over the policy's; a bad policy throws PolicyInvalidError with every issue.
 */
export async function loadFunctionPolicy(
  file: string,
  taskRoot: string,
  attachment: Attachment | undefined,
): Promise<Policy> {
  const path = isAbsolute(file) ? file : join(taskRoot, file);
  const policy = policyOrThrow(await loadPolicyFile(path), path);
  return attachment === undefined ? policy : { ...policy, attachment };
}

const SERVICE = "segsync-reconciler";
const logger = new Logger({ serviceName: SERVICE });
const metrics = new Metrics({ namespace: "segsync", serviceName: SERVICE });

/** Built once per container: the environment, the policy, the clouds, the store. */
async function coldStart(): Promise<ReconcilerHandler> {
  const environment = parseEnvironment(ReconcilerEnvironmentSchema);
  const policy = await loadFunctionPolicy(
    environment.SEGSYNC_POLICY_FILE,
    environment.LAMBDA_TASK_ROOT,
    environment.SEGSYNC_ATTACHMENT,
  );
  const live = connectLive(environment.SEGSYNC_CONFIG);
  // The compiler is rebuilt from the inventory's compact snapshot when it is current (docs/architecture.md, "Cold start").
  const store = new DynamoDbInventoryStore({
    client: new DynamoDBClient({}),
    table: environment.SEGSYNC_TABLE,
    snapshots: { report: (event) => reportSnapshot(logger, metrics, event) },
  });
  const schedule = new SnapshotSchedule(() => store.saveSnapshot());
  return reconcilerHandlerOf({
    drivers: live.drivers,
    places: ConfiguredPlaces.ofConnections(live.connections),
    store,
    policy,
    guard: live.guard,
    logger,
    metrics,
    saveSnapshot: () => schedule.afterBatch(),
    ...(environment.SEGSYNC_QUEUE_URL === undefined
      ? {}
      : { eventsWaiting: queueDepth(environment.SEGSYNC_QUEUE_URL) }),
  });
}

/** The queue's depth; a failed read is logged and taken as an empty queue (nothing deferred). */
function queueDepth(queueUrl: string): () => Promise<number> {
  return sqsEventsWaiting(new SQSClient({}), queueUrl, (error) =>
    logger.warn("queue depth unread: this batch is not coalesced", { error }),
  );
}

let ready: Promise<ReconcilerHandler> | undefined;

export async function handler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
  if (context !== undefined) logger.addContext(context);
  // A failed cold start is not kept: the next invocation tries again (and fails the same way
  // while the policy or the environment is bad, with its messages in the log).
  ready ??= coldStart().catch((error: unknown) => {
    ready = undefined;
    logger.error("cold start failed", { error });
    throw error;
  });
  return (await ready)(event);
}
