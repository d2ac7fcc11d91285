/**
 * Lambda Function URL requests, read in the order the webhooks need: the method and the headers
 * and query first (for authentication), the body's size before any decoding, and the body's JSON
 * last. Responses are small JSON documents. `serveFunctionUrl` is the shell around each webhook:
 * it maps what the webhook throws to a status, logs it and counts it.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { z } from "zod";
import type { PlaceRefusal } from "../clouds/live.js";
import {
  EventQueueError,
  FunctionUrlEventError,
  IngestRejectedError,
  KeySetUnavailableError,
  MalformedRequestError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  SecretUnavailableError,
  UnauthenticatedError,
} from "./errors.js";

export type FunctionUrlResponse = APIGatewayProxyStructuredResultV2;

/** Only what segsync reads of the Function URL event (payload format 2.0). */
const FunctionUrlEventSchema = z.object({
  requestContext: z.object({ http: z.object({ method: z.string().min(1) }) }),
  headers: z.record(z.string(), z.string().optional()).optional(),
  rawQueryString: z.string().optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional(),
});

/** Headers and query parameters: all that authentication may look at. */
export interface RequestCredentials {
  /** A header's value, whatever the case of its name. */
  header(name: string): string | undefined;
  /** A query parameter's value; undefined when absent or given more than once. */
  query(name: string): string | undefined;
}

export interface FunctionUrlRequest extends RequestCredentials {
  readonly method: string;
  /** The body's size in bytes once decoded, computed without decoding it. */
  readonly bodyBytes: number;
  /** The body as text (decoded from base64 when the Function URL encoded it). */
  bodyText(): string;
}

export function parseFunctionUrlEvent(input: unknown): FunctionUrlRequest {
  const parsed = FunctionUrlEventSchema.safeParse(input);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => issue.path.join(".") || "(the event)").join(", ");
    throw new FunctionUrlEventError(`not a Lambda Function URL request (${where})`, { cause: parsed.error });
  }
  const event = parsed.data;
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers.set(name.toLowerCase(), value);
  }
  const query = new URLSearchParams(event.rawQueryString ?? "");
  const body = event.body ?? "";
  const base64 = event.isBase64Encoded === true;
  return {
    method: event.requestContext.http.method.toUpperCase(),
    bodyBytes: Buffer.byteLength(body, base64 ? "base64" : "utf8"),
    header: (name) => headers.get(name.toLowerCase()),
    query: (name) => {
      const values = query.getAll(name);
      return values.length === 1 ? values[0] : undefined;
    },
    bodyText: () => (base64 ? Buffer.from(body, "base64").toString("utf8") : body),
  };
}

/** Refuses anything but POST, then a body over `maxBytes`; neither reads the body. */
export function checkPostWithin(request: FunctionUrlRequest, maxBytes: number): void {
  if (request.method !== "POST") throw new MethodNotAllowedError(request.method);
  if (request.bodyBytes > maxBytes) throw new PayloadTooLargeError(request.bodyBytes, maxBytes);
}

/** The body's JSON; malformed JSON is the caller's fault (400). */
export function jsonBody(request: FunctionUrlRequest): unknown {
  const text = request.bodyText();
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new MalformedRequestError(`the body is not JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(request: RequestCredentials): string {
  const authorization = request.header("authorization");
  if (authorization === undefined) throw new UnauthenticatedError("no Authorization header");
  const match = /^Bearer +([^\s]+)\s*$/i.exec(authorization);
  if (match?.[1] === undefined)
    throw new UnauthenticatedError("the Authorization header is not a Bearer token");
  return match[1];
}

export function jsonResponse(statusCode: number, body: unknown): FunctionUrlResponse {
  return { statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

export interface Telemetry {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * Runs one webhook request and answers it: a refusal (IngestRejectedError) with its 4xx, a
 * verifier or queue that cannot be reached with a 5xx so that the sender retries. Counts the
 * request (EventsReceived), a refusal (EventsRejected, with the reason as a dimension) or a
 * failure (EventsFailed), and publishes the metrics before returning. Refusals are logged by
 * message only: nothing of the request's headers, query or token is ever logged.
 */
export async function serveFunctionUrl(
  event: unknown,
  context: Context | undefined,
  telemetry: Telemetry,
  serve: (request: FunctionUrlRequest) => Promise<FunctionUrlResponse>,
): Promise<FunctionUrlResponse> {
  const { logger, metrics } = telemetry;
  if (context !== undefined) logger.addContext(context);
  metrics.addMetric("EventsReceived", MetricUnit.Count, 1);
  try {
    return await serve(parseFunctionUrlEvent(event));
  } catch (error) {
    if (error instanceof IngestRejectedError) {
      logger.warn("request rejected", { reason: error.reason, status: error.status, detail: error.message });
      countWithReason(metrics, "EventsRejected", error.reason);
      return jsonResponse(error.status, { error: error.reason, message: error.publicMessage });
    }
    const [status, reason] = failureOf(error);
    logger.error("request failed", { reason, status, error: error as Error });
    countWithReason(metrics, "EventsFailed", reason);
    return jsonResponse(status, { error: reason, message: "try again later" });
  } finally {
    metrics.publishStoredMetrics();
  }
}

/** A metric with its own `reason` dimension, emitted at once so that the others keep theirs. */
export function countWithReason(metrics: Metrics, name: string, reason: string): void {
  const single = metrics.singleMetric();
  single.addDimension("reason", reason);
  single.addMetric(name, MetricUnit.Count, 1);
}

/**
 * An event about a place segsync is not configured for: acknowledged (never retried), counted as
 * EventsDropped under the reason, and logged by its id and place only.
 */
export function noteDropped(telemetry: Telemetry, eventId: string, refusal: PlaceRefusal): void {
  telemetry.logger.info("event dropped", { eventId, reason: refusal.reason, place: refusal.detail });
  countWithReason(telemetry.metrics, "EventsDropped", refusal.reason);
}

function failureOf(error: unknown): [number, string] {
  if (error instanceof KeySetUnavailableError || error instanceof SecretUnavailableError) {
    return [503, "verifier-unavailable"];
  }
  if (error instanceof EventQueueError) return [503, "enqueue-failed"];
  if (error instanceof FunctionUrlEventError) return [500, "not-a-function-url-event"];
  return [500, "internal"];
}
