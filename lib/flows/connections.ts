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
interface Counters {
  readonly reporter: Reporter | undefined;
  forwardPackets: number;
  forwardBytes: number;
  reversePackets: number;
  reverseBytes: number;
}

interface Aggregate {
  readonly format: FlowLogFormat;
  readonly protocol: number;
  readonly low: Endpoint;
  readonly high: Endpoint;
  first: number;
  last: number;
  records: number;
  accepted: boolean;
  lowInitiates: number;
  highInitiates: number;
  seenFromLow: boolean;
  seenFromHigh: boolean;
  /** Per reporter, so that one direction reported by both ends is counted once (the larger). */
  readonly counters: Map<string, Counters>;
}

interface Endpoint {
  readonly address: string;
  readonly port: number | undefined;
}

function compareEndpoints(a: Endpoint, b: Endpoint): number {
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  return (a.port ?? -1) - (b.port ?? -1);
}

function endpointKey(endpoint: Endpoint): string {
  return endpoint.port === undefined ? endpoint.address : `${endpoint.address}#${endpoint.port}`;
}

function countersOf(aggregate: Aggregate, record: FlowRecord): Counters {
  const reporter = record.reportedBy;
  const key = reporter === undefined ? "" : `${reporter.kind}:${reporter.id}`;
  let counters = aggregate.counters.get(key);
  if (counters === undefined) {
    counters = { reporter, forwardPackets: 0, forwardBytes: 0, reversePackets: 0, reverseBytes: 0 };
    aggregate.counters.set(key, counters);
  }
  return counters;
}

/** Keyed aggregation of flow records into connections: add every record, then read `connections()`. */
export class ConnectionAggregator {
  private readonly aggregates = new Map<string, Aggregate>();

  constructor(private readonly options: ConnectOptions = {}) {}

  get size(): number {
    return this.aggregates.size;
  }

  add(record: FlowRecord): void {
    const src = { address: record.srcAddress, port: record.srcPort };
    const dst = { address: record.dstAddress, port: record.dstPort };
    const srcIsLow = compareEndpoints(src, dst) <= 0;
    const [low, high] = srcIsLow ? [src, dst] : [dst, src];
    const key = `${record.format}|${record.protocol}|${endpointKey(low)}|${endpointKey(high)}`;
    let aggregate = this.aggregates.get(key);
    if (aggregate === undefined) {
      aggregate = {
        ...{
          format: record.format,
          protocol: record.protocol,
          low,
          high,
          first: record.start,
          last: record.end,
        },
        ...{
          records: 0,
          accepted: false,
          lowInitiates: 0,
          highInitiates: 0,
          seenFromLow: false,
          seenFromHigh: false,
        },
        counters: new Map(),
      };
      this.aggregates.set(key, aggregate);
    }
    addRecord(aggregate, record, srcIsLow);
  }

  /** The connections so far, ordered by first seen, then by their endpoints. */
  connections(): ObservedConnection[] {
    return [...this.aggregates.values()]
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

function addRecord(aggregate: Aggregate, record: FlowRecord, srcIsLow: boolean): void {
  aggregate.first = Math.min(aggregate.first, record.start);
  aggregate.last = Math.max(aggregate.last, record.end);
  aggregate.records++;
  if (record.action === "accept") aggregate.accepted = true;
  if (record.initiator !== undefined) {
    if ((record.initiator === "src") === srcIsLow) aggregate.lowInitiates++;
    else aggregate.highInitiates++;
  }
  if (srcIsLow) aggregate.seenFromLow = true;
  else aggregate.seenFromHigh = true;
  const counters = countersOf(aggregate, record);
  const reply = record.reply ?? { packets: 0, bytes: 0 };
  if (srcIsLow) {
    counters.forwardPackets += record.packets;
    counters.forwardBytes += record.bytes;
    counters.reversePackets += reply.packets;
    counters.reverseBytes += reply.bytes;
  } else {
    counters.reversePackets += record.packets;
    counters.reverseBytes += record.bytes;
    counters.forwardPackets += reply.packets;
    counters.forwardBytes += reply.bytes;
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

function connectionOf(aggregate: Aggregate, options: ConnectOptions): ObservedConnection {
  const known = lowInitiated(aggregate, options);
  // Unknown: a lone direction keeps the log's orientation; both directions the lower endpoint first.
  const lowFirst = known ?? !(aggregate.seenFromHigh && !aggregate.seenFromLow);
  const [initiator, responder] = lowFirst ? [aggregate.low, aggregate.high] : [aggregate.high, aggregate.low];
  const counters = [...aggregate.counters.values()];
  const reportedBy = counters
    .flatMap((each) => (each.reporter === undefined ? [] : [each.reporter]))
    .sort((a, b) => compareText(`${a.kind}:${a.id}`, `${b.kind}:${b.id}`));
  return {
    format: aggregate.format,
    first: aggregate.first,
    last: aggregate.last,
    initiatorAddress: initiator.address,
    responderAddress: responder.address,
    protocol: aggregate.protocol,
    ...(responder.port === undefined ? {} : { responderPort: responder.port }),
    action: aggregate.accepted ? "accept" : "reject",
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
