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
export const BURST_RATIO_TARGET = 1.1;

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
  const batch = result.batchEvents;
  return [
    `burst: ${formatCount(result.launches)} launches (${clouds}) on examples/estate.yaml under examples/policy.yaml, through the simulator and the production event path`,
    "",
    renderTable(headers, [
      row(`every ${batch} as they come`, result.paced, result.minimalWrites),
      row(`queued, ${batch} a batch`, result.queued, result.minimalWrites),
      row(`queued, not coalesced`, result.queuedUncoalesced, result.minimalWrites),
      row("one drain", result.drain, result.minimalWrites),
    ]),
    "",
    `every ${batch} as they come: a reconcile as soon as ${batch} messages are queued (the reconciler's SQS batch size), and a last one: nothing waits behind a batch. queued: every launch first, then batches of ${batch} messages with the rest waiting, as when a burst outpaces the reconciler; coalesced as deployed (docs/architecture.md, "Coalescing a burst"), and not. one drain: every launch first, then one reconcile of all the events.`,
    "events: workload events queued (AWS sends two per launch, Azure and GCP one). writes: plan operations applied.",
    `min writes: the operations of the one plan from the synced estate to the final intent (a dry-run full sync once every launch has happened). It writes ${formatCount(result.minimalObjects)} distinct objects, the true lower bound (each must be written once); the single plan writes some twice (make before break), so a coalesced run can write fewer. issued/min: writes ÷ min writes.`,
    "ms/event: each reconcile's time ÷ the events it handled (re-read, recompile, plan and apply on the in-memory simulators), median and p95 over the reconciles.",
  ].join("\n");
}

/** Each run, every one of which must converge, and none of which can write fewer than the distinct objects. */
function runs(result: BurstResult): [string, BurstRun][] {
  return [
    ["as they come", result.paced],
    ["queued", result.queued],
    ["queued, not coalesced", result.queuedUncoalesced],
    ["one drain", result.drain],
  ];
}

/** What makes the figures doubtful. */
export function burstWarnings(result: BurstResult): string[] {
  const { drain, minimalWrites, minimalObjects } = result;
  return [
    ...runs(result)
      .filter(([, run]) => !run.converged)
      .map(
        ([name]) =>
          `burst ${name}: did not converge: a reconcile failed or a full sync after it still planned operations`,
      ),
    ...(drain.writes === minimalWrites
      ? []
      : [`burst: one drain wrote ${drain.writes} operations where the single plan has ${minimalWrites}`]),
    ...runs(result)
      .filter(([, run]) => run.writes < minimalObjects)
      .map(
        ([name, run]) =>
          `burst ${name}: wrote ${run.writes}, under the ${minimalObjects} objects that differ: the lower bound is wrong`,
      ),
  ];
}

/** The deployed burst (queued, coalesced) against the issued ÷ minimal target. */
export function burstTargets(result: BurstResult): string[] {
  const { ratio } = result.queued;
  const met = ratio <= BURST_RATIO_TARGET;
  return [
    `burst queued ${result.batchEvents} a batch: writes issued ÷ minimal ≤ ${formatRatio(BURST_RATIO_TARGET)}: ${formatRatio(ratio)} ${met ? "met" : "NOT MET"} (÷ the ${formatCount(result.minimalObjects)} distinct objects: ${formatRatio(result.queued.writes / result.minimalObjects)})`,
  ];
}

export const burstSection = {
  name: "burst",
  description: `a burst of launches over AWS, Azure and GCP, reconciled every ${BATCH_EVENTS} messages as they come, queued in batches of ${BATCH_EVENTS} (coalesced and not) and in one drain, against the minimal writes`,
  launchesFor: (quick: boolean) => (quick ? QUICK_BURST_LAUNCHES : BURST_LAUNCHES),
  run: runBurst,
  render: renderBurst,
  warnings: burstWarnings,
  targets: burstTargets,
} as const;
