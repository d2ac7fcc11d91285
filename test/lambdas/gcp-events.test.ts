import "aws-sdk-client-mock-vitest/extend";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createGcpEventsHandler } from "../../lambdas/gcp-events.js";
import { type PubSubAuthenticator, pubSubAuthenticator } from "../../lib/clouds/gcp/ingest/webhook-auth.js";
import { ConfiguredPlaces } from "../../lib/ingest/places.js";
import { lifetime, NOW, NOW_SECONDS, type Signer, signer } from "../ingest/tokens.js";
import {
  type Captured,
  captureTelemetry,
  functionUrlEvent,
  QUEUE_URL,
  type RequestOptions,
  recordingQueue,
  sqsQueue,
} from "./harness.js";

/** The recorded events under test/fixtures (their sources: SOURCES.md there). */
const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), "../fixtures/gcp");
const fixture = <T>(name: string) => JSON.parse(readFileSync(resolve(FIXTURES, name), "utf8")) as T;

type Json = Record<string, unknown>;
type Push = Json & { message: Json };
type Entry = Json & { operation: Json };

const AUDIENCE = "https://abcdefgh.lambda-url.us-east-1.on.aws/";
const EMAIL = "segsync-push@my-project.iam.gserviceaccount.com";
const MESSAGE_ID = "2070443601311540";

const sqs = mockClient(SQSClient);
let telemetry: Captured;
let google: Signer;
let forger: Signer;
beforeAll(async () => {
  google = await signer();
  forger = await signer();
});
beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  telemetry = captureTelemetry("gcp-events");
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function harness(authenticate?: PubSubAuthenticator, maxBodyBytes?: number) {
  const queue = recordingQueue(sqsQueue());
  const handler = createGcpEventsHandler({
    authenticate: authenticate ?? pubSubAuthenticator({ audience: AUDIENCE, email: EMAIL }, google.keys),
    queue,
    places: new ConfiguredPlaces({ gcp: ["my-project"] }),
    clock: () => NOW,
    logger: telemetry.logger,
    metrics: telemetry.metrics,
    ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
  });
  return { queue, handler };
}

const claims = (overrides: Record<string, unknown> = {}) => ({
  iss: "https://accounts.google.com",
  aud: AUDIENCE,
  azp: "113774264463038321964",
  sub: "113774264463038321964",
  email: EMAIL,
  email_verified: true,
  ...lifetime(),
  ...overrides,
});

/** Google's sample push envelope carrying the captured stop entry, as its operation's last entry by default. */
function push(options: { first?: boolean; publishTime?: string } = {}): Push {
  const entry = fixture<Entry>("audit/shared-stop-first.json");
  if (options.first !== true)
    entry.operation = { id: entry.operation.id, producer: "compute.googleapis.com", last: true };
  const body = fixture<Push>("pubsub/push-envelope.json");
  body.message.data = Buffer.from(JSON.stringify(entry)).toString("base64");
  body.message.attributes = { "logging.googleapis.com/timestamp": "2026-06-25T04:52:36.140560Z" };
  if (options.publishTime !== undefined) {
    body.message.publishTime = options.publishTime;
    body.message.publish_time = options.publishTime;
  }
  return body;
}

async function request(body: unknown, token?: string | null, options: RequestOptions = {}) {
  const bearer = token === undefined ? await google.sign(claims()) : token;
  return functionUrlEvent({
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: bearer === null ? {} : { authorization: `Bearer ${bearer}` },
    ...options,
  });
}

function parsed(response: { body?: string }) {
  return JSON.parse(response.body ?? "null") as Record<string, unknown>;
}

function expectNothingEnqueued(queue: { sent: unknown[] }) {
  expect(queue.sent).toEqual([]);
  expect(sqs).not.toHaveReceivedCommand(SendMessageBatchCommand);
}

describe("Pub/Sub pushes", () => {
  it("enqueues an instance stop with the message id as the deduplication id, and answers 202", async () => {
    const { queue, handler } = harness();
    const response = await handler(await request(push({ publishTime: "2026-06-25T04:59:00Z" })));
    expect(response.statusCode).toBe(202);
    expect(queue.sent).toEqual([
      {
        kind: "workload",
        event: {
          cloud: "gcp",
          eventId: MESSAGE_ID,
          time: "2026-06-25T04:52:36.140560Z",
          workloadId: "gcp:my-project:us-central1-c:vm-1",
          change: { kind: "state", state: "stopped" },
        },
      },
    ]);
    expect(sqs).toHaveReceivedCommandExactlyOnceWith(SendMessageBatchCommand, {
      QueueUrl: QUEUE_URL,
      Entries: [
        expect.objectContaining({ MessageGroupId: "segsync", MessageDeduplicationId: `gcp:${MESSAGE_ID}` }),
      ],
    });
    expect(telemetry.metric("EventsEnqueued")).toBe(1);
    expect(telemetry.metric("MessageAge")).toBe(60);
  });

  it("acknowledges the first entry of an operation with 200 and enqueues nothing", async () => {
    const { queue, handler } = harness();
    const response = await handler(await request(push({ first: true })));
    expect(response.statusCode).toBe(200);
    expect(parsed(response)).toEqual({ enqueued: 0, ignored: 1, dropped: 0 });
    expectNothingEnqueued(queue);
  });

  it("accepts a message published over an hour ago (a backlog after an outage), and logs it", async () => {
    const { queue, handler } = harness();
    // The envelope fixture's own publishTime, 2021-02-26.
    const response = await handler(await request(push()));
    expect(response.statusCode).toBe(202);
    expect(queue.sent).toHaveLength(1);
    expect(telemetry.text()).toContain("message published over an hour ago");
  });
});

describe("refused pushes enqueue nothing", () => {
  it.each([
    ["no Authorization header", async () => null],
    ["a token signed by another key", () => forger.sign(claims())],
    ["a token for another audience", () => google.sign(claims({ aud: "https://example.com" }))],
    [
      "a token from another issuer",
      () => google.sign(claims({ iss: "https://login.microsoftonline.com/x/v2.0" })),
    ],
    ["an expired token", () => google.sign(claims({ iat: NOW_SECONDS - 7200, exp: NOW_SECONDS - 3600 }))],
    [
      "a token for another service account",
      () => google.sign(claims({ email: "other@my-project.iam.gserviceaccount.com" })),
    ],
    ["a token whose email is not verified", () => google.sign(claims({ email_verified: false }))],
  ])("401 for %s", async (_name, token) => {
    const { queue, handler } = harness();
    const response = await handler(await request(push(), await token()));
    expect(response.statusCode).toBe(401);
    expect(parsed(response)).toEqual({
      error: "unauthenticated",
      message: "the request is not authenticated",
    });
    expectNothingEnqueued(queue);
    expect(telemetry.metric("EventsRejected", "unauthenticated")).toBe(1);
  });

  it("401 before parsing: an unauthenticated body that is not JSON is not a 400", async () => {
    const { queue, handler } = harness();
    const response = await handler(await request("{", null));
    expect(response.statusCode).toBe(401);
    expectNothingEnqueued(queue);
  });

  it("400 for a body that is not JSON", async () => {
    const { queue, handler } = harness();
    const response = await handler(await request("{"));
    expect(response.statusCode).toBe(400);
    expectNothingEnqueued(queue);
    expect(telemetry.metric("EventsRejected", "malformed")).toBe(1);
  });

  it("400 for Google's sample push, whose data is not a LogEntry, naming where", async () => {
    const { queue, handler } = harness();
    const response = await handler(await request(fixture<Push>("pubsub/push-envelope.json")));
    expect(response.statusCode).toBe(400);
    expect(parsed(response).message).toMatch(/^GCP event rejected: message\.data: not a JSON LogEntry/);
    expectNothingEnqueued(queue);
  });

  it("413 for an oversized body, before authentication", async () => {
    const authenticate = vi.fn(pubSubAuthenticator({ audience: AUDIENCE, email: EMAIL }, google.keys));
    const { queue, handler } = harness(authenticate, 1024);
    const response = await handler(await request(push()));
    expect(response.statusCode).toBe(413);
    expect(authenticate).not.toHaveBeenCalled();
    expectNothingEnqueued(queue);
  });

  it("405 for a GET", async () => {
    const { queue, handler } = harness();
    const response = await handler(await request("", undefined, { method: "GET" }));
    expect(response.statusCode).toBe(405);
    expectNothingEnqueued(queue);
  });

  it("409 for a replay (same token, same message id), enqueued once", async () => {
    const { queue, handler } = harness();
    const replayable = await request(push());
    expect((await handler(replayable)).statusCode).toBe(202);
    const replayed = await handler(replayable);
    expect(replayed.statusCode).toBe(409);
    expect(queue.sent).toHaveLength(1);
    expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, 1);
    expect(telemetry.metric("EventsRejected", "replayed")).toBe(1);
  });

  it("a redelivery with a new token is accepted: SQS's deduplication absorbs it", async () => {
    const { queue, handler } = harness();
    expect((await handler(await request(push()))).statusCode).toBe(202);
    const fresh = await google.sign(claims(lifetime(-30)));
    expect((await handler(await request(push(), fresh))).statusCode).toBe(202);
    expect(queue.sent).toHaveLength(2);
  });
});

describe("failures on segsync's side are 503, so that Pub/Sub redelivers", () => {
  it("503 when Google's keys cannot be fetched", async () => {
    const { queue, handler } = harness(
      pubSubAuthenticator({ audience: AUDIENCE, email: EMAIL }, async () => {
        throw new TypeError("fetch failed");
      }),
    );
    const response = await handler(await request(push()));
    expect(response.statusCode).toBe(503);
    expectNothingEnqueued(queue);
  });

  it("503 when SQS fails, and the redelivery gets in", async () => {
    sqs
      .on(SendMessageBatchCommand)
      .rejectsOnce(new Error("connect ETIMEDOUT"))
      .resolves({ Successful: [], Failed: [] });
    const { handler } = harness();
    const again = await request(push());
    expect((await handler(again)).statusCode).toBe(503);
    expect((await handler(again)).statusCode).toBe(202);
    expect(telemetry.metric("EventsFailed", "enqueue-failed")).toBe(1);
  });
});

describe("what is logged", () => {
  it("never includes the token or the Authorization header", async () => {
    const { handler } = harness();
    const token = await google.sign(claims());
    const wrong = await google.sign(claims({ email: "other@my-project.iam.gserviceaccount.com" }));
    await handler(await request(push(), token));
    await handler(await request(push(), token));
    await handler(await request(push(), wrong));
    await handler(await request("{", token));
    const output = telemetry.text();
    expect(output).toContain("push accepted");
    expect(output).toContain("request rejected");
    for (const forbidden of [token, wrong, token.split(".")[2] ?? token, "Bearer"]) {
      expect(output).not.toContain(forbidden);
    }
  });
});

describe("the gcp-events entry point", () => {
  it("wires from the environment and refuses an unauthenticated push", async () => {
    vi.resetModules();
    vi.stubEnv("AWS_REGION", "us-east-1");
    vi.stubEnv("SEGSYNC_QUEUE_URL", QUEUE_URL);
    vi.stubEnv("SEGSYNC_PUBSUB_AUDIENCE", AUDIENCE);
    vi.stubEnv("SEGSYNC_PUBSUB_EMAIL", EMAIL);
    vi.stubEnv("SEGSYNC_GCP_PROJECTS", JSON.stringify(["my-project"]));
    const { handler } = await import("../../lambdas/gcp-events.js");
    const response = await handler(await request(push(), null), {} as never);
    expect(response.statusCode).toBe(401);
    expect(sqs).not.toHaveReceivedCommand(SendMessageBatchCommand);
  });

  it("fails the cold start naming a malformed variable", async () => {
    vi.resetModules();
    vi.stubEnv("SEGSYNC_QUEUE_URL", QUEUE_URL);
    vi.stubEnv("SEGSYNC_PUBSUB_AUDIENCE", AUDIENCE);
    vi.stubEnv("SEGSYNC_PUBSUB_EMAIL", "not-an-email");
    vi.stubEnv("SEGSYNC_GCP_PROJECTS", JSON.stringify(["my-project"]));
    const { handler } = await import("../../lambdas/gcp-events.js");
    await expect(handler(await request(push()), {} as never)).rejects.toThrow(/SEGSYNC_PUBSUB_EMAIL/);
  });
});
