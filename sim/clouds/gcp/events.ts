/**
 * Compute Admin Activity audit log entries as a log sink routes them to Pub/Sub and Pub/Sub
 * pushes them (docs/clouds.md, "GCP audit logs"; samples in test/fixtures/gcp/audit and
 * test/fixtures/gcp/pubsub): every operation logs a first entry (request and running operation)
 * and a last one when it completes; each comes in its own push envelope, the LogEntry base64 in
 * `message.data`.
 */
import { type EventIds, isoTime } from "../../clock.js";

/** The push subscription of the sink's topic that the simulated pushes come from. */
export const PUSH_SUBSCRIPTION = "projects/segsync-events/subscriptions/segsync-compute-audit";
const PRINCIPAL = "user@example.com";
const CALLER_IP = "203.0.113.10";
const COMPUTE = "https://www.googleapis.com/compute/v1";

export type GcpInstanceMethod = "insert" | "delete" | "start" | "stop" | "setLabels";

export interface PubSubPushBody {
  readonly message: {
    readonly attributes: Readonly<Record<string, string>>;
    readonly data: string;
    readonly messageId: string;
    readonly message_id: string;
    readonly publishTime: string;
    readonly publish_time: string;
  };
  readonly subscription: string;
}

export interface GcpInstanceRef {
  readonly project: string;
  readonly zone: string;
  readonly name: string;
  /** Compute's numeric instance id. */
  readonly instanceId: string;
}

/** The gcloud command that a user would have run. */
const COMMANDS: Readonly<Record<GcpInstanceMethod, string>> = {
  insert: "create",
  delete: "delete",
  start: "start",
  stop: "stop",
  setLabels: "add-labels",
};

const PERMISSIONS: Readonly<Record<GcpInstanceMethod, string>> = {
  insert: "compute.instances.create",
  delete: "compute.instances.delete",
  start: "compute.instances.start",
  stop: "compute.instances.stop",
  setLabels: "compute.instances.setLabels",
};

/**
 * The two pushes (first entry, last entry) of one operation. `request` holds the method's own
 * fields (the labels of insert and setLabels, in the audit log's key/value list form).
 */
export function gcpOperationPushes(
  ids: EventIds,
  instance: GcpInstanceRef,
  method: GcpInstanceMethod,
  request: Readonly<Record<string, unknown>>,
  times: { readonly first: Date; readonly last: Date },
): PubSubPushBody[] {
  const operation = `operation-${times.first.getTime()}-${ids.hex(13)}-${ids.hex(8)}-${ids.hex(8)}`;
  const first = logEntry(ids, instance, method, operation, times.first, {
    request: { "@type": `type.googleapis.com/compute.instances.${method}`, ...request },
    response: {
      "@type": "type.googleapis.com/operation",
      id: ids.digits(19),
      name: operation,
      operationType: method,
      status: "RUNNING",
      progress: "0",
      targetId: instance.instanceId,
      targetLink: `${COMPUTE}/${resourceName(instance)}`,
      zone: `${COMPUTE}/projects/${instance.project}/zones/${instance.zone}`,
      user: PRINCIPAL,
    },
  });
  const last = logEntry(ids, instance, method, operation, times.last, {});
  return [
    push(ids, first.entry, times.first, first.timestamp),
    push(ids, last.entry, times.last, last.timestamp),
  ];
}

/** An audit log's list form of a label map. */
export function labelList(labels: Readonly<Record<string, string>>): { key: string; value: string }[] {
  return Object.entries(labels).map(([key, value]) => ({ key, value }));
}

function resourceName(instance: GcpInstanceRef): string {
  return `projects/${instance.project}/zones/${instance.zone}/instances/${instance.name}`;
}

function logEntry(
  ids: EventIds,
  instance: GcpInstanceRef,
  method: GcpInstanceMethod,
  operation: string,
  time: Date,
  payload: Readonly<Record<string, unknown>>,
): { entry: Record<string, unknown>; timestamp: string } {
  const name = resourceName(instance);
  const isFirst = "request" in payload;
  const timestamp = isoTime(time, 6);
  const entry = {
    protoPayload: {
      "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
      status: {},
      authenticationInfo: { principalEmail: PRINCIPAL },
      requestMetadata: {
        callerIp: CALLER_IP,
        callerSuppliedUserAgent: `google-cloud-sdk gcloud/... command/gcloud.compute.instances.${COMMANDS[method]}`,
      },
      serviceName: "compute.googleapis.com",
      methodName: `v1.compute.instances.${method}`,
      authorizationInfo: [
        {
          resource: name,
          permission: PERMISSIONS[method],
          granted: true,
          resourceAttributes: { service: "compute", name, type: "compute.instances" },
          permissionType: "ADMIN_WRITE",
        },
      ],
      resourceName: name,
      ...payload,
      resourceLocation: { currentLocations: [instance.zone] },
    },
    insertId: `-${ids.hex(12)}`,
    resource: {
      type: "gce_instance",
      labels: { project_id: instance.project, instance_id: instance.instanceId, zone: instance.zone },
    },
    timestamp,
    severity: "NOTICE",
    logName: `projects/${instance.project}/logs/cloudaudit.googleapis.com%2Factivity`,
    operation: {
      id: operation,
      producer: "compute.googleapis.com",
      ...(isFirst ? { first: true } : { last: true }),
    },
    receiveTimestamp: isoTime(new Date(time.getTime() + 250), 6),
  };
  return { entry, timestamp };
}

function push(ids: EventIds, entry: unknown, time: Date, timestamp: string): PubSubPushBody {
  const messageId = ids.digits(16);
  const publishTime = isoTime(new Date(time.getTime() + 500), 3);
  return {
    message: {
      attributes: { "logging.googleapis.com/timestamp": timestamp },
      data: Buffer.from(JSON.stringify(entry), "utf8").toString("base64"),
      messageId,
      message_id: messageId,
      publishTime,
      publish_time: publishTime,
    },
    subscription: PUSH_SUBSCRIPTION,
  };
}
