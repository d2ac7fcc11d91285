/**
 * The body of a message on the SQS FIFO queue between the ingest functions (and the schedule) and
 * the reconciler. Parsed again with zod at the reconciler's edge.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { WorkloadEventSchema } from "./workload-event.js";

export const QueueMessageSchema = z.discriminatedUnion("kind", [
  /** A workload may have changed: re-read it. */
  z.object({ kind: z.literal("workload"), event: WorkloadEventSchema }).strict(),
  /**
   * An Azure NIC was written or deleted: Event Grid names the NIC, not its VM, and the ingest
   * function holds no Azure credentials, so the reconciler finds the VM
   * (the Azure provider's resolveHint, lib/clouds/azure/hints.ts) and re-reads it.
   */
  z
    .object({
      kind: z.literal("azure-nic"),
      eventId: z.string().min(1),
      time: z.string().min(1),
      subscription: z.string().min(1),
      resourceGroup: z.string().min(1),
      nicName: z.string().min(1),
    })
    .strict(),
  /** Re-discover every cloud and repair drift (the schedule; a deploy with a changed policy). */
  z.object({ kind: z.literal("full-sync"), reason: z.string().min(1).max(200) }).strict(),
]);

export type QueueMessage = z.infer<typeof QueueMessageSchema>;

/** The ARM id of the NIC an azure-nic message names: the hint the Azure provider resolves to its VM. */
export function nicIdOf(message: Extract<QueueMessage, { kind: "azure-nic" }>): string {
  const { subscription, resourceGroup, nicName } = message;
  return `/subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/networkInterfaces/${nicName}`;
}

/** Every message goes to one message group: the reconciler is the single writer, in order. */
export const QUEUE_MESSAGE_GROUP = "segsync";

/** Deliveries of one message before the queue moves it to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;

/** What the schedule sends: re-read everything and repair drift. */
export const SCHEDULED_FULL_SYNC: QueueMessage = { kind: "full-sync", reason: "schedule" };

/**
 * The FIFO deduplication id, from the native event's id: SQS allows at most 128 characters of
 * [\w!-/:-@[-`{-~]; a longer id or one with other characters is replaced by its SHA-256 (hex),
 * so that distinct ids stay distinct.
 */
export function deduplicationId(message: QueueMessage): string {
  const raw =
    message.kind === "workload"
      ? `${message.event.cloud}:${message.event.eventId}`
      : message.kind === "azure-nic"
        ? `azure:${message.eventId}`
        : `full-sync:${message.reason}`;
  const safe = raw.replace(/[^\w!-/:-@[-`{-~]/g, "");
  return safe === raw && raw.length <= 128 ? raw : createHash("sha256").update(raw).digest("hex");
}
