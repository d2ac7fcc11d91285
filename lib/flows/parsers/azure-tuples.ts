/**
 * One Azure flow tuple (docs/flows.md, "Azure"): a whole connection as the NIC saw it, its
 * source the side that opened it, its direction relative to the NIC.
 */
import type { FlowRecord, ParsedRecord, RecordOrigin } from "../model.js";
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
import { malformed } from "./parsed.js";

/** VNet flow logs write milliseconds, the NSG logs and older samples seconds: 13 digits are milliseconds. */
const MILLISECONDS_FROM = 100_000_000_000;

function tupleTime(text: string): number {
  const value = integerField("time", text, 0, Number.MAX_SAFE_INTEGER);
  return value >= MILLISECONDS_FROM ? value : epochSecondsField("time", text);
}

/** A counter; empty in a tuple of state B, which carries none. */
function counter(field: string, text: string): number {
  return text === "" ? 0 : countField(field, text);
}

interface TupleCore {
  readonly time: string;
  readonly src: string;
  readonly dst: string;
  readonly srcPort: string;
  readonly dstPort: string;
  readonly protocol: number;
  readonly direction: string;
  readonly denied: boolean;
  readonly counters: readonly string[];
}

function tupleRecord(core: TupleCore, origin: RecordOrigin, mac: string | undefined): FlowRecord {
  if (core.direction !== "I" && core.direction !== "O") {
    throw new FieldError("direction", `${JSON.stringify(core.direction)} is not I or O`);
  }
  const time = tupleTime(core.time);
  const [packets = "", bytes = "", replyPackets = "", replyBytes = ""] = core.counters;
  const ported = hasPorts(core.protocol);
  return {
    format: "azure",
    origin,
    start: time,
    end: time,
    srcAddress: addressField("source IP", core.src),
    dstAddress: addressField("destination IP", core.dst),
    srcPort: ported ? portField("source port", core.srcPort) : undefined,
    dstPort: ported ? portField("destination port", core.dstPort) : undefined,
    protocol: core.protocol,
    action: core.denied ? "reject" : "accept",
    packets: counter("packets sent", packets),
    bytes: counter("bytes sent", bytes),
    reply: {
      packets: counter("packets received", replyPackets),
      bytes: counter("bytes received", replyBytes),
    },
    initiator: "src",
    reportedBy: mac === undefined ? undefined : { kind: "interface", id: mac },
    reporterSide: core.direction === "I" ? "dst" : "src",
  };
}

function parsedTuple(origin: RecordOrigin, build: () => FlowRecord): ParsedRecord {
  try {
    return { kind: "record", record: build() };
  } catch (error) {
    if (error instanceof FieldError) return malformed(origin, `flow tuple ${error.message}`);
    throw error;
  }
}

/** VNet flow logs: time,src,dst,sport,dport,protocol,direction,state,encryption,4 counters. */
export function vnetTuple(text: string, origin: RecordOrigin, mac: string | undefined): ParsedRecord {
  const fields = text.split(",");
  if (fields.length !== 13)
    return malformed(origin, `flow tuple has ${fields.length} fields where VNet flow logs have 13`);
  const [
    time = "",
    src = "",
    dst = "",
    srcPort = "",
    dstPort = "",
    protocol = "",
    direction = "",
    state = "",
  ] = fields;
  return parsedTuple(origin, () => {
    if (!["B", "C", "E", "D"].includes(state))
      throw new FieldError("flow state", `${JSON.stringify(state)} is not B, C, E or D`);
    const number = protocolField("protocol", protocol);
    const core = { time, src, dst, srcPort, dstPort, protocol: number, direction, denied: state === "D" };
    return tupleRecord({ ...core, counters: fields.slice(9) }, origin, mac);
  });
}

const NSG_PROTOCOLS: Readonly<Record<string, number>> = { T: 6, U: 17 };

/** NSG flow logs: time,src,dst,sport,dport,T/U,I/O,A/D (version 1), then state and 4 counters (version 2). */
export function nsgTuple(text: string, origin: RecordOrigin, mac: string | undefined): ParsedRecord {
  const fields = text.split(",");
  if (fields.length !== 8 && fields.length !== 13) {
    return malformed(
      origin,
      `flow tuple has ${fields.length} fields where NSG flow logs have 8 (version 1) or 13 (version 2)`,
    );
  }
  const [
    time = "",
    src = "",
    dst = "",
    srcPort = "",
    dstPort = "",
    protocol = "",
    direction = "",
    decision = "",
  ] = fields;
  return parsedTuple(origin, () => {
    const number = NSG_PROTOCOLS[protocol];
    if (number === undefined) throw new FieldError("protocol", `${JSON.stringify(protocol)} is not T or U`);
    if (decision !== "A" && decision !== "D")
      throw new FieldError("decision", `${JSON.stringify(decision)} is not A or D`);
    const state = fields[8];
    if (state !== undefined && !["B", "C", "E"].includes(state)) {
      throw new FieldError("flow state", `${JSON.stringify(state)} is not B, C or E`);
    }
    const core = { time, src, dst, srcPort, dstPort, protocol: number, direction, denied: decision === "D" };
    return tupleRecord({ ...core, counters: fields.slice(9) }, origin, mac);
  });
}
