/**
 * The reconciler function on the simulated estate (examples/estate.yaml, examples/policy.yaml):
 * SQS batches carrying queue messages made from the native events of scenario steps, through
 * the real Powertools logger and metrics, whose JSON lines are read back from stdout.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createReconcilerHandler,
  handler,
  loadFunctionPolicy,
  type ReconcilerHandler,
  reconcilerHandlerOf,
} from "../../lambdas/reconciler.js";
import { AzureAccessError } from "../../lib/clouds/azure/errors.js";
import type { AzureConnection } from "../../lib/clouds/azure/provider.js";
import { ConfiguredPlaces } from "../../lib/ingest/places.js";
import { deduplicationId, QUEUE_MESSAGE_GROUP, type QueueMessage } from "../../lib/ingest/queue-message.js";
import { InventoryError } from "../../lib/inventory/errors.js";
import { MemoryInventoryStore } from "../../lib/inventory/memory-store.js";
import type { Cloud } from "../../lib/inventory/model.js";
import { PolicyInvalidError } from "../../lib/policy/errors.js";
import { loadPolicyFile } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import { cloudDrivers } from "../../lib/reconcile/cloud-drivers.js";
import type { CloudDriver } from "../../lib/reconcile/driver.js";
import { DEFAULT_GUARD_LIMITS, type GuardLimits } from "../../lib/reconcile/guard.js";
import type { HintResolver } from "../../lib/reconcile/messages.js";
import type { ReconcileResult } from "../../lib/reconcile/reconciler.js";
import { loadEstateFile } from "../../sim/estate.js";
import type { Estate } from "../../sim/estate-schema.js";
import type { Step } from "../../sim/scenario.js";
import { Simulation } from "../../sim/simulation.js";

const EXAMPLES = join(import.meta.dirname, "../../examples");
const SUB = "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f";
const AWS_WEB_2 = "aws:111111111111:us-east-1:i-0a00000000000002";
const AWS_API = "aws:111111111111:us-east-1:i-0a00000000000003";
/** Terminating it removes owned rules (its identity's group goes). */
const AWS_DB = "aws:111111111111:us-east-1:i-0a00000000000005";
const AZURE_BLOG_WEB = `azure:${SUB}:rg-blog-prod:vm-blog-web-1`;
const GCP_SHOP_WEB_3 = "gcp:shop-prod:us-central1-a:shop-web-3";

let policy: Policy;
let estate: Estate;

beforeAll(async () => {
  const loadedPolicy = await loadPolicyFile(join(EXAMPLES, "policy.yaml"));
  const loadedEstate = await loadEstateFile(join(EXAMPLES, "estate.yaml"));
  if (!loadedPolicy.ok || !loadedEstate.ok) throw new Error("the examples must load");
  policy = loadedPolicy.policy;
  estate = loadedEstate.estate;
});

// --- output: Powertools writes one JSON document per line (warnings and errors to stderr) ---

let stdout: string[] = [];

beforeEach(() => {
  stdout = [];
  const capture = (chunk: string | Uint8Array) => {
    stdout.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(capture);
  vi.spyOn(process.stderr, "write").mockImplementation(capture);
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function lines(): Record<string, unknown>[] {
  return stdout
    .join("")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function logEntries(message: string): Record<string, unknown>[] {
  return lines().filter((line) => line.message === message);
}

const SECRET_LOOKING = /secret|password|passwd|token|credential|authorization|private.?key/i;

/** The paths of every field, at any depth, whose name looks like it holds a secret. */
function secretLookingFields(value: unknown, path = "$"): string[] {
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, child]) => [
    ...(SECRET_LOOKING.test(key) ? [`${path}.${key}`] : []),
    ...secretLookingFields(child, `${path}.${key}`),
  ]);
}

interface EmfPoint {
  readonly name: string;
  readonly unit: string;
  readonly value: unknown;
  readonly namespace: string;
  readonly cloud?: unknown;
}

/** Every metric of every EMF document written, with its namespace and `cloud` dimension. */
function metricPoints(): EmfPoint[] {
  const points: EmfPoint[] = [];
  for (const line of lines()) {
    const aws = line._aws as
      | { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string; Unit: string }[] }[] }
      | undefined;
    if (aws === undefined) continue;
    for (const directive of aws.CloudWatchMetrics) {
      for (const metric of directive.Metrics) {
        points.push({
          name: metric.Name,
          unit: metric.Unit,
          value: line[metric.Name],
          namespace: directive.Namespace,
          ...(line.cloud === undefined ? {} : { cloud: line.cloud }),
        });
      }
    }
  }
  return points;
}

function metric(name: string, cloud?: Cloud): unknown[] {
  return metricPoints()
    .filter((point) => point.name === name && (cloud === undefined || point.cloud === cloud))
    .map((point) => point.value);
}

// --- the function on the simulated estate ---------------------------------------------------

interface Harness {
  readonly simulation: Simulation;
  readonly store: MemoryInventoryStore;
  readonly broken: Set<Cloud>;
  readonly handle: ReconcilerHandler;
  /** Applies a scenario step and returns the queue messages of its events. */
  step(step: Step): Promise<QueueMessage[]>;
}

/** Each cloud's hint resolver over the simulated clouds; Azure's over `azure` when given. */
function hintsOf(simulation: Simulation, azure?: AzureConnection): Record<Cloud, HintResolver> {
  const connections = simulation.clouds.connections();
  return cloudDrivers(simulation.providers, { ...connections, azure: azure ?? connections.azure });
}

/** A connection refused, as Node reports it: a retry may get through. */
function unreachable(what: string): Error {
  return Object.assign(new Error(`${what} is unreachable`), { code: "ECONNREFUSED" });
}

/** A driver that throws on every read while its cloud is in `broken`, like an unreachable cloud. */
function breakable(driver: CloudDriver, broken: ReadonlySet<Cloud>): CloudDriver {
  const check = () => {
    if (broken.has(driver.cloud)) throw unreachable(driver.cloud);
  };
  return {
    cloud: driver.cloud,
    discover: async (labels, scope) => {
      check();
      return driver.discover(labels, scope);
    },
    readsChanges: driver.readsChanges,
    discoverChange: async (labels, change, planning) => {
      check();
      return driver.discoverChange(labels, change, planning);
    },
    discoverWorkload: async (id, labels) => {
      check();
      return driver.discoverWorkload(id, labels);
    },
    plan: (read, intent, p) => driver.plan(read, intent, p),
    apply: (plan, held, onApplied) => driver.apply(plan, held, onApplied),
    // The hints' lookups stay reachable: a test breaks them on their own.
    resolveHint: (hint) => driver.resolveHint(hint),
  };
}

function harness(
  options: {
    guard?: GuardLimits;
    store?: MemoryInventoryStore;
    /** The clouds of an earlier harness, and the policy this function runs under. */
    simulation?: Simulation;
    policy?: Policy;
    saveSnapshot?: () => Promise<unknown>;
  } = {},
): Harness {
  const simulation = options.simulation ?? Simulation.start(policy, estate);
  const connections = simulation.clouds.connections();
  const broken = new Set<Cloud>();
  const store = options.store ?? new MemoryInventoryStore();
  const drivers = cloudDrivers(simulation.providers, connections, (driver) => breakable(driver, broken));
  const handle = reconcilerHandlerOf({
    drivers,
    places: ConfiguredPlaces.ofConnections(connections),
    store,
    policy: options.policy ?? policy,
    guard: options.guard ?? DEFAULT_GUARD_LIMITS,
    logger: new Logger({ serviceName: "segsync-reconciler" }),
    metrics: new Metrics({ namespace: "segsync", serviceName: "segsync-reconciler" }),
    now: () => simulation.clouds.clock.now(),
    ...(options.saveSnapshot === undefined ? {} : { saveSnapshot: options.saveSnapshot }),
  });
  return {
    simulation,
    store,
    broken,
    handle,
    async step(step) {
      const outcome = await simulation.step(step);
      return [...outcome.queued];
    },
  };
}

const FULL_SYNC: QueueMessage = { kind: "full-sync", reason: "schedule" };

function sqsRecord(body: string, index: number, dedup = `raw-${index}`): SQSRecord {
  return {
    messageId: `message-${index}`,
    receiptHandle: `receipt-${index}`,
    body,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "1795000000000",
      SenderId: "AIDAEXAMPLE",
      ApproximateFirstReceiveTimestamp: "1795000000001",
      SequenceNumber: String(18_000_000_000_000_000_000 + index),
      MessageGroupId: QUEUE_MESSAGE_GROUP,
      MessageDeduplicationId: dedup,
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:111111111111:segsync.fifo",
    awsRegion: "us-east-1",
  };
}

function batch(...bodies: (QueueMessage | string)[]): SQSEvent {
  return {
    Records: bodies.map((body, index) =>
      typeof body === "string"
        ? sqsRecord(body, index)
        : sqsRecord(JSON.stringify(body), index, deduplicationId(body)),
    ),
  };
}

function failedIds(response: { batchItemFailures: { itemIdentifier: string }[] }): string[] {
  return response.batchItemFailures.map((failure) => failure.itemIdentifier);
}

function summary(): Record<string, unknown> {
  const entries = logEntries("batch reconciled");
  expect(entries).toHaveLength(1);
  return entries[0] as Record<string, unknown>;
}

/** Runs the initial full sync and forgets its output. */
async function synced(h: Harness): Promise<void> {
  expect(failedIds(await h.handle(batch(FULL_SYNC)))).toEqual([]);
  stdout.length = 0;
}

describe("the reconciler function on the simulated estate", () => {
  it("applies a batch of scenario events, audits each operation, and converges", async () => {
    const h = harness();
    await synced(h);
    const messages = [
      ...(await h.step({ stop: { id: AWS_WEB_2 } })),
      ...(await h.step({ stop: { id: AZURE_BLOG_WEB } })),
      ...(await h.step({ stop: { id: GCP_SHOP_WEB_3 } })),
    ];
    expect(new Set(messages.map((m) => (m.kind === "workload" ? m.event.cloud : "")))).toEqual(
      new Set(["aws", "azure", "gcp"]),
    );

    const response = await h.handle(batch(...messages));

    expect(failedIds(response)).toEqual([]);
    const done = summary();
    expect(done).toMatchObject({
      mode: "events",
      messages: messages.length,
      failedClouds: [],
      guardAllowed: true,
    });
    expect(done.level).toBe("INFO");
    expect(done.service).toBe("segsync-reconciler");
    const applied = done.applied as Record<string, number>;
    const total = Object.values(applied).reduce((sum, n) => sum + n, 0);
    expect(total).toBeGreaterThan(0);
    // One structured audit entry per applied operation, each naming its cloud and object.
    const audit = logEntries("segsync audit").map((entry) => entry.audit as Record<string, unknown>);
    expect(audit).toHaveLength(total);
    expect(audit.every((record) => record.outcome === "applied" && typeof record.object === "string")).toBe(
      true,
    );
    for (const [cloud, count] of Object.entries(applied)) {
      expect(metric("OperationsApplied", cloud as Cloud)).toEqual([count]);
      expect(audit.filter((record) => record.cloud === cloud)).toHaveLength(count);
    }
    expect((await h.store.get(AWS_WEB_2))?.workload.state).toBe("stopped");
    expect((await h.store.get(GCP_SHOP_WEB_3))?.workload.state).toBe("stopped");
    expect(lines().flatMap((line) => secretLookingFields(line))).toEqual([]);

    // The events were enough: a full sync afterwards finds nothing to do.
    stdout.length = 0;
    expect(failedIds(await h.handle(batch(FULL_SYNC)))).toEqual([]);
    expect(Object.values(summary().applied as Record<string, number>).every((n) => n === 0)).toBe(true);
    expect(logEntries("segsync audit")).toEqual([]);
  });

  it("publishes the batch's metrics as EMF in the segsync namespace", async () => {
    const h = harness();
    await synced(h);
    const messages = await h.step({
      retag: { id: AWS_API, tags: { "seg-app": "shop", "seg-env": "prod", "seg-role": "batch" } },
    });
    await h.handle(batch(...messages));
    const points = metricPoints();
    expect(new Set(points.map((point) => point.namespace))).toEqual(new Set(["segsync"]));
    expect(metric("MessagesReceived")).toEqual([messages.length]);
    expect(metric("MessagesMalformed")).toEqual([0]);
    expect(metric("MessagesFailed")).toEqual([0]);
    expect(metric("GuardTrips")).toEqual([0]);
    expect(metric("PeerSetsCoalesced")).toEqual([0]);
    expect(metric("FullSyncs")).toEqual([0]);
    expect(metric("CloudFailures", "aws")).toEqual([0]);
    expect(metric("Findings", "aws")).toHaveLength(1);
    const latency = points.filter((point) => point.name === "ReconcileLatency");
    expect(latency).toHaveLength(1);
    expect(latency[0]?.unit).toBe("Milliseconds");
    expect(typeof latency[0]?.value).toBe("number");
  });

  it("runs one full sync for a batch with full-sync messages, whatever else is in it", async () => {
    const h = harness();
    await synced(h);
    const events = await h.step({ stop: { id: AWS_WEB_2 } });
    const calls: string[] = [];
    const fake: ReconcileResult = {
      intent: {} as ReconcileResult["intent"],
      plan: {},
      guard: { allowed: true, removedRules: 0, unexplainedRules: 0, ownedRules: 0, overridden: false },
      refused: {},
      applied: {},
      failures: {},
    };
    const handle = createReconcilerHandler({
      reconciler: {
        fullSync: async () => {
          calls.push("fullSync");
          return fake;
        },
        handleEvents: async () => {
          calls.push("handleEvents");
          return fake;
        },
      },
      places: ConfiguredPlaces.ofConnections(h.simulation.clouds.connections()),
      hints: hintsOf(h.simulation),
      logger: new Logger({ serviceName: "segsync-reconciler" }),
      metrics: new Metrics({ namespace: "segsync" }),
    });
    const response = await handle(batch(...events, FULL_SYNC, { kind: "full-sync", reason: "policy v2" }));
    expect(failedIds(response)).toEqual([]);
    expect(calls).toEqual(["fullSync"]);
    expect(summary()).toMatchObject({ mode: "full-sync", reason: "schedule" });
    expect(metric("FullSyncs")).toEqual([1]);
  });

  it("saves the inventory snapshot after each batch; a failed save is logged and fails nothing", async () => {
    const saves: string[] = [];
    const h = harness({
      saveSnapshot: async () => {
        saves.push("save");
        if (saves.length > 1) throw new Error("ProvisionedThroughputExceededException");
      },
    });
    await synced(h);
    expect(saves).toEqual(["save"]);
    const events = await h.step({ stop: { id: AWS_WEB_2 } });
    const response = await h.handle(batch(...events));
    expect(failedIds(response)).toEqual([]);
    expect(saves).toEqual(["save", "save"]);
    expect(logEntries("inventory snapshot not saved")).toMatchObject([
      { level: "WARN", error: "Error: ProvisionedThroughputExceededException" },
    ]);
    expect(summary()).toMatchObject({ mode: "events" });
  });

  it("drops malformed bodies with a metric and a log line that quotes none of their content", async () => {
    const h = harness();
    await synced(h);
    const events = await h.step({ stop: { id: AWS_WEB_2 } });
    const secret = "s3cr3t-do-not-log";
    const notJson = `{"kind": "workload", "password": "${secret}"`;
    const wrongShape = JSON.stringify({ ...events[0], clientSecret: secret });
    const response = await h.handle(batch(notJson, ...events, wrongShape));

    expect(failedIds(response)).toEqual([]);
    const dropped = logEntries("malformed queue message dropped");
    expect(dropped.map((entry) => entry.messageId)).toEqual(["message-0", `message-${events.length + 1}`]);
    expect(dropped[0]?.problems).toEqual([`the body is not JSON (${notJson.length} characters)`]);
    expect(String(dropped[1]?.problems)).toContain("clientSecret");
    expect(dropped.every((entry) => entry.level === "WARN")).toBe(true);
    expect(metric("MessagesMalformed")).toEqual([2]);
    expect(metric("MessagesReceived")).toEqual([events.length + 2]);
    expect(summary()).toMatchObject({ mode: "events", messages: events.length });
    // Nothing written anywhere carries the secret.
    expect(stdout.join("")).not.toContain(secret);
    expect(lines().flatMap((line) => secretLookingFields(line))).toEqual([]);
    expect((await h.store.get(AWS_WEB_2))?.workload.state).toBe("stopped");
  });

  it("applies removals that follow from a confirmed termination, even under the strictest limits", async () => {
    const h = harness({ guard: { maxRemovedRules: 0, maxRemovedShare: 0, shareAppliesAbove: 0 } });
    await synced(h);
    const response = await h.handle(batch(...(await h.step({ terminate: { id: AWS_DB } }))));
    expect(failedIds(response)).toEqual([]);
    expect(metric("GuardTrips")).toEqual([0]);
    expect(summary()).toMatchObject({ guardAllowed: true });
    expect(logEntries("segsync audit").length).toBeGreaterThan(0);
  });

  it("counts a guard trip for removals no confirmed change explains, holds them, and does not retry", async () => {
    const first = harness();
    await synced(first);
    // Deployed again with every ruleset in visibility: a policy change, not a workload's.
    const off = {
      ...policy,
      rulesets: policy.rulesets.map((rs) => ({ ...rs, enforcement: "visibility" as const })),
    };
    const h = harness({
      simulation: first.simulation,
      store: first.store,
      policy: off,
      guard: { maxRemovedRules: 0, maxRemovedShare: 0, shareAppliesAbove: 0 },
    });
    const messages = await h.step({ terminate: { id: AWS_DB } });
    const response = await h.handle(batch(...messages));

    expect(failedIds(response)).toEqual([]);
    expect(metric("GuardTrips")).toEqual([1]);
    const held = logEntries("plan held back by the blast-radius guard");
    expect(held).toHaveLength(1);
    expect(held[0]?.reason).toMatch(/held back \(everything else is applied\) until an explicit override/);
    expect(summary()).toMatchObject({ guardAllowed: false });
    // Every operation of that plan narrows or deletes: none is applied.
    expect(logEntries("segsync audit")).toEqual([]);
  });

  it("reports the messages about a failing cloud, and every later one (FIFO), as batch item failures", async () => {
    const h = harness();
    await synced(h);
    const aws = await h.step({ stop: { id: AWS_WEB_2 } });
    const gcp = await h.step({ stop: { id: GCP_SHOP_WEB_3 } });
    const azure = await h.step({ stop: { id: AZURE_BLOG_WEB } });
    const awsLater = await h.step({
      retag: { id: AWS_API, tags: { "seg-app": "shop", "seg-env": "prod", "seg-role": "batch" } },
    });
    expect(azure).toHaveLength(1);
    h.broken.add("azure");
    const messages = [...aws, ...gcp, ...azure, ...awsLater];

    const response = await h.handle(batch(...messages));

    const firstAzure = aws.length + gcp.length;
    expect(failedIds(response)).toEqual(
      messages.slice(firstAzure).map((_, index) => `message-${firstAzure + index}`),
    );
    expect(metric("CloudFailures", "azure")).toEqual([1]);
    expect(metric("CloudFailures", "aws")).toEqual([0]);
    expect(metric("MessagesFailed")).toEqual([messages.length - firstAzure]);
    const failed = logEntries("cloud failed");
    expect(failed).toMatchObject([{ cloud: "azure", level: "ERROR" }]);
    expect(String(failed[0]?.error)).toContain("azure is unreachable");
    // The clouds that work went on.
    expect((await h.store.get(AWS_WEB_2))?.workload.state).toBe("stopped");
    expect((await h.store.get(AWS_API))?.workload.tags["seg-role"]).toBe("batch");

    // SQS hands the failed ones back; with Azure reachable again they go through.
    h.broken.delete("azure");
    stdout.length = 0;
    const retried = await h.handle(batch(...messages.slice(firstAzure)));
    expect(failedIds(retried)).toEqual([]);
    expect((await h.store.get(AZURE_BLOG_WEB))?.workload.state).toBe("stopped");
  });

  it("fails a full sync message, and what follows it, when one cloud fails in it", async () => {
    const h = harness();
    await synced(h);
    const aws = await h.step({ stop: { id: AWS_WEB_2 } });
    const gcp = await h.step({ stop: { id: GCP_SHOP_WEB_3 } });
    h.broken.add("gcp");
    const response = await h.handle(batch(...aws, FULL_SYNC, ...gcp));
    expect(failedIds(response)).toEqual(
      [FULL_SYNC, ...gcp].map((_, index) => `message-${aws.length + index}`),
    );
    expect(summary()).toMatchObject({ mode: "full-sync", failedClouds: ["gcp"] });
    expect((await h.store.get(AWS_WEB_2))?.workload.state).toBe("stopped");
  });

  it("resolves an azure-nic message to its VM, ignores an unmanaged subscription, retries a failed lookup", async () => {
    const h = harness();
    await synced(h);
    const nic = (id: string, subscription = SUB): QueueMessage => ({
      kind: "azure-nic",
      eventId: id,
      time: "2026-11-23T00:00:00Z",
      subscription: subscription.toUpperCase(),
      resourceGroup: "rg-shop-prod",
      nicName: "vm-api-2-nic",
    });
    const response = await h.handle(batch(nic("e-1"), nic("e-2", "00000000-0000-4000-8000-000000000000")));
    expect(failedIds(response)).toEqual([]);
    expect(summary()).toMatchObject({ mode: "events", messages: 2 });
    expect(logEntries("queue message ignored")).toMatchObject([{ messageId: "message-1" }]);
    expect(metric("MessagesIgnored")).toEqual([1]);

    // The NIC lookup itself fails: Azure is unreachable for the resolver too.
    stdout.length = 0;
    const connections = h.simulation.clouds.connections();
    const handle = createReconcilerHandler({
      reconciler: {
        fullSync: () => Promise.reject(new Error("not expected")),
        handleEvents: () => Promise.reject(new Error("not expected")),
      },
      places: ConfiguredPlaces.ofConnections(connections),
      hints: hintsOf(h.simulation, {
        ...connections.azure,
        apiFor: () => {
          throw unreachable("ARM");
        },
      }),
      logger: new Logger({ serviceName: "segsync-reconciler" }),
      metrics: new Metrics({ namespace: "segsync" }),
    });
    const failed = await handle(batch(nic("e-3")));
    expect(failedIds(failed)).toEqual(["message-0"]);
    expect(logEntries("queue message not resolved")).toMatchObject([
      { messageId: "message-0", cloud: "azure", error: "Error: ARM is unreachable" },
    ]);
    expect(summary()).toMatchObject({ mode: "idle" });
  });

  it("reports the whole batch when the reconcile itself throws (the inventory is unavailable)", async () => {
    const store = new MemoryInventoryStore();
    const h = harness({ store });
    const messages = await h.step({ stop: { id: AWS_WEB_2 } });
    vi.spyOn(store, "list").mockRejectedValue(
      new InventoryError("inventory table t: list failed: table unavailable"),
    );
    const response = await h.handle(batch(...messages, FULL_SYNC));
    expect(failedIds(response)).toEqual([...messages, FULL_SYNC].map((_, index) => `message-${index}`));
    expect(metric("ReconcileErrors")).toEqual([1]);
    const logged = logEntries("reconcile failed");
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged[0])).toContain("table unavailable");
  });

  /** A handler over a reconciler whose every run ends as `result` says (or throws `error`). */
  function scripted(h: Harness, outcome: { failures?: ReconcileResult["failures"]; error?: Error }) {
    const result: ReconcileResult = {
      intent: {} as ReconcileResult["intent"],
      plan: {},
      guard: { allowed: true, removedRules: 0, unexplainedRules: 0, ownedRules: 0, overridden: false },
      refused: {},
      applied: {},
      failures: outcome.failures ?? {},
    };
    const run = async () => {
      if (outcome.error !== undefined) throw outcome.error;
      return result;
    };
    const connections = h.simulation.clouds.connections();
    return createReconcilerHandler({
      reconciler: { fullSync: run, handleEvents: run },
      places: ConfiguredPlaces.ofConnections(connections),
      hints: hintsOf(h.simulation),
      logger: new Logger({ serviceName: "segsync-reconciler" }),
      metrics: new Metrics({ namespace: "segsync", serviceName: "segsync-reconciler" }),
    });
  }

  it("acknowledges the messages of a cloud whose failure a retry cannot help, and reports it", async () => {
    const h = harness();
    const aws = await h.step({ stop: { id: AWS_WEB_2 } });
    const gcp = await h.step({ stop: { id: GCP_SHOP_WEB_3 } });
    const message = "AwsNotFoundError: AuthorizeSecurityGroupIngress failed with InvalidGroup.NotFound";
    const handle = scripted(h, { failures: { aws: { message, retryable: false } } });
    const response = await handle(batch(...aws, ...gcp));
    expect(failedIds(response)).toEqual([]);
    expect(logEntries("non-retryable failure acknowledged")).toMatchObject([
      { cloud: "aws", error: message, level: "ERROR" },
    ]);
    expect(logEntries("cloud failed")).toMatchObject([{ cloud: "aws", retryable: false }]);
    expect(metric("NonRetryableFailures")).toEqual([1]);
    expect(metric("MessagesFailed")).toEqual([0]);
  });

  it("acknowledges a batch whose reconcile threw what a retry cannot help (a bug), and reports it", async () => {
    const h = harness();
    const messages = await h.step({ stop: { id: AWS_WEB_2 } });
    const handle = scripted(h, { error: new TypeError("cannot read properties of undefined") });
    const response = await handle(batch(...messages, FULL_SYNC));
    expect(failedIds(response)).toEqual([]);
    expect(logEntries("reconcile failed")).toMatchObject([{ retryable: false }]);
    expect(logEntries("non-retryable failure acknowledged")).toMatchObject([
      { error: "TypeError: cannot read properties of undefined" },
    ]);
    expect(metric("NonRetryableFailures")).toEqual([1]);
  });

  it("acknowledges an azure-nic message whose lookup is refused (403), and reports it", async () => {
    const h = harness();
    const connections = h.simulation.clouds.connections();
    const handle = createReconcilerHandler({
      reconciler: {
        fullSync: () => Promise.reject(new Error("not expected")),
        handleEvents: () => Promise.reject(new Error("not expected")),
      },
      places: ConfiguredPlaces.ofConnections(connections),
      hints: hintsOf(h.simulation, {
        ...connections.azure,
        apiFor: () => {
          throw new AzureAccessError(
            "GetNetworkInterface failed with AuthorizationFailed (HTTP 403)",
            "AuthorizationFailed",
            403,
          );
        },
      }),
      logger: new Logger({ serviceName: "segsync-reconciler" }),
      metrics: new Metrics({ namespace: "segsync" }),
    });
    const nic: QueueMessage = {
      kind: "azure-nic",
      eventId: "e-403",
      time: "2026-11-23T00:00:00Z",
      subscription: SUB,
      resourceGroup: "rg-shop-prod",
      nicName: "vm-api-2-nic",
    };
    const response = await handle(batch(nic));
    expect(failedIds(response)).toEqual([]);
    expect(logEntries("non-retryable failure acknowledged")).toMatchObject([
      { cloud: "azure", messageId: "message-0", error: expect.stringContaining("AuthorizationFailed") },
    ]);
  });
});

describe("the deployed handler's cold start", () => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "segsync-reconciler-"));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  function environment(policyFile: string): void {
    vi.stubEnv(
      "SEGSYNC_CONFIG",
      JSON.stringify({
        apiVersion: "segsync/v1",
        kind: "Config",
        aws: { accounts: [{ account: "111111111111", regions: ["us-east-1"] }] },
      }),
    );
    vi.stubEnv("SEGSYNC_TABLE", "segsync-inventory");
    vi.stubEnv("SEGSYNC_POLICY_FILE", policyFile);
    vi.stubEnv("LAMBDA_TASK_ROOT", directory);
    vi.stubEnv("AWS_REGION", "us-east-1");
  }

  it("fails with every issue of a bad policy, then starts once the policy is good", async () => {
    await writeFile(join(directory, "policy.yaml"), "apiVersion: segsync/v1\nkind: Policy\nrulesets: 3\n");
    environment("policy.yaml");
    const error = await handler({ Records: [] }).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(PolicyInvalidError);
    expect((error as Error).message).toContain(`${join(directory, "policy.yaml")}: invalid policy`);
    expect((error as PolicyInvalidError).issues.length).toBeGreaterThan(0);
    const logged = logEntries("cold start failed");
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged[0])).toContain("invalid policy");

    // The failure is not kept: a good policy starts the function. An empty batch touches no cloud.
    environment(join(EXAMPLES, "policy.yaml"));
    expect(await handler({ Records: [] })).toEqual({ batchItemFailures: [] });
  });

  it("puts the construct's attachment mode over the policy's", async () => {
    const file = join(EXAMPLES, "policy.yaml");
    expect((await loadFunctionPolicy(file, directory, undefined)).attachment).toBe("exclusive");
    expect((await loadFunctionPolicy(file, directory, "additive")).attachment).toBe("additive");
    const relative = await loadFunctionPolicy("policy.yaml", EXAMPLES, undefined);
    expect(relative.rulesets.map((ruleset) => ruleset.name)).toEqual(policy.rulesets.map((r) => r.name));
  });
});
