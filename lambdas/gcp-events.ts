/**
 * The Pub/Sub push endpoint (a Function URL) of the Compute audit-log sink: authenticates the
 * push's OIDC token, and enqueues the instance change as a "workload" message. Answers: 202 when
 * enqueued, 200 for an entry of no interest or about a project not in SEGSYNC_GCP_PROJECTS
 * (acknowledged: Pub/Sub takes 200-204 as an ack; the latter is counted as EventsDropped);
 * 400 malformed, 401 unauthenticated, 405 not a POST, 409 replayed, 413 too large; 503 when
 * Google's keys or the queue cannot be reached. Every non-success status is a NACK, so Pub/Sub
 * redelivers: give the subscription a dead-letter topic so that a refused message stops there.
 */

import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import { GcpEventError } from "../lib/clouds/gcp/ingest/errors.js";
import { type GcpPushResult, PubSubPushSchema, parseGcpPush } from "../lib/clouds/gcp/ingest/events.js";
import {
  googleKeySet,
  type PubSubAuthenticator,
  pubSubAuthenticator,
} from "../lib/clouds/gcp/ingest/webhook-auth.js";
import { MalformedRequestError } from "../lib/ingest/errors.js";
import { type EventQueue, SqsEventQueue } from "../lib/ingest/event-queue.js";
import {
  checkPostWithin,
  type FunctionUrlResponse,
  jsonBody,
  jsonResponse,
  noteDropped,
  serveFunctionUrl,
  type Telemetry,
} from "../lib/ingest/function-url.js";
import { ConfiguredPlaces } from "../lib/ingest/places.js";
import { ReplayCache } from "../lib/ingest/replay.js";
import { GcpEventsEnvironmentSchema, parseEnvironment } from "../lib/pipeline/environment.js";

const SERVICE = "gcp-events";
/** A LogEntry is at most 256 KB; base64 and the push envelope add a third. */
const MAX_BODY_BYTES = 512 * 1024;
const HOUR_MS = 60 * 60_000;

export interface GcpEventsDeps extends Telemetry {
  readonly authenticate: PubSubAuthenticator;
  readonly queue: EventQueue;
  /** The projects whose entries are accepted. */
  readonly places: ConfiguredPlaces;
  readonly clock: () => Date;
  readonly replay?: ReplayCache;
  readonly maxBodyBytes?: number;
}

export type GcpEventsHandler = (event: unknown, context?: Context) => Promise<FunctionUrlResponse>;

export function createGcpEventsHandler(deps: GcpEventsDeps): GcpEventsHandler {
  const replay = deps.replay ?? new ReplayCache();
  const maxBodyBytes = deps.maxBodyBytes ?? MAX_BODY_BYTES;
  return (event, context) =>
    serveFunctionUrl(event, context, deps, async (request) => {
      checkPostWithin(request, maxBodyBytes);
      const now = deps.clock();
      const credential = await deps.authenticate(request, now);
      const body = jsonBody(request);
      const result = parsePush(body);
      // parseGcpPush accepted the envelope, so this cannot fail.
      const { message } = PubSubPushSchema.parse(body);
      const messageId =
        message.messageId ??
        message.message_id ??
        (result.kind === "event" ? result.event.eventId : undefined);
      const ids = messageId === undefined ? [] : [messageId];
      replay.check(credential, ids, now);
      noteAge(deps, message.publishTime, now);
      if (result.kind === "ignored") {
        replay.remember(credential, ids, now);
        deps.metrics.addMetric("EventsIgnored", MetricUnit.Count, 1);
        deps.logger.info("push ignored", { messageId, reason: result.reason });
        return jsonResponse(200, { enqueued: 0, ignored: 1, dropped: 0 });
      }
      const refusal = deps.places.refusalOf(result.event.workloadId);
      if (refusal !== undefined) {
        replay.remember(credential, ids, now);
        noteDropped(deps, result.event.eventId, refusal);
        return jsonResponse(200, { enqueued: 0, ignored: 0, dropped: 1 });
      }
      await deps.queue.send([{ kind: "workload", event: result.event }]);
      replay.remember(credential, ids, now);
      deps.metrics.addMetric("EventsEnqueued", MetricUnit.Count, 1);
      deps.logger.info("push accepted", {
        messageId,
        workloadId: result.event.workloadId,
        change: result.event.change.kind,
      });
      return jsonResponse(202, { enqueued: 1, ignored: 0, dropped: 0 });
    });
}

function parsePush(body: unknown): GcpPushResult {
  try {
    return parseGcpPush(body);
  } catch (error) {
    if (error instanceof GcpEventError) throw new MalformedRequestError(error.message, { cause: error });
    throw error;
  }
}

/**
 * Measures how late the message is, and does not refuse an old one. The body is not signed, so a
 * replayed request can carry any publishTime: the token's own exp and iat (at most an hour) are
 * what bound a replay. Refusing old messages would instead drop the backlog that Pub/Sub
 * redelivers after an outage of this endpoint, which is when the events matter most.
 */
function noteAge(telemetry: Telemetry, publishTime: string | undefined, now: Date): void {
  const published = publishTime === undefined ? Number.NaN : Date.parse(publishTime);
  if (Number.isNaN(published)) return;
  const ageMs = Math.max(0, now.getTime() - published);
  telemetry.metrics.addMetric("MessageAge", MetricUnit.Seconds, ageMs / 1000);
  if (ageMs > HOUR_MS) telemetry.logger.warn("message published over an hour ago", { publishTime });
}

let wired: GcpEventsHandler | undefined;

/** The Lambda entry point: wired from the environment at the first invocation of a container. */
export async function handler(event: unknown, context: Context): Promise<FunctionUrlResponse> {
  wired ??= wire();
  return wired(event, context);
}

function wire(): GcpEventsHandler {
  const environment = parseEnvironment(GcpEventsEnvironmentSchema);
  return createGcpEventsHandler({
    authenticate: pubSubAuthenticator(
      { audience: environment.SEGSYNC_PUBSUB_AUDIENCE, email: environment.SEGSYNC_PUBSUB_EMAIL },
      googleKeySet(),
    ),
    queue: new SqsEventQueue(new SQSClient({}), environment.SEGSYNC_QUEUE_URL),
    places: new ConfiguredPlaces({
      gcp: environment.SEGSYNC_GCP_PROJECTS,
      gcpServiceProjects: environment.SEGSYNC_GCP_FIND_SERVICE_PROJECTS === "true",
    }),
    clock: () => new Date(),
    logger: new Logger({ serviceName: SERVICE }),
    metrics: new Metrics({ namespace: "segsync", serviceName: SERVICE }),
  });
}
