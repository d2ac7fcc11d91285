/**
 * The queue the ingest functions hand their messages to: the port, and its SQS FIFO
 * implementation. Every message goes to the one message group (the reconciler is the single
 * writer) with a deduplication id from the native event's id, so a redelivered event sent again
 * within SQS's 5-minute window is dropped by SQS.
 */
import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { EventQueueError, type FailedEntry } from "./errors.js";
import {
  deduplicationId,
  QUEUE_MESSAGE_GROUP,
  type QueueMessage,
  QueueMessageSchema,
} from "./queue-message.js";

export interface EventQueue {
  /** Resolves once every message is on the queue; rejects with EventQueueError otherwise. */
  send(messages: readonly QueueMessage[]): Promise<void>;
}

/** SendMessageBatch's limit. */
const BATCH_SIZE = 10;

export class SqsEventQueue implements EventQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /**
   * Batches are sent one after the other and the first failure stops the rest. The caller then
   * fails and the sender retries the whole delivery: the messages that did get through are
   * dropped by the FIFO deduplication when sent again.
   */
  async send(messages: readonly QueueMessage[]): Promise<void> {
    for (let start = 0; start < messages.length; start += BATCH_SIZE) {
      await this.#sendBatch(messages.slice(start, start + BATCH_SIZE));
    }
  }

  async #sendBatch(messages: readonly QueueMessage[]): Promise<void> {
    const entries: SendMessageBatchRequestEntry[] = messages.map((message, index) => ({
      Id: String(index),
      // Parsed here too, so that nothing the reconciler would refuse leaves this function.
      MessageBody: JSON.stringify(QueueMessageSchema.parse(message)),
      MessageGroupId: QUEUE_MESSAGE_GROUP,
      MessageDeduplicationId: deduplicationId(message),
    }));
    let failed: FailedEntry[];
    try {
      const output = await this.client.send(
        new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }),
      );
      failed = (output.Failed ?? []).map((entry) => ({
        deduplicationId: entries[Number(entry.Id)]?.MessageDeduplicationId ?? `entry ${entry.Id}`,
        code: entry.Code ?? "unknown",
        message: entry.Message ?? "",
        senderFault: entry.SenderFault ?? false,
      }));
    } catch (error) {
      throw new EventQueueError(
        `SendMessageBatch of ${entries.length} messages failed: ${(error as Error).message}`,
        [],
        { cause: error },
      );
    }
    if (failed.length > 0) {
      const summary = failed.map((entry) => `${entry.deduplicationId}: ${entry.code} ${entry.message}`);
      throw new EventQueueError(
        `SQS refused ${failed.length} of ${entries.length} messages (${summary.join("; ")})`,
        failed,
        { cause: failed },
      );
    }
  }
}
