/** Records → connections (docs/flows.md, "Connections"): pairing, orientation, counting, bounded memory. */
import fc from "fast-check";
import { expect, describe as group, it } from "vitest";
import { ConnectionAggregator, connectRecords, responderByPort } from "../../lib/flows/connections.js";
import type { FlowRecord, ObservedConnection } from "../../lib/flows/model.js";

function record(fields: Partial<FlowRecord> & Pick<FlowRecord, "srcAddress" | "dstAddress">): FlowRecord {
  return {
    format: "aws",
    origin: { object: "test", line: 1 },
    start: 1000,
    end: 2000,
    protocol: 6,
    action: "accept",
    packets: 1,
    bytes: 100,
    ...fields,
  };
}

function connect(records: readonly FlowRecord[], servicePorts?: (protocol: number, port: number) => boolean) {
  const aggregator = new ConnectionAggregator(servicePorts === undefined ? {} : { servicePorts });
  for (const each of records) aggregator.add(each);
  return aggregator.connections();
}

group("responderByPort", () => {
  it("takes the port a policy service names, else the one below 1024, else the lower of two below 1024", () => {
    const names5432 = (_protocol: number, port: number) => port === 5432;
    expect(responderByPort(6, 5432, 40000, names5432)).toBe("low");
    expect(responderByPort(6, 40000, 5432, names5432)).toBe("high");
    expect(responderByPort(6, 443, 40000, undefined)).toBe("low");
    expect(responderByPort(6, 40000, 22, undefined)).toBe("high");
    expect(responderByPort(6, 53, 123, undefined)).toBe("low");
    expect(responderByPort(6, 5432, 40000, undefined)).toBeUndefined();
    expect(responderByPort(6, 443, 443, undefined)).toBeUndefined();
    expect(responderByPort(1, undefined, undefined, names5432)).toBeUndefined();
  });
});

group("ConnectionAggregator", () => {
  it("counts a direction reported by both ends once, and keeps both reporters", () => {
    const request = { srcAddress: "10.0.0.1", srcPort: 40000, dstAddress: "10.0.0.2", dstPort: 443 };
    const reply = { srcAddress: "10.0.0.2", srcPort: 443, dstAddress: "10.0.0.1", dstPort: 40000 };
    const client = { kind: "interface" as const, id: "eni-client" };
    const server = { kind: "interface" as const, id: "eni-server" };
    const connections = connect([
      record({ ...request, packets: 3, bytes: 300, reportedBy: client }),
      record({ ...request, packets: 3, bytes: 300, reportedBy: server }),
      record({ ...reply, packets: 2, bytes: 900, reportedBy: client }),
      record({ ...reply, packets: 2, bytes: 900, reportedBy: server }),
    ]);
    expect(connections).toEqual([
      {
        format: "aws",
        first: 1000,
        last: 2000,
        initiatorAddress: "10.0.0.1",
        responderAddress: "10.0.0.2",
        protocol: 6,
        initiatorPort: 40000,
        responderPort: 443,
        action: "accept",
        directionKnown: true,
        packets: 5,
        bytes: 1200,
        records: 4,
        reportedBy: [client, server],
      },
    ]);
  });

  it("never makes a reply a connection of its own: a lone reply is oriented to its request", () => {
    const [connection] = connect([
      record({ srcAddress: "10.0.0.2", srcPort: 22, dstAddress: "10.0.0.1", dstPort: 50000 }),
    ]);
    expect(connection).toMatchObject({
      initiatorAddress: "10.0.0.1",
      responderAddress: "10.0.0.2",
      responderPort: 22,
    });
  });

  it("lets the log's initiator win over the ports, and says unknown when nothing tells", () => {
    const syn = record({
      srcAddress: "10.0.0.2",
      srcPort: 22,
      dstAddress: "10.0.0.1",
      dstPort: 50000,
      initiator: "src",
    });
    expect(connect([syn])[0]).toMatchObject({
      initiatorAddress: "10.0.0.2",
      responderPort: 50000,
      directionKnown: true,
    });
    const high = record({ srcAddress: "10.0.0.9", srcPort: 40001, dstAddress: "10.0.0.1", dstPort: 50000 });
    expect(connect([high])[0]).toMatchObject({
      initiatorAddress: "10.0.0.9",
      responderAddress: "10.0.0.1",
      responderPort: 50000,
      directionKnown: false,
    });
  });

  it("is rejected only when every record is a reject", () => {
    const request = { srcAddress: "10.0.0.1", srcPort: 40000, dstAddress: "10.0.0.2", dstPort: 443 };
    expect(connect([record({ ...request, action: "reject" })])[0]?.action).toBe("reject");
    expect(connect([record({ ...request, action: "reject" }), record(request)])[0]?.action).toBe("accept");
  });

  it("holds one aggregate per distinct connection, however many records", () => {
    const aggregator = new ConnectionAggregator();
    for (let i = 0; i < 10_000; i++) {
      aggregator.add(
        record({ srcAddress: "10.0.0.1", srcPort: 40000 + (i % 10), dstAddress: "10.0.0.2", dstPort: 443 }),
      );
    }
    expect(aggregator.size).toBe(10);
  });

  it("counts records, skipped and malformed, and keeps the first malformed", async () => {
    const report = await connectRecords(
      [
        {
          kind: "record",
          record: record({ srcAddress: "10.0.0.1", dstAddress: "10.0.0.2", srcPort: 1, dstPort: 2 }),
        },
        { kind: "skipped", origin: { object: "a", line: 2 }, reason: "NODATA" },
        { kind: "malformed", malformed: { origin: { object: "a", line: 3 }, reason: "x" } },
        { kind: "malformed", malformed: { origin: { object: "a", line: 4 }, reason: "y" } },
      ],
      { malformedKept: 1 },
    );
    expect([report.records, report.skipped, report.malformed, report.connections.length]).toEqual([
      1, 1, 2, 1,
    ]);
    expect(report.malformedExamples).toEqual([{ origin: { object: "a", line: 3 }, reason: "x" }]);
  });
});

/** A connection the property builds records for, and how its initiator shows in them. */
interface Planned {
  readonly initiator: string;
  readonly responder: string;
  readonly initiatorPort: number;
  readonly responderPort: number;
  readonly protocol: number;
  /** "flags": the log says (AWS SYN / SYN-ACK); "port": the responder's port is below 1024. */
  readonly shows: "flags" | "port";
  readonly requests: readonly { start: number; length: number; packets: number; bytes: number }[];
  readonly replies: readonly { start: number; length: number; packets: number; bytes: number }[];
  readonly rejected: boolean;
}

const window = fc.record({
  start: fc.integer({ min: 0, max: 1_000_000 }),
  length: fc.integer({ min: 0, max: 600_000 }),
  packets: fc.integer({ min: 0, max: 1_000_000 }),
  bytes: fc.integer({ min: 0, max: 1_000_000_000 }),
});

const address = fc.oneof(
  fc.ipV4(),
  fc.constantFrom("2001:db8::1", "2001:db8::2", "2001:db8:1234:a100:8d6e:3477:df66:f105"),
);

const planned: fc.Arbitrary<Planned> = fc
  .record({
    initiator: address,
    responder: address,
    initiatorPort: fc.integer({ min: 1024, max: 65_535 }),
    protocol: fc.constantFrom(6, 17),
    shows: fc.constantFrom("flags" as const, "port" as const),
    highPort: fc.integer({ min: 1024, max: 65_535 }),
    lowPort: fc.integer({ min: 1, max: 1023 }),
    requests: fc.array(window, { minLength: 1, maxLength: 4 }),
    replies: fc.array(window, { minLength: 0, maxLength: 4 }),
    rejected: fc.boolean(),
  })
  .filter((plan) => plan.initiator !== plan.responder)
  .map(({ highPort, lowPort, ...plan }) => ({
    ...plan,
    // SYN flags are TCP's; a UDP connection shows its direction by the port.
    shows: plan.protocol === 6 ? plan.shows : ("port" as const),
    responderPort: plan.shows === "flags" && plan.protocol === 6 ? highPort : lowPort,
  }));

function recordsOf(plan: Planned): FlowRecord[] {
  const flags = plan.shows === "flags";
  const base = { protocol: plan.protocol, action: plan.rejected ? ("reject" as const) : ("accept" as const) };
  const each = (w: Planned["requests"][number], forward: boolean): FlowRecord =>
    record({
      ...base,
      srcAddress: forward ? plan.initiator : plan.responder,
      srcPort: forward ? plan.initiatorPort : plan.responderPort,
      dstAddress: forward ? plan.responder : plan.initiator,
      dstPort: forward ? plan.responderPort : plan.initiatorPort,
      start: w.start,
      end: w.start + w.length,
      packets: w.packets,
      bytes: w.bytes,
      ...(flags ? { initiator: forward ? ("src" as const) : ("dst" as const) } : {}),
      reportedBy: { kind: "interface", id: "eni-1" },
    });
  return [...plan.requests.map((w) => each(w, true)), ...plan.replies.map((w) => each(w, false))];
}

function expected(plan: Planned): ObservedConnection {
  const windows = [...plan.requests, ...plan.replies];
  return {
    format: "aws",
    first: Math.min(...windows.map((w) => w.start)),
    last: Math.max(...windows.map((w) => w.start + w.length)),
    initiatorAddress: plan.initiator,
    responderAddress: plan.responder,
    protocol: plan.protocol,
    initiatorPort: plan.initiatorPort,
    responderPort: plan.responderPort,
    action: plan.rejected ? "reject" : "accept",
    directionKnown: true,
    packets: windows.reduce((sum, w) => sum + w.packets, 0),
    bytes: windows.reduce((sum, w) => sum + w.bytes, 0),
    records: windows.length,
    reportedBy: [{ kind: "interface", id: "eni-1" }],
  };
}

function fiveTuple(plan: Planned): string {
  const ends = [`${plan.initiator}#${plan.initiatorPort}`, `${plan.responder}#${plan.responderPort}`].sort();
  return `${plan.protocol}|${ends.join("|")}`;
}

function byKey(connections: readonly ObservedConnection[]): ObservedConnection[] {
  const key = (c: ObservedConnection) =>
    `${c.protocol}|${c.initiatorAddress}|${c.responderAddress}|${c.responderPort}|${c.first}`;
  return [...connections].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

group("property: connections from their records", () => {
  it("gives back a random set of connections from their records split into both directions and shuffled", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(planned, { selector: fiveTuple, minLength: 1, maxLength: 12 }),
        fc.infiniteStream(fc.nat()),
        (plans, randoms) => {
          const records = plans.flatMap(recordsOf);
          // Fisher-Yates with the property's own randoms: shrinkable and reproducible.
          for (let i = records.length - 1; i > 0; i--) {
            const j = (randoms.next().value as number) % (i + 1);
            [records[i], records[j]] = [records[j] as FlowRecord, records[i] as FlowRecord];
          }
          expect(byKey(connect(records))).toEqual(byKey(plans.map(expected)));
        },
      ),
      { numRuns: 200 },
    );
  });
});
