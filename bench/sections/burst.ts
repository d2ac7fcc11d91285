/**
 * `--only burst`: launches spread over the three clouds of examples/estate.yaml, under
 * examples/policy.yaml, through the simulator and the production event path, reconciled at the
 * deployed reconciler's pace and in one drain, against the minimal writes (bench/burst/). Not a
 * per-cell section: it runs once per run on the examples, not on the cells' generated estates:
 * what it measures is per event.
 */
import { BATCH_EVENTS, type BurstResult, type BurstRun, runBurst } from "../burst/run-burst.js";
import { formatCount, formatMs, formatRatio } from "../format.js";
import { renderTable } from "../table.js";

export const BURST_LAUNCHES = 1_000;
export const QUICK_BURST_LAUNCHES = 200;

function row(name: string, run: BurstRun, minimal: number): string[] {
  return [
    name,
    formatCount(run.events),
    formatCount(run.reconciles),
    formatCount(run.writes),
    formatCount(minimal),
    formatRatio(run.ratio),
    formatMs(run.msPerEventMedian),
    formatMs(run.msPerEventP95),
    formatMs(run.reconcileMsMedian),
    formatMs(run.reconcileMsP95),
    formatMs(run.totalMs),
  ];
}

export function renderBurst(result: BurstResult): string {
  const clouds = Object.entries(result.launchesByCloud)
    .map(([cloud, n]) => `${cloud} ${n}`)
    .join(", ");
  const headers = [
    "reconciled",
    "events",
    "reconciles",
    "writes",
    "min writes",
    "issued/min",
    "ms/event p50",
    "ms/event p95",
    "reconcile ms p50",
    "p95",
    "total ms",
  ];
  return [
    `burst: ${formatCount(result.launches)} launches (${clouds}) on examples/estate.yaml under examples/policy.yaml, through the simulator and the production event path`,
    "",
    renderTable(headers, [
      row(`every ${result.batchEvents} events`, result.paced, result.minimalWrites),
      row("one drain", result.drain, result.minimalWrites),
    ]),
    "",
    `every ${result.batchEvents} events: a reconcile as soon as ${result.batchEvents} events are queued (the reconciler's SQS batch size), and a last one; one drain: every launch first, then one reconcile of all the events.`,
    "events: workload events queued (AWS sends two per launch, Azure and GCP one). writes: plan operations applied.",
    "min writes: the operations of the one plan from the synced estate to the final intent (a dry-run full sync once every launch has happened); the diff writes each object that differs once, so reconciling more often can only rewrite objects again. issued/min: writes ÷ that.",
    "ms/event: each reconcile's time ÷ the events it handled (re-read, recompile, plan and apply on the in-memory simulators), median and p95 over the reconciles.",
  ].join("\n");
}

/** What makes the figures doubtful. */
export function burstWarnings(result: BurstResult): string[] {
  const { paced, drain, minimalWrites } = result;
  return [
    ...(paced.converged && drain.converged
      ? []
      : [
          "burst: a run did not converge: a reconcile failed or a full sync after it still planned operations",
        ]),
    ...(drain.writes === minimalWrites
      ? []
      : [`burst: one drain wrote ${drain.writes} operations where the single plan has ${minimalWrites}`]),
    ...(paced.writes >= minimalWrites
      ? []
      : [
          `burst: reconciling every ${BATCH_EVENTS} events wrote ${paced.writes}, under the minimal ${minimalWrites}: the minimal is wrong`,
        ]),
  ];
}

export const burstSection = {
  name: "burst",
  description: `a burst of launches over AWS, Azure and GCP, reconciled every ${BATCH_EVENTS} events and in one drain, against the minimal writes`,
  launchesFor: (quick: boolean) => (quick ? QUICK_BURST_LAUNCHES : BURST_LAUNCHES),
  run: runBurst,
  render: renderBurst,
  warnings: burstWarnings,
} as const;
