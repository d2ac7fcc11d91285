/**
 * A native event as the ingest functions turn it into queue messages (lambdas/*-events.ts), with
 * the same parsers: an AWS or GCP event into a workload message; an Event Grid delivery into a
 * workload message per VM event and an azure-nic message per NIC event (the reconciler finds the
 * NIC's VM). Handshakes and events segsync has nothing to do with give none.
 */
import { parseAwsEvent } from "../lib/clouds/aws/ingest/events.js";
import { parseAzureEvents } from "../lib/clouds/azure/ingest/events.js";
import { parseGcpPush } from "../lib/clouds/gcp/ingest/events.js";
import type { QueueMessage } from "../lib/ingest/queue-message.js";
import type { WorkloadEvent } from "../lib/ingest/workload-event.js";
import type { NativeEvent } from "./events.js";

export function queueMessagesOf(event: NativeEvent): QueueMessage[] {
  const workload = (parsed: WorkloadEvent): QueueMessage => ({ kind: "workload", event: parsed });
  if (event.cloud === "aws") return [workload(parseAwsEvent(event.body))];
  if (event.cloud === "gcp") {
    const result = parseGcpPush(event.body);
    return result.kind === "event" ? [workload(result.event)] : [];
  }
  const result = parseAzureEvents(event.body);
  if (result.kind !== "events") return [];
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
  return [...result.events.map(workload), ...nics];
}

/** The workload events among queue messages, in their order (an azure-nic message names none yet). */
export function workloadEventsOf(messages: readonly QueueMessage[]): WorkloadEvent[] {
  return messages.flatMap((message) => (message.kind === "workload" ? [message.event] : []));
}
