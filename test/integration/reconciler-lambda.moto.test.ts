/**
 * The reconciler function end to end with moto for the AWS side (EC2 for the clouds, DynamoDB
 * for the inventory, an SQS FIFO queue for the messages) and the simulators for Azure and GCP
 * (examples/estate.yaml, examples/policy.yaml): queue messages go through the real queue, are
 * received and handed to the handler as an SQSEvent, and the messages it does not report failed
 * are deleted, as Lambda's poller does.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type MetricsPort,
  type ReconcilerHandler,
  reconcilerHandlerOf,
  reportSnapshot,
} from "../../lambdas/reconciler.js";
import type { AwsApi } from "../../lib/clouds/aws/api.js";
import { createSdkAwsApiFactory } from "../../lib/clouds/aws/sdk/api.js";
import { ConfiguredPlaces } from "../../lib/ingest/places.js";
import { deduplicationId, QUEUE_MESSAGE_GROUP, type QueueMessage } from "../../lib/ingest/queue-message.js";
import { DynamoDbInventoryStore } from "../../lib/inventory/dynamodb-store.js";
import { SnapshotSchedule } from "../../lib/pipeline/inventory-snapshots.js";
import { loadPolicyFile } from "../../lib/policy/load.js";
import type { StructuredLog } from "../../lib/reconcile/audit-log.js";
import type { MetricPoint } from "../../lib/reconcile/batch-metrics.js";
import { cloudDrivers } from "../../lib/reconcile/cloud-drivers.js";
import { DEFAULT_GUARD_LIMITS } from "../../lib/reconcile/guard.js";
import { loadEstateFile } from "../../sim/estate.js";
import { Simulation } from "../../sim/simulation.js";
import { createInventoryTable } from "../support/dynamodb-table.js";
import { type MotoServer, skipWithoutMoto, startMotoServer } from "../support/moto-server.js";
import { AWS_OWNERSHIP } from "../support/seals.js";

const EXAMPLES = join(import.meta.dirname, "../../examples");
/** moto's default account; the credentials are dummies that moto accepts. */
const LOCATION = { account: "123456789012", region: "us-east-1" };
const CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };
const AZURE_API = "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-shop-prod:vm-api-2";
const GCP_WEB = "gcp:shop-prod:us-central1-a:shop-web-3";
const SHOP = { "seg-app": "shop", "seg-env": "prod" };

interface LogEntry {
  readonly level: "info" | "warn" | "error";
  readonly message: string;
  readonly attributes: Record<string, unknown>;
}

class RecordingLog implements StructuredLog {
  readonly entries: LogEntry[] = [];
  info(message: string, attributes: Record<string, unknown>): void {
    this.entries.push({ level: "info", message, attributes });
  }
  warn(message: string, attributes: Record<string, unknown>): void {
    this.entries.push({ level: "warn", message, attributes });
  }
  error(message: string, attributes: Record<string, unknown>): void {
    this.entries.push({ level: "error", message, attributes });
  }
  named(message: string): Record<string, unknown>[] {
    return this.entries.filter((entry) => entry.message === message).map((entry) => entry.attributes);
  }
}

class RecordingMetrics implements MetricsPort {
  readonly points: MetricPoint[] = [];
  addMetric(name: string, unit: MetricPoint["unit"], value: number): void {
    this.points.push({ name, unit, value });
  }
  singleMetric() {
    let cloud: string | undefined;
    return {
      addDimension: (_name: string, value: string) => {
        cloud = value;
      },
      addMetric: (name: string, unit: MetricPoint["unit"], value: number) => {
        this.points.push({ name, unit, value, ...(cloud === undefined ? {} : { cloud: cloud as never }) });
      },
    };
  }
  publishStoredMetrics(): void {}
}

describe.skipIf(skipWithoutMoto("the reconciler function integration test against moto"))(
  "the reconciler function against moto (EC2, DynamoDB, SQS FIFO) and the Azure and GCP simulators",
  () => {
    let moto: MotoServer | undefined;
    let ec2: EC2Client;
    let sqs: SQSClient;
    let dynamo: DynamoDBClient;
    let api: AwsApi;
    let queueUrl: string;
    let queueArn: string;
    let store: DynamoDbInventoryStore;
    let handle: ReconcilerHandler;
    let newInstance: () => ReconcilerHandler;
    let simulation: Simulation;
    const log = new RecordingLog();
    const metrics = new RecordingMetrics();
    let subnetId = "";
    let imageId = "";
    const instances = new Map<string, string>();

    async function launch(name: string, tags: Record<string, string>, publicIp = false): Promise<string> {
      const launched = await ec2.send(
        new RunInstancesCommand({
          ImageId: imageId,
          MinCount: 1,
          MaxCount: 1,
          NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetId, AssociatePublicIpAddress: publicIp }],
          TagSpecifications: [
            {
              ResourceType: "instance",
              Tags: Object.entries({ Name: name, ...tags }).map(([Key, Value]) => ({ Key, Value })),
            },
          ],
        }),
      );
      const id = launched.Instances?.[0]?.InstanceId ?? "";
      instances.set(name, id);
      return id;
    }

    const workloadId = (instanceId: string) => `aws:${LOCATION.account}:${LOCATION.region}:${instanceId}`;

    async function send(...messages: QueueMessage[]): Promise<void> {
      for (const message of messages) {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: JSON.stringify(message),
            MessageGroupId: QUEUE_MESSAGE_GROUP,
            MessageDeduplicationId: deduplicationId(message),
          }),
        );
      }
    }

    function toRecord(message: Message): SQSRecord {
      const attributes = message.Attributes ?? {};
      return {
        messageId: message.MessageId ?? "",
        receiptHandle: message.ReceiptHandle ?? "",
        body: message.Body ?? "",
        attributes: {
          ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? "1",
          SentTimestamp: attributes.SentTimestamp ?? "0",
          SenderId: attributes.SenderId ?? LOCATION.account,
          ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? "0",
          ...(attributes.SequenceNumber === undefined ? {} : { SequenceNumber: attributes.SequenceNumber }),
          ...(attributes.MessageGroupId === undefined ? {} : { MessageGroupId: attributes.MessageGroupId }),
          ...(attributes.MessageDeduplicationId === undefined
            ? {}
            : { MessageDeduplicationId: attributes.MessageDeduplicationId }),
        },
        messageAttributes: {},
        md5OfBody: message.MD5OfBody ?? "",
        eventSource: "aws:sqs",
        eventSourceARN: queueArn,
        awsRegion: LOCATION.region,
      };
    }

    async function receive(): Promise<Message[]> {
      const received = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          MessageSystemAttributeNames: ["All"],
          WaitTimeSeconds: 0,
        }),
      );
      return received.Messages ?? [];
    }

    /** What Lambda's poller does: receive a batch, invoke, delete what did not fail. */
    async function deliver(): Promise<{ messages: Message[]; response: SQSBatchResponse }> {
      const messages = await receive();
      const event: SQSEvent = { Records: messages.map(toRecord) };
      const response = await handle(event);
      const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
      for (const message of messages) {
        if (!failed.has(message.MessageId ?? "")) {
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
          );
        }
      }
      return { messages, response };
    }

    function lastSummary(): Record<string, unknown> {
      const summary = log.named("batch reconciled").at(-1);
      if (summary === undefined) throw new Error("no batch was reconciled");
      return summary;
    }

    /** Each ENI of the instance with whether every group on it is owned by segsync. */
    async function groupsOf(instanceId: string): Promise<{ owned: boolean; names: string[] }> {
      const [eni] = await api.describeNetworkInterfaces([
        { Name: "attachment.instance-id", Values: [instanceId] },
      ]);
      if (eni === undefined) throw new Error(`${instanceId} has no ENI`);
      const ids = eni.Groups.map((group) => group.GroupId);
      const groups = await api.describeSecurityGroups([{ Name: "group-id", Values: ids }]);
      return {
        owned: groups.length > 0 && groups.every((group) => AWS_OWNERSHIP.ownsGroup(LOCATION, group)),
        names: groups.map((group) => group.GroupName).sort(),
      };
    }

    beforeAll(async () => {
      moto = await startMotoServer();
      const client = {
        endpoint: moto.endpoint,
        region: LOCATION.region,
        credentials: CREDENTIALS,
        maxAttempts: 1,
      };
      ec2 = new EC2Client(client);
      sqs = new SQSClient(client);
      dynamo = new DynamoDBClient(client);

      const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.1.0.0/16" }));
      const subnet = await ec2.send(
        new CreateSubnetCommand({ VpcId: vpc.Vpc?.VpcId, CidrBlock: "10.1.1.0/24" }),
      );
      subnetId = subnet.Subnet?.SubnetId ?? "";
      imageId = (await ec2.send(new DescribeImagesCommand({}))).Images?.[0]?.ImageId ?? "";
      await launch("web-1", { ...SHOP, "seg-role": "web" }, true);
      await launch("api-1", { ...SHOP, "seg-role": "api" });
      await launch("db-1", { ...SHOP, "seg-role": "db" });
      await launch("bastion", {});

      const table = await createInventoryTable(dynamo);
      store = new DynamoDbInventoryStore({ client: dynamo, table });

      const queue = await sqs.send(
        new CreateQueueCommand({
          QueueName: "segsync.fifo",
          Attributes: { FifoQueue: "true", VisibilityTimeout: "900" },
        }),
      );
      queueUrl = queue.QueueUrl ?? "";
      const attributes = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
      );
      queueArn = attributes.Attributes?.QueueArn ?? "";

      const policy = await loadPolicyFile(join(EXAMPLES, "policy.yaml"));
      const estate = await loadEstateFile(join(EXAMPLES, "estate.yaml"));
      if (!policy.ok || !estate.ok) throw new Error("the examples must load");
      // The simulated estate for Azure and GCP; its AWS part is not used.
      simulation = Simulation.start(policy.policy, estate.estate);
      const simulated = simulation.clouds.connections();
      const apiFor = createSdkAwsApiFactory({
        accounts: [{ account: LOCATION.account, regions: [LOCATION.region] }],
        endpoint: moto.endpoint,
        credentials: CREDENTIALS,
        maxAttempts: 1,
      });
      api = apiFor(LOCATION);
      const drivers = cloudDrivers(simulation.providers, {
        ...simulated,
        aws: { apiFor, locations: [LOCATION] },
      });
      // A function instance as coldStart builds it: its own store, keeping the inventory's snapshot.
      newInstance = () => {
        const instanceStore = new DynamoDbInventoryStore({
          client: dynamo,
          table,
          snapshots: { report: (event) => reportSnapshot(log, metrics, event) },
        });
        // Here every batch may save: the test wants the snapshot current, not the cost bounded.
        const schedule = new SnapshotSchedule(() => instanceStore.saveSnapshot(), { costShare: 1 });
        return reconcilerHandlerOf({
          drivers,
          places: ConfiguredPlaces.ofConnections({
            aws: { locations: [LOCATION] },
            azure: simulated.azure,
            gcp: simulated.gcp,
          }),
          store: instanceStore,
          policy: policy.policy,
          guard: DEFAULT_GUARD_LIMITS,
          logger: log,
          metrics,
          saveSnapshot: () => schedule.afterBatch(),
        });
      };
      handle = newInstance();
    });

    afterAll(async () => {
      for (const client of [ec2, sqs, dynamo]) client?.destroy();
      await moto?.stop();
    });

    it("applies a full sync from the queue: owned groups on EC2, every workload in DynamoDB", async () => {
      await send({ kind: "full-sync", reason: "deploy" });
      const { messages, response } = await deliver();
      expect(messages).toHaveLength(1);
      expect(response.batchItemFailures).toEqual([]);
      expect(lastSummary()).toMatchObject({ mode: "full-sync", reason: "deploy", failedClouds: [] });

      for (const name of ["web-1", "api-1", "db-1"]) {
        const groups = await groupsOf(instances.get(name) ?? "");
        expect(groups.owned, `${name}: ${groups.names.join(", ")}`).toBe(true);
      }
      // Labelled by no policy dimension: segsync leaves it alone.
      expect((await groupsOf(instances.get("bastion") ?? "")).owned).toBe(false);

      const stored = (await store.list()).map((record) => record.workload.id);
      for (const name of ["web-1", "api-1", "db-1"]) {
        expect(stored).toContain(workloadId(instances.get(name) ?? ""));
      }
      expect(stored).toContain(AZURE_API);
      expect(stored).toContain(GCP_WEB);
      expect((await store.listNetworks()).some((network) => network.id.startsWith("aws:123456789012:"))).toBe(
        true,
      );
      const applied = metrics.points.filter((point) => point.name === "OperationsApplied");
      expect(applied.find((point) => point.cloud === "aws")?.value).toBeGreaterThan(0);
      expect(log.named("segsync audit").length).toBe(applied.reduce((sum, point) => sum + point.value, 0));
    });

    it("enforces a newly launched instance from its event, once though the event came twice", async () => {
      const id = await launch("api-2", { ...SHOP, "seg-role": "api" });
      const event: QueueMessage = {
        kind: "workload",
        event: {
          cloud: "aws",
          eventId: randomUUID(),
          time: new Date().toISOString(),
          workloadId: workloadId(id),
          change: { kind: "state", state: "running" },
        },
      };
      // EventBridge may deliver twice: the FIFO queue drops the duplicate by its deduplication id.
      await send(event, event);
      const { messages, response } = await deliver();
      expect(messages).toHaveLength(1);
      expect(response.batchItemFailures).toEqual([]);
      expect(lastSummary()).toMatchObject({ mode: "events", messages: 1 });
      const groups = await groupsOf(id);
      expect(groups.owned).toBe(true);
      expect(groups.names).toEqual((await groupsOf(instances.get("api-1") ?? "")).names);
      expect((await store.get(workloadId(id)))?.workload.tags["seg-role"]).toBe("api");
    });

    it("starts a new function instance from the snapshot the last one saved, and reconciles from it", async () => {
      expect(log.named("inventory snapshot saved").length).toBeGreaterThan(0);
      const stored = await store.list();
      handle = newInstance();
      const id = await launch("api-3", { ...SHOP, "seg-role": "api" });
      await send({
        kind: "workload",
        event: {
          cloud: "aws",
          eventId: randomUUID(),
          time: new Date().toISOString(),
          workloadId: workloadId(id),
          change: { kind: "state", state: "running" },
        },
      });
      const loadsBefore = log.named("inventory loaded from its snapshot").length;
      const { response } = await deliver();
      expect(response.batchItemFailures).toEqual([]);
      expect(log.named("inventory loaded from its snapshot").slice(loadsBefore)).toMatchObject([
        { workloads: stored.length },
      ]);
      expect(lastSummary()).toMatchObject({ mode: "events", failedClouds: [] });
      expect((await groupsOf(id)).names).toEqual((await groupsOf(instances.get("api-1") ?? "")).names);
    });

    it("ignores a message about an unmanaged account; hands back one that fails retryably, and everything after it, for SQS to redeliver in order", async () => {
      const unmanaged: QueueMessage = {
        kind: "workload",
        event: {
          cloud: "aws",
          eventId: randomUUID(),
          time: new Date().toISOString(),
          workloadId: "aws:999999999999:us-east-1:i-0123456789abcdef0",
          change: { kind: "resource", action: "updated" },
        },
      };
      const gcp: QueueMessage = {
        kind: "workload",
        event: {
          cloud: "gcp",
          eventId: randomUUID(),
          time: new Date().toISOString(),
          workloadId: GCP_WEB,
          change: { kind: "resource", action: "updated" },
        },
      };
      const later: QueueMessage = { kind: "workload", event: { ...gcp.event, eventId: randomUUID() } };
      // Every call to Compute answers 503 while the batch runs: retrying can help.
      simulation.clouds.setServerErrors("gcp", { rate: 1, seed: 1 });
      await send(unmanaged, gcp, later);
      let delivered: Awaited<ReturnType<typeof deliver>>;
      try {
        delivered = await deliver();
      } finally {
        simulation.clouds.setServerErrors("gcp", undefined);
      }
      const { response } = delivered;
      const [ignored, ...messages] = delivered.messages;
      expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(
        messages.map((message) => message.MessageId),
      );
      expect(log.named("queue message ignored")).toMatchObject([{ messageId: ignored?.MessageId }]);
      expect(lastSummary()).toMatchObject({ failedClouds: ["gcp"] });
      // Still on the queue, in order, once their visibility timeout is over.
      for (const message of messages) {
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          }),
        );
      }
      const again = await receive();
      expect(again.map((message) => message.Body)).toEqual(messages.map((message) => message.Body));
      // Drop them, as the redrive policy would after maxReceiveCount.
      for (const message of again) {
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      }
    });

    it("applies nothing on a second full sync, and leaves the queue empty", async () => {
      const auditBefore = log.named("segsync audit").length;
      await send({ kind: "full-sync", reason: "schedule" });
      const { response } = await deliver();
      expect(response.batchItemFailures).toEqual([]);
      const summary = lastSummary();
      expect(summary).toMatchObject({ mode: "full-sync", reason: "schedule", failedClouds: [] });
      expect(Object.values(summary.applied as Record<string, number>).every((count) => count === 0)).toBe(
        true,
      );
      expect(log.named("segsync audit").length).toBe(auditBefore);
      expect(await receive()).toEqual([]);
    });
  },
);
