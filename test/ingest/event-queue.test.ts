import "aws-sdk-client-mock-vitest/extend";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { EventQueueError } from "../../lib/ingest/errors.js";
import { SqsEventQueue } from "../../lib/ingest/event-queue.js";
import { type QueueMessage, QueueMessageSchema } from "../../lib/ingest/queue-message.js";

const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/segsync.fifo";
const sqs = mockClient(SQSClient);
beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
    Successful: input.Entries.map((entry) => ({
      Id: entry.Id,
      MessageId: `m-${entry.Id}`,
      MD5OfMessageBody: "x",
    })),
    Failed: [],
  }));
});

const queue = () => new SqsEventQueue(new SQSClient({ region: "us-east-1" }), QUEUE_URL);

function workload(n: number): QueueMessage {
  return {
    kind: "workload",
    event: {
      cloud: "aws",
      eventId: `event-${n}`,
      time: "2026-06-25T05:00:00Z",
      workloadId: "aws:123456789012:us-east-1:i-1234567890abcdef0",
      change: { kind: "state", state: "running" },
    },
  };
}

function sentEntries(call: number) {
  const input = sqs.commandCalls(SendMessageBatchCommand)[call]?.args[0].input;
  return input?.Entries ?? [];
}

describe("SqsEventQueue", () => {
  it("sends 23 messages as batches of 10, 10 and 3 to the queue", async () => {
    await queue().send(Array.from({ length: 23 }, (_, n) => workload(n)));
    expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, 3);
    expect([0, 1, 2].map((call) => sentEntries(call).length)).toEqual([10, 10, 3]);
    expect(sqs).toHaveReceivedNthCommandWith(SendMessageBatchCommand, 1, { QueueUrl: QUEUE_URL });
    expect(sentEntries(2).map((entry) => entry.MessageDeduplicationId)).toEqual([
      "aws:event-20",
      "aws:event-21",
      "aws:event-22",
    ]);
  });

  it("puts every message in the one group, with the deduplication id of its native event and a body the reconciler parses", async () => {
    const nic: QueueMessage = {
      kind: "azure-nic",
      eventId: "3d1e2f4a-7b8c-4d9e-a0f1-b2c3d4e5f607",
      time: "2018-10-08T22:46:22.6022559Z",
      subscription: "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f",
      resourceGroup: "rg-shop-prod",
      nicName: "vm-web-1-nic",
    };
    await queue().send([workload(1), nic]);
    const entries = sentEntries(0);
    expect(entries.map((entry) => entry.MessageGroupId)).toEqual(["segsync", "segsync"]);
    expect(entries.map((entry) => entry.MessageDeduplicationId)).toEqual([
      "aws:event-1",
      "azure:3d1e2f4a-7b8c-4d9e-a0f1-b2c3d4e5f607",
    ]);
    expect(entries.map((entry) => entry.Id)).toEqual(["0", "1"]);
    expect(entries.map((entry) => QueueMessageSchema.parse(JSON.parse(entry.MessageBody ?? "")))).toEqual([
      workload(1),
      nic,
    ]);
  });

  it("sends nothing for no messages", async () => {
    await queue().send([]);
    expect(sqs).not.toHaveReceivedCommand(SendMessageBatchCommand);
  });

  it("reports entries that SQS refused, by deduplication id, and stops before the next batch", async () => {
    sqs.on(SendMessageBatchCommand).resolvesOnce({
      Successful: [{ Id: "0", MessageId: "m-0", MD5OfMessageBody: "x" }],
      Failed: [{ Id: "1", SenderFault: false, Code: "InternalError", Message: "try again" }],
    });
    const error = await queue()
      .send(Array.from({ length: 12 }, (_, n) => workload(n)))
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(EventQueueError);
    const failed = (error as EventQueueError).failed;
    expect(failed).toEqual([
      { deduplicationId: "aws:event-1", code: "InternalError", message: "try again", senderFault: false },
    ]);
    expect((error as Error).cause).toEqual(failed);
    expect((error as Error).message).toBe(
      "SQS refused 1 of 10 messages (aws:event-1: InternalError try again)",
    );
    expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, 1);
  });

  it("wraps a failed call in EventQueueError with the SDK's error as the cause", async () => {
    const throttled = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
    sqs.on(SendMessageBatchCommand).rejects(throttled);
    const error = await queue()
      .send([workload(1)])
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(EventQueueError);
    expect((error as Error).cause).toBe(throttled);
  });

  it("refuses a message that the reconciler would refuse, before sending anything", async () => {
    const bad = { kind: "full-sync", reason: "" } as QueueMessage;
    await expect(queue().send([bad])).rejects.toThrow();
    expect(sqs).not.toHaveReceivedCommand(SendMessageBatchCommand);
  });
});
