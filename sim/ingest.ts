/**
 * A native event as the ingest functions turn it into queue messages (lambdas/*-events.ts), with
 * the same parsers: an AWS or GCP event into a workload message; an Event Grid delivery into a
 * workload message per VM event and an azure-nic message per NIC event (the reconciler finds the
 * NIC's VM). Handshakes and events segsync has nothing to do with give none.
 */
import type { QueueMessage } from "../lib/ingest/queue-message.js";
import type { WorkloadEvent } from "../lib/ingest/workload-event.js";
import { simulatorOf } from "./clouds/registry.js";
import type { NativeEvent } from "./events.js";

/** Each cloud's own translation, in its simulator (sim/clouds/<cloud>/simulator.ts). */
export function queueMessagesOf(event: NativeEvent): QueueMessage[] {
  return simulatorOf(event.cloud).queueMessagesOf(event.body);
}

/** The workload events among queue messages, in their order (an azure-nic message names none yet). */
export function workloadEventsOf(messages: readonly QueueMessage[]): WorkloadEvent[] {
  return messages.flatMap((message) => (message.kind === "workload" ? [message.event] : []));
}
