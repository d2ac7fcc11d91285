/**
 * What the azure-events function enqueues for a delivery's parsed events, and what the simulation
 * enqueues for the same events: a workload message per VM event, an azure-nic message per NIC
 * event (the reconciler finds its VM through the provider's hint resolver).
 */
import type { QueueMessage } from "../../../ingest/queue-message.js";
import type { AzureEventsResult } from "./events.js";

export function azureQueueMessages(result: Extract<AzureEventsResult, { kind: "events" }>): QueueMessage[] {
  const nics = result.nicChanges.map(
    ({ eventId, time, subscription, resourceGroup, nicName }): QueueMessage => ({
      kind: "azure-nic",
      eventId,
      time,
      subscription,
      resourceGroup,
      nicName,
    }),
  );
  return [...result.events.map((event): QueueMessage => ({ kind: "workload", event })), ...nics];
}
