/**
 * How many messages wait in the reconciler's queue behind the batch it is handling: SQS's
 * ApproximateNumberOfMessages (messages available for retrieval; the batch in hand is in flight
 * and not counted). The reconciler coalesces a burst while it is above zero (docs/architecture.md,
 * "Coalescing a burst"). Approximate is enough: a wrong count only writes sooner or later, and a
 * deferral has limits of its own.
 */
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { z } from "zod";
import { QueueDepthError } from "./errors.js";

const DepthAttributes = z.object({
  Attributes: z.object({
    ApproximateNumberOfMessages: z.string().regex(/^\d{1,10}$/, "not a count"),
  }),
});

/**
 * The queue's depth, read once per call. When it cannot be read, `onError` hears why and the
 * answer is 0: nothing waits, so nothing is deferred.
 */
export function sqsEventsWaiting(
  client: SQSClient,
  queueUrl: string,
  onError: (error: QueueDepthError) => void,
): () => Promise<number> {
  return async () => {
    try {
      return await readDepth(client, queueUrl);
    } catch (error) {
      onError(
        error instanceof QueueDepthError
          ? error
          : new QueueDepthError("GetQueueAttributes failed", { cause: error }),
      );
      return 0;
    }
  };
}

async function readDepth(client: SQSClient, queueUrl: string): Promise<number> {
  const output = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  const parsed = DepthAttributes.safeParse(output);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => issue.path.join(".")).join(", ");
    throw new QueueDepthError(`GetQueueAttributes answered without a depth (${where})`, {
      cause: parsed.error,
    });
  }
  return Number(parsed.data.Attributes.ApproximateNumberOfMessages);
}
