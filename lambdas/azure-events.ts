/**
 * The Event Grid webhook (a Function URL): authenticates the delivery (secret or Entra token),
 * answers the validation handshake, and enqueues VM events as "workload" messages and NIC events
 * as "azure-nic" messages. Answers: 200 with `{validationResponse}` to the handshake; 202 when
 * something was enqueued, 200 when every event was of no interest or about a subscription not in
 * SEGSYNC_AZURE_SUBSCRIPTIONS (those are dropped and counted as EventsDropped: a 4xx would make
 * Event Grid retry them for a day); 400 malformed, 401 unauthenticated, 405 not a POST, 409
 * replayed, 413 too large (Event Grid retries none of these); 503 when the key set, the secret or
 * the queue cannot be reached (Event Grid retries).
 */

import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import { z } from "zod";
import { AzureEventError } from "../lib/clouds/azure/ingest/errors.js";
import { type AzureEventsResult, parseAzureEvents } from "../lib/clouds/azure/ingest/events.js";
import { azureQueueMessages } from "../lib/clouds/azure/ingest/queue-messages.js";
import {
  type EventGridAuthenticator,
  entraAuthenticator,
  entraKeySet,
  secretAuthenticator,
  secretsManagerSource,
} from "../lib/clouds/azure/ingest/webhook-auth.js";
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
import { ConfiguredPlaces, type PlaceRefusal } from "../lib/ingest/places.js";
import { ReplayCache } from "../lib/ingest/replay.js";
import { AzureEventsEnvironmentSchema, parseEnvironment } from "../lib/pipeline/environment.js";

const SERVICE = "azure-events";
/** Event Grid's largest event and its largest batch are 1 MB. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface AzureEventsDeps extends Telemetry {
  readonly authenticate: EventGridAuthenticator;
  /** The subscriptions whose events are accepted. */
  readonly places: ConfiguredPlaces;
  readonly queue: EventQueue;
  readonly clock: () => Date;
  readonly replay?: ReplayCache;
  readonly maxBodyBytes?: number;
}

export type AzureEventsHandler = (event: unknown, context?: Context) => Promise<FunctionUrlResponse>;

export function createAzureEventsHandler(deps: AzureEventsDeps): AzureEventsHandler {
  const replay = deps.replay ?? new ReplayCache();
  const maxBodyBytes = deps.maxBodyBytes ?? MAX_BODY_BYTES;
  return (event, context) =>
    serveFunctionUrl(event, context, deps, async (request) => {
      checkPostWithin(request, maxBodyBytes);
      const now = deps.clock();
      const credential = await deps.authenticate(request, now);
      const body = jsonBody(request);
      const result = parseDelivery(body);
      // The handshake is authenticated but not checked against the subscriptions: its topic is
      // the event subscription's, and answering it enqueues nothing.
      if (result.kind === "validation") {
        deps.logger.info("validation handshake answered");
        return jsonResponse(200, { validationResponse: result.validationCode });
      }
      const delivered = deliveredEvents(body);
      const ids = delivered.map((one) => one.id);
      replay.check(credential, ids, now);
      const refusals = delivered.map((one) => deps.places.refusalOfPlace("azure", one.subscription));
      const kept = configuredPart(body, result, refusals);
      const messages = azureQueueMessages(kept);
      if (messages.length > 0) await deps.queue.send(messages);
      replay.remember(credential, ids, now);
      const dropped = delivered.flatMap((one, index) => {
        const refusal = refusals[index];
        return refusal === undefined ? [] : [{ id: one.id, refusal }];
      });
      for (const { id, refusal } of dropped) noteDropped(deps, id, refusal);
      deps.metrics.addMetric("EventsEnqueued", MetricUnit.Count, messages.length);
      deps.metrics.addMetric("EventsIgnored", MetricUnit.Count, kept.ignored);
      deps.logger.info("delivery accepted", {
        eventIds: ids,
        enqueued: messages.length,
        ignored: kept.ignored,
        dropped: dropped.length,
      });
      return jsonResponse(messages.length > 0 ? 202 : 200, {
        enqueued: messages.length,
        ignored: kept.ignored,
        dropped: dropped.length,
      });
    });
}

type DeliveredEvents = Extract<AzureEventsResult, { kind: "events" }>;

/**
 * The delivery without its events from subscriptions segsync is not configured for: parsed again
 * from the events that remain (the whole delivery was parsed, so they parse).
 */
function configuredPart(
  body: unknown,
  result: DeliveredEvents,
  refusals: readonly (PlaceRefusal | undefined)[],
): DeliveredEvents {
  if (refusals.every((refusal) => refusal === undefined)) return result;
  const kept = (body as readonly unknown[]).filter((_, index) => refusals[index] === undefined);
  if (kept.length === 0) return { kind: "events", events: [], nicChanges: [], ignored: 0 };
  const reparsed = parseDelivery(kept);
  if (reparsed.kind === "validation") throw new TypeError("a validation event was parsed as an event");
  return reparsed;
}

function parseDelivery(body: unknown): AzureEventsResult {
  try {
    return parseAzureEvents(body);
  } catch (error) {
    if (error instanceof AzureEventError) throw new MalformedRequestError(error.message, { cause: error });
    throw error;
  }
}

/**
 * The id and subscription of each event of a delivery that parseAzureEvents accepted (so each has
 * them): the subscription from the topic, which the parser checked against the subject and
 * data.subscriptionId.
 */
const DeliveredSchema = z.array(
  z.object({
    id: z.string(),
    topic: z
      .string()
      .transform((topic) => /^\/subscriptions\/([^/]+)/i.exec(topic)?.[1]?.toLowerCase() ?? topic),
  }),
);

function deliveredEvents(body: unknown): { readonly id: string; readonly subscription: string }[] {
  return DeliveredSchema.parse(body).map((one) => ({ id: one.id, subscription: one.topic }));
}

let wired: AzureEventsHandler | undefined;

/** The Lambda entry point: wired from the environment at the first invocation of a container. */
export async function handler(event: unknown, context: Context): Promise<FunctionUrlResponse> {
  wired ??= wire();
  return wired(event, context);
}

function wire(): AzureEventsHandler {
  const environment = parseEnvironment(AzureEventsEnvironmentSchema);
  const auth = environment.SEGSYNC_EVENTGRID_AUTH;
  const authenticate =
    auth.mode === "secret"
      ? secretAuthenticator(auth, secretsManagerSource(new SecretsManagerClient({}), auth.secretArn))
      : entraAuthenticator(auth, entraKeySet(auth.tenantId));
  return createAzureEventsHandler({
    authenticate,
    places: new ConfiguredPlaces({ azure: environment.SEGSYNC_AZURE_SUBSCRIPTIONS }),
    queue: new SqsEventQueue(new SQSClient({}), environment.SEGSYNC_QUEUE_URL),
    clock: () => new Date(),
    logger: new Logger({ serviceName: SERVICE }),
    metrics: new Metrics({ namespace: "segsync", serviceName: SERVICE }),
  });
}
