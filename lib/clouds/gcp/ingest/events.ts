/**
 * Cloud Audit Logs of Compute, routed by a log sink to Pub/Sub and pushed to segsync
 * (docs/real-data.md, "GCP") → WorkloadEvent. The push body wraps a base64 LogEntry; the entries
 * that count are Admin Activity entries of compute.googleapis.com for an instance's insert,
 * bulkInsert (zonal or regional), delete, start, stop, suspend, resume, update, setLabels or
 * setTags (`v1.`, `beta.` or no prefix), and of each operation only its last entry: the first
 * one is acknowledged and ignored. A bulkInsert logs one entry for the whole request, which names
 * no instance, and then one entry per created instance (first and last at once), which counts as
 * that instance's insert. Events are hints that the reconciler verifies by re-reading the
 * instance, but what they name must agree across the entry.
 */
import { z } from "zod";
import { type WorkloadEvent, WorkloadEventSchema } from "../../../ingest/workload-event.js";
import { InvalidIdError } from "../../../inventory/errors.js";
import { formatWorkloadId } from "../../../inventory/ids.js";
import { fieldPath, rejectedEvent } from "../../common/event-issues.js";
import { GcpEventError } from "./errors.js";

/**
 * Why a well-formed entry is acknowledged without an event; each ignored reason starts with one
 * of these and a colon, so that a handler can count them (gcpIgnoredCode).
 */
export const GCP_IGNORED_CODES = [
  /** The call failed: nothing changed. */
  "failed-call",
  /** The first entry of an operation (or one without an operation): its last entry will follow. */
  "not-last-entry",
  /** A bulkInsert's entry for the whole request: each created instance has its own entry. */
  "bulk-insert-summary",
  /** The entry names its project only by number, which segsync cannot turn into a project id. */
  "project-number-only",
] as const;

export type GcpIgnoredCode = (typeof GCP_IGNORED_CODES)[number];

export type GcpPushResult =
  | { readonly kind: "event"; readonly event: WorkloadEvent }
  | { readonly kind: "ignored"; readonly reason: string };

/** The code an ignored result's reason starts with. */
export function gcpIgnoredCode(result: { readonly reason: string }): GcpIgnoredCode {
  const code = GCP_IGNORED_CODES.find((candidate) => result.reason.startsWith(`${candidate}:`));
  if (code === undefined) throw new TypeError(`"${result.reason}" starts with no GCP ignored code`);
  return code;
}

const SERVICE = "compute.googleapis.com";
const METHOD =
  /^(?:(?:v1|beta)\.)?compute\.(?:instances\.(insert|bulkInsert|delete|start|stop|suspend|resume|update|setLabels|setTags)|regionInstances\.(bulkInsert))$/;
const RESOURCE_NAME = /^projects\/([^/]+)\/zones\/([^/]+)\/instances\/([^/]+)$/;
/** What a bulkInsert's entry for the whole request names: the zone's or region's instances. */
const BULK_SCOPE = /^projects\/[^/]+\/(?:zones|regions)\/[^/]+\/instances$/;
/** A project number; project ids start with a letter. */
const PROJECT_NUMBER = /^\d+$/;
const ACTIVITY_LOG = /^projects\/([^/]+)\/logs\/cloudaudit\.googleapis\.com%2Factivity$/;
/** Standard base64 with padding, as Pub/Sub encodes `data`. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

type Method =
  | "insert"
  | "bulkInsert"
  | "delete"
  | "start"
  | "stop"
  | "suspend"
  | "resume"
  | "update"
  | "setLabels"
  | "setTags";

const CHANGES: Readonly<Record<Method, WorkloadEvent["change"]>> = {
  insert: { kind: "resource", action: "created" },
  bulkInsert: { kind: "resource", action: "created" },
  delete: { kind: "state", state: "terminated" },
  start: { kind: "state", state: "running" },
  stop: { kind: "state", state: "stopped" },
  suspend: { kind: "state", state: "stopped" },
  resume: { kind: "state", state: "running" },
  // update replaces the whole instance: its labels and network tags too.
  update: { kind: "resource", action: "updated" },
  // The labels are segsync's tags; start and stop entries carry none, so every change is re-read.
  setLabels: { kind: "tags" },
  setTags: { kind: "resource", action: "updated" },
};

export const PubSubPushSchema = z.object({
  message: z.object({
    data: z.string().min(1, "must not be empty"),
    attributes: z.record(z.string(), z.string()).optional(),
    messageId: z.string().min(1, "must not be empty").optional(),
    message_id: z.string().min(1, "must not be empty").optional(),
    publishTime: z.string().optional(),
  }),
  subscription: z
    .string()
    .regex(/^projects\/[^/]+\/subscriptions\/[^/]+$/, "not a subscription (projects/<p>/subscriptions/<s>)"),
});

/** Enough of a LogEntry to tell an audit entry of another service or method apart, with a clear message. */
const KindSchema = z.object({
  protoPayload: z.object({ serviceName: z.string(), methodName: z.string() }),
});

export const GcpAuditLogEntrySchema = z.object({
  insertId: z.string().min(1, "must not be empty").optional(),
  logName: z
    .string()
    .regex(
      ACTIVITY_LOG,
      "not an Admin Activity audit log (projects/<p>/logs/cloudaudit.googleapis.com%2Factivity)",
    ),
  timestamp: z.iso.datetime({ offset: true, error: "not an RFC 3339 time" }),
  resource: z.object({
    type: z.literal("gce_instance", "not gce_instance"),
    labels: z.object({
      project_id: z.string().min(1, "must not be empty"),
      zone: z.string().optional(),
      instance_id: z.string().optional(),
    }),
  }),
  protoPayload: z.object({
    "@type": z.literal("type.googleapis.com/google.cloud.audit.AuditLog", "not an AuditLog"),
    serviceName: z.literal(SERVICE),
    methodName: z.string().regex(METHOD),
    resourceName: z
      .string()
      .regex(RESOURCE_NAME, "not an instance (projects/<project>/zones/<zone>/instances/<name>)"),
    status: z.object({ code: z.number().int().optional(), message: z.string().optional() }).optional(),
  }),
  operation: z
    .object({
      id: z.string().min(1, "must not be empty"),
      producer: z.literal(SERVICE).optional(),
      first: z.boolean().optional(),
      last: z.boolean().optional(),
    })
    .optional(),
});

export type GcpAuditLogEntry = z.infer<typeof GcpAuditLogEntrySchema>;

/** A bulkInsert's entry for the whole request: an audited_resource, not an instance. */
const BulkSummarySchema = z.object({
  logName: GcpAuditLogEntrySchema.shape.logName,
  timestamp: GcpAuditLogEntrySchema.shape.timestamp,
  resource: z.object({ type: z.string() }),
  protoPayload: z.object({
    "@type": GcpAuditLogEntrySchema.shape.protoPayload.shape["@type"],
    resourceName: z.string().regex(BULK_SCOPE),
  }),
  operation: GcpAuditLogEntrySchema.shape.operation,
});

const DATA = "message.data";
/** Where the LogEntry's fields are, in messages about a push body. */
const ENTRY_IN_PUSH = `${DATA}[LogEntry]`;

/**
 * Parses one Pub/Sub push body; throws GcpEventError naming what is wrong and where. The event id
 * is the Pub/Sub message id (a redelivery keeps it), or else the LogEntry's insertId.
 */
export function parseGcpPush(body: unknown): GcpPushResult {
  const push = parseWith(PubSubPushSchema, body, "", "(the push body)");
  const entry = decodeData(push.message.data);
  const messageId = push.message.messageId ?? push.message.message_id;
  return parseEntry(entry, messageId, ENTRY_IN_PUSH);
}

/** One audit LogEntry, already decoded (from another transport, or a test); the event id is `eventId` or its insertId. */
export function parseGcpLogEntry(entry: unknown, eventId?: string): GcpPushResult {
  return parseEntry(entry, eventId, "");
}

function parseEntry(input: unknown, eventId: string | undefined, prefix: string): GcpPushResult {
  const whole = prefix === "" ? "(the LogEntry)" : prefix;
  const kind = parseWith(KindSchema, input, prefix, whole);
  const { methodName } = kind.protoPayload;
  const method = handledMethod(kind.protoPayload, prefix);
  const summary = method === "bulkInsert" ? BulkSummarySchema.safeParse(input) : undefined;
  if (summary?.success) {
    return ignored(
      "bulk-insert-summary",
      `${methodName} for ${summary.data.protoPayload.resourceName} names no instance; each instance it creates has an entry of its own`,
    );
  }
  const entry = parseWith(GcpAuditLogEntrySchema, input, prefix, whole);
  const workloadId = checkNames(entry, prefix);
  if (workloadId === undefined) {
    return ignored(
      "project-number-only",
      `${methodName} of ${entry.protoPayload.resourceName}: the entry names its project only by number (${entry.resource.labels.project_id}), no project id`,
    );
  }

  const code = entry.protoPayload.status?.code ?? 0;
  if (code !== 0) {
    const why = entry.protoPayload.status?.message ?? "no message";
    return ignored("failed-call", `${methodName} of ${workloadId} failed (status ${code}: ${why})`);
  }
  if (entry.operation?.last !== true) {
    const operation = entry.operation === undefined ? "no operation" : `operation ${entry.operation.id}`;
    return ignored(
      "not-last-entry",
      `${methodName} of ${workloadId}: not the last entry of its operation (${operation}); only the last one counts`,
    );
  }
  const id = eventId ?? entry.insertId;
  if (id === undefined) {
    throw fieldError(
      prefix === "" ? "insertId" : "message.messageId",
      "missing: the event needs an id (the Pub/Sub messageId or the LogEntry's insertId)",
    );
  }
  const event = WorkloadEventSchema.parse({
    cloud: "gcp",
    eventId: id,
    time: entry.timestamp,
    workloadId,
    change: CHANGES[method],
  });
  return { kind: "event", event };
}

/** The Compute instance method an entry reports; any other service or method is a field error. */
function handledMethod(payload: { serviceName: string; methodName: string }, prefix: string): Method {
  const { serviceName, methodName } = payload;
  if (serviceName !== SERVICE) {
    throw fieldError(
      join(prefix, "protoPayload.serviceName"),
      `"${serviceName}" is not ${SERVICE}: segsync handles Compute instance audit logs only`,
    );
  }
  const matched = METHOD.exec(methodName);
  const method = (matched?.[1] ?? matched?.[2]) as Method | undefined;
  if (method === undefined) {
    throw fieldError(
      join(prefix, "protoPayload.methodName"),
      `"${methodName}" is not a method segsync handles ([v1.|beta.]compute.instances.insert|bulkInsert|delete|start|stop|suspend|resume|update|setLabels|setTags, compute.regionInstances.bulkInsert)`,
    );
  }
  return method;
}

function ignored(code: GcpIgnoredCode, detail: string): GcpPushResult {
  return { kind: "ignored", reason: `${code}: ${detail}` };
}

/**
 * The workload id of the resourceName, which the log's project and the resource labels must agree
 * with; undefined when the entry names its project by number only. Real entries may name the
 * project in resourceName, or in resource.labels.project_id, by its number (docs/real-data.md,
 * "GCP"). A number can be told from an id (ids start with a letter) but not checked against one
 * without a lookup: the names that are ids must agree, and the workload takes that id.
 */
function checkNames(entry: GcpAuditLogEntry, prefix: string): string | undefined {
  const { resourceName } = entry.protoPayload;
  const [, named = "", zone = "", name = ""] = RESOURCE_NAME.exec(resourceName) ?? [];
  const logProject = ACTIVITY_LOG.exec(entry.logName)?.[1] ?? "";
  const labelProject = entry.resource.labels.project_id;
  const isId = (project: string) => !PROJECT_NUMBER.test(project);
  const [project] = [named, labelProject, logProject].filter(isId);
  if (project === undefined) return undefined;
  const where =
    project === named
      ? `${resourceName} is in project ${project}`
      : `${resourceName} names project ${named} by number, and resource.labels.project_id is ${labelProject}`;
  if (isId(logProject) && logProject !== project) {
    throw fieldError(join(prefix, "logName"), `is project ${logProject}'s log, but ${where}`);
  }
  if (isId(labelProject) && labelProject !== project) {
    throw fieldError(join(prefix, "resource.labels.project_id"), `is ${labelProject}, but ${where}`);
  }
  const labelZone = entry.resource.labels.zone;
  if (labelZone !== undefined && labelZone !== zone) {
    throw fieldError(
      join(prefix, "resource.labels.zone"),
      `is ${labelZone}, but ${entry.protoPayload.resourceName} is in zone ${zone}`,
    );
  }
  try {
    return formatWorkloadId({ cloud: "gcp", project, zone, instanceName: name });
  } catch (error) {
    if (error instanceof InvalidIdError)
      throw fieldError(join(prefix, "protoPayload.resourceName"), error.message);
    throw error;
  }
}

/** The push's data: base64 of a UTF-8 JSON LogEntry. */
function decodeData(data: string): unknown {
  if (!BASE64.test(data)) throw fieldError(DATA, "not base64");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(data, "base64"));
  } catch {
    throw fieldError(DATA, "not UTF-8 text once decoded from base64");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw fieldError(DATA, `not a JSON LogEntry once decoded (${(error as Error).message})`);
  }
}

function parseWith<T>(schema: z.ZodType<T>, input: unknown, prefix: string, whole: string): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    // `protoPayload.methodName`, `authorizationInfo[0]` below the prefix; `whole` for the value itself.
    const path = fieldPath(issue.path, "");
    return `${path === "" ? whole : join(prefix, path)}: ${issue.message}`;
  });
  throw rejectedEvent(GcpEventError, "GCP", lines);
}

function fieldError(path: string, message: string): GcpEventError {
  return rejectedEvent(GcpEventError, "GCP", [`${path}: ${message}`]);
}

function join(prefix: string, path: string): string {
  return prefix === "" ? path : `${prefix}.${path}`;
}
