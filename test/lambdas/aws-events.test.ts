import "aws-sdk-client-mock-vitest/extend";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createAwsEventsHandler } from "../../lambdas/aws-events.js";
import { AwsEventError } from "../../lib/clouds/aws/ingest/errors.js";
import { EventQueueError } from "../../lib/ingest/errors.js";
import { ConfiguredPlaces } from "../../lib/ingest/places.js";
import { type Captured, captureTelemetry, QUEUE_URL, recordingQueue, sqsQueue } from "./harness.js";

/** The recorded events under test/fixtures (their sources: SOURCES.md there). */
const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), "../fixtures/aws/events");
const fixture = (name: string) =>
  JSON.parse(readFileSync(resolve(FIXTURES, name), "utf8")) as Record<string, unknown>;

const sqs = mockClient(SQSClient);
let telemetry: Captured;
beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  telemetry = captureTelemetry("aws-events");
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function harness() {
  const queue = recordingQueue(sqsQueue());
  const handler = createAwsEventsHandler({
    queue,
    places: new ConfiguredPlaces({ aws: [{ account: "123456789012", regions: ["us-east-1"] }] }),
    logger: telemetry.logger,
    metrics: telemetry.metrics,
  });
  return { queue, handler };
}

function expectNothingEnqueued(queue: { sent: unknown[] }) {
  expect(queue.sent).toEqual([]);
  expect(sqs).not.toHaveReceivedCommand(SendMessageBatchCommand);
}

describe("aws-events", () => {
  it("enqueues an EC2 state change as a workload message with the event's id as the deduplication id", async () => {
    const { queue, handler } = harness();
    await handler(fixture("ec2-instance-state-change-pending.json"));
    expect(queue.sent).toEqual([
      {
        kind: "workload",
        event: {
          cloud: "aws",
          eventId: "7bf73129-1428-4cd3-a780-95db273d1602",
          time: "2021-11-11T21:29:54Z",
          workloadId: "aws:123456789012:us-east-1:i-1234567890abcdef0",
          change: { kind: "state", state: "pending" },
        },
      },
    ]);
    expect(sqs).toHaveReceivedCommandExactlyOnceWith(SendMessageBatchCommand, {
      QueueUrl: QUEUE_URL,
      Entries: [
        expect.objectContaining({
          MessageGroupId: "segsync",
          MessageDeduplicationId: "aws:7bf73129-1428-4cd3-a780-95db273d1602",
        }),
      ],
    });
    expect(telemetry.metric("EventsReceived")).toBe(1);
    expect(telemetry.metric("EventsEnqueued")).toBe(1);
    expect(telemetry.metric("EventsRejected")).toBe(0);
  });

  it("enqueues a tag change with the instance's full tag map", async () => {
    const { queue, handler } = harness();
    await handler(fixture("tag-change-on-resource-instance.json"));
    expect(queue.sent).toEqual([
      {
        kind: "workload",
        event: expect.objectContaining({
          eventId: "bddcf1d6-0251-35a1-aab0-adc1fb47c11c",
          workloadId: "aws:123456789012:us-east-1:i-0000000aaaaaaaaaa",
          change: {
            kind: "tags",
            tags: {
              "a-new-key": "tag-value-on-new-key-just-added",
              "an-updated-key": "tag-value-was-just-changed",
              "an-unchanged-key": "tag-value-still-the-same",
            },
          },
        }),
      },
    ]);
  });

  it.each([
    [
      "a malformed event",
      { ...fixture("ec2-instance-state-change-pending.json"), detail: { state: "pending" } },
    ],
    ["an event of another kind", { ...fixture("ec2-instance-state-change-pending.json"), source: "aws.s3" }],
    ["not an event at all", "hello"],
  ])("throws on %s (so that Lambda retries it to the DLQ), enqueueing nothing", async (_name, event) => {
    const { queue, handler } = harness();
    await expect(handler(event)).rejects.toBeInstanceOf(AwsEventError);
    expectNothingEnqueued(queue);
    expect(telemetry.metric("EventsRejected", "malformed")).toBe(1);
    expect(telemetry.metric("EventsReceived")).toBe(1);
    expect(telemetry.text()).toContain('"message": "event rejected"');
  });

  it("throws when the queue refuses the message, so that Lambda retries", async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Failed: [{ Id: "0", SenderFault: false, Code: "ServiceUnavailable", Message: "busy" }],
    });
    const { handler } = harness();
    await expect(handler(fixture("ec2-instance-state-change-pending.json"))).rejects.toBeInstanceOf(
      EventQueueError,
    );
    expect(telemetry.metric("EventsFailed", "enqueue-failed")).toBe(1);
    expect(telemetry.metric("EventsEnqueued")).toBe(0);
  });
});

describe("the aws-events entry point", () => {
  it("fails the cold start naming the missing variable", async () => {
    vi.resetModules();
    vi.stubEnv("SEGSYNC_QUEUE_URL", undefined);
    const { handler } = await import("../../lambdas/aws-events.js");
    // A fresh module graph: its EnvironmentError is the one to compare with.
    const { EnvironmentError } = await import("../../lib/pipeline/errors.js");
    await expect(handler(fixture("ec2-instance-state-change-pending.json"), {} as never)).rejects.toThrow(
      EnvironmentError,
    );
    await expect(handler(fixture("ec2-instance-state-change-pending.json"), {} as never)).rejects.toThrow(
      /SEGSYNC_QUEUE_URL/,
    );
    expect(sqs).not.toHaveReceivedCommand(SendMessageBatchCommand);
  });

  it("wires the SQS queue from the environment", async () => {
    vi.resetModules();
    vi.stubEnv("SEGSYNC_QUEUE_URL", QUEUE_URL);
    vi.stubEnv("SEGSYNC_AWS_ACCOUNTS", JSON.stringify([{ account: "123456789012", regions: ["us-east-1"] }]));
    vi.stubEnv("AWS_REGION", "us-east-1");
    const { handler } = await import("../../lambdas/aws-events.js");
    await handler(fixture("ec2-instance-state-change-pending.json"), {} as never);
    expect(sqs).toHaveReceivedCommandWith(SendMessageBatchCommand, { QueueUrl: QUEUE_URL });
  });

  it("accepts only the accounts and regions of SEGSYNC_AWS_ACCOUNTS", async () => {
    vi.resetModules();
    vi.stubEnv("SEGSYNC_QUEUE_URL", QUEUE_URL);
    vi.stubEnv("SEGSYNC_AWS_ACCOUNTS", JSON.stringify([{ account: "123456789012", regions: ["eu-west-1"] }]));
    vi.stubEnv("AWS_REGION", "us-east-1");
    const { handler } = await import("../../lambdas/aws-events.js");
    await handler(fixture("ec2-instance-state-change-pending.json"), {} as never);
    expect(sqs).not.toHaveReceivedCommand(SendMessageBatchCommand);
  });

  it("fails the cold start on accounts that are not the live config's shape", async () => {
    vi.resetModules();
    vi.stubEnv("SEGSYNC_QUEUE_URL", QUEUE_URL);
    vi.stubEnv("SEGSYNC_AWS_ACCOUNTS", JSON.stringify([{ account: "123456789012", regions: [] }]));
    const { handler } = await import("../../lambdas/aws-events.js");
    await expect(handler(fixture("ec2-instance-state-change-pending.json"), {} as never)).rejects.toThrow(
      /SEGSYNC_AWS_ACCOUNTS\.0\.regions/,
    );
  });
});
