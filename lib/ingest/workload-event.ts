import { z } from "zod";
import { CLOUDS } from "../inventory/model.js";

/**
 * A cloud-neutral hint that one workload may have changed. Events are hints: the reconciler
 * re-reads the named workload from its cloud, so duplicated or out-of-order events are harmless.
 * This is also the SQS message body, parsed again at the reconciler's edge.
 */
export const WorkloadEventSchema = z
  .object({
    cloud: z.enum(CLOUDS),
    /** The native event's id: the queue's deduplication id. */
    eventId: z.string().min(1),
    /** When the cloud says the change happened (ISO 8601). */
    time: z.string().min(1),
    workloadId: z.string().min(1),
    change: z.discriminatedUnion("kind", [
      z.object({
        kind: z.literal("state"),
        state: z.enum(["pending", "running", "stopping", "stopped", "terminating", "terminated"]),
      }),
      z.object({ kind: z.literal("tags"), tags: z.record(z.string(), z.string()).optional() }),
      /** Created, deleted, or a NIC or configuration change: re-read it whole. */
      z.object({ kind: z.literal("resource"), action: z.enum(["created", "updated", "deleted"]) }),
    ]),
  })
  .strict();

export type WorkloadEvent = z.infer<typeof WorkloadEventSchema>;
