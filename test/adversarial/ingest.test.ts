/**
 * The ingest path under attack and under poison: forged, replayed, oversized and out-of-place
 * webhooks and events never reach the queue, and one message that fails the same way on every
 * retry does not hold back the single FIFO message group. A recording queue (over a mocked SQS
 * client) shows what was enqueued; the simulated clouds and the inventory show what was written.
 * The Azure deliveries and GCP pushes are the native events the simulator emits for scenario steps
 * on examples/estate.yaml; the AWS one is the EC2 documentation's sample (test/fixtures/ingest).
 */
import "aws-sdk-client-mock-vitest/extend";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createAwsEventsHandler } from "../../lambdas/aws-events.js";
import { createAzureEventsHandler } from "../../lambdas/azure-events.js";
import { createGcpEventsHandler } from "../../lambdas/gcp-events.js";
import { reconcilerHandlerOf } from "../../lambdas/reconciler.js";
import { AwsAccessError, AwsApiError, AwsThrottledError } from "../../lib/clouds/aws/errors.js";
import {
  EVENT_GRID_ROLE,
  type EventGridAuthenticator,
  entraAuthenticator,
  secretAuthenticator,
} from "../../lib/clouds/azure/ingest/webhook-auth.js";
import { pubSubAuthenticator } from "../../lib/clouds/gcp/ingest/webhook-auth.js";
import { ConfiguredPlaces, type PlaceList } from "../../lib/ingest/places.js";
import { deduplicationId, QUEUE_MESSAGE_GROUP, type QueueMessage } from "../../lib/ingest/queue-message.js";
import type { WorkloadEvent } from "../../lib/ingest/workload-event.js";
import { MemoryInventoryStore } from "../../lib/inventory/memory-store.js";
import type { WorkloadId } from "../../lib/inventory/model.js";
import { loadPolicyFile } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import { cloudDrivers } from "../../lib/reconcile/cloud-drivers.js";
import type { CloudDriver } from "../../lib/reconcile/driver.js";
import { DEFAULT_GUARD_LIMITS } from "../../lib/reconcile/guard.js";
import { loadEstateFile } from "../../sim/estate.js";
import type { Estate } from "../../sim/estate-schema.js";
import type { NativeEvent } from "../../sim/events.js";
import { Simulation } from "../../sim/simulation.js";
import { lifetime, NOW, type Signer, signer } from "../ingest/tokens.js";
import {
  type Captured,
  captureTelemetry,
  functionUrlEvent,
  recordingQueue,
  sqsQueue,
} from "../lambdas/harness.js";

const EXAMPLES = join(import.meta.dirname, "../../examples");
const FIXTURES = join(import.meta.dirname, "../fixtures/ingest");

/** The simulated estate's places (examples/estate.yaml). */
const ACCOUNT = "111111111111";
const SUB = "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f";
const OTHER_SUB = "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a";
const PROJECT = "shop-prod";
const AWS_WEB_2 = "aws:111111111111:us-east-1:i-0a00000000000002";
const AWS_API = "aws:111111111111:us-east-1:i-0a00000000000003";
const AWS_DB = "aws:111111111111:us-east-1:i-0a00000000000005";
const AZURE_BLOG_WEB = `azure:${SUB}:rg-blog-prod:vm-blog-web-1`;
const GCP_SHOP_WEB_3 = "gcp:shop-prod:us-central1-a:shop-web-3";
/** A Shared VPC service project of shop-prod that holds nothing in the estate. */
const SERVICE_WEB = "gcp:shop-svc-new:us-central1-a:web-9";

const SECRET = "eg-secret-0123456789abcdef";
const SECRET_OPTIONS = { header: "x-segsync-secret", queryParameter: "code" };
const AUDIENCE = "https://segsync-gcp.lambda-url.us-east-1.on.aws/";
const EMAIL = "segsync-push@shop-prod.iam.gserviceaccount.com";
const TENANT = "0b5e4c1a-2f3d-4e6b-8a9c-7d1e2f3a4b5c";
const ENTRA_AUDIENCE = "api://segsync-events";

let policy: Policy;
let estate: Estate;
let google: Signer;
let entra: Signer;
let forger: Signer;

beforeAll(async () => {
  const loadedPolicy = await loadPolicyFile(join(EXAMPLES, "policy.yaml"));
  const loadedEstate = await loadEstateFile(join(EXAMPLES, "estate.yaml"));
  if (!loadedPolicy.ok || !loadedEstate.ok) throw new Error("the examples must load");
  policy = loadedPolicy.policy;
  estate = loadedEstate.estate;
  google = await signer();
  entra = await signer();
  forger = await signer();
});

const sqs = mockClient(SQSClient);
let telemetry: Captured;

beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  telemetry = captureTelemetry("adversarial");
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function expectNothingEnqueued(queue: { sent: unknown[] }) {
  expect(queue.sent).toEqual([]);
  expect(sqs).not.toHaveReceivedCommand(SendMessageBatchCommand);
}

function parsed(response: { body?: string }) {
  return JSON.parse(response.body ?? "null") as Record<string, unknown>;
}

/** The native events of one scenario step on a fresh simulation of the example estate. */
async function nativeEvents(step: Parameters<Simulation["step"]>[0]): Promise<NativeEvent[]> {
  const simulation = Simulation.start(policy, estate);
  return [...(await simulation.step(step)).events];
}

/** Each cloud's native event body. */
type BodyOf = { [E in NativeEvent as E["cloud"]]: E["body"] };

async function one<C extends NativeEvent["cloud"]>(
  cloud: C,
  step: Parameters<Simulation["step"]>[0],
  index = 0,
): Promise<BodyOf[C]> {
  const event = (await nativeEvents(step)).filter((native) => native.cloud === cloud).at(index);
  if (event === undefined) throw new Error(`the step emitted no ${cloud} event ${index}`);
  return event.body as BodyOf[C];
}

// --- the three ingest functions -----------------------------------------------------------

function awsIngest(places: PlaceList["aws"]) {
  const queue = recordingQueue(sqsQueue());
  const handler = createAwsEventsHandler({
    queue,
    places: new ConfiguredPlaces({ aws: places ?? [] }),
    logger: telemetry.logger,
    metrics: telemetry.metrics,
  });
  return { queue, handler };
}

function azureIngest(
  subscriptions: string[] = [SUB],
  authenticate: EventGridAuthenticator = secretAuthenticator(SECRET_OPTIONS, async () => [SECRET]),
) {
  const queue = recordingQueue(sqsQueue());
  const handler = createAzureEventsHandler({
    authenticate,
    places: new ConfiguredPlaces({ azure: subscriptions }),
    queue,
    clock: () => NOW,
    logger: telemetry.logger,
    metrics: telemetry.metrics,
  });
  return { queue, handler };
}

function gcpIngest(projects: string[] = [PROJECT]) {
  const queue = recordingQueue(sqsQueue());
  const handler = createGcpEventsHandler({
    authenticate: pubSubAuthenticator({ audience: AUDIENCE, email: EMAIL }, google.keys),
    places: new ConfiguredPlaces({ gcp: projects }),
    queue,
    clock: () => NOW,
    logger: telemetry.logger,
    metrics: telemetry.metrics,
  });
  return { queue, handler };
}

/** An Event Grid delivery with the shared secret in the endpoint URL's query. */
function delivery(body: unknown, secret = SECRET) {
  return functionUrlEvent({
    rawQueryString: `code=${encodeURIComponent(secret)}`,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const googleClaims = (overrides: Record<string, unknown> = {}) => ({
  iss: "https://accounts.google.com",
  aud: AUDIENCE,
  sub: "113774264463038321964",
  email: EMAIL,
  email_verified: true,
  ...lifetime(),
  ...overrides,
});

const entraClaims = (overrides: Record<string, unknown> = {}) => ({
  iss: `https://sts.windows.net/${TENANT}/`,
  aud: ENTRA_AUDIENCE,
  tid: TENANT,
  roles: [EVENT_GRID_ROLE],
  ...lifetime(),
  ...overrides,
});

function push(body: unknown, token: string) {
  return functionUrlEvent({
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { authorization: `Bearer ${token}` },
  });
}

/** A JWT with `alg: none` and no signature, as a forger would send it. */
function unsigned(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.`;
}

/** The same Event Grid events, moved to another subscription everywhere they name it. */
function inSubscription<T>(events: T, subscription: string, id: string): T {
  const moved = JSON.parse(JSON.stringify(events).replaceAll(SUB, subscription)) as { id: string }[];
  return moved.map((event) => ({ ...event, id })) as T;
}

describe("events from places the configuration does not list are acknowledged, counted and dropped", () => {
  it("aws: another account (the EC2 documentation's sample event) is dropped, not retried", async () => {
    const { queue, handler } = awsIngest([{ account: ACCOUNT, regions: ["us-east-1"] }]);
    const sample = JSON.parse(readFileSync(join(FIXTURES, "aws/ec2-instance-state-change.json"), "utf8"));
    // Returning normally is the acknowledgement: EventBridge's asynchronous invoke retries only a throw.
    await expect(handler(sample)).resolves.toBeUndefined();
    expectNothingEnqueued(queue);
    expect(telemetry.metric("EventsDropped", "account-not-configured")).toBe(1);
    expect(telemetry.metric("EventsRejected")).toBe(0);
    expect(telemetry.text()).toContain("AWS account 123456789012");
  });

  it("aws: a configured account in another region is dropped; in its region it is enqueued", async () => {
    const event = await one("aws", { stop: { id: AWS_WEB_2 } });
    const elsewhere = awsIngest([{ account: ACCOUNT, regions: ["eu-west-1"] }]);
    await elsewhere.handler(event);
    expectNothingEnqueued(elsewhere.queue);
    expect(telemetry.metric("EventsDropped", "region-not-configured")).toBe(1);

    const here = awsIngest([{ account: ACCOUNT, regions: ["eu-west-1", "us-east-1"] }]);
    await here.handler(event);
    expect(here.queue.sent).toMatchObject([{ kind: "workload", event: { workloadId: AWS_WEB_2 } }]);
  });

  it("azure: a delivery from another subscription gets 200 (no Event Grid retry), nothing enqueued", async () => {
    const { queue, handler } = azureIngest([OTHER_SUB]);
    const response = await handler(delivery(await one("azure", { stop: { id: AZURE_BLOG_WEB } })));
    expect(response.statusCode).toBe(200);
    expect(parsed(response)).toEqual({ enqueued: 0, ignored: 0, dropped: 1 });
    expectNothingEnqueued(queue);
    expect(telemetry.metric("EventsDropped", "subscription-not-configured")).toBe(1);
    expect(telemetry.metric("EventsRejected")).toBe(0);
  });

  it("azure: of a mixed delivery only the configured subscription's event is enqueued; GUIDs compare case-insensitively", async () => {
    const [event] = await one("azure", { stop: { id: AZURE_BLOG_WEB } });
    const [foreign] = inSubscription([event], OTHER_SUB, "6c0d5c9e-0000-4000-8000-0000000000f1");
    const { queue, handler } = azureIngest([SUB.toUpperCase()]);
    const response = await handler(delivery([foreign, event]));
    expect(response.statusCode).toBe(202);
    expect(parsed(response)).toEqual({ enqueued: 1, ignored: 0, dropped: 1 });
    expect(queue.sent).toMatchObject([{ kind: "workload", event: { workloadId: AZURE_BLOG_WEB } }]);
    expect(JSON.stringify(queue.sent)).not.toContain(OTHER_SUB);
    expect(telemetry.metric("EventsDropped", "subscription-not-configured")).toBe(1);
  });

  it("gcp: a push about another project gets 200 (acknowledged: no Pub/Sub redelivery), nothing enqueued", async () => {
    const last = await one("gcp", { stop: { id: GCP_SHOP_WEB_3 } }, 1);
    const { queue, handler } = gcpIngest(["billing-prod"]);
    const response = await handler(push(last, await google.sign(googleClaims())));
    expect(response.statusCode).toBe(200);
    expect(parsed(response)).toEqual({ enqueued: 0, ignored: 0, dropped: 1 });
    expectNothingEnqueued(queue);
    expect(telemetry.metric("EventsDropped", "project-not-configured")).toBe(1);

    const configured = gcpIngest();
    const accepted = await configured.handler(push(last, await google.sign(googleClaims())));
    expect(accepted.statusCode).toBe(202);
    expect(configured.queue.sent).toMatchObject([{ event: { workloadId: GCP_SHOP_WEB_3 } }]);
  });
});

describe("forged webhooks are refused with 401 and enqueue nothing", () => {
  it("azure: a wrong shared secret", async () => {
    const { queue, handler } = azureIngest();
    const body = await one("azure", { stop: { id: AZURE_BLOG_WEB } });
    const response = await handler(delivery(body, "eg-secret-guessed-by-someone"));
    expect(response.statusCode).toBe(401);
    expectNothingEnqueued(queue);
    expect(telemetry.metric("EventsRejected", "unauthenticated")).toBe(1);
    expect(telemetry.text()).not.toContain("eg-secret-guessed-by-someone");
  });

  it("azure: (the control) a genuine Entra token is accepted", async () => {
    const authenticate = entraAuthenticator({ tenantId: TENANT, audience: ENTRA_AUDIENCE }, entra.keys);
    const { queue, handler } = azureIngest([SUB], authenticate);
    const body = await one("azure", { stop: { id: AZURE_BLOG_WEB } });
    const token = await entra.sign(entraClaims());
    const response = await handler(
      functionUrlEvent({ body: JSON.stringify(body), headers: { authorization: `Bearer ${token}` } }),
    );
    expect(response.statusCode).toBe(202);
    expect(queue.sent).toHaveLength(1);
  });

  it.each([
    ["a bad signature (another key)", () => forger.sign(entraClaims())],
    ["the wrong audience", () => entra.sign(entraClaims({ aud: "api://someone-else" }))],
    ["the wrong issuer", () => entra.sign(entraClaims({ iss: "https://sts.windows.net/attacker/" }))],
    ["alg none", async () => unsigned(entraClaims())],
    ["no Event Grid role", () => entra.sign(entraClaims({ roles: ["Reader"] }))],
  ])("azure: an Entra token with %s", async (_, token) => {
    const authenticate = entraAuthenticator({ tenantId: TENANT, audience: ENTRA_AUDIENCE }, entra.keys);
    const { queue, handler } = azureIngest([SUB], authenticate);
    const body = await one("azure", { stop: { id: AZURE_BLOG_WEB } });
    const response = await handler(
      functionUrlEvent({ body: JSON.stringify(body), headers: { authorization: `Bearer ${await token()}` } }),
    );
    expect(response.statusCode).toBe(401);
    expectNothingEnqueued(queue);
    expect(telemetry.metric("EventsRejected", "unauthenticated")).toBe(1);
  });

  it.each([
    ["a bad signature (another key)", () => forger.sign(googleClaims())],
    ["the wrong audience", () => google.sign(googleClaims({ aud: "https://attacker.example/" }))],
    ["the wrong issuer", () => google.sign(googleClaims({ iss: "https://attacker.example" }))],
    ["alg none", async () => unsigned(googleClaims())],
    ["another service account", () => google.sign(googleClaims({ email: "x@evil.iam.gserviceaccount.com" }))],
    ["an expired token", () => google.sign(googleClaims(lifetime(-7200, 3600)))],
  ])("gcp: a token with %s", async (_, token) => {
    const { queue, handler } = gcpIngest();
    const last = await one("gcp", { stop: { id: GCP_SHOP_WEB_3 } }, 1);
    const response = await handler(push(last, await token()));
    expect(response.statusCode).toBe(401);
    expect(parsed(response)).toEqual({
      error: "unauthenticated",
      message: "the request is not authenticated",
    });
    expectNothingEnqueued(queue);
  });
});

describe("replayed and oversized requests enqueue nothing", () => {
  it("azure: the same delivery with the same secret a second time is a 409", async () => {
    const { queue, handler } = azureIngest();
    const body = await one("azure", { stop: { id: AZURE_BLOG_WEB } });
    expect((await handler(delivery(body))).statusCode).toBe(202);
    const replayed = await handler(delivery(body));
    expect(replayed.statusCode).toBe(409);
    expect(queue.sent).toHaveLength(1);
    expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, 1);
    expect(telemetry.metric("EventsRejected", "replayed")).toBe(1);
  });

  it("gcp: the same push with the same token a second time is a 409, also when it was dropped", async () => {
    const last = await one("gcp", { stop: { id: GCP_SHOP_WEB_3 } }, 1);
    const token = await google.sign(googleClaims());
    const { queue, handler } = gcpIngest();
    expect((await handler(push(last, token))).statusCode).toBe(202);
    expect((await handler(push(last, token))).statusCode).toBe(409);
    expect(queue.sent).toHaveLength(1);

    const elsewhere = gcpIngest(["billing-prod"]);
    expect((await elsewhere.handler(push(last, token))).statusCode).toBe(200);
    expect((await elsewhere.handler(push(last, token))).statusCode).toBe(409);
    expect(telemetry.metric("EventsDropped", "project-not-configured")).toBe(1);
    expect(elsewhere.queue.sent).toEqual([]);
    expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, 1);
  });

  it("azure: a body over 1 MiB is a 413, before the secret is even compared", async () => {
    const { queue, handler } = azureIngest();
    const response = await handler(delivery(`[${" ".repeat(1024 * 1024)}]`, "not-the-secret"));
    expect(response.statusCode).toBe(413);
    expectNothingEnqueued(queue);
    expect(telemetry.metric("EventsRejected", "too-large")).toBe(1);
  });

  it("gcp: a body over 512 KiB is a 413", async () => {
    const { queue, handler } = gcpIngest();
    const response = await handler(push(`{"pad":"${"x".repeat(512 * 1024)}"}`, "not-a-token"));
    expect(response.statusCode).toBe(413);
    expectNothingEnqueued(queue);
  });
});

// --- the reconciler: one FIFO message group ------------------------------------------------

/** Records which workloads were re-read; refuses `refusals` with the error each is mapped to. */
function refusing(driver: CloudDriver, refusals: ReadonlyMap<WorkloadId, Error>, reads: WorkloadId[]) {
  return {
    ...driver,
    discover: (labels: Policy["labels"], scope?: Parameters<CloudDriver["discover"]>[1]) =>
      driver.discover(labels, scope),
    plan: driver.plan.bind(driver),
    apply: driver.apply.bind(driver),
    discoverWorkload: async (id: WorkloadId, labels: Policy["labels"]) => {
      reads.push(id);
      const refusal = refusals.get(id);
      if (refusal !== undefined) throw refusal;
      return driver.discoverWorkload(id, labels);
    },
  } satisfies CloudDriver;
}

function reconcilerOn(refusals: ReadonlyMap<WorkloadId, Error> = new Map()) {
  const simulation = Simulation.start(policy, estate);
  const connections = simulation.clouds.connections();
  const store = new MemoryInventoryStore();
  const reads: WorkloadId[] = [];
  const drivers = cloudDrivers(simulation.providers, connections, (driver) =>
    refusing(driver, refusals, reads),
  );
  const handle = reconcilerHandlerOf({
    drivers,
    places: ConfiguredPlaces.ofConnections(connections),
    store,
    policy,
    guard: DEFAULT_GUARD_LIMITS,
    logger: new Logger({ serviceName: "segsync-reconciler" }),
    metrics: new Metrics({ namespace: "segsync", serviceName: "segsync-reconciler" }),
    now: () => simulation.clouds.clock.now(),
  });
  const messages = async (step: Parameters<Simulation["step"]>[0]) => (await simulation.step(step)).queued;
  return { simulation, store, reads, handle, messages };
}

function batch(...messages: QueueMessage[]): SQSEvent {
  return {
    Records: messages.map((message, index) => ({
      messageId: `message-${index}`,
      receiptHandle: `receipt-${index}`,
      body: JSON.stringify(message),
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: "1795000000000",
        SenderId: "AIDAEXAMPLE",
        ApproximateFirstReceiveTimestamp: "1795000000001",
        SequenceNumber: String(18_000_000_000_000_000_000 + index),
        MessageGroupId: QUEUE_MESSAGE_GROUP,
        MessageDeduplicationId: deduplicationId(message),
      },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:111111111111:segsync.fifo",
      awsRegion: "us-east-1",
    })),
  };
}

const FULL_SYNC: QueueMessage = { kind: "full-sync", reason: "schedule" };

function workloadMessage(workloadId: string, eventId: string): QueueMessage {
  const event: WorkloadEvent = {
    cloud: workloadId.startsWith("aws:") ? "aws" : workloadId.startsWith("azure:") ? "azure" : "gcp",
    eventId,
    time: "2026-06-25T04:59:00Z",
    workloadId,
    change: { kind: "resource", action: "updated" },
  };
  return { kind: "workload", event };
}

function failedIds(response: { batchItemFailures: { itemIdentifier: string }[] }): string[] {
  return response.batchItemFailures.map((failure) => failure.itemIdentifier);
}

const CONSOLE = ["log", "info", "warn", "error", "debug"] as const;

/** The log entries with this message (Powertools writes one console call each in POWERTOOLS_DEV). */
function logged(message: string): Record<string, unknown>[] {
  return CONSOLE.flatMap((method) => vi.mocked(console[method]).mock.calls)
    .map((args) => args.map(String).join(" "))
    .filter((text) => text.trimStart().startsWith("{") && !text.includes('"_aws"'))
    .map((text) => JSON.parse(text) as Record<string, unknown>)
    .filter((entry) => entry.message === message);
}

/** Forgets what was logged so far (captureTelemetry's metrics are kept). */
function forgetLogs(): void {
  for (const method of CONSOLE) vi.mocked(console[method]).mockClear();
}

describe("a poison message in the middle of a FIFO batch does not hold back the ones after it", () => {
  it("a re-read refused non-retryably is a finding; the later messages, of every cloud, are processed", async () => {
    const poison = workloadMessage(AWS_DB, "poison-1");
    const refusal = new AwsAccessError(
      "DescribeInstances failed with UnauthorizedOperation",
      "UnauthorizedOperation",
    );
    const h = reconcilerOn(new Map([[AWS_DB, refusal]]));
    expect(failedIds(await h.handle(batch(FULL_SYNC)))).toEqual([]);
    const before = await h.store.get(AWS_DB);
    forgetLogs();

    const first = await h.messages({ stop: { id: AWS_WEB_2 } });
    const later = [
      ...(await h.messages({ stop: { id: GCP_SHOP_WEB_3 } })),
      ...(await h.messages({
        retag: { id: AWS_API, tags: { "seg-app": "shop", "seg-env": "prod", "seg-role": "batch" } },
      })),
    ];
    const response = await h.handle(batch(...first, poison, ...later));

    expect(failedIds(response)).toEqual([]);
    // Processed: the later messages' workloads were re-read and stored, and AWS was planned and written.
    expect((await h.store.get(GCP_SHOP_WEB_3))?.workload.state).toBe("stopped");
    expect((await h.store.get(AWS_API))?.workload.tags["seg-role"]).toBe("batch");
    expect((await h.store.get(AWS_WEB_2))?.workload.state).toBe("stopped");
    const audit = logged("segsync audit").map((entry) => entry.audit as { cloud: string });
    expect(audit.filter((record) => record.cloud === "aws").length).toBeGreaterThan(0);
    // The poison workload is left as the store had it.
    expect(await h.store.get(AWS_DB)).toEqual(before);
    expect(logged("non-retryable failure acknowledged")).toMatchObject([
      { cloud: "aws", error: expect.stringContaining("UnauthorizedOperation") },
    ]);
    expect(telemetry.metric("NonRetryableFailures")).toBe(1);
    expect(telemetry.metric("MessagesFailed")).toBe(0);
  });

  it("an unreadable answer about one workload is not retried either", async () => {
    const refusal = new AwsApiError("EC2 returned an unknown instance state rebooting", "MalformedResponse");
    const h = reconcilerOn(new Map([[AWS_DB, refusal]]));
    expect(failedIds(await h.handle(batch(FULL_SYNC)))).toEqual([]);
    const later = await h.messages({ stop: { id: GCP_SHOP_WEB_3 } });
    const response = await h.handle(batch(workloadMessage(AWS_DB, "poison-2"), ...later));
    expect(failedIds(response)).toEqual([]);
    expect((await h.store.get(GCP_SHOP_WEB_3))?.workload.state).toBe("stopped");
  });

  it("a message about a place the connections do not manage is ignored, and never read", async () => {
    const h = reconcilerOn();
    expect(failedIds(await h.handle(batch(FULL_SYNC)))).toEqual([]);
    h.reads.length = 0;
    forgetLogs();
    const outside = [
      workloadMessage("aws:999999999999:us-east-1:i-0a00000000000009", "outside-1"),
      workloadMessage("aws:111111111111:ap-south-1:i-0a00000000000009", "outside-2"),
      workloadMessage(`azure:${OTHER_SUB}:rg-x:vm-x`, "outside-3"),
      workloadMessage("gcp:billing-prod:us-central1-a:vm-x", "outside-4"),
      workloadMessage("aws:not-a-workload-id", "outside-5"),
    ];
    const later = await h.messages({ stop: { id: AWS_WEB_2 } });
    const response = await h.handle(batch(...outside, ...later));
    expect(failedIds(response)).toEqual([]);
    expect(h.reads).toEqual([AWS_WEB_2]);
    expect(logged("queue message ignored").map((entry) => entry.messageId)).toEqual(
      outside.map((_, index) => `message-${index}`),
    );
    expect(telemetry.metric("MessagesIgnored")).toBe(outside.length);
    expect((await h.store.get(AWS_WEB_2))?.workload.state).toBe("stopped");
  });

  it("a message about a Shared VPC service project no read knew yet is read, once it names a configured host", async () => {
    const h = reconcilerOn();
    expect(failedIds(await h.handle(batch(FULL_SYNC)))).toEqual([]);
    h.reads.length = 0;
    forgetLogs();
    // Launched after the connections were made, in shop-prod's network: shop-svc-new is attached to shop-prod.
    const launched = await h.messages({
      launch: {
        id: SERVICE_WEB,
        network: "gcp:shop-prod:prod-net",
        privateIp: "10.3.0.200",
        tags: { "seg-app": "shop", "seg-env": "prod", "seg-role": "web" },
      },
    });
    const response = await h.handle(batch(...launched));
    expect(failedIds(response)).toEqual([]);
    expect(logged("queue message ignored")).toEqual([]);
    expect(h.reads).toContain(SERVICE_WEB);
    expect((await h.store.get(SERVICE_WEB))?.workload.state).toBe("running");
    const tags = h.simulation.clouds.gcp("shop-svc-new").state().instances[0]?.tags.items ?? [];
    expect(tags.some((tag) => tag.startsWith("segsync-"))).toBe(true);
  });

  it("a retryable failure (throttling) is still reported, with every later message (the FIFO rule)", async () => {
    const refusal = new AwsThrottledError(
      "DescribeInstances failed with RequestLimitExceeded",
      "RequestLimitExceeded",
    );
    const h = reconcilerOn(new Map([[AWS_DB, refusal]]));
    expect(failedIds(await h.handle(batch(FULL_SYNC)))).toEqual([]);
    const later = await h.messages({ stop: { id: GCP_SHOP_WEB_3 } });
    const response = await h.handle(batch(workloadMessage(AWS_DB, "throttled-1"), ...later));
    expect(failedIds(response)).toEqual([null, ...later].map((_, index) => `message-${index}`));
    expect(telemetry.metric("NonRetryableFailures")).toBe(0);
  });
});
