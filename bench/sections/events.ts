/**
 * `--only events`: single-workload events (launch, re-tag, terminate, migrate to another cloud) on
 * the cell's generated estate, each reconciled on its own through the production event path on the
 * simulated clouds, once the estate is synced (bench/events/). What an event costs: read calls and
 * the requests they take at the real clouds (pages), segsync's own time, and writes against the
 * minimal. In a process of its own, like the simulate section. The targets (docs/benchmarks.md):
 * read requests per event ≤ 20 at the median and ≤ 40 at p99, the same at every size; segsync's
 * own time ≤ 5 ms at the median at 100k; writes ÷ minimal 1.00.
 */
import { fileURLToPath } from "node:url";
import type { EventsReport } from "../events/child.js";
import type { EventSample, EventsResult } from "../events/measure.js";
import { formatCount, formatMs, formatRatio } from "../format.js";
import { median, percentile } from "../measure.js";
import { spawnMeasurement } from "../spawn-cell.js";
import { type CellInput, defineSection } from "./section.js";

const CHILD = fileURLToPath(new URL("../events/child.ts", import.meta.url));
const OLD_SPACE_MIB = 4096;

async function runEvents({ spec }: CellInput): Promise<EventsResult> {
  const report = await spawnMeasurement<EventsReport>(CHILD, spec, OLD_SPACE_MIB);
  if (!report.ok) throw new Error(`events: ${report.error}`);
  return report.result;
}

function figure(result: EventsResult, pick: (sample: EventSample) => number, fraction: number): number {
  const values = result.samples.map(pick);
  return fraction === 0.5 ? median(values) : percentile(values, fraction);
}

/** Writes issued ÷ minimal over every event whose minimal was measured. */
function writeRatio(result: EventsResult): number {
  const measured = result.samples.filter((s) => s.minimalWrites !== null);
  const minimal = measured.reduce((sum, s) => sum + (s.minimalWrites ?? 0), 0);
  const writes = measured.reduce((sum, s) => sum + s.writes, 0);
  return minimal === 0 ? (writes === 0 ? 1 : Number.POSITIVE_INFINITY) : writes / minimal;
}

const reads = (s: EventSample) => s.readCalls;
const requests = (s: EventSample) => s.readRequests;
const engine = (s: EventSample) => s.engineMs;
const wall = (s: EventSample) => s.wallMs;

export const eventsSection = defineSection<EventsResult>({
  name: "events",
  description:
    "single-workload launches, re-tags, terminations and cross-cloud migrations, each reconciled alone through the production event path on the synced simulated estate; in a process of its own",
  run: runEvents,
  ownTable: true,
  columns: [
    { header: "events", cell: (r) => formatCount(r.samples.length) },
    { header: "read calls p50", cell: (r) => formatCount(figure(r, reads, 0.5)) },
    { header: "p99", cell: (r) => formatCount(figure(r, reads, 0.99)) },
    { header: "read requests p50", cell: (r) => formatCount(figure(r, requests, 0.5)) },
    { header: "p99", cell: (r) => formatCount(figure(r, requests, 0.99)) },
    { header: "engine ms p50", cell: (r) => formatMs(figure(r, engine, 0.5)) },
    { header: "p99", cell: (r) => formatMs(figure(r, engine, 0.99)) },
    { header: "wall ms p50", cell: (r) => formatMs(figure(r, wall, 0.5)) },
    { header: "writes/min", cell: (r) => formatRatio(writeRatio(r)) },
  ],
  notes: [
    "each event (drawn by bench/events/plan.ts, the same kinds in turn) is one scenario step, then one reconcile of its queue messages; the clouds were synced by a full sync first.",
    "read calls: port reads (simulate --json's `calls`); read requests: what they take at the real clouds, one per page (EC2 1,000 items, prefix lists 100, Compute 500; an ARM list counts 1, a lower bound).",
    "engine ms: the reconcile's wall time minus the simulators' own time (simulatorMs): re-reading and compiling the change, planning and issuing the writes, all of segsync's work.",
    "writes/min: writes applied ÷ the operations a dry-run full sync from a fresh reconciler plans for the same change (the minimal), summed over the events.",
  ],
  warnings: (r) => (r.failures === 0 ? [] : [`${r.failures} reconcile(s) failed or did not converge`]),
  targets: [
    {
      label: "read requests per event ≤ 20 (median)",
      limit: 20,
      unit: "ratio",
      where: "every size",
      appliesTo: () => true,
      measure: (r) => figure(r, requests, 0.5),
    },
    {
      label: "read requests per event ≤ 40 (p99)",
      limit: 40,
      unit: "ratio",
      where: "every size",
      appliesTo: () => true,
      measure: (r) => figure(r, requests, 0.99),
    },
    {
      label: "engine time per event ≤ 5 ms (median)",
      limit: 5,
      unit: "ms",
      where: "100,000 workloads",
      appliesTo: (spec) => spec.workloads === 100_000,
      measure: (r) => figure(r, engine, 0.5),
    },
    {
      label: "writes ÷ minimal for single-workload events = 1.00",
      limit: 1,
      unit: "ratio",
      where: "every size",
      appliesTo: () => true,
      measure: writeRatio,
    },
  ],
});
