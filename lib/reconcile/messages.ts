/**
 * Queue messages (lib/ingest/queue-message.ts) → what the reconciler does with each: a workload
 * message is its event, unless its workload is in a place the connections do not manage (then it
 * is ignored: events are hints, and only from configured places); an azure-nic message is resolved
 * to its VM through the Azure connection, since Event Grid names the NIC and the ingest function
 * holds no Azure credentials; a GCP workload message about a project the config does not name is
 * its event once the project names a configured Shared VPC host; a full-sync message asks for a
 * full sync.
 */
import { workloadOfNetworkInterface } from "../clouds/azure/discover.js";
import type { AzureConnection } from "../clouds/azure/provider.js";
import { GcpAccessError } from "../clouds/gcp/errors.js";
import type { GcpConnection } from "../clouds/gcp/provider.js";
import type { ConfiguredPlaces } from "../ingest/places.js";
import type { QueueMessage } from "../ingest/queue-message.js";
import type { WorkloadEvent } from "../ingest/workload-event.js";
import type { Cloud } from "../inventory/model.js";
import { isRetryable } from "./retryable.js";

/** A parsed message and the id its batch reports it by (the SQS messageId). */
export interface QueuedMessage {
  readonly id: string;
  readonly message: QueueMessage;
}

export type MessageTarget =
  | { readonly kind: "event"; readonly id: string; readonly event: WorkloadEvent }
  | { readonly kind: "full-sync"; readonly id: string; readonly reason: string }
  /** Nothing to re-read: the NIC is attached to no VM, or the place is not managed. */
  | { readonly kind: "ignored"; readonly id: string; readonly why: string }
  /** The cloud could not be asked (the NIC lookup failed); `retryable`: a retry may succeed. */
  | {
      readonly kind: "unresolved";
      readonly id: string;
      readonly cloud: Cloud;
      readonly error: string;
      readonly retryable: boolean;
    };

/** What resolving needs: the places the connections manage, Azure for the NICs, GCP for Shared VPC hosts. */
export interface ResolveDeps {
  readonly places: ConfiguredPlaces;
  readonly azure: AzureConnection;
  /** Absent: a project the places do not list is never confirmed as a service project, so ignored. */
  readonly gcp?: GcpConnection;
}

/** Each message's target, in the order of the messages. */
export async function resolveMessages(
  messages: readonly QueuedMessage[],
  deps: ResolveDeps,
): Promise<MessageTarget[]> {
  return Promise.all(messages.map((queued) => resolveMessage(queued, deps)));
}

async function resolveMessage({ id, message }: QueuedMessage, deps: ResolveDeps): Promise<MessageTarget> {
  const { azure, places } = deps;
  if (message.kind === "workload") {
    const refusal = places.refusalOf(message.event.workloadId);
    if (refusal !== undefined) return { kind: "ignored", id, why: `${refusal.detail}: ${refusal.reason}` };
    const unlisted = places.unlistedGcpProject(message.event.workloadId);
    if (unlisted !== undefined) return confirmServiceProject(id, message.event, unlisted, deps.gcp);
    return { kind: "event", id, event: message.event };
  }
  if (message.kind === "full-sync") return { kind: "full-sync", id, reason: message.reason };
  // Event Grid subjects do not promise the case of the subscription id; the config's are lowercase.
  const subscription = azure.subscriptions.find(
    (candidate) => candidate.toLowerCase() === message.subscription.toLowerCase(),
  );
  if (subscription === undefined) {
    return { kind: "ignored", id, why: `Azure subscription ${message.subscription} is not managed` };
  }
  try {
    const workloadId = await workloadOfNetworkInterface(
      azure.apiFor(subscription),
      message.resourceGroup,
      message.nicName,
    );
    if (workloadId === undefined) {
      return {
        kind: "ignored",
        id,
        why: `NIC ${message.resourceGroup}/${message.nicName} is attached to no VM (or is gone)`,
      };
    }
    return {
      kind: "event",
      id,
      event: {
        cloud: "azure",
        eventId: message.eventId,
        time: message.time,
        workloadId,
        change: { kind: "resource", action: "updated" },
      },
    };
  } catch (error) {
    return {
      kind: "unresolved",
      id,
      cloud: "azure",
      error: describeError(error),
      retryable: isRetryable(error),
    };
  }
}

/**
 * An event of a project the config does not name is one of a Shared VPC service project only when
 * the project names a configured host (getXpnHost); otherwise ignored, as any unconfigured place.
 */
async function confirmServiceProject(
  id: string,
  event: WorkloadEvent,
  project: string,
  gcp: GcpConnection | undefined,
): Promise<MessageTarget> {
  const hosts = gcp?.hosts ?? [];
  if (gcp === undefined || hosts.length === 0) {
    return { kind: "ignored", id, why: `GCP project ${project}: project-not-configured` };
  }
  try {
    const host = await gcp.apiFor(project).getXpnHost();
    if (host !== undefined && hosts.includes(host)) return { kind: "event", id, event };
    return {
      kind: "ignored",
      id,
      why: `GCP project ${project} (Shared VPC host: ${host ?? "none"}): project-not-configured`,
    };
  } catch (error) {
    if (error instanceof GcpAccessError && error.code === "NotConfigured") {
      return { kind: "ignored", id, why: `GCP project ${project}: project-not-configured` };
    }
    return {
      kind: "unresolved",
      id,
      cloud: "gcp",
      error: describeError(error),
      retryable: isRetryable(error),
    };
  }
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
