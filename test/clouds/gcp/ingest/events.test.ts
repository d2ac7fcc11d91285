import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { GcpEventError } from "../../../../lib/clouds/gcp/ingest/errors.js";
import {
  type GcpPushResult,
  parseGcpLogEntry,
  parseGcpPush,
} from "../../../../lib/clouds/gcp/ingest/events.js";
import { type WorkloadEvent, WorkloadEventSchema } from "../../../../lib/ingest/workload-event.js";

/** The recorded events under test/fixtures (their sources: SOURCES.md there). */
const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), "../../../fixtures/gcp");

type Json = Record<string, unknown>;
type Entry = Json & { protoPayload: Json; resource: Json & { labels: Json }; operation: Json };
type Push = Json & { message: Json };

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(resolve(FIXTURES, name), "utf8")) as T;
}

/** The captured stop entry: the first of its operation. */
const firstEntry = () => fixture<Entry>("audit/shared-stop-first.json");

/** The same entry as the operation's last one, which is the one that counts. */
function lastEntry(methodName = "v1.compute.instances.stop"): Entry {
  const entry = firstEntry();
  entry.protoPayload.methodName = methodName;
  entry.operation = { id: entry.operation.id, producer: "compute.googleapis.com", last: true };
  return entry;
}

/** Google's sample push body, carrying `entry` (or any data) base64-encoded. */
function push(entry: unknown, data?: string): Push {
  const body = fixture<Push>("pubsub/push-envelope.json");
  body.message.data = data ?? Buffer.from(JSON.stringify(entry)).toString("base64");
  body.message.attributes = { "logging.googleapis.com/timestamp": "2026-06-25T04:52:36.140560Z" };
  return body;
}

function event(result: GcpPushResult): WorkloadEvent {
  if (result.kind !== "event") throw new Error(`ignored: ${result.reason}`);
  return result.event;
}

function rejection(run: () => unknown): GcpEventError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GcpEventError);
    return error as GcpEventError;
  }
  throw new Error("the input was accepted");
}

const pushRejection = (body: unknown) => rejection(() => parseGcpPush(body));

describe("Pub/Sub push of an audit LogEntry", () => {
  it("ignores the captured first entry of a stop, naming the operation", () => {
    const result = parseGcpPush(push(firstEntry()));
    expect(result.kind).toBe("ignored");
    expect(result.kind === "ignored" && result.reason).toContain(
      "operation operation-1782363156161-6550cc2c8a25a-96b76d14-cb2edf66",
    );
  });

  it("turns the last entry into a WorkloadEvent named by the message id", () => {
    const parsed = event(parseGcpPush(push(lastEntry())));
    expect(parsed).toEqual({
      cloud: "gcp",
      eventId: "2070443601311540",
      time: "2026-06-25T04:52:36.140560Z",
      workloadId: "gcp:my-project:us-central1-c:vm-1",
      change: { kind: "state", state: "stopped" },
    });
    expect(WorkloadEventSchema.parse(parsed)).toEqual(parsed);
  });

  const CHANGES = [
    ["insert", { kind: "resource", action: "created" }],
    ["delete", { kind: "state", state: "terminated" }],
    ["start", { kind: "state", state: "running" }],
    ["stop", { kind: "state", state: "stopped" }],
    ["setLabels", { kind: "tags" }],
    ["setTags", { kind: "resource", action: "updated" }],
  ] as const;
  const CASES = CHANGES.flatMap(([method, change]) =>
    ["v1.", "beta.", ""].map((prefix) => [`${prefix}compute.instances.${method}`, change] as const),
  );

  it.each(CASES)("maps %s to %j", (methodName, change) => {
    expect(event(parseGcpPush(push(lastEntry(methodName)))).change).toEqual(change);
  });

  it("counts an entry that is both first and last (a one-entry operation)", () => {
    const entry = lastEntry();
    entry.operation.first = true;
    expect(parseGcpPush(push(entry)).kind).toBe("event");
  });

  it.each([
    ["without an operation", (entry: Entry) => delete (entry as Json).operation, "no operation"],
    ["whose operation is not last", (entry: Entry) => (entry.operation.last = false), "not the last entry"],
    [
      "of a failed call",
      (entry: Entry) => (entry.protoPayload.status = { code: 7, message: "PERMISSION_DENIED" }),
      "failed (status 7: PERMISSION_DENIED)",
    ],
  ])("ignores an entry %s", (_, change, reason) => {
    const entry = lastEntry();
    change(entry);
    const result = parseGcpPush(push(entry));
    expect(result).toEqual({ kind: "ignored", reason: expect.stringContaining(reason) });
  });

  it("takes the event id from message_id, else from the entry's insertId", () => {
    const snake = push(lastEntry());
    delete snake.message.messageId;
    snake.message.message_id = "99";
    expect(event(parseGcpPush(snake)).eventId).toBe("99");
    delete snake.message.message_id;
    expect(event(parseGcpPush(snake)).eventId).toBe("-wehf3ae1bd54");
  });

  it("rejects a push without any event id", () => {
    const entry = lastEntry();
    delete (entry as Json).insertId;
    const body = push(entry);
    delete body.message.messageId;
    delete body.message.message_id;
    expect(pushRejection(body).message).toContain("message.messageId: missing");
  });
});

describe("malformed pushes", () => {
  it("rejects Google's sample envelope: its data is text, not a LogEntry", () => {
    const error = pushRejection(fixture("pubsub/push-envelope.json"));
    expect(error.message).toMatch(/^GCP event rejected: message\.data: not a JSON LogEntry once decoded/);
  });

  it.each([
    ["null", null, "(the push body):"],
    ["a string", "{}", "(the push body):"],
    ["no message", { subscription: "projects/p/subscriptions/s" }, "message:"],
    ["no subscription", { message: { data: "e30=", messageId: "1" } }, "subscription:"],
    [
      "a malformed subscription",
      { ...push(lastEntry()), subscription: "mysubscription" },
      "subscription: not a subscription",
    ],
    ["empty data", push(undefined, ""), "message.data: must not be empty"],
    ["data that is not base64", push(undefined, "not base64!"), "message.data: not base64"],
    ["unpadded base64", push(undefined, "e30"), "message.data: not base64"],
    [
      "data that is not UTF-8",
      push(undefined, Buffer.from([0xff, 0xfe, 0x7b]).toString("base64")),
      "not UTF-8",
    ],
    ["data that is JSON but no object", push(42), "message.data[LogEntry]: Invalid input"],
  ])("rejects %s, naming where", (_, body, message) => {
    expect(pushRejection(body).message).toContain(message);
  });
});

describe("entries of other kinds, and forged or mangled ones", () => {
  it.each([
    ["v1.compute.instances.reset"],
    ["alpha.compute.instances.insert"],
    ["v1.compute.firewalls.insert"],
    ["compute.instances.setMetadata"],
    ["v1.compute.instances.stopx"],
  ])("rejects the method %s", (methodName) => {
    const error = pushRejection(push(lastEntry(methodName)));
    expect(error.message).toContain(
      `message.data[LogEntry].protoPayload.methodName: "${methodName}" is not a method segsync handles`,
    );
  });

  it("rejects another service's audit log", () => {
    const entry = lastEntry();
    entry.protoPayload.serviceName = "storage.googleapis.com";
    expect(pushRejection(push(entry)).message).toContain(
      'protoPayload.serviceName: "storage.googleapis.com" is not compute.googleapis.com',
    );
  });

  const REMOVE = Symbol("remove");
  it.each([
    [
      "another log",
      ["logName"],
      "projects/my-project/logs/cloudaudit.googleapis.com%2Fdata_access",
      "logName: not an Admin Activity audit log",
    ],
    ["another resource type", ["resource", "type"], "gce_firewall_rule", "resource.type: not gce_instance"],
    [
      "another payload type",
      ["protoPayload", "@type"],
      "type.googleapis.com/x",
      "protoPayload.@type: not an AuditLog",
    ],
    ["a bad time", ["timestamp"], "yesterday", "timestamp: not an RFC 3339 time"],
    ["no time", ["timestamp"], REMOVE, "timestamp:"],
    ["no resource name", ["protoPayload", "resourceName"], REMOVE, "protoPayload.resourceName:"],
    [
      "a resource that is no instance",
      ["protoPayload", "resourceName"],
      "projects/my-project/global/firewalls/vm-1",
      "protoPayload.resourceName: not an instance",
    ],
    [
      "an instance of another project than the log's",
      ["protoPayload", "resourceName"],
      "projects/other-project/zones/us-central1-c/instances/vm-1",
      "logName: is project my-project's log, but projects/other-project/zones/us-central1-c/instances/vm-1 is in project other-project",
    ],
    [
      "resource labels of another project",
      ["resource", "labels", "project_id"],
      "other-project",
      "resource.labels.project_id: is other-project, but",
    ],
    [
      "resource labels of another zone",
      ["resource", "labels", "zone"],
      "us-east1-b",
      "resource.labels.zone: is us-east1-b, but projects/my-project/zones/us-central1-c/instances/vm-1 is in zone us-central1-c",
    ],
    [
      "an instance name GCP cannot have",
      ["protoPayload", "resourceName"],
      "projects/my-project/zones/us-central1-c/instances/VM_1",
      'protoPayload.resourceName: "gcp:my-project:us-central1-c:VM_1" is not a valid gcp workload id',
    ],
    [
      "an operation of another producer",
      ["operation", "producer"],
      "storage.googleapis.com",
      "operation.producer:",
    ],
  ] as const)("rejects %s, naming where", (_, path, value, message) => {
    const entry = lastEntry() as Json;
    let parent = entry;
    for (const key of path.slice(0, -1)) parent = parent[key] as Json;
    const last = path[path.length - 1] as string;
    if (value === REMOVE) delete parent[last];
    else parent[last] = value;
    const error = pushRejection(push(entry));
    expect(error.message).toContain(`message.data[LogEntry].${message}`);
  });

  it("rejects first entries that are forged too: validation comes before ignoring", () => {
    const entry = firstEntry();
    entry.resource.labels.project_id = "other-project";
    expect(pushRejection(push(entry)).message).toContain("resource.labels.project_id");
  });

  it("lists every problem of one entry", () => {
    const entry = lastEntry();
    entry.timestamp = "x";
    entry.resource.type = "x";
    const error = pushRejection(push(entry));
    expect(error.issues).toHaveLength(2);
    expect(error.issues[0]).toMatch(/^message\.data\[LogEntry\]\.timestamp: /);
    expect(error.issues[1]).toMatch(/^message\.data\[LogEntry\]\.resource\.type: /);
  });
});

describe("parseGcpLogEntry", () => {
  it("parses a decoded entry, named by the given id or its insertId", () => {
    expect(event(parseGcpLogEntry(lastEntry("beta.compute.instances.insert"), "id-1"))).toMatchObject({
      eventId: "id-1",
      change: { kind: "resource", action: "created" },
    });
    expect(event(parseGcpLogEntry(lastEntry())).eventId).toBe("-wehf3ae1bd54");
    expect(parseGcpLogEntry(firstEntry()).kind).toBe("ignored");
  });

  it("names fields without the push prefix", () => {
    expect(rejection(() => parseGcpLogEntry(null)).message).toContain("(the LogEntry):");
    const entry = lastEntry();
    delete (entry as Json).insertId;
    expect(rejection(() => parseGcpLogEntry(entry)).message).toContain("insertId: missing");
    expect(rejection(() => parseGcpLogEntry(lastEntry("v1.compute.disks.insert"))).message).toMatch(
      /^GCP event rejected: protoPayload\.methodName: /,
    );
  });
});
