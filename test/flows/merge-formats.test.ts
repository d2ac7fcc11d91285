/**
 * One connection between two clouds, in each cloud's log (docs/flows.md, "Across clouds"):
 * merged after resolution, with the outcome of its path; never two that could be different.
 */
import { expect, describe as group, it } from "vitest";
import { connectRecords } from "../../lib/flows/connections.js";
import { mergeAcrossFormats } from "../../lib/flows/merge-formats.js";
import type { FlowRecord } from "../../lib/flows/model.js";
import { inventoryResolver, type ResolvedConnection, resolveConnection } from "../../lib/flows/resolve.js";
import { ADDRESS, examplesFor } from "./check-support.js";
import { examples } from "./resolve-support.js";

const API2 = "10.2.0.11";
const DB1 = ADDRESS.db;
const T = 1_735_689_660_000;

function record(fields: Partial<FlowRecord> & Pick<FlowRecord, "format" | "action">): FlowRecord {
  return {
    origin: { object: "hand-made", line: 1 },
    start: T,
    end: T,
    srcAddress: API2,
    dstAddress: DB1,
    srcPort: 40001,
    dstPort: 5432,
    protocol: 6,
    packets: 1,
    bytes: 60,
    initiator: "src",
    ...fields,
  };
}

/** vm-api-2 (Azure) opens shop-db-1 (AWS) on tcp/5432: Azure's tuple at the source, AWS's SYN at the destination. */
function bothEnds(awsAction: "accept" | "reject", fields: Partial<FlowRecord> = {}): FlowRecord[] {
  return [
    record({
      format: "azure",
      action: "accept",
      start: T + 120,
      end: T + 480,
      reporterSide: "src",
      reportedBy: { kind: "interface", id: "002248C5001B" },
      reply: { packets: 0, bytes: 0 },
      ...fields,
    }),
    record({
      format: "aws",
      action: awsAction,
      reporterSide: "dst",
      reportedBy: { kind: "interface", id: "eni-18038b30000000003" },
      ...fields,
    }),
  ];
}

async function resolvedOf(records: readonly FlowRecord[]): Promise<ResolvedConnection[]> {
  const { inventory, policy } = await examples();
  const resolver = inventoryResolver(inventory, policy);
  const connected = await connectRecords(records.map((r) => ({ kind: "record" as const, record: r })));
  return connected.connections.map((c) => resolveConnection(c, resolver));
}

group("mergeAcrossFormats", () => {
  it("makes the two clouds' logs of one connection one, rejected where the destination rejected it", async () => {
    const resolved = await resolvedOf(bothEnds("reject"));
    expect(resolved).toHaveLength(2);
    const merged = mergeAcrossFormats(resolved);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({
      format: "aws",
      alsoIn: ["azure"],
      action: "reject",
      request: { atResponder: "reject", atInitiator: "accept" },
      initiator: { kind: "workload" },
      responder: { kind: "workload" },
      records: 2,
      first: T,
      last: T + 480,
    });
    expect(merged[0]?.reportedBy.map((r) => r.id)).toEqual(["002248C5001B", "eni-18038b30000000003"]);
  });

  it("keeps an accepted connection accepted, counted once", async () => {
    const merged = mergeAcrossFormats(await resolvedOf(bothEnds("accept")));
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ action: "accept", packets: 1, bytes: 60 });
  });

  it("keeps a destination's REJECT when the other cloud's log claims that end accepted it", async () => {
    const resolved = await resolvedOf(bothEnds("reject"));
    const forged = resolved.map((c) =>
      c.format === "azure" ? { ...c, request: { atResponder: "accept" as const } } : c,
    );
    expect(mergeAcrossFormats(forged)[0]).toMatchObject({
      action: "reject",
      request: { atResponder: "reject" },
    });
  });

  it("merges nothing that could be two connections", async () => {
    const resolved = await resolvedOf(bothEnds("reject"));
    const [azure, aws] = [
      resolved.find((c) => c.format === "azure") as ResolvedConnection,
      resolved.find((c) => c.format === "aws") as ResolvedConnection,
    ];
    const apart = { ...aws, first: T + 5_000, last: T + 5_000 };
    const otherPort = { ...aws, initiatorPort: 40002 };
    const unknown = { ...aws, directionKnown: false };
    const otherService = { ...aws, service: { protocol: 6, port: 5433 } };
    const nat = {
      ...aws,
      initiator: { kind: "nat", address: "203.0.113.10" },
    } as unknown as ResolvedConnection;
    for (const other of [apart, otherPort, unknown, otherService, nat])
      expect(mergeAcrossFormats([azure, other])).toEqual([azure, other]);
    // Two AWS connections that could each be the Azure one: none is merged.
    const twin = { ...aws, reportedBy: [{ kind: "interface" as const, id: "eni-twin" }] };
    expect(mergeAcrossFormats([azure, aws, twin])).toEqual([azure, aws, twin]);
  });

  it("reaches the end of an AWS record's last second", async () => {
    const examplesCheck = await examplesFor();
    const aws = examplesCheck.resolved({
      format: "aws",
      first: T,
      last: T,
      initiatorAddress: API2,
      responderAddress: DB1,
      initiatorPort: 40001,
    });
    const gcpLike = { ...aws, format: "azure" as const, first: T + 999, last: T + 999 };
    expect(mergeAcrossFormats([aws, gcpLike])).toHaveLength(1);
    expect(mergeAcrossFormats([aws, { ...gcpLike, first: T + 1_000, last: T + 1_000 }])).toHaveLength(2);
  });
});
