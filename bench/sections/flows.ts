/**
 * `--only flows`: flow log parsing and connection building (lib/flows, docs/flows.md), each log
 * generated into a temporary file (streamed, never held in memory), then read by parseFlowLog
 * into connections in a process of its own, on one core: records per second and the memory peak.
 * AWS text at two sizes shows the memory flat in the number of records: the aggregation holds
 * one entry per distinct connection (20,000 in every log). Not a per-cell section: once per run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FlowLogFormat } from "../../lib/flows/model.js";
import type { FlowsFigure, FlowsReport, FlowsRequest } from "../flows/child.js";
import { GENERATED_CONNECTIONS, writeGeneratedLog } from "../flows/generate.js";
import { addressPool, resolveEstate } from "../flows/resolve-estate.js";
import { formatCount, formatMiB } from "../format.js";
import { spawnMeasurement } from "../spawn-cell.js";
import { renderTable } from "../table.js";

const CHILD = fileURLToPath(new URL("../flows/child.ts", import.meta.url));

/** The target of issue 17 for AWS text, records per second on one core. */
export const AWS_RECORDS_PER_SECOND_TARGET = 200_000;
/**
 * The larger AWS log's heap kept after a full GC (the connections held), and its peak RSS, over
 * the smaller one's, above this: memory grows with records. Peak RSS also counts garbage not yet
 * collected: read chunks of 128 KiB and more are strings V8 keeps in its large-object space until
 * a full GC, so the child reads 64 KiB chunks, as fs streams do by default.
 */
const FLAT_MEMORY_RATIO = 1.25;

interface FlowsRun {
  readonly format: FlowLogFormat;
  readonly records: number;
  /** The resolve figure: the log's addresses are this generated inventory's, and every connection is resolved against it. */
  readonly resolveWorkloads?: number;
}

/** The inventory of the resolve figure (issue 17: 1M records against 10k workloads). */
const RESOLVE_WORKLOADS = 10_000;

export interface FlowsResult {
  readonly connections: number;
  readonly figures: readonly FlowsFigure[];
  readonly errors: readonly string[];
}

export function runsFor(quick: boolean): FlowsRun[] {
  const [small, large, other] = quick ? [50_000, 200_000, 50_000] : [200_000, 1_000_000, 200_000];
  return [
    { format: "aws", records: small },
    { format: "aws", records: large },
    { format: "azure", records: other },
    { format: "gcp", records: other },
    { format: "aws", records: large, resolveWorkloads: RESOLVE_WORKLOADS },
  ];
}

async function measureRun(directory: string, run: FlowsRun): Promise<FlowsFigure | string> {
  const path = join(
    directory,
    `${run.format}-${run.records}${run.resolveWorkloads === undefined ? "" : "-resolve"}.log`,
  );
  const pool =
    run.resolveWorkloads === undefined
      ? undefined
      : addressPool(resolveEstate(run.resolveWorkloads).inventory);
  const bytes = await writeGeneratedLog(path, run.format, run.records, pool);
  try {
    const request: FlowsRequest = { ...run, path, bytes };
    const report = await spawnMeasurement<FlowsReport>(CHILD, request, 4096);
    return report.ok ? report.result : `${run.format} ${run.records}: ${report.error}`;
  } finally {
    rmSync(path, { force: true });
  }
}

export async function runFlows(options: { readonly quick: boolean }): Promise<FlowsResult> {
  const directory = mkdtempSync(join(tmpdir(), "segsync-bench-flows-"));
  const figures: FlowsFigure[] = [];
  const errors: string[] = [];
  try {
    for (const run of runsFor(options.quick)) {
      const resolving =
        run.resolveWorkloads === undefined ? "" : ` resolved against ${run.resolveWorkloads} workloads`;
      process.stderr.write(`flows: ${run.format} ${run.records} records${resolving}… `);
      const figure = await measureRun(directory, run);
      process.stderr.write(typeof figure === "string" ? "FAILED\n" : `${figure.seconds.toFixed(1)} s\n`);
      if (typeof figure === "string") errors.push(figure);
      else figures.push(figure);
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  return { connections: GENERATED_CONNECTIONS, figures, errors };
}

/** The parse-only figures; the resolve figure has its own table. */
function parseFigures(result: FlowsResult): FlowsFigure[] {
  return result.figures.filter((figure) => figure.resolve === undefined);
}

function renderResolve(result: FlowsResult): string[] {
  const rows = result.figures.flatMap(({ resolve, ...figure }) =>
    resolve === undefined
      ? []
      : [
          [
            figure.format,
            formatCount(figure.records),
            formatCount(figure.connections),
            formatCount(resolve.workloads),
            `${resolve.indexMs.toFixed(0)} (${resolve.indexCpuMs.toFixed(0)} CPU)`,
            resolve.seconds.toFixed(2),
            figure.seconds.toFixed(2),
            formatCount(figure.recordsPerSecond),
            formatMiB(figure.peakRssMiB),
            `${resolve.check.seconds.toFixed(2)} (${formatCount(resolve.check.groups)} groups)`,
            Object.entries(resolve.kinds)
              .map(([kind, count]) => `${kind} ${formatCount(count)}`)
              .join(", "),
          ],
        ],
  );
  if (rows.length === 0) return [];
  return [
    "",
    "flows resolve: parseFlowLog + connections + resolveConnection against a generated inventory (lib/flows/resolve.ts); check s: the same connections resolved again and checked (lib/flows/check.ts), the policy compiled before",
    "",
    renderTable(
      [
        "format",
        "records",
        "connections",
        "workloads",
        "index ms",
        "resolve s",
        "total s",
        "records/s",
        "peak RSS MiB",
        "check s",
        "ends",
      ],
      rows,
    ),
  ];
}

export function renderFlows(result: FlowsResult): string {
  const rows = parseFigures(result).map((figure) => [
    figure.format,
    formatCount(figure.records),
    figure.megabytes.toFixed(0),
    formatCount(figure.connections),
    formatCount(figure.malformed),
    figure.seconds.toFixed(2),
    formatCount(figure.recordsPerSecond),
    formatMiB(figure.peakRssMiB),
    figure.heapAfterGcMiB === null ? "-" : formatMiB(figure.heapAfterGcMiB),
  ]);
  return [
    "flows: parseFlowLog + connections from a generated log file, one process per log, one core",
    "",
    renderTable(
      [
        "format",
        "records",
        "MiB",
        "connections",
        "malformed",
        "seconds",
        "records/s",
        "peak RSS MiB",
        "heap after GC MiB",
      ],
      rows,
    ),
    "",
    `Every log cycles over ${formatCount(result.connections)} connections, both directions: the aggregation's size is theirs, not the records'.`,
    ...renderResolve(result),
  ].join("\n");
}

function awsFigures(result: FlowsResult): FlowsFigure[] {
  return parseFigures(result)
    .filter((figure) => figure.format === "aws")
    .sort((a, b) => a.records - b.records);
}

function memoryLines(smallest: FlowsFigure, largest: FlowsFigure): string[] {
  const sizes = `at ${formatCount(largest.records)} ≤ ${FLAT_MEMORY_RATIO} × at ${formatCount(smallest.records)} records`;
  const line = (what: string, ratio: number) =>
    `flows ${what} flat (${sizes}): ×${ratio.toFixed(2)} ${ratio <= FLAT_MEMORY_RATIO ? "met" : "NOT MET"}`;
  const heap =
    largest.heapAfterGcMiB === null || smallest.heapAfterGcMiB === null
      ? `flows heap kept after GC: not measured (no --expose-gc)`
      : line("heap kept after GC", largest.heapAfterGcMiB / smallest.heapAfterGcMiB);
  return [heap, line("peak RSS", largest.peakRssMiB / smallest.peakRssMiB)];
}

/** The records-per-second target on the largest AWS log, and memory flat between the two AWS sizes. */
export function flowsTargets(result: FlowsResult): { lines: string[]; warnings: string[] } {
  const aws = awsFigures(result);
  const largest = aws[aws.length - 1];
  const smallest = aws[0];
  const lines: string[] = [];
  if (largest !== undefined) {
    const met = largest.recordsPerSecond >= AWS_RECORDS_PER_SECOND_TARGET;
    lines.push(
      `flows AWS text ≥ ${formatCount(AWS_RECORDS_PER_SECOND_TARGET)} records/s at ${formatCount(largest.records)} records: ${formatCount(largest.recordsPerSecond)} ${met ? "met" : "NOT MET"}`,
    );
  }
  if (largest !== undefined && smallest !== undefined && largest !== smallest) {
    lines.push(...memoryLines(smallest, largest));
  }
  const warnings = [
    ...result.errors.map((error) => `flows: ${error}`),
    ...result.figures
      .filter((figure) => figure.malformed > 0 || figure.connections !== result.connections)
      .map(
        (figure) =>
          `flows ${figure.format} ${figure.records}: ${figure.malformed} malformed, ${figure.connections} connections: the generated log was not read as written`,
      ),
  ];
  return { lines, warnings };
}

export const flowsSection = {
  name: "flows",
  description:
    "flow log parsing and connections: records/s per format, memory at 200k and 1M AWS records; 1M AWS records resolved against 10k workloads",
  run: runFlows,
  render: renderFlows,
  targets: flowsTargets,
} as const;
