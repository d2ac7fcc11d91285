/**
 * One flows measurement in a process of its own (`node --expose-gc --import tsx
 * bench/flows/child.ts '<FlowsRequest JSON>'`), so that its memory peak is this log's alone:
 * reads a generated log file with parseFlowLog into connections, timed, and reports to the parent.
 */
import { createReadStream } from "node:fs";
import { ConnectionAggregator } from "../../lib/flows/connections.js";
import type { FlowLogFormat } from "../../lib/flows/model.js";
import { parseFlowLog } from "../../lib/flows/parsers/index.js";
import { type ChildReport, runChild } from "../child-process.js";
import { heapAfterGcMiB, peakRssMiB, round3 } from "../measure.js";

export interface FlowsRequest {
  readonly format: FlowLogFormat;
  readonly path: string;
  readonly records: number;
  readonly bytes: number;
}

export interface FlowsFigure {
  readonly format: FlowLogFormat;
  readonly records: number;
  readonly megabytes: number;
  readonly connections: number;
  readonly skipped: number;
  readonly malformed: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly peakRssMiB: number;
  /** Heap in use after a full GC with the connections still held: what the aggregation keeps. */
  readonly heapAfterGcMiB: number | null;
}

export type FlowsReport = ChildReport<FlowsFigure>;

async function measure(request: FlowsRequest): Promise<FlowsFigure> {
  const object = {
    name: request.path,
    open: async () => createReadStream(request.path),
  };
  const aggregator = new ConnectionAggregator({
    servicePorts: (_protocol, port) => port === 5432 || port === 8080,
  });
  let records = 0;
  let skipped = 0;
  let malformed = 0;
  const started = performance.now();
  for await (const entry of parseFlowLog(object, request.format)) {
    if (entry.kind === "record") {
      records++;
      aggregator.add(entry.record);
    } else if (entry.kind === "skipped") skipped++;
    else malformed++;
  }
  const connections = aggregator.connections();
  const seconds = (performance.now() - started) / 1000;
  const heap = heapAfterGcMiB();
  return {
    format: request.format,
    records,
    megabytes: round3(request.bytes / (1024 * 1024)),
    connections: connections.length,
    skipped,
    malformed,
    seconds: round3(seconds),
    recordsPerSecond: Math.round(records / seconds),
    peakRssMiB: round3(peakRssMiB()),
    heapAfterGcMiB: heap === null ? null : round3(heap),
  };
}

await runChild<FlowsRequest, FlowsFigure>(
  "node --expose-gc --import tsx bench/flows/child.ts '<FlowsRequest JSON>'",
  measure,
);
