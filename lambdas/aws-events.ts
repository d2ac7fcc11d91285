/**
 * The EventBridge target for EC2 state changes and instance tag changes: each event becomes a
 * "workload" message on the queue. EventBridge invokes this function asynchronously and IAM
 * already authenticated the caller, so there is nothing to verify but the event itself.
 *
 * A malformed or unexpected event throws, as does a failed enqueue. Lambda then retries the
 * asynchronous invocation (twice by default) and hands it to the function's on-failure
 * destination or dead-letter queue. For a malformed event the retries cannot help, but throwing
 * is what keeps the event for someone to look at: the rules match only the two event types that
 * segsync parses, so a refusal means AWS changed a schema or a rule is wrong, not noise.
 *
 * An event from an account or region not in SEGSYNC_AWS_ACCOUNTS is dropped: the handler returns
 * normally (no retry), counts it (EventsDropped) and logs its id and place.
 */

import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import { AwsEventError } from "../lib/clouds/aws/ingest/errors.js";
import { parseAwsEvent } from "../lib/clouds/aws/ingest/events.js";
import { type EventQueue, SqsEventQueue } from "../lib/ingest/event-queue.js";
import { countWithReason, noteDropped, type Telemetry } from "../lib/ingest/function-url.js";
import { ConfiguredPlaces } from "../lib/ingest/places.js";
import { AwsEventsEnvironmentSchema, parseEnvironment } from "../lib/pipeline/environment.js";

const SERVICE = "aws-events";

export interface AwsEventsDeps extends Telemetry {
  readonly queue: EventQueue;
  /** The accounts and regions whose events are accepted. */
  readonly places: ConfiguredPlaces;
}

export type AwsEventsHandler = (event: unknown, context?: Context) => Promise<void>;

export function createAwsEventsHandler(deps: AwsEventsDeps): AwsEventsHandler {
  const { logger, metrics } = deps;
  return async (input, context) => {
    if (context !== undefined) logger.addContext(context);
    metrics.addMetric("EventsReceived", MetricUnit.Count, 1);
    try {
      let event: ReturnType<typeof parseAwsEvent>;
      try {
        event = parseAwsEvent(input);
      } catch (error) {
        if (error instanceof AwsEventError) {
          logger.error("event rejected", { reason: "malformed", issues: error.issues });
          countWithReason(metrics, "EventsRejected", "malformed");
        }
        throw error;
      }
      const refusal = deps.places.refusalOf(event.workloadId);
      if (refusal !== undefined) {
        noteDropped(deps, event.eventId, refusal);
        return;
      }
      try {
        await deps.queue.send([{ kind: "workload", event }]);
      } catch (error) {
        logger.error("enqueue failed", { eventId: event.eventId, error: error as Error });
        countWithReason(metrics, "EventsFailed", "enqueue-failed");
        throw error;
      }
      metrics.addMetric("EventsEnqueued", MetricUnit.Count, 1);
      logger.info("event enqueued", {
        eventId: event.eventId,
        workloadId: event.workloadId,
        change: event.change.kind,
      });
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

let wired: AwsEventsHandler | undefined;

/** The Lambda entry point: wired from the environment at the first invocation of a container. */
export async function handler(event: unknown, context: Context): Promise<void> {
  wired ??= wire();
  return wired(event, context);
}

function wire(): AwsEventsHandler {
  const environment = parseEnvironment(AwsEventsEnvironmentSchema);
  return createAwsEventsHandler({
    queue: new SqsEventQueue(new SQSClient({}), environment.SEGSYNC_QUEUE_URL),
    places: new ConfiguredPlaces({ aws: environment.SEGSYNC_AWS_ACCOUNTS }),
    logger: new Logger({ serviceName: SERVICE }),
    metrics: new Metrics({ namespace: "segsync", serviceName: SERVICE }),
  });
}
