/**
 * Event Grid deliveries (Event Grid schema: a JSON array) from the Azure subscription system topic
 * → WorkloadEvents (docs/clouds.md, "Azure Event Grid"). VM writes, deletes, start, restart,
 * deallocate and powerOff, tag writes on a VM, and NIC writes and deletes are what segsync reacts
 * to; a NIC event names a NIC, not a VM, so it comes back as a `nicChanges` entry for the
 * reconciler to resolve. Other valid events of the subscription topic (other resource types or
 * operations, failed or canceled operations) are counted as `ignored`. Events are hints, but what
 * they name must be consistent: the subscription of the topic, of data.subscriptionId and of the
 * subject, and the subject and data.resourceUri, must agree, and the event type must fit the
 * operation. One malformed event rejects the whole delivery (Event Grid does not retry a 400).
 */
import { z } from "zod";
import { type WorkloadEvent, WorkloadEventSchema } from "../../../ingest/workload-event.js";
import { InvalidIdError } from "../../../inventory/errors.js";
import { fieldPath, rejectedEvent } from "../../common/event-issues.js";
import { parseResourceId, type ResourceId } from "../model.js";
import { azureWorkloadId } from "../workload-id.js";
import { AzureEventError } from "./errors.js";

export const VALIDATION_EVENT_TYPE = "Microsoft.EventGrid.SubscriptionValidationEvent";
/** Sent by Event Grid itself when the event subscription is deleted: valid, and nothing to do. */
const SUBSCRIPTION_DELETED_EVENT_TYPE = "Microsoft.EventGrid.SubscriptionDeletedEvent";
const RESOURCE_EVENT_TYPE = /^Microsoft\.Resources\.Resource(Write|Delete|Action)(Success|Failure|Cancel)$/;
/** Event Grid's largest batch. */
const MAX_EVENTS = 5000;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TAGS_SCOPE_SUFFIX = /\/providers\/Microsoft\.Resources\/tags\/default$/i;

const envelope = {
  id: z.string().min(1, "must not be empty"),
  topic: z.string(),
  subject: z.string(),
  eventType: z.string(),
  eventTime: z.iso.datetime({ offset: true, error: "not an ISO 8601 time" }),
  dataVersion: z.string(),
  metadataVersion: z.literal("1", 'must be "1"').optional(),
};

export const AzureResourceEventSchema = z.object({
  ...envelope,
  topic: z
    .string()
    .regex(/^\/subscriptions\/[^/]+$/i, "not the topic of an Azure subscription (/subscriptions/<id>)"),
  subject: z.string().startsWith("/subscriptions/", "not an Azure resource id"),
  eventType: z.string().regex(RESOURCE_EVENT_TYPE, "not a Microsoft.Resources.Resource… event"),
  data: z.object({
    operationName: z.string().min(1, "must not be empty"),
    resourceUri: z.string().min(1, "must not be empty"),
    subscriptionId: z.string().regex(GUID, "not a subscription id (a GUID)"),
    tenantId: z.string().optional(),
    status: z.string().optional(),
    resourceProvider: z.string().optional(),
    correlationId: z.string().optional(),
  }),
});

export const AzureValidationEventSchema = z.object({
  ...envelope,
  eventType: z.literal(VALIDATION_EVENT_TYPE),
  data: z.object({
    validationCode: z.string().min(1, "must not be empty"),
    validationUrl: z.url({ protocol: /^https$/, error: "not an https URL" }).optional(),
  }),
});

const SubscriptionDeletedEventSchema = z.object({ ...envelope, data: z.unknown() });

/** Enough of any event to choose its schema, so that other kinds get a clear message. */
const KindSchema = z.object({
  eventType: z.string({ error: "missing: every Event Grid event has an eventType" }),
});

export type AzureResourceEvent = z.infer<typeof AzureResourceEventSchema>;

/** A NIC that was written or deleted: the reconciler has the Azure provider find its VM (hints.ts). */
export interface AzureNicChange {
  readonly subscription: string;
  readonly resourceGroup: string;
  readonly nicName: string;
  readonly eventId: string;
  /** The event's eventTime. */
  readonly time: string;
}

export type AzureEventsResult =
  | { readonly kind: "validation"; readonly validationCode: string; readonly validationUrl?: string }
  | {
      readonly kind: "events";
      readonly events: WorkloadEvent[];
      readonly nicChanges: AzureNicChange[];
      /** Valid events of the subscription topic that segsync has nothing to do with. */
      readonly ignored: number;
    };

type Verb = "Write" | "Delete" | "Action";
type Target = "virtualMachine" | "networkInterface" | "tagged";
type StateChange = Extract<WorkloadEvent["change"], { kind: "state" }>["state"];

/** By lowercased operationName (RBAC operation names ignore case). */
const OPERATIONS: Readonly<Record<string, { verb: Verb; target: Target; state?: StateChange }>> = {
  "microsoft.compute/virtualmachines/write": { verb: "Write", target: "virtualMachine" },
  "microsoft.compute/virtualmachines/delete": {
    verb: "Delete",
    target: "virtualMachine",
    state: "terminated",
  },
  "microsoft.compute/virtualmachines/start/action": {
    verb: "Action",
    target: "virtualMachine",
    state: "running",
  },
  "microsoft.compute/virtualmachines/restart/action": {
    verb: "Action",
    target: "virtualMachine",
    state: "running",
  },
  "microsoft.compute/virtualmachines/deallocate/action": {
    verb: "Action",
    target: "virtualMachine",
    state: "stopped",
  },
  "microsoft.compute/virtualmachines/poweroff/action": {
    verb: "Action",
    target: "virtualMachine",
    state: "stopped",
  },
  "microsoft.network/networkinterfaces/write": { verb: "Write", target: "networkInterface" },
  "microsoft.network/networkinterfaces/delete": { verb: "Delete", target: "networkInterface" },
  "microsoft.resources/tags/write": { verb: "Write", target: "tagged" },
};

/** Parses one Event Grid delivery (the request body, JSON-parsed); throws AzureEventError naming what and where. */
export function parseAzureEvents(body: unknown): AzureEventsResult {
  if (!Array.isArray(body)) {
    throw rejected(["(the body): expected an array of Event Grid events (Event Grid schema)"]);
  }
  if (body.length === 0 || body.length > MAX_EVENTS) {
    throw rejected([`(the body): a delivery holds 1 to ${MAX_EVENTS} events, not ${body.length}`]);
  }
  const kinds = body.map((element, index) => parseWith(KindSchema, element, [index]).eventType);
  const validationAt = kinds.indexOf(VALIDATION_EVENT_TYPE);
  if (validationAt !== -1) {
    if (body.length !== 1) {
      throw rejected([`[${validationAt}].eventType: a ${VALIDATION_EVENT_TYPE} comes alone in its delivery`]);
    }
    const { data } = parseWith(AzureValidationEventSchema, body[0], [0]);
    return {
      kind: "validation",
      validationCode: data.validationCode,
      ...(data.validationUrl === undefined ? {} : { validationUrl: data.validationUrl }),
    };
  }
  const events: WorkloadEvent[] = [];
  const nicChanges: AzureNicChange[] = [];
  let ignored = 0;
  body.forEach((element, index) => {
    const eventType = kinds[index] as string;
    if (eventType === SUBSCRIPTION_DELETED_EVENT_TYPE) {
      parseWith(SubscriptionDeletedEventSchema, element, [index]);
      ignored += 1;
      return;
    }
    if (!RESOURCE_EVENT_TYPE.test(eventType)) {
      throw rejected([
        `[${index}].eventType: "${eventType}" is not an event of an Azure subscription topic (Microsoft.Resources.Resource{Write,Delete,Action}{Success,Failure,Cancel}, or ${VALIDATION_EVENT_TYPE} alone)`,
      ]);
    }
    const outcome = fromResourceEvent(parseWith(AzureResourceEventSchema, element, [index]), index);
    if (outcome === undefined) ignored += 1;
    else if ("workloadId" in outcome) events.push(outcome);
    else nicChanges.push(outcome);
  });
  return { kind: "events", events, nicChanges, ignored };
}

/** The synchronous handshake's answer (HTTP 200 with this body); throws unless the delivery is that handshake. */
export function validationResponse(body: unknown): { validationResponse: string } {
  const result = parseAzureEvents(body);
  if (result.kind !== "validation") {
    throw rejected([`(the body): not a ${VALIDATION_EVENT_TYPE} handshake`]);
  }
  return { validationResponse: result.validationCode };
}

function fromResourceEvent(
  event: AzureResourceEvent,
  index: number,
): WorkloadEvent | AzureNicChange | undefined {
  const at = (path: string) => `[${index}].${path}`;
  const subscription = checkedSubscription(event, at);
  const tagsScope = TAGS_SCOPE_SUFFIX.test(event.subject);
  const resource = parseResourceId(event.subject.replace(TAGS_SCOPE_SUFFIX, ""));
  const operation = OPERATIONS[event.data.operationName.toLowerCase()];
  if (operation === undefined) return undefined;
  const [, verb, outcome] = RESOURCE_EVENT_TYPE.exec(event.eventType) ?? [];
  if (verb !== operation.verb) {
    throw rejected([
      `${at("eventType")}: ${event.eventType} does not go with data.operationName ${event.data.operationName}`,
    ]);
  }
  // A failed or canceled operation changed nothing.
  if (outcome !== "Success") return undefined;
  const target = operation.target === "tagged" ? kindOf(resource) : operation.target;
  if (operation.target === "tagged" && target === undefined) return undefined;
  if (target !== kindOf(resource) || (tagsScope && operation.target !== "tagged")) {
    const wanted = target === "virtualMachine" ? "virtual machine" : "network interface";
    throw rejected([
      `${at("subject")}: "${event.subject}" is not a ${wanted}, but data.operationName is ${event.data.operationName}`,
    ]);
  }
  const named = resource as ResourceId;
  if (target === "networkInterface") {
    return {
      subscription,
      resourceGroup: named.resourceGroup,
      nicName: named.name,
      eventId: event.id,
      time: event.eventTime,
    };
  }
  let workloadId: string;
  try {
    workloadId = azureWorkloadId(subscription, named.resourceGroup, named.name);
  } catch (error) {
    if (error instanceof InvalidIdError) throw rejected([`${at("subject")}: ${error.message}`]);
    throw error;
  }
  const change: WorkloadEvent["change"] =
    operation.target === "tagged"
      ? { kind: "tags" }
      : operation.state === undefined
        ? { kind: "resource", action: "updated" }
        : { kind: "state", state: operation.state };
  return WorkloadEventSchema.parse({
    cloud: "azure",
    eventId: event.id,
    time: event.eventTime,
    workloadId,
    change,
  });
}

/** The topic's subscription, once the data and the subject agree with it (a forged event would not). */
function checkedSubscription(event: AzureResourceEvent, at: (path: string) => string): string {
  const subscription = event.topic.slice("/subscriptions/".length).toLowerCase();
  if (!GUID.test(subscription)) {
    throw rejected([`${at("topic")}: "${event.topic}" does not name a subscription id`]);
  }
  if (event.data.subscriptionId.toLowerCase() !== subscription) {
    throw rejected([
      `${at("data.subscriptionId")}: is ${event.data.subscriptionId}, but the topic is ${event.topic}`,
    ]);
  }
  if (event.subject.toLowerCase() !== event.data.resourceUri.toLowerCase()) {
    throw rejected([
      `${at("subject")}: is "${event.subject}", but data.resourceUri is "${event.data.resourceUri}"`,
    ]);
  }
  const subject = event.subject.toLowerCase();
  if (
    subject !== `/subscriptions/${subscription}` &&
    !subject.startsWith(`/subscriptions/${subscription}/`)
  ) {
    throw rejected([
      `${at("subject")}: "${event.subject}" is in another subscription than the topic ${event.topic}`,
    ]);
  }
  return subscription;
}

/** A VM or a NIC (not a child of either), or undefined for anything else. */
function kindOf(resource: ResourceId | undefined): "virtualMachine" | "networkInterface" | undefined {
  if (resource === undefined || resource.child !== undefined) return undefined;
  const type = `${resource.provider}/${resource.type}`.toLowerCase();
  if (type === "microsoft.compute/virtualmachines") return "virtualMachine";
  if (type === "microsoft.network/networkinterfaces") return "networkInterface";
  return undefined;
}

function parseWith<T>(schema: z.ZodType<T>, input: unknown, prefix: readonly PropertyKey[]): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw rejected(
      parsed.error.issues.map(
        (issue) => `${fieldPath([...prefix, ...issue.path], "(the body)")}: ${issue.message}`,
      ),
    );
  }
  return parsed.data;
}

/** Paths as `[0].data.operationName`; `(the body)` for the delivery itself. */
function rejected(lines: readonly string[]): AzureEventError {
  return rejectedEvent(AzureEventError, "Azure", lines);
}
