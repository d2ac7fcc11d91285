/**
 * AWS VPC Flow Logs text records (docs/flows.md, "AWS"), read line by line: a header line names
 * a custom format (S3 delivery); without one, the caller's format or the default version 2 one.
 */
import type { Readable } from "node:stream";
import type { FlowRecord, ParsedRecord, RecordOrigin } from "../model.js";
import {
  AWS_DEFAULT_FORMAT,
  type AwsLayout,
  awsLayout,
  formatFields,
  isHeaderLine,
  missingFields,
} from "./aws-format.js";
import {
  addressField,
  countField,
  epochSecondsField,
  FieldError,
  hasPorts,
  integerField,
  portField,
  protocolField,
} from "./fields.js";
import { lineBatches, withoutCarriageReturn } from "./lines.js";
import { malformed } from "./parsed.js";

const DEFAULT_LAYOUT = awsLayout(formatFields(AWS_DEFAULT_FORMAT));
const SPACES = /\s+/;

/** TCP flags as AWS records them (OR-ed over the aggregation window): SYN 2, and ACK 16 only with SYN. */
const SYN = 2;
const ACK = 16;

export async function* parseAwsText(
  object: string,
  input: Readable,
  callerLayout: AwsLayout | undefined,
): AsyncGenerator<ParsedRecord> {
  let layout: AwsLayout | undefined;
  let line = 0;
  for await (const batch of lineBatches(input)) {
    for (const raw of batch) {
      line++;
      const text = withoutCarriageReturn(raw);
      if (text.trim() === "") continue;
      const origin = { object, line };
      if (layout === undefined) {
        const first = firstLayout(text, origin, callerLayout);
        if ("malformed" in first) {
          yield first.malformed;
          return;
        }
        layout = first.layout;
        if (first.header) continue;
      }
      yield parseAwsLine(text, layout, origin);
    }
  }
}

/** The layout the first line sets: its own when it is a header, else the caller's or the default. */
function firstLayout(
  text: string,
  origin: RecordOrigin,
  callerLayout: AwsLayout | undefined,
): { layout: AwsLayout; header: boolean } | { malformed: ParsedRecord } {
  const tokens = text.trim().split(SPACES);
  if (!isHeaderLine(tokens)) return { layout: callerLayout ?? DEFAULT_LAYOUT, header: false };
  const missing = missingFields(tokens);
  if (missing.length > 0) {
    return {
      malformed: malformed(
        origin,
        `the header line lacks ${missing.join(", ")}: no record of this object is read`,
      ),
    };
  }
  return { layout: awsLayout(tokens), header: true };
}

/** One record line in a known layout: a flow, a record without one (NODATA, SKIPDATA), or malformed. */
export function parseAwsLine(text: string, layout: AwsLayout, origin: RecordOrigin): ParsedRecord {
  let tokens = text.split(" ");
  if (tokens.length !== layout.fields.length || tokens.includes("")) tokens = text.trim().split(SPACES);
  if (tokens.length !== layout.fields.length) {
    return malformed(origin, `${tokens.length} fields where the format has ${layout.fields.length}`);
  }
  const status = layout.logStatus < 0 ? "OK" : tokens[layout.logStatus];
  if (status === "NODATA" || status === "SKIPDATA") {
    return { kind: "skipped", origin, reason: `log-status ${status}: the record carries no flow` };
  }
  try {
    if (status !== "OK")
      throw new FieldError("log-status", `${JSON.stringify(status)} is not OK, NODATA or SKIPDATA`);
    return { kind: "record", record: awsFlow(tokens, layout, origin) };
  } catch (error) {
    if (error instanceof FieldError) return malformed(origin, error.message);
    throw error;
  }
}

function present(tokens: readonly string[], index: number): string | undefined {
  const value = index < 0 ? undefined : tokens[index];
  return value === "-" ? undefined : value;
}

function required(tokens: readonly string[], index: number, field: string): string {
  const value = present(tokens, index);
  if (value === undefined) throw new FieldError(field, "is missing (-)");
  return value;
}

/** Every property set, in one order, so that every record has one shape (the aggregation stays fast). */
function awsFlow(tokens: readonly string[], layout: AwsLayout, origin: RecordOrigin): FlowRecord {
  const protocol = protocolField("protocol", required(tokens, layout.protocol, "protocol"));
  const action = required(tokens, layout.action, "action");
  if (action !== "ACCEPT" && action !== "REJECT") {
    throw new FieldError("action", `${JSON.stringify(action)} is not ACCEPT or REJECT`);
  }
  const start = epochSecondsField("start", required(tokens, layout.start, "start"));
  const end = epochSecondsField("end", required(tokens, layout.end, "end"));
  if (end < start) throw new FieldError("end", "is before start");
  const packets = present(tokens, layout.packets);
  const bytes = present(tokens, layout.bytes);
  const ported = hasPorts(protocol);
  const reporter = awsReporter(tokens, layout);
  return {
    format: "aws",
    origin,
    start,
    end,
    srcAddress: awsAddress(tokens, layout.pktSrcaddr, layout.srcaddr, "srcaddr"),
    dstAddress: awsAddress(tokens, layout.pktDstaddr, layout.dstaddr, "dstaddr"),
    srcPort: ported ? portField("srcport", required(tokens, layout.srcport, "srcport")) : undefined,
    dstPort: ported ? portField("dstport", required(tokens, layout.dstport, "dstport")) : undefined,
    protocol,
    action: action === "ACCEPT" ? "accept" : "reject",
    packets: packets === undefined ? 0 : countField("packets", packets),
    bytes: bytes === undefined ? 0 : countField("bytes", bytes),
    reply: undefined,
    initiator: awsInitiator(tokens, layout, protocol),
    reportedBy: reporter.reportedBy,
    reporterSide: reporter.reporterSide,
  };
}

/** pkt-srcaddr/pkt-dstaddr (the packet's own, behind NAT and transit gateways) where present. */
function awsAddress(tokens: readonly string[], packet: number, own: number, field: string): string {
  const fromPacket = present(tokens, packet);
  return fromPacket === undefined
    ? addressField(field, required(tokens, own, field))
    : addressField(`pkt-${field}`, fromPacket);
}

/** SYN-ACK (18) is the responder's reply; SYN without ACK the initiator's opening. */
function awsInitiator(
  tokens: readonly string[],
  layout: AwsLayout,
  protocol: number,
): FlowRecord["initiator"] {
  const text = present(tokens, layout.tcpFlags);
  if (text === undefined) return undefined;
  const flags = integerField("tcp-flags", text, 0, 255);
  if (protocol !== 6 || (flags & SYN) === 0) return undefined;
  return (flags & ACK) !== 0 ? "dst" : "src";
}

/**
 * The interface the record was captured on, and (v5 `flow-direction`) which address is its own:
 * only where the packet's address is the interface's, not behind a NAT or transit gateway.
 */
function awsReporter(
  tokens: readonly string[],
  layout: AwsLayout,
): Pick<FlowRecord, "reportedBy" | "reporterSide"> {
  const eni = present(tokens, layout.interfaceId);
  const instance = present(tokens, layout.instanceId);
  const reportedBy =
    eni !== undefined
      ? { kind: "interface" as const, id: eni }
      : instance !== undefined
        ? { kind: "instance" as const, id: instance }
        : undefined;
  const direction = present(tokens, layout.flowDirection);
  if (direction === undefined) return { reportedBy, reporterSide: undefined };
  if (direction !== "ingress" && direction !== "egress") {
    throw new FieldError("flow-direction", `${JSON.stringify(direction)} is not ingress or egress`);
  }
  const side = direction === "ingress" ? "dst" : "src";
  const [own, packet] =
    side === "dst" ? [layout.dstaddr, layout.pktDstaddr] : [layout.srcaddr, layout.pktSrcaddr];
  const samePacket =
    present(tokens, packet) === undefined || present(tokens, packet) === present(tokens, own);
  return { reportedBy, reporterSide: samePacket && own >= 0 ? side : undefined };
}
