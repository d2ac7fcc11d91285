/**
 * GCP Cloud Logging entries (docs/flows.md, "GCP"): VPC Flow Logs (`jsonPayload.connection`,
 * `reporter`; traffic that happened, so accepted) and Firewall Rules Logging
 * (`jsonPayload.disposition` ALLOWED or DENIED). One entry per line as a sink writes them, or one
 * JSON array as `gcloud logging read --format=json` prints it, read one element at a time.
 */
import type { Readable } from "node:stream";
import { z } from "zod";
import type { FlowRecord, ParsedRecord, RecordOrigin } from "../model.js";
import {
  addressField,
  countField,
  FieldError,
  hasPorts,
  integerField,
  portField,
  rfc3339Field,
} from "./fields.js";
import { jsonArrayElements } from "./json-elements.js";
import { lineBatches } from "./lines.js";
import { malformed } from "./parsed.js";
import { firstIssue } from "./zod-issue.js";

/** Cloud Logging writes int64 as a string, int32 as a number: both are read, then checked exactly. */
const int64 = z.union([z.number(), z.string()]);

const instance = z.object({
  project_id: z.string().optional(),
  zone: z.string().optional(),
  vm_name: z.string(),
});

const entrySchema = z.object({
  timestamp: z.string().optional(),
  jsonPayload: z.object({
    connection: z.object({
      src_ip: z.string(),
      dest_ip: z.string(),
      src_port: int64.optional(),
      dest_port: int64.optional(),
      protocol: int64,
    }),
    reporter: z.string().optional(),
    src_instance: instance.optional(),
    dest_instance: instance.optional(),
    bytes_sent: int64.optional(),
    packets_sent: int64.optional(),
    start_time: z.string().optional(),
    end_time: z.string().optional(),
    disposition: z.string().optional(),
    instance: instance.optional(),
    rule_details: z.object({ direction: z.string().optional() }).optional(),
  }),
});

type Entry = z.infer<typeof entrySchema>;
type Payload = Entry["jsonPayload"];

function text(value: string | number): string {
  return typeof value === "number" ? String(value) : value;
}

/** An instance as GCP names it: projects/P/zones/Z/instances/N (project and zone where the log gives them). */
function instanceName(value: z.infer<typeof instance>): string {
  const project = value.project_id === undefined ? "" : `projects/${value.project_id}/`;
  const zone = value.zone === undefined ? "" : `zones/${value.zone}/`;
  return `${project}${zone}instances/${value.vm_name}`;
}

function connectionOf(payload: Payload) {
  const connection = payload.connection;
  const protocol = integerField("connection.protocol", text(connection.protocol), 0, 255);
  const port = (field: string, value: string | number | undefined) => {
    if (value === undefined) throw new FieldError(`connection.${field}`, "is missing");
    return portField(`connection.${field}`, text(value));
  };
  const ported = hasPorts(protocol);
  return {
    srcAddress: addressField("connection.src_ip", connection.src_ip),
    dstAddress: addressField("connection.dest_ip", connection.dest_ip),
    srcPort: ported ? port("src_port", connection.src_port) : undefined,
    dstPort: ported ? port("dest_port", connection.dest_port) : undefined,
    protocol,
  };
}

/** A Firewall Rules Logging entry: one connection as its initiator opened it, allowed or denied. */
function firewallRecord(entry: Entry, origin: RecordOrigin): FlowRecord {
  const payload = entry.jsonPayload;
  if (payload.disposition !== "ALLOWED" && payload.disposition !== "DENIED") {
    throw new FieldError(
      "jsonPayload.disposition",
      `${JSON.stringify(payload.disposition)} is not ALLOWED or DENIED`,
    );
  }
  if (entry.timestamp === undefined) throw new FieldError("timestamp", "is missing");
  const time = rfc3339Field("timestamp", entry.timestamp);
  const direction = payload.rule_details?.direction;
  const { srcAddress, dstAddress, srcPort, dstPort, protocol } = connectionOf(payload);
  return {
    format: "gcp",
    origin,
    start: time,
    end: time,
    srcAddress,
    dstAddress,
    srcPort,
    dstPort,
    protocol,
    action: payload.disposition === "ALLOWED" ? "accept" : "reject",
    packets: 0,
    bytes: 0,
    reply: undefined,
    initiator: "src",
    reportedBy:
      payload.instance === undefined ? undefined : { kind: "instance", id: instanceName(payload.instance) },
    reporterSide: direction === "INGRESS" ? "dst" : direction === "EGRESS" ? "src" : undefined,
  };
}

/** A VPC Flow Logs entry: one direction of a connection, sampled, as the reporting side saw it. */
function vpcFlowRecord(entry: Entry, origin: RecordOrigin): FlowRecord {
  const payload = entry.jsonPayload;
  const side = payload.reporter === "SRC" ? "src" : payload.reporter === "DEST" ? "dst" : undefined;
  if (payload.reporter !== undefined && side === undefined && !payload.reporter.endsWith("_GATEWAY")) {
    throw new FieldError(
      "jsonPayload.reporter",
      `${JSON.stringify(payload.reporter)} is not SRC, DEST or a gateway`,
    );
  }
  const startText = payload.start_time ?? entry.timestamp;
  if (startText === undefined) throw new FieldError("jsonPayload.start_time", "is missing");
  const start = rfc3339Field("jsonPayload.start_time", startText);
  const end = payload.end_time === undefined ? start : rfc3339Field("jsonPayload.end_time", payload.end_time);
  const reporter = side === "src" ? payload.src_instance : side === "dst" ? payload.dest_instance : undefined;
  const { srcAddress, dstAddress, srcPort, dstPort, protocol } = connectionOf(payload);
  const count = (field: string, value: string | number | undefined) =>
    value === undefined ? 0 : countField(`jsonPayload.${field}`, text(value));
  return {
    format: "gcp",
    origin,
    start,
    end: Math.max(start, end),
    srcAddress,
    dstAddress,
    srcPort,
    dstPort,
    protocol,
    action: "accept",
    packets: count("packets_sent", payload.packets_sent),
    bytes: count("bytes_sent", payload.bytes_sent),
    reply: undefined,
    initiator: undefined,
    reportedBy: reporter === undefined ? undefined : { kind: "instance", id: instanceName(reporter) },
    reporterSide: side,
  };
}

export function gcpEntry(value: unknown, origin: RecordOrigin): ParsedRecord {
  const parsed = entrySchema.safeParse(value);
  if (!parsed.success) return malformed(origin, `Cloud Logging entry: ${firstIssue(parsed.error)}`);
  try {
    const entry = parsed.data;
    const record =
      entry.jsonPayload.disposition === undefined
        ? vpcFlowRecord(entry, origin)
        : firewallRecord(entry, origin);
    return { kind: "record", record };
  } catch (error) {
    if (error instanceof FieldError) return malformed(origin, error.message);
    throw error;
  }
}

async function* lineEntries(object: string, input: Readable): AsyncGenerator<ParsedRecord> {
  let line = 0;
  for await (const batch of lineBatches(input)) {
    for (const textLine of batch) {
      line++;
      if (textLine.trim() === "") continue;
      yield lineEntry(textLine, { object, line });
    }
  }
}

function lineEntry(textLine: string, origin: RecordOrigin): ParsedRecord {
  let value: unknown;
  try {
    value = JSON.parse(textLine);
  } catch (error) {
    return malformed(origin, `not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return gcpEntry(value, origin);
}

async function* arrayEntries(object: string, input: Readable): AsyncGenerator<ParsedRecord> {
  for await (const event of jsonArrayElements(input, "top-level array")) {
    const origin = { object, line: event.line };
    yield event.kind === "error" ? malformed(origin, event.reason) : gcpEntry(event.value, origin);
  }
}

/** Entries one per line, or one JSON array (the object's first character `[`, `head` says). */
export function parseGcpEntries(object: string, input: Readable, head: string): AsyncGenerator<ParsedRecord> {
  return head.trimStart().startsWith("[") ? arrayEntries(object, input) : lineEntries(object, input);
}
