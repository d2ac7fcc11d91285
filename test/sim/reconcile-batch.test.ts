/**
 * Issue 14: the simulation delivers its events as queue messages through the reconciler
 * function's path (reconcileBatch, the FIFO failure rule), not a copy of it.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createReconcilerHandler, type MetricsPort } from "../../lambdas/reconciler.js";
import { ConfiguredPlaces } from "../../lib/ingest/places.js";
import { MAX_RECEIVE_COUNT, type QueueMessage } from "../../lib/ingest/queue-message.js";
import { loadPolicyFile } from "../../lib/policy/load.js";
import type { AuditRecord } from "../../lib/reconcile/audit.js";
import type { StructuredLog } from "../../lib/reconcile/audit-log.js";
import type { Step } from "../../sim/scenario.js";
import { Simulation } from "../../sim/simulation.js";
import { exampleEstate, REPO_ROOT } from "./fixtures.js";

const AWS_WEB_2 = "aws:111111111111:us-east-1:i-0a00000000000002";
const AWS_API = "aws:111111111111:us-east-1:i-0a00000000000003";
const GCP_SHOP_WEB_3 = "gcp:shop-prod:us-central1-a:shop-web-3";

async function started(): Promise<Simulation> {
  const policy = await loadPolicyFile(join(REPO_ROOT, "examples", "policy.yaml"));
  if (!policy.ok) throw new Error("the example policy must load");
  const simulation = Simulation.start(policy.policy, await exampleEstate());
  await simulation.fullSync();
  return simulation;
}

/** The cloud steps, each applied; the queue messages they sent, in order. */
async function sent(simulation: Simulation, steps: readonly Step[]): Promise<QueueMessage[]> {
  const messages: QueueMessage[] = [];
  for (const step of steps) messages.push(...(await simulation.step(step)).queued);
  return messages;
}

/** The messages of an AWS stop, then a GCP stop, then another AWS stop (a stop sends one per state). */
async function sentByStep(simulation: Simulation): Promise<[QueueMessage[], QueueMessage[], QueueMessage[]]> {
  const byStep: QueueMessage[][] = [];
  for (const step of STEPS) byStep.push(await sent(simulation, [step]));
  const [aws = [], gcp = [], later = []] = byStep;
  expect(gcp.length).toBeGreaterThan(0);
  expect(later.length).toBeGreaterThan(0);
  return [aws, gcp, later];
}

const STEPS: readonly Step[] = [
  { stop: { id: AWS_WEB_2 } },
  { stop: { id: GCP_SHOP_WEB_3 } },
  { stop: { id: AWS_API } },
];

/** What a write did, without its time: the same writes read the same in both runs. */
const writes = (records: readonly AuditRecord[]) => records.map(({ time: _, ...write }) => write);

describe("the simulation's reconcile: one batch through reconcileBatch", () => {
  it("receives again a message that failed and every later one of its batch, in order (FIFO)", async () => {
    const simulation = await started();
    const [aws, gcp, later] = await sentByStep(simulation);
    simulation.clouds.setServerErrors("gcp", { rate: 1, seed: 1 });
    const failed = await simulation.step({ reconcile: {} });
    expect(failed.drained).toHaveLength(aws.length + gcp.length + later.length);
    expect(failed.result?.failures.gcp?.retryable).toBe(true);
    expect(failed.returned).toEqual([...gcp, ...later]);
    expect(simulation.pending).toEqual([...gcp, ...later]);

    simulation.clouds.setServerErrors("gcp", undefined);
    const retried = await simulation.step({ reconcile: {} });
    const events = [...gcp, ...later].flatMap((message) =>
      message.kind === "workload" ? [message.event] : [],
    );
    expect(retried.drained).toEqual(events);
    expect(events).toHaveLength(gcp.length + later.length);
    expect(retried.result?.failures).toEqual({});
    expect(retried.returned).toEqual([]);
    expect(simulation.pending).toEqual([]);
  });

  it("moves a message that keeps failing to the dead letters after MAX_RECEIVE_COUNT receives", async () => {
    const simulation = await started();
    const [, gcp, later] = await sentByStep(simulation);
    simulation.clouds.setServerErrors("gcp", { rate: 1, seed: 1 });
    for (let receive = 1; receive < MAX_RECEIVE_COUNT; receive++) {
      await simulation.step({ reconcile: {} });
      expect(simulation.pending).toEqual([...gcp, ...later]);
    }
    await simulation.step({ reconcile: {} });
    expect(simulation.pending).toEqual([]);
    expect(simulation.deadLetters).toEqual([...gcp, ...later]);
  });

  it("runs a full sync for every fullSync step, also two within the queue's deduplication window", async () => {
    const simulation = await started();
    await sent(simulation, STEPS);
    const first = await simulation.step({ fullSync: {} });
    const second = await simulation.step({ fullSync: {} });
    expect(first.batch?.run).toMatchObject({ mode: "full-sync", reason: "schedule" });
    expect(second.batch?.run).toMatchObject({ mode: "full-sync", reason: "schedule" });
    expect(first.batch?.targets.length).toBeGreaterThan(1);
    expect(simulation.pending).toEqual([]);
  });

  it("makes the same writes as the reconciler function's handler for the same messages", async () => {
    const simulated = await started();
    const lambda = await started();
    const messages = await sent(simulated, STEPS);
    expect(await sent(lambda, STEPS)).toEqual(messages);
    const before = simulated.audit.records.length;
    expect(lambda.audit.records.length).toBe(before);

    await simulated.step({ reconcile: {} });
    const silent: StructuredLog = { info: () => {}, warn: () => {}, error: () => {} };
    const metrics: MetricsPort = {
      addMetric: () => {},
      singleMetric: () => ({ addDimension: () => {}, addMetric: () => {} }),
      publishStoredMetrics: () => {},
    };
    const handle = createReconcilerHandler({
      reconciler: lambda.reconciler,
      places: ConfiguredPlaces.ofConnections(lambda.clouds.connections()),
      hints: lambda.drivers,
      logger: silent,
      metrics,
    });
    const records = messages.map((message, index) => ({
      messageId: `m-${index}`,
      receiptHandle: `r-${index}`,
      body: JSON.stringify(message),
    }));
    const response = await handle({ Records: records } as Parameters<typeof handle>[0]);
    expect(response.batchItemFailures).toEqual([]);
    const simulatedWrites = writes(simulated.audit.records.slice(before));
    expect(simulatedWrites.length).toBeGreaterThan(0);
    expect(writes(lambda.audit.records.slice(before))).toEqual(simulatedWrites);
  });
});
