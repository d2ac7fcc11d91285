/** The flows section: its generated logs read back as written, and its targets as it prints them. */
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { FlowsFigure } from "../../bench/flows/child.js";
import { GENERATED_CONNECTIONS, writeGeneratedLog } from "../../bench/flows/generate.js";
import { addressPool, resolveEstate } from "../../bench/flows/resolve-estate.js";
import { flowsTargets, renderFlows } from "../../bench/sections/flows.js";
import { connectRecords } from "../../lib/flows/connections.js";
import type { FlowLogFormat } from "../../lib/flows/model.js";
import { parseFlowLog } from "../../lib/flows/parsers/index.js";
import { AddressIndex, resolveConnection } from "../../lib/flows/resolve.js";

const directory = mkdtempSync(join(tmpdir(), "segsync-flows-bench-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe("the flows section's generated logs", () => {
  it.each<FlowLogFormat>(["aws", "azure", "gcp"])(
    "%s: every record reads as a flow of the fixed set of connections",
    async (format) => {
      const records = 2 * GENERATED_CONNECTIONS + 1_500;
      const path = join(directory, `${format}.log`);
      await writeGeneratedLog(path, format, records);
      const report = await connectRecords(
        parseFlowLog({ name: path, open: async () => createReadStream(path) }, "auto"),
      );
      expect([report.records, report.skipped, report.malformed]).toEqual([records, 0, 0]);
      expect(report.connections).toHaveLength(GENERATED_CONNECTIONS);
      expect(report.connections.every((connection) => connection.format === format)).toBe(true);
    },
  );
});

function figure(
  records: number,
  recordsPerSecond: number,
  peakRssMiB: number,
  heapAfterGcMiB: number,
): FlowsFigure {
  const base = {
    format: "aws" as const,
    megabytes: 1,
    connections: GENERATED_CONNECTIONS,
    skipped: 0,
    malformed: 0,
  };
  return {
    ...base,
    records,
    seconds: records / recordsPerSecond,
    recordsPerSecond,
    peakRssMiB,
    heapAfterGcMiB,
  };
}

describe("flowsTargets", () => {
  it("holds the largest AWS log to 200,000 records/s, and its kept heap and peak RSS to the smaller one's", () => {
    const met = flowsTargets({
      connections: GENERATED_CONNECTIONS,
      figures: [figure(200_000, 150_000, 100, 40), figure(1_000_000, 250_000, 130, 44)],
      errors: [],
    });
    expect(met.lines).toEqual([
      "flows AWS text ≥ 200000 records/s at 1000000 records: 250000 met",
      "flows heap kept after GC flat (at 1000000 ≤ 1.25 × at 200000 records): ×1.10 met",
      "flows peak RSS flat (at 1000000 ≤ 1.25 × at 200000 records): ×1.30 NOT MET",
    ]);
    expect(met.warnings).toEqual([]);
    const missed = flowsTargets({
      connections: GENERATED_CONNECTIONS,
      figures: [figure(200_000, 150_000, 100, 40), { ...figure(1_000_000, 150_000, 300, 80), malformed: 3 }],
      errors: ["gcp 200000: process ended"],
    });
    expect(missed.lines).toEqual([
      "flows AWS text ≥ 200000 records/s at 1000000 records: 150000 NOT MET",
      "flows heap kept after GC flat (at 1000000 ≤ 1.25 × at 200000 records): ×2.00 NOT MET",
      "flows peak RSS flat (at 1000000 ≤ 1.25 × at 200000 records): ×3.00 NOT MET",
    ]);
    expect(missed.warnings).toEqual([
      "flows: gcp 200000: process ended",
      "flows aws 1000000: 3 malformed, 20000 connections: the generated log was not read as written",
    ]);
  });
});

describe("the resolve figure", () => {
  it("its log uses the inventory's addresses and ENIs: every end resolves to a workload but the tenth of clients outside", async () => {
    const { inventory, policy } = resolveEstate(500);
    const path = join(directory, "aws-resolve.log");
    await writeGeneratedLog(path, "aws", 2 * GENERATED_CONNECTIONS, addressPool(inventory));
    const report = await connectRecords(
      parseFlowLog({ name: path, open: async () => createReadStream(path) }, "aws"),
      { servicePorts: (_protocol, port) => port === 5432 || port === 8080 },
    );
    expect([report.records, report.malformed, report.connections.length]).toEqual([
      2 * GENERATED_CONNECTIONS,
      0,
      GENERATED_CONNECTIONS,
    ]);
    const index = new AddressIndex(inventory, policy);
    const kinds = new Map<string, number>();
    for (const connection of report.connections) {
      const resolved = resolveConnection(connection, index);
      for (const end of [resolved.initiator, resolved.responder])
        kinds.set(end.kind, (kinds.get(end.kind) ?? 0) + 1);
    }
    const outsideClients = GENERATED_CONNECTIONS / 10;
    expect(kinds.get("workload")).toBe(2 * GENERATED_CONNECTIONS - outsideClients);
    expect((kinds.get("ipList") ?? 0) + (kinds.get("outside") ?? 0)).toBe(outsideClients);
  });

  it("is left out of the parse targets and printed in a table of its own", () => {
    const resolved = {
      ...figure(1_000_000, 80_000, 400, 90),
      resolve: {
        workloads: 10_000,
        indexMs: 50,
        indexCpuMs: 40,
        seconds: 0.5,
        kinds: { workload: 38_000, ambiguous: 0, nat: 0, ipList: 100, outside: 1_900 },
        check: { compileMs: 900, seconds: 0.25, groups: 19_000, wouldBlock: 300 },
      },
    };
    const result = {
      connections: GENERATED_CONNECTIONS,
      figures: [figure(200_000, 150_000, 100, 40), figure(1_000_000, 250_000, 110, 44), resolved],
      errors: [],
    };
    expect(flowsTargets(result).lines).toEqual([
      "flows AWS text ≥ 200000 records/s at 1000000 records: 250000 met",
      "flows heap kept after GC flat (at 1000000 ≤ 1.25 × at 200000 records): ×1.10 met",
      "flows peak RSS flat (at 1000000 ≤ 1.25 × at 200000 records): ×1.10 met",
    ]);
    const text = renderFlows(result);
    expect(text).toContain("flows resolve: parseFlowLog + connections + resolveConnection");
    expect(text).toContain("workload 38000, ambiguous 0, nat 0, ipList 100, outside 1900");
    expect(text).toContain("0.25 (19000 groups)");
  });
});
