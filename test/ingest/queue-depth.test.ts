import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { QueueDepthError } from "../../lib/ingest/errors.js";
import { sqsEventsWaiting } from "../../lib/ingest/queue-depth.js";

const sqs = mockClient(SQSClient);
const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/111111111111/segsync-events.fifo";

afterEach(() => sqs.reset());

function depth() {
  const errors: QueueDepthError[] = [];
  return {
    read: sqsEventsWaiting(new SQSClient({ region: "us-east-1" }), QUEUE_URL, (e) => errors.push(e)),
    errors,
  };
}

describe("sqsEventsWaiting", () => {
  it("reads ApproximateNumberOfMessages of the queue, once per call", async () => {
    // GetQueueAttributes' answer as the SQS API reference shows it (attribute values are strings).
    sqs
      .on(GetQueueAttributesCommand)
      .resolvesOnce({ Attributes: { ApproximateNumberOfMessages: "42" } })
      .resolves({
        Attributes: { ApproximateNumberOfMessages: "0" },
      });
    const { read, errors } = depth();
    expect(await read()).toBe(42);
    expect(await read()).toBe(0);
    expect(errors).toEqual([]);
    expect(sqs.commandCalls(GetQueueAttributesCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: QUEUE_URL, AttributeNames: ["ApproximateNumberOfMessages"] },
      { QueueUrl: QUEUE_URL, AttributeNames: ["ApproximateNumberOfMessages"] },
    ]);
  });

  it("takes a failed read as an empty queue and says why, with the cause", async () => {
    const denied = Object.assign(new Error("not authorized to perform sqs:GetQueueAttributes"), {
      name: "AccessDenied",
    });
    sqs.on(GetQueueAttributesCommand).rejects(denied);
    const { read, errors } = depth();
    expect(await read()).toBe(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(QueueDepthError);
    expect(errors[0]?.cause).toBe(denied);
  });

  it.each([
    ["no attributes", {}],
    ["a count that is not one", { Attributes: { ApproximateNumberOfMessages: "-1" } }],
    ["another attribute only", { Attributes: { ApproximateNumberOfMessagesNotVisible: "3" } }],
  ])("takes an answer with %s as an empty queue, naming what is missing", async (_, answer) => {
    sqs.on(GetQueueAttributesCommand).resolves(answer);
    const { read, errors } = depth();
    expect(await read()).toBe(0);
    expect(errors[0]?.message).toMatch(/^GetQueueAttributes answered without a depth \(Attributes/);
  });
});
