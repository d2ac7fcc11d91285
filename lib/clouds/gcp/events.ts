/**
 * Cloud Audit Logs of Compute, routed by a log sink to Pub/Sub and pushed to segsync
 * (cloud-facts C7-C9) → WorkloadEvent. The push body wraps a base64 LogEntry; the entries that
 * count are Admin Activity entries of compute.googleapis.com for an instance's insert, delete,
 * start, stop, setLabels or setTags (`v1.`, `beta.` or no prefix), and of each operation only its
 * last entry: the first one is acknowledged and ignored. Events are hints that the reconciler
 * verifies by re-reading the instance, but what they name must agree across the entry.
 */
import { z } from "zod";
import { type WorkloadEvent, WorkloadEventSchema } from "../../ingest/workload-event.js";
import { InvalidIdError } from "../../inventory/errors.js";
import { formatWorkloadId } from "../../inventory/ids.js";
import { GcpEventError } from "./event-errors.js";

export type GcpPushResult =
  | { readonly kind: "event"; readonly event: WorkloadEvent }
  | { readonly kind: "ignored"; readonly reason: string };

const SERVICE = "compute.googleapis.com";
const METHOD = /^(?:(?:v1|beta)\.)?compute\.instances\.(insert|delete|start|stop|setLabels|setTags)$/;
const RESOURCE_NAME = /^projects\/([^/]+)\/zones\/([^/]+)\/instances\/([^/]+)$/;
const ACTIVITY_LOG = /^projects\/([^/]+)\/logs\/cloudaudit\.googleapis\.com%2Factivity$/;
/** Standard base64 with padding, as Pub/Sub encodes `data`. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

type Method = "insert" | "delete" | "start" | "stop" | "setLabels" | "setTags";

const CHANGES: Readonly<Record<Method, WorkloadEvent["change"]>> = {
  insert: { kind: "resource", action: "created" },
  delete: { kind: "state", state: "terminated" },
  start: { kind: "state", state: "running" },
  stop: { kind: "state", state: "stopped" },
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
      project_id: z.string(),
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
  const { serviceName, methodName } = kind.protoPayload;
  if (serviceName !== SERVICE) {
    throw fieldError(
      join(prefix, "protoPayload.serviceName"),
      `"${serviceName}" is not ${SERVICE}: segsync handles Compute instance audit logs only`,
    );
  }
  const method = METHOD.exec(methodName)?.[1] as Method | undefined;
  if (method === undefined) {
    throw fieldError(
      join(prefix, "protoPayload.methodName"),
      `"${methodName}" is not a method segsync handles ([v1.|beta.]compute.instances.insert|delete|start|stop|setLabels|setTags)`,
    );
  }
  const entry = parseWith(GcpAuditLogEntrySchema, input, prefix, whole);
  const workloadId = checkNames(entry, prefix);

  const code = entry.protoPayload.status?.code ?? 0;
  if (code !== 0) {
    const why = entry.protoPayload.status?.message ?? "no message";
    return { kind: "ignored", reason: `${methodName} of ${workloadId} failed (status ${code}: ${why})` };
  }
  if (entry.operation?.last !== true) {
    const operation = entry.operation === undefined ? "no operation" : `operation ${entry.operation.id}`;
    return {
      kind: "ignored",
      reason: `${methodName} of ${workloadId}: not the last entry of its operation (${operation}); only the last one counts`,
    };
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

/** The workload id of the resourceName, which the log's project and the resource labels must agree with. */
function checkNames(entry: GcpAuditLogEntry, prefix: string): string {
  const [, project = "", zone = "", name = ""] = RESOURCE_NAME.exec(entry.protoPayload.resourceName) ?? [];
  const logProject = ACTIVITY_LOG.exec(entry.logName)?.[1];
  const where = `${entry.protoPayload.resourceName} is in project ${project}`;
  if (logProject !== project) {
    throw fieldError(join(prefix, "logName"), `is project ${logProject}'s log, but ${where}`);
  }
  if (entry.resource.labels.project_id !== project) {
    throw fieldError(
      join(prefix, "resource.labels.project_id"),
      `is ${entry.resource.labels.project_id}, but ${where}`,
    );
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
    const path = formatPath(issue.path);
    return `${path === "" ? whole : join(prefix, path)}: ${issue.message}`;
  });
  throw new GcpEventError(`GCP event rejected: ${lines.join("; ")}`, lines);
}

function fieldError(path: string, message: string): GcpEventError {
  const line = `${path}: ${message}`;
  return new GcpEventError(`GCP event rejected: ${line}`, [line]);
}

function join(prefix: string, path: string): string {
  return prefix === "" ? path : `${prefix}.${path}`;
}

/** `protoPayload.methodName`, `authorizationInfo[0]`; empty for the value itself. */
function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, index) =>
      typeof segment === "number" ? `[${segment}]` : `${index === 0 ? "" : "."}${String(segment)}`,
    )
    .join("");
}
