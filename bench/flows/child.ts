/**
 * One flows measurement in a process of its own (`node --expose-gc --import tsx
 * bench/flows/child.ts '<FlowsRequest JSON>'`), so that its memory peak is this log's alone:
 * reads a generated log file with parseFlowLog into connections, timed, and reports to the parent.
 */
import { createReadStream } from "node:fs";
import { compile } from "../../lib/compile/compile.js";
import { FlowCheck } from "../../lib/flows/check.js";
import { ConnectionAggregator } from "../../lib/flows/connections.js";
import type { FlowLogFormat, ObservedConnection } from "../../lib/flows/model.js";
import { parseFlowLog } from "../../lib/flows/parsers/index.js";
import { AddressIndex, type ResolvedEndpoint, resolveConnection } from "../../lib/flows/resolve.js";
import { type ChildReport, runChild } from "../child-process.js";
import { heapAfterGcMiB, peakRssMiB, round3 } from "../measure.js";
import { resolveEstate } from "./resolve-estate.js";

export interface FlowsRequest {
  readonly format: FlowLogFormat;
  readonly path: string;
  readonly records: number;
  readonly bytes: number;
  /** Resolve every connection against a generated inventory of this many workloads (resolve-estate.ts). */
  readonly resolveWorkloads?: number;
}

/** What resolving found: the inventory's size, the index's build time, and how many ends of each kind. */
export interface ResolveFigure {
  readonly workloads: number;
  /** Building the index once (wall-clock ms, and this process's CPU ms: the machine may be shared). */
  readonly indexMs: number;
  readonly indexCpuMs: number;
  readonly seconds: number;
  readonly kinds: Readonly<Record<ResolvedEndpoint["kind"], number>>;
  /** `flows check` on the same connections, after the figures above (lib/flows/check.ts). */
  readonly check: CheckFigure;
}

/** The policy compiled against the inventory (ms), then every connection resolved again and checked (s), into this many groups. */
export interface CheckFigure {
  readonly compileMs: number;
  readonly seconds: number;
  readonly groups: number;
  readonly wouldBlock: number;
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
  /** With `resolveWorkloads`: seconds and records/s above include the resolution. */
  readonly resolve?: ResolveFigure;
}

export type FlowsReport = ChildReport<FlowsFigure>;

/** Builds the index and resolves every connection, timed, counting each end's kind. */
function resolveAll(
  connections: readonly ObservedConnection[],
  workloads: number,
): Omit<ResolveFigure, "seconds" | "check"> & {
  started: number;
  estate: ReturnType<typeof resolveEstate>;
  index: AddressIndex;
} {
  const { inventory, policy } = resolveEstate(workloads);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const index = new AddressIndex(inventory, policy);
  const used = process.cpuUsage(cpu);
  const indexMs = performance.now() - started;
  const kinds = { workload: 0, ambiguous: 0, nat: 0, ipList: 0, outside: 0 };
  for (const connection of connections) {
    const resolved = resolveConnection(connection, index);
    kinds[resolved.initiator.kind]++;
    kinds[resolved.responder.kind]++;
  }
  return {
    workloads,
    indexMs: round3(indexMs),
    indexCpuMs: round3((used.user + used.system) / 1000),
    kinds,
    started,
    estate: { inventory, policy },
    index,
  };
}

/** What `flows check` adds to resolving: the policy compiled, each connection's verdict and group. */
function checkAll(
  connections: readonly ObservedConnection[],
  index: AddressIndex,
  estate: ReturnType<typeof resolveEstate>,
): CheckFigure {
  const started = performance.now();
  const check = new FlowCheck(compile(estate.policy, estate.inventory));
  const compiled = performance.now();
  for (const connection of connections) check.add(resolveConnection(connection, index));
  const { summary } = check.report();
  return {
    compileMs: round3(compiled - started),
    seconds: round3((performance.now() - compiled) / 1000),
    groups: summary.groups,
    wouldBlock: summary.wouldBlock,
  };
}

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
  const parsed = performance.now();
  // The inventory is generated outside the timing; building its index and resolving are inside.
  const resolved =
    request.resolveWorkloads === undefined ? undefined : resolveAll(connections, request.resolveWorkloads);
  const resolveSeconds = resolved === undefined ? 0 : (performance.now() - resolved.started) / 1000;
  const seconds = (parsed - started) / 1000 + resolveSeconds;
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
    ...(resolved === undefined
      ? {}
      : {
          resolve: {
            workloads: resolved.workloads,
            indexMs: resolved.indexMs,
            indexCpuMs: resolved.indexCpuMs,
            seconds: round3(resolveSeconds),
            kinds: resolved.kinds,
            // After the memory figures, which stay those of parsing and resolving.
            check: checkAll(connections, resolved.index, resolved.estate),
          },
        }),
  };
}

await runChild<FlowsRequest, FlowsFigure>(
  "node --expose-gc --import tsx bench/flows/child.ts '<FlowsRequest JSON>'",
  measure,
);
