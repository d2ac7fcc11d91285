/**
 * Flow records → observed connections (docs/flows.md, "Connections"). The records of both
 * directions of one 5-tuple, and the same connection reported by both ends, are one connection,
 * oriented from its initiator: as the log says (AWS SYN / SYN-ACK, an Azure tuple, a GCP firewall
 * entry), else the side on a port a policy service names, or on the lower port below 1024, is the
 * responder; else its direction is unknown. Memory is one aggregate per distinct connection.
 */
import type {
  FlowLogFormat,
  FlowRecord,
  MalformedRecord,
  ObservedConnection,
  ParsedRecord,
} from "./model.js";

export interface ConnectOptions {
  /** Whether a policy's service names this port for this IANA protocol: that side is the responder. */
  readonly servicePorts?: (protocol: number, port: number) => boolean;
}

type Reporter = ObservedConnection["reportedBy"][number];

/** One reporter's counters; `forward` is the direction from the connection's lower endpoint. */
class Counters {
  forwardPackets = 0;
  forwardBytes = 0;
  reversePackets = 0;
  reverseBytes = 0;
  /** What this reporter saw, by end and direction: bits of `outcomeBit` (records whose end the log says). */
  outcomes = 0;

  constructor(readonly reporter: Reporter | undefined) {}
}

/**
 * One connection being aggregated. A class, so that every aggregate has one shape: the
 * aggregation runs once per record and must stay cheap.
 */
class Aggregate {
  first: number;
  last: number;
  records = 0;
  accepted = false;
  lowInitiates = 0;
  highInitiates = 0;
  seenFromLow = false;
  seenFromHigh = false;
  /**
   * Per reporter, so that one direction reported by both ends is counted once (the larger): the
   * first reporter's inline (most connections have one or two), the others' in a map.
   */
  firstReporter = "";
  firstCounters: Counters | undefined;
  otherCounters: Map<string, Counters> | undefined;

  allCounters(): Counters[] {
    const first = this.firstCounters === undefined ? [] : [this.firstCounters];
    return this.otherCounters === undefined ? first : [...first, ...this.otherCounters.values()];
  }

  constructor(
    readonly format: FlowLogFormat,
    readonly protocol: number,
    readonly low: Endpoint,
    readonly high: Endpoint,
    record: FlowRecord,
  ) {
    this.first = record.start;
    this.last = record.end;
  }
}

interface Endpoint {
  readonly address: string;
  readonly port: number | undefined;
}

/** Whether the record's source is the connection's lower endpoint (by address, then port). */
function sourceIsLow(record: FlowRecord): boolean {
  if (record.srcAddress !== record.dstAddress) return record.srcAddress < record.dstAddress;
  return (record.srcPort ?? -1) <= (record.dstPort ?? -1);
}

/**
 * A copy of a string that does not keep alive the text it was cut from: V8 keeps a substring's
 * parent (a whole read chunk) as long as the substring lives, and an aggregate lives to the end.
 */
function detached(text: string): string {
  return ` ${text}`.slice(1);
}

function countersOf(aggregate: Aggregate, record: FlowRecord): Counters {
  const reporter = record.reportedBy;
  const key =
    reporter === undefined ? "" : reporter.kind === "interface" ? reporter.id : `instance ${reporter.id}`;
  if (aggregate.firstCounters !== undefined && aggregate.firstReporter === key)
    return aggregate.firstCounters;
  const known = aggregate.otherCounters?.get(key);
  if (known !== undefined) return known;
  const counters = new Counters(
    reporter === undefined ? undefined : { kind: reporter.kind, id: detached(reporter.id) },
  );
  if (aggregate.firstCounters === undefined) {
    aggregate.firstReporter = detached(key);
    aggregate.firstCounters = counters;
  } else {
    aggregate.otherCounters ??= new Map();
    aggregate.otherCounters.set(detached(key), counters);
  }
  return counters;
}

const FORMAT_INDEX: Readonly<Record<FlowLogFormat, number>> = { aws: 0, azure: 1, gcp: 2 };

/** Format, protocol and both ports as one exact number (below 2^42), the innermost key. */
function portsKey(
  format: FlowLogFormat,
  protocol: number,
  low: number | undefined,
  high: number | undefined,
): number {
  return ((FORMAT_INDEX[format] * 256 + protocol) * 65_537 + (low ?? -1) + 1) * 65_537 + (high ?? -1) + 1;
}

/**
 * Keyed aggregation of flow records into connections: add every record, then read
 * `connections()`. Keyed by lower address, higher address, then ports: three lookups of strings
 * the record already has, cheaper per record than building one key string.
 */
export class ConnectionAggregator {
  private readonly byLow = new Map<string, Map<string, Map<number, Aggregate>>>();
  private count = 0;

  constructor(private readonly options: ConnectOptions = {}) {}

  get size(): number {
    return this.count;
  }

  add(record: FlowRecord): void {
    const srcIsLow = sourceIsLow(record);
    const lowAddress = srcIsLow ? record.srcAddress : record.dstAddress;
    const highAddress = srcIsLow ? record.dstAddress : record.srcAddress;
    const lowPort = srcIsLow ? record.srcPort : record.dstPort;
    const highPort = srcIsLow ? record.dstPort : record.srcPort;
    let byHigh = this.byLow.get(lowAddress);
    if (byHigh === undefined) {
      byHigh = new Map();
      this.byLow.set(detached(lowAddress), byHigh);
    }
    let byPorts = byHigh.get(highAddress);
    if (byPorts === undefined) {
      byPorts = new Map();
      byHigh.set(detached(highAddress), byPorts);
    }
    const key = portsKey(record.format, record.protocol, lowPort, highPort);
    let aggregate = byPorts.get(key);
    if (aggregate === undefined) {
      const low = { address: detached(lowAddress), port: lowPort };
      const high = { address: detached(highAddress), port: highPort };
      aggregate = new Aggregate(record.format, record.protocol, low, high, record);
      byPorts.set(key, aggregate);
      this.count++;
    }
    addRecord(aggregate, record, srcIsLow);
  }

  private *aggregates(): Generator<Aggregate> {
    for (const byHigh of this.byLow.values()) for (const byPorts of byHigh.values()) yield* byPorts.values();
  }

  /** The connections so far, ordered by first seen, then by their endpoints. */
  connections(): ObservedConnection[] {
    return [...this.aggregates()]
      .map((aggregate) => connectionOf(aggregate, this.options))
      .sort(
        (a, b) =>
          a.first - b.first ||
          compareText(a.initiatorAddress, b.initiatorAddress) ||
          compareText(a.responderAddress, b.responderAddress) ||
          (a.responderPort ?? -1) - (b.responderPort ?? -1) ||
          a.protocol - b.protocol,
      );
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One bit per end the record was seen at (the reporter's own address: the lower endpoint's or
 * the higher's), direction of its packets (from the lower endpoint or to it) and action.
 */
function outcomeBit(lowEnd: boolean, fromLow: boolean, accepted: boolean): number {
  return 1 << ((lowEnd ? 0 : 4) + (fromLow ? 0 : 2) + (accepted ? 0 : 1));
}

function addRecord(aggregate: Aggregate, record: FlowRecord, srcIsLow: boolean): void {
  if (record.start < aggregate.first) aggregate.first = record.start;
  if (record.end > aggregate.last) aggregate.last = record.end;
  aggregate.records++;
  const accepted = record.action === "accept";
  if (accepted) aggregate.accepted = true;
  if (record.initiator !== undefined) {
    if ((record.initiator === "src") === srcIsLow) aggregate.lowInitiates++;
    else aggregate.highInitiates++;
  }
  if (srcIsLow) aggregate.seenFromLow = true;
  else aggregate.seenFromHigh = true;
  const counters = countersOf(aggregate, record);
  if (record.reporterSide !== undefined)
    counters.outcomes |= outcomeBit((record.reporterSide === "src") === srcIsLow, srcIsLow, accepted);
  const replyPackets = record.reply === undefined ? 0 : record.reply.packets;
  const replyBytes = record.reply === undefined ? 0 : record.reply.bytes;
  if (srcIsLow) {
    counters.forwardPackets += record.packets;
    counters.forwardBytes += record.bytes;
    counters.reversePackets += replyPackets;
    counters.reverseBytes += replyBytes;
  } else {
    counters.reversePackets += record.packets;
    counters.reverseBytes += record.bytes;
    counters.forwardPackets += replyPackets;
    counters.forwardBytes += replyBytes;
  }
}

/** The responder by its port: one a policy service names, else the lower one below 1024. */
export function responderByPort(
  protocol: number,
  low: number | undefined,
  high: number | undefined,
  servicePorts: ConnectOptions["servicePorts"],
): "low" | "high" | undefined {
  if (low === undefined || high === undefined) return undefined;
  const lowNamed = servicePorts?.(protocol, low) ?? false;
  const highNamed = servicePorts?.(protocol, high) ?? false;
  if (lowNamed !== highNamed) return lowNamed ? "low" : "high";
  if (low < 1024 !== high < 1024) return low < 1024 ? "low" : "high";
  if (low < 1024 && low !== high) return low < high ? "low" : "high";
  return undefined;
}

/** Whether the lower endpoint opened the connection, or undefined when nothing says. */
function lowInitiated(aggregate: Aggregate, options: ConnectOptions): boolean | undefined {
  if (aggregate.lowInitiates !== aggregate.highInitiates)
    return aggregate.lowInitiates > aggregate.highInitiates;
  const responder = responderByPort(
    aggregate.protocol,
    aggregate.low.port,
    aggregate.high.port,
    options.servicePorts,
  );
  return responder === undefined ? undefined : responder === "high";
}

function maxOf(counters: Iterable<Counters>, pick: (counters: Counters) => number): number {
  let max = 0;
  for (const each of counters) max = Math.max(max, pick(each));
  return max;
}

/**
 * What one end saw of one direction: rejected when any reporter there saw only rejections of it
 * (another interface's ACCEPT claiming the same end cannot outvote the end's own REJECT), accepted
 * when some reporter there accepted it, undefined when no reporter there logged it.
 */
function endSaw(counters: readonly Counters[], lowEnd: boolean, fromLow: boolean): boolean | undefined {
  const accept = outcomeBit(lowEnd, fromLow, true);
  const reject = outcomeBit(lowEnd, fromLow, false);
  let seen: boolean | undefined;
  for (const each of counters) {
    if ((each.outcomes & accept) !== 0) seen ??= true;
    else if ((each.outcomes & reject) !== 0) return false;
  }
  return seen;
}

type Seen = ObservedConnection["request"];

/** The request (initiator → responder) as each end saw it, where the request is known. */
function requestSeen(counters: readonly Counters[], lowFirst: boolean): NonNullable<Seen> {
  const atResponder = endSaw(counters, !lowFirst, lowFirst);
  const atInitiator = endSaw(counters, lowFirst, lowFirst);
  return {
    ...(atResponder === undefined ? {} : { atResponder: atResponder ? "accept" : "reject" }),
    ...(atInitiator === undefined ? {} : { atInitiator: atInitiator ? "accept" : "reject" }),
  };
}

/**
 * Accepted or not, as the request met its path: the request as the responder's end saw it, else
 * as the initiator's end saw it (its egress); a rejected reply does not undo an accepted request.
 * Where neither end's view of the request is known (the direction or the records' ends unknown),
 * accepted when any record is.
 */
export function outcomeOf(request: Seen, anyAccepted: boolean): "accept" | "reject" {
  return request?.atResponder ?? request?.atInitiator ?? (anyAccepted ? "accept" : "reject");
}

function connectionOf(aggregate: Aggregate, options: ConnectOptions): ObservedConnection {
  const known = lowInitiated(aggregate, options);
  // Unknown: a lone direction keeps the log's orientation; both directions the lower endpoint first.
  const lowFirst = known ?? !(aggregate.seenFromHigh && !aggregate.seenFromLow);
  const [initiator, responder] = lowFirst ? [aggregate.low, aggregate.high] : [aggregate.high, aggregate.low];
  const counters = aggregate.allCounters();
  const reportedBy = counters
    .flatMap((each) => (each.reporter === undefined ? [] : [each.reporter]))
    .sort((a, b) => compareText(`${a.kind}:${a.id}`, `${b.kind}:${b.id}`));
  // A lone direction is the request, whoever opened it: both ends' views of it say what it met.
  const oriented = known !== undefined || aggregate.seenFromLow !== aggregate.seenFromHigh;
  const request = oriented ? requestSeen(counters, lowFirst) : undefined;
  const seen = request === undefined || Object.keys(request).length === 0 ? undefined : request;
  return {
    format: aggregate.format,
    first: aggregate.first,
    last: aggregate.last,
    initiatorAddress: initiator.address,
    responderAddress: responder.address,
    protocol: aggregate.protocol,
    ...(initiator.port === undefined ? {} : { initiatorPort: initiator.port }),
    ...(responder.port === undefined ? {} : { responderPort: responder.port }),
    action: outcomeOf(seen, aggregate.accepted),
    ...(seen === undefined ? {} : { request: seen }),
    directionKnown: known !== undefined,
    packets: maxOf(counters, (c) => c.forwardPackets) + maxOf(counters, (c) => c.reversePackets),
    bytes: maxOf(counters, (c) => c.forwardBytes) + maxOf(counters, (c) => c.reverseBytes),
    records: aggregate.records,
    reportedBy,
  };
}

/** What reading records into connections found: the connections, and what was not a flow. */
export interface ConnectionReport {
  readonly connections: readonly ObservedConnection[];
  readonly records: number;
  readonly skipped: number;
  readonly malformed: number;
  /** The first malformed records (at most `malformedKept`), each naming its object and line. */
  readonly malformedExamples: readonly MalformedRecord[];
}

/** Reads every parsed record into connections, counting what is skipped or malformed. */
export async function connectRecords(
  parsed: AsyncIterable<ParsedRecord> | Iterable<ParsedRecord>,
  options: ConnectOptions & { readonly malformedKept?: number } = {},
): Promise<ConnectionReport> {
  const aggregator = new ConnectionAggregator(options);
  const kept = options.malformedKept ?? 100;
  const examples: MalformedRecord[] = [];
  let records = 0;
  let skipped = 0;
  let malformedCount = 0;
  for await (const entry of parsed) {
    if (entry.kind === "record") {
      records++;
      aggregator.add(entry.record);
    } else if (entry.kind === "skipped") skipped++;
    else {
      malformedCount++;
      if (examples.length < kept) examples.push(entry.malformed);
    }
  }
  return {
    connections: aggregator.connections(),
    records,
    skipped,
    malformed: malformedCount,
    malformedExamples: examples,
  };
}
