/**
 * Queue messages (lib/ingest/queue-message.ts) → what the reconciler does with each: a workload
 * message is its event, unless its workload is in a place the connections do not manage (then it
 * is ignored: events are hints, and only from configured places); a message whose event names no
 * workload of a configured place is a hint its cloud's driver resolves (resolveHint): an Azure NIC
 * to its VM, since Event Grid names the NIC and the ingest function holds no Azure credentials; a
 * GCP project the config does not name, to its event once the project names a configured Shared VPC
 * host; a full-sync message asks for a full sync.
 */
import type { CloudHint } from "../clouds/provider.js";
import type { ConfiguredPlaces } from "../ingest/places.js";
import { nicIdOf, type QueueMessage } from "../ingest/queue-message.js";
import type { WorkloadEvent } from "../ingest/workload-event.js";
import type { Cloud } from "../inventory/model.js";
import type { CloudDriver } from "./driver.js";
import { isRetryable } from "./retryable.js";

/** A parsed message and the id its batch reports it by (the SQS messageId). */
export interface QueuedMessage {
  readonly id: string;
  readonly message: QueueMessage;
}

export type MessageTarget =
  | { readonly kind: "event"; readonly id: string; readonly event: WorkloadEvent }
  | { readonly kind: "full-sync"; readonly id: string; readonly reason: string }
  /** Nothing to re-read: the hint names no workload (a NIC attached to no VM), or the place is not managed. */
  | { readonly kind: "ignored"; readonly id: string; readonly why: string }
  /** The cloud could not be asked (resolving the hint failed); `retryable`: a retry may succeed. */
  | {
      readonly kind: "unresolved";
      readonly id: string;
      readonly cloud: Cloud;
      readonly error: string;
      readonly retryable: boolean;
    };

/** What resolving a hint needs: the cloud's driver, bound to its connection. */
export type HintResolver = Pick<CloudDriver, "resolveHint">;

/** What resolving needs: the places the connections manage, and each cloud's hint resolver. */
export interface ResolveDeps {
  readonly places: ConfiguredPlaces;
  readonly hints: Readonly<Record<Cloud, HintResolver>>;
}

/** Each message's target, in the order of the messages. */
export async function resolveMessages(
  messages: readonly QueuedMessage[],
  deps: ResolveDeps,
): Promise<MessageTarget[]> {
  return Promise.all(messages.map((queued) => resolveMessage(queued, deps)));
}

async function resolveMessage({ id, message }: QueuedMessage, deps: ResolveDeps): Promise<MessageTarget> {
  const { places } = deps;
  if (message.kind === "full-sync") return { kind: "full-sync", id, reason: message.reason };
  if (message.kind === "azure-nic") {
    const hint: CloudHint = { kind: "resource", id: nicIdOf(message) };
    return resolveHint(id, "azure", hint, deps, (workloadId) => nicEvent(message, workloadId));
  }
  const { event } = message;
  const refusal = places.refusalOf(event.workloadId);
  if (refusal !== undefined) return { kind: "ignored", id, why: `${refusal.detail}: ${refusal.reason}` };
  const unlisted = places.unlistedPlace(event.workloadId);
  if (unlisted === undefined) return { kind: "event", id, event };
  const hint: CloudHint = { kind: "unlisted-place", workload: event.workloadId, place: unlisted };
  return resolveHint(id, event.cloud, hint, deps, () => event);
}

/** The event of a workload a hint resolved to; ignored or unresolved as its cloud answers. */
async function resolveHint(
  id: string,
  cloud: Cloud,
  hint: CloudHint,
  deps: ResolveDeps,
  eventOf: (workloadId: WorkloadEvent["workloadId"]) => WorkloadEvent,
): Promise<MessageTarget> {
  try {
    const resolution = await deps.hints[cloud].resolveHint(hint);
    if (resolution.kind === "ignored") return { kind: "ignored", id, why: resolution.why };
    return { kind: "event", id, event: eventOf(resolution.workload) };
  } catch (error) {
    return { kind: "unresolved", id, cloud, error: describeError(error), retryable: isRetryable(error) };
  }
}

/** A NIC's VM, re-read as a resource change of its own. */
function nicEvent(
  message: { readonly eventId: string; readonly time: string },
  workloadId: WorkloadEvent["workloadId"],
): WorkloadEvent {
  return {
    cloud: "azure",
    eventId: message.eventId,
    time: message.time,
    workloadId,
    change: { kind: "resource", action: "updated" },
  };
}

/** The reason of the batch's first full-sync message: one full sync covers the whole batch. */
export function fullSyncReason(targets: readonly MessageTarget[]): string | undefined {
  for (const target of targets) if (target.kind === "full-sync") return target.reason;
  return undefined;
}

export function eventsOf(targets: readonly MessageTarget[]): WorkloadEvent[] {
  return targets.flatMap((target) => (target.kind === "event" ? [target.event] : []));
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
