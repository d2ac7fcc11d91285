/**
 * The Event Grid webhook (a Function URL): authenticates the delivery (secret or Entra token),
 * answers the validation handshake, and enqueues VM events as "workload" messages and NIC events
 * as "azure-nic" messages. Answers: 200 with `{validationResponse}` to the handshake; 202 when
 * something was enqueued, 200 when every event was of no interest; 400 malformed or from a
 * subscription not in SEGSYNC_AZURE_SUBSCRIPTIONS, 401 unauthenticated, 405 not a POST, 409
 * replayed, 413 too large (Event Grid retries none of these); 503 when the key set, the secret or
 * the queue cannot be reached (Event Grid retries).
 */

import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import { z } from "zod";
import { AzureEventError } from "../lib/clouds/azure/event-errors.js";
import { type AzureEventsResult, parseAzureEvents } from "../lib/clouds/azure/events.js";
import { ForeignSubscriptionError, MalformedRequestError } from "../lib/ingest/errors.js";
import {
  type EventGridAuthenticator,
  entraAuthenticator,
  entraKeySet,
  secretAuthenticator,
  secretsManagerSource,
} from "../lib/ingest/event-grid-auth.js";
import { type EventQueue, SqsEventQueue } from "../lib/ingest/event-queue.js";
import {
  checkPostWithin,
  type FunctionUrlResponse,
  jsonBody,
  jsonResponse,
  serveFunctionUrl,
  type Telemetry,
} from "../lib/ingest/function-url.js";
import type { QueueMessage } from "../lib/ingest/queue-message.js";
import { ReplayCache } from "../lib/ingest/replay.js";
import { AzureEventsEnvironmentSchema, parseEnvironment } from "./environment.js";

const SERVICE = "azure-events";
/** Event Grid's largest event and its largest batch are 1 MB. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface AzureEventsDeps extends Telemetry {
  readonly authenticate: EventGridAuthenticator;
  /** The subscription ids whose events are accepted. */
  readonly subscriptions: readonly string[];
  readonly queue: EventQueue;
  readonly clock: () => Date;
  readonly replay?: ReplayCache;
  readonly maxBodyBytes?: number;
}

export type AzureEventsHandler = (event: unknown, context?: Context) => Promise<FunctionUrlResponse>;

export function createAzureEventsHandler(deps: AzureEventsDeps): AzureEventsHandler {
  const replay = deps.replay ?? new ReplayCache();
  const allowed = new Set(deps.subscriptions.map((id) => id.toLowerCase()));
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
      const foreign = [...new Set(delivered.map((one) => one.subscription).filter((id) => !allowed.has(id)))];
      if (foreign.length > 0) throw new ForeignSubscriptionError(foreign);
      const ids = delivered.map((one) => one.id);
      replay.check(credential, ids, now);
      const messages = queueMessages(result);
      if (messages.length > 0) await deps.queue.send(messages);
      replay.remember(credential, ids, now);
      deps.metrics.addMetric("EventsEnqueued", MetricUnit.Count, messages.length);
      deps.metrics.addMetric("EventsIgnored", MetricUnit.Count, result.ignored);
      deps.logger.info("delivery accepted", {
        eventIds: ids,
        enqueued: messages.length,
        ignored: result.ignored,
      });
      return jsonResponse(messages.length > 0 ? 202 : 200, {
        enqueued: messages.length,
        ignored: result.ignored,
      });
    });
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

function queueMessages(result: Extract<AzureEventsResult, { kind: "events" }>): QueueMessage[] {
  const nics = result.nicChanges.map(
    ({ eventId, time, subscription, resourceGroup, nicName }): QueueMessage => ({
      kind: "azure-nic",
      eventId,
      time,
      subscription,
      resourceGroup,
      nicName,
    }),
  );
  return [...result.events.map((event): QueueMessage => ({ kind: "workload", event })), ...nics];
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
    subscriptions: environment.SEGSYNC_AZURE_SUBSCRIPTIONS,
    queue: new SqsEventQueue(new SQSClient({}), environment.SEGSYNC_QUEUE_URL),
    clock: () => new Date(),
    logger: new Logger({ serviceName: SERVICE }),
    metrics: new Metrics({ namespace: "segsync", serviceName: SERVICE }),
  });
}
