/** The flows section: its generated logs read back as written, and its targets as it prints them. */
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { FlowsFigure } from "../../bench/flows/child.js";
import { GENERATED_CONNECTIONS, writeGeneratedLog } from "../../bench/flows/generate.js";
import { flowsTargets } from "../../bench/sections/flows.js";
import { connectRecords } from "../../lib/flows/connections.js";
import type { FlowLogFormat } from "../../lib/flows/model.js";
import { parseFlowLog } from "../../lib/flows/parsers/index.js";

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
