import "aws-sdk-client-mock-vitest/extend";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createAzureEventsHandler } from "../../lambdas/azure-events.js";
import {
  EVENT_GRID_ROLE,
  type EventGridAuthenticator,
  entraAuthenticator,
  secretAuthenticator,
} from "../../lib/clouds/azure/ingest/webhook-auth.js";
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
const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), "../fixtures/azure/events");
const text = (name: string) => readFileSync(resolve(FIXTURES, name), "utf8");
type AzureEvent = Record<string, unknown> & { data: Record<string, unknown> };
const events = (name: string) => JSON.parse(text(name)) as AzureEvent[];

const SUBSCRIPTION = "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f";
const TENANT = "0b5e4c1a-2f3d-4e6b-8a9c-7d1e2f3a4b5c";
const AUDIENCE = "api://segsync-events";
const SECRET = "eg-secret-0123456789abcdef";
const SECRET_OPTIONS = { header: "x-segsync-secret", queryParameter: "code" };

const sqs = mockClient(SQSClient);
let telemetry: Captured;
let entra: Signer;
let forger: Signer;
beforeAll(async () => {
  entra = await signer();
  forger = await signer();
});
beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  telemetry = captureTelemetry("azure-events");
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function harness(authenticate: EventGridAuthenticator, options: { subscriptions?: string[] } = {}) {
  const queue = recordingQueue(sqsQueue());
  const handler = createAzureEventsHandler({
    authenticate,
    places: new ConfiguredPlaces({ azure: options.subscriptions ?? [SUBSCRIPTION] }),
    queue,
    clock: () => NOW,
    logger: telemetry.logger,
    metrics: telemetry.metrics,
  });
  return { queue, handler };
}

const withSecret = () => harness(secretAuthenticator(SECRET_OPTIONS, async () => [SECRET]));
const withEntra = () => harness(entraAuthenticator({ tenantId: TENANT, audience: AUDIENCE }, entra.keys));

const entraClaims = (overrides: Record<string, unknown> = {}) => ({
  iss: `https://sts.windows.net/${TENANT}/`,
  aud: AUDIENCE,
  tid: TENANT,
  roles: [EVENT_GRID_ROLE],
  ...lifetime(),
  ...overrides,
});

/** A delivery POSTed to the Function URL with the secret in the endpoint URL's query. */
function delivery(body: unknown, options: RequestOptions = {}) {
  return functionUrlEvent({
    rawQueryString: `code=${SECRET}`,
    body: typeof body === "string" ? body : JSON.stringify(body),
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

/** The VM write fixture turned into a NIC write in the same resource group. */
function nicWrite(): AzureEvent[] {
  const [event] = events("resource-write-success-vm.json");
  const nic = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-shop-prod/providers/Microsoft.Network/networkInterfaces/vm-web-1-nic`;
  const data = {
    ...event?.data,
    resourceUri: nic,
    operationName: "Microsoft.Network/networkInterfaces/write",
  };
  return [{ ...event, id: "5e2a9f10-0000-4000-8000-000000000001", subject: nic, data }];
}

describe("the Event Grid validation handshake", () => {
  it("answers 200 with the validation code once the request is authenticated", async () => {
    const { queue, handler } = withSecret();
    const response = await handler(delivery(text("subscription-validation.json")));
    expect(response.statusCode).toBe(200);
    expect(parsed(response)).toEqual(JSON.parse(text("subscription-validation-response.json")));
    expectNothingEnqueued(queue);
  });

  it("refuses an unauthenticated handshake with 401, without the code", async () => {
    const { handler } = withSecret();
    const response = await handler(delivery(text("subscription-validation.json"), { rawQueryString: "" }));
    expect(response.statusCode).toBe(401);
    expect(parsed(response)).toEqual({
      error: "unauthenticated",
      message: "the request is not authenticated",
    });
  });

  it("answers a handshake authenticated with an Entra token", async () => {
    const { handler } = withEntra();
    const token = await entra.sign(entraClaims());
    const response = await handler(
      delivery(text("subscription-validation.json"), {
        rawQueryString: "",
        headers: { authorization: `Bearer ${token}` },
      }),
    );
    expect(response.statusCode).toBe(200);
  });
});

describe("Event Grid deliveries", () => {
  it("enqueues a VM write (secret in the query) and answers 202", async () => {
    const { queue, handler } = withSecret();
    const response = await handler(delivery(text("resource-write-success-vm.json")));
    expect(response.statusCode).toBe(202);
    expect(parsed(response)).toEqual({ enqueued: 1, ignored: 0, dropped: 0 });
    expect(queue.sent).toEqual([
      {
        kind: "workload",
        event: {
          cloud: "azure",
          eventId: "4db48cba-50a2-455a-93b4-de41a3b5b7f6",
          time: "2018-07-19T18:38:04.6117357Z",
          workloadId: `azure:${SUBSCRIPTION}:rg-shop-prod:vm-web-1`,
          change: { kind: "resource", action: "updated" },
        },
      },
    ]);
    expect(sqs).toHaveReceivedCommandExactlyOnceWith(SendMessageBatchCommand, {
      QueueUrl: QUEUE_URL,
      Entries: [
        expect.objectContaining({
          MessageGroupId: "segsync",
          MessageDeduplicationId: "azure:4db48cba-50a2-455a-93b4-de41a3b5b7f6",
        }),
      ],
    });
    expect(telemetry.metric("EventsReceived")).toBe(1);
    expect(telemetry.metric("EventsEnqueued")).toBe(1);
  });

  it("enqueues a VM deallocate with the secret in a header", async () => {
    const { queue, handler } = withSecret();
    const response = await handler(
      delivery(text("resource-action-success-vm-deallocate.json"), {
        rawQueryString: "",
        headers: { "X-Segsync-Secret": SECRET },
      }),
    );
    expect(response.statusCode).toBe(202);
    expect(queue.sent).toEqual([
      {
        kind: "workload",
        event: expect.objectContaining({
          eventId: "3d1e2f4a-7b8c-4d9e-a0f1-b2c3d4e5f607",
          change: { kind: "state", state: "stopped" },
        }),
      },
    ]);
  });

  it("enqueues a NIC write as an azure-nic message carrying the event's time", async () => {
    const { queue, handler } = withSecret();
    const response = await handler(delivery(nicWrite()));
    expect(response.statusCode).toBe(202);
    expect(queue.sent).toEqual([
      {
        kind: "azure-nic",
        eventId: "5e2a9f10-0000-4000-8000-000000000001",
        time: "2018-07-19T18:38:04.6117357Z",
        subscription: SUBSCRIPTION,
        resourceGroup: "rg-shop-prod",
        nicName: "vm-web-1-nic",
      },
    ]);
    expect(sqs).toHaveReceivedCommandWith(SendMessageBatchCommand, {
      Entries: [
        expect.objectContaining({ MessageDeduplicationId: "azure:5e2a9f10-0000-4000-8000-000000000001" }),
      ],
    });
  });

  it("answers 200 and enqueues nothing when every event is of no interest (a failed write)", async () => {
    const [event] = events("resource-write-success-vm.json");
    const { queue, handler } = withSecret();
    const response = await handler(
      delivery([{ ...event, eventType: "Microsoft.Resources.ResourceWriteFailure" }]),
    );
    expect(response.statusCode).toBe(200);
    expect(parsed(response)).toEqual({ enqueued: 0, ignored: 1, dropped: 0 });
    expectNothingEnqueued(queue);
    expect(telemetry.metric("EventsIgnored")).toBe(1);
  });

  it("enqueues a delivery authenticated with a valid Entra token", async () => {
    const { queue, handler } = withEntra();
    const token = await entra.sign(entraClaims({ iss: `https://login.microsoftonline.com/${TENANT}/v2.0` }));
    const response = await handler(
      delivery(text("resource-write-success-vm.json"), {
        rawQueryString: "",
        headers: { authorization: `Bearer ${token}` },
      }),
    );
    expect(response.statusCode).toBe(202);
    expect(queue.sent).toHaveLength(1);
  });
});

describe("refused deliveries enqueue nothing", () => {
  const body = () => text("resource-write-success-vm.json");

  it.each([
    ["no secret", ""],
    ["a wrong secret", "code=eg-secret-0123456789abcdeX"],
    ["the secret in another parameter", `token=${SECRET}`],
  ])("401 for %s", async (_name, rawQueryString) => {
    const { queue, handler } = withSecret();
    const response = await handler(delivery(body(), { rawQueryString }));
    expect(response.statusCode).toBe(401);
    expectNothingEnqueued(queue);
    expect(telemetry.metric("EventsRejected", "unauthenticated")).toBe(1);
  });

  it.each([
    ["no token", async () => undefined],
    ["a token signed by another key", () => forger.sign(entraClaims())],
    ["a token for another audience", () => entra.sign(entraClaims({ aud: "api://other" }))],
    ["a token from another issuer", () => entra.sign(entraClaims({ iss: "https://sts.windows.net/other/" }))],
    ["an expired token", () => entra.sign(entraClaims({ iat: NOW_SECONDS - 7200, exp: NOW_SECONDS - 3600 }))],
    ["a token without the Event Grid role", () => entra.sign(entraClaims({ roles: ["Reader"] }))],
  ])("401 for %s (Entra)", async (_name, token) => {
    const { queue, handler } = withEntra();
    const bearer = await token();
    const headers: Record<string, string> = bearer === undefined ? {} : { authorization: `Bearer ${bearer}` };
    const response = await handler(delivery(body(), { rawQueryString: "", headers }));
    expect(response.statusCode).toBe(401);
    expectNothingEnqueued(queue);
  });

  it("401 before parsing: an unauthenticated body that is not even JSON is not a 400", async () => {
    const { queue, handler } = withSecret();
    const response = await handler(delivery("[{", { rawQueryString: "" }));
    expect(response.statusCode).toBe(401);
    expectNothingEnqueued(queue);
  });

  it("400 for a body that is not JSON", async () => {
    const { queue, handler } = withSecret();
    const response = await handler(delivery("[{"));
    expect(response.statusCode).toBe(400);
    expect(parsed(response)).toMatchObject({
      error: "malformed",
      message: expect.stringMatching(/^the body is not JSON/),
    });
    expectNothingEnqueued(queue);
  });

  it("400 for JSON that is not an Event Grid delivery, naming what and where", async () => {
    const [event] = events("resource-write-success-vm.json");
    const { queue, handler } = withSecret();
    const response = await handler(delivery([{ ...event, id: "" }]));
    expect(response.statusCode).toBe(400);
    expect(parsed(response).message).toBe("Azure event rejected: [0].id: must not be empty");
    expectNothingEnqueued(queue);
    expect(telemetry.metric("EventsRejected", "malformed")).toBe(1);
  });

  it("acknowledges (200), counts and drops events from a subscription segsync does not manage", async () => {
    const other = "11111111-2222-3333-4444-555555555555";
    const { queue, handler } = harness(
      secretAuthenticator(SECRET_OPTIONS, async () => [SECRET]),
      {
        subscriptions: [other],
      },
    );
    const response = await handler(delivery(body()));
    expect(response.statusCode).toBe(200);
    expect(parsed(response)).toEqual({ enqueued: 0, ignored: 0, dropped: 1 });
    expectNothingEnqueued(queue);
    expect(telemetry.metric("EventsDropped", "subscription-not-configured")).toBe(1);
    expect(telemetry.metric("EventsRejected")).toBe(0);
  });

  it("413 for an oversized body, before authentication and parsing", async () => {
    const authenticate = vi.fn(secretAuthenticator(SECRET_OPTIONS, async () => [SECRET]));
    const queue = recordingQueue(sqsQueue());
    const handler = createAzureEventsHandler({
      authenticate,
      places: new ConfiguredPlaces({ azure: [SUBSCRIPTION] }),
      queue,
      clock: () => NOW,
      logger: telemetry.logger,
      metrics: telemetry.metrics,
      maxBodyBytes: 1024,
    });
    const response = await handler(delivery(`[${" ".repeat(2000)}]`));
    expect(response.statusCode).toBe(413);
    expect(authenticate).not.toHaveBeenCalled();
    expectNothingEnqueued(queue);
    expect(telemetry.metric("EventsRejected", "too-large")).toBe(1);
  });

  it("413 for a body over the default 1 MiB", async () => {
    const { queue, handler } = withSecret();
    const response = await handler(delivery(`[${" ".repeat(1024 * 1024)}]`));
    expect(response.statusCode).toBe(413);
    expectNothingEnqueued(queue);
  });

  it("405 for a GET", async () => {
    const { queue, handler } = withSecret();
    const response = await handler(delivery("", { method: "GET" }));
    expect(response.statusCode).toBe(405);
    expectNothingEnqueued(queue);
  });

  it("409 for a replay of an accepted request (same token, same event id), enqueued once", async () => {
    const { queue, handler } = withEntra();
    const token = await entra.sign(entraClaims());
    const request = delivery(body(), { rawQueryString: "", headers: { authorization: `Bearer ${token}` } });
    expect((await handler(request)).statusCode).toBe(202);
    const replayed = await handler(request);
    expect(replayed.statusCode).toBe(409);
    expect(parsed(replayed).error).toBe("replayed");
    expect(queue.sent).toHaveLength(1);
    expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, 1);
    expect(telemetry.metric("EventsRejected", "replayed")).toBe(1);
  });

  it("409 for a replay with the secret too", async () => {
    const { queue, handler } = withSecret();
    expect((await handler(delivery(body()))).statusCode).toBe(202);
    expect((await handler(delivery(body()))).statusCode).toBe(409);
    expect(queue.sent).toHaveLength(1);
  });

  it("accepts the same event with a new token: SQS's deduplication absorbs it", async () => {
    const { queue, handler } = withEntra();
    for (const iat of [NOW_SECONDS - 60, NOW_SECONDS - 30]) {
      const token = await entra.sign(entraClaims(lifetime(iat - NOW_SECONDS)));
      const headers = { authorization: `Bearer ${token}` };
      expect((await handler(delivery(body(), { rawQueryString: "", headers }))).statusCode).toBe(202);
    }
    expect(queue.sent).toHaveLength(2);
  });
});

describe("failures on segsync's side are 503, so that Event Grid retries", () => {
  it("503 when the key set cannot be fetched, enqueueing nothing", async () => {
    const unreachable = harness(
      entraAuthenticator({ tenantId: TENANT, audience: AUDIENCE }, async () => {
        throw new TypeError("fetch failed");
      }),
    );
    const token = await entra.sign(entraClaims());
    const response = await unreachable.handler(
      delivery(text("resource-write-success-vm.json"), { headers: { authorization: `Bearer ${token}` } }),
    );
    expect(response.statusCode).toBe(503);
    expectNothingEnqueued(unreachable.queue);
    expect(telemetry.metric("EventsFailed", "verifier-unavailable")).toBe(1);
  });

  it("503 when SQS refuses, and the retry is not taken for a replay", async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Failed: [{ Id: "0", SenderFault: false, Code: "ServiceUnavailable", Message: "busy" }],
      })
      .resolves({ Successful: [], Failed: [] });
    const { handler } = withSecret();
    const first = await handler(delivery(text("resource-write-success-vm.json")));
    expect(first.statusCode).toBe(503);
    expect(parsed(first)).toEqual({ error: "enqueue-failed", message: "try again later" });
    const retry = await handler(delivery(text("resource-write-success-vm.json")));
    expect(retry.statusCode).toBe(202);
  });
});

describe("what is logged", () => {
  it("never includes the secret, the token or the Authorization header", async () => {
    const secret = withSecret();
    await secret.handler(delivery(text("resource-write-success-vm.json")));
    await secret.handler(delivery(text("resource-write-success-vm.json")));
    await secret.handler(delivery("[{"));
    await secret.handler(
      delivery(text("resource-write-success-vm.json"), { rawQueryString: "code=wrong-wrong-wrong-wrong" }),
    );
    const entraHandler = withEntra();
    const token = await entra.sign(entraClaims({ roles: ["Reader"] }));
    await entraHandler.handler(
      delivery(text("resource-write-success-vm.json"), { headers: { authorization: `Bearer ${token}` } }),
    );
    const output = telemetry.text();
    expect(output).toContain("request rejected");
    expect(output).toContain("delivery accepted");
    for (const forbidden of [
      SECRET,
      "wrong-wrong-wrong-wrong",
      token,
      token.split(".")[2] ?? token,
      "Bearer",
    ]) {
      expect(output).not.toContain(forbidden);
    }
  });

  it("logs why a request was refused, and counts it under that reason", async () => {
    const { handler } = withEntra();
    const token = await entra.sign(entraClaims({ roles: ["Reader"] }));
    await handler(
      delivery(text("resource-write-success-vm.json"), { headers: { authorization: `Bearer ${token}` } }),
    );
    expect(telemetry.text()).toContain(`Entra token: roles do not include ${EVENT_GRID_ROLE}`);
    const rejected = telemetry.emf().find((record) => record.EventsRejected !== undefined);
    expect(rejected?.reason).toBe("unauthenticated");
    expect(rejected?._aws.CloudWatchMetrics[0]?.Namespace).toBe("segsync");
    expect(rejected?._aws.CloudWatchMetrics[0]?.Dimensions[0]).toContain("reason");
  });
});

describe("the azure-events entry point", () => {
  const secrets = mockClient(SecretsManagerClient);
  beforeEach(() => {
    secrets.reset();
  });

  it("wires the secret from Secrets Manager and the SQS queue from the environment", async () => {
    const secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:segsync/eventgrid-AbCdEf";
    secrets.on(GetSecretValueCommand).resolves({ SecretString: SECRET });
    vi.resetModules();
    vi.stubEnv("AWS_REGION", "us-east-1");
    vi.stubEnv("SEGSYNC_QUEUE_URL", QUEUE_URL);
    vi.stubEnv("SEGSYNC_EVENTGRID_AUTH", JSON.stringify({ mode: "secret", secretArn }));
    vi.stubEnv("SEGSYNC_AZURE_SUBSCRIPTIONS", JSON.stringify([SUBSCRIPTION]));
    const { handler } = await import("../../lambdas/azure-events.js");
    const refused = await handler(
      delivery(text("resource-write-success-vm.json"), { rawQueryString: "" }),
      {} as never,
    );
    expect(refused.statusCode).toBe(401);
    const accepted = await handler(delivery(text("resource-write-success-vm.json")), {} as never);
    expect(accepted.statusCode).toBe(202);
    expect(secrets).toHaveReceivedCommandExactlyOnceWith(GetSecretValueCommand, { SecretId: secretArn });
    expect(sqs).toHaveReceivedCommandExactlyOnceWith(SendMessageBatchCommand, { QueueUrl: QUEUE_URL });
  });

  it("fails the cold start naming a malformed variable", async () => {
    vi.resetModules();
    vi.stubEnv("SEGSYNC_QUEUE_URL", QUEUE_URL);
    vi.stubEnv("SEGSYNC_EVENTGRID_AUTH", JSON.stringify({ mode: "entra", tenantId: TENANT }));
    vi.stubEnv("SEGSYNC_AZURE_SUBSCRIPTIONS", JSON.stringify([SUBSCRIPTION]));
    const { handler } = await import("../../lambdas/azure-events.js");
    await expect(handler(delivery("[]"), {} as never)).rejects.toThrow(/SEGSYNC_EVENTGRID_AUTH\.audience/);
  });
});
