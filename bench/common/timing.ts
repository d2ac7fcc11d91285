/** Timed runs of materialize and diff as the cloud sections report them. */
import { formatMs } from "../format.js";
import { forceGc, median, round3, timeMs } from "../measure.js";

export interface TimedFigure {
  readonly samplesMs: readonly number[];
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

/** Fewer runs where one run takes seconds; more where noise matters more. */
export function runsFor(workloads: number): number {
  return workloads <= 10_000 ? 5 : 3;
}

export function timed(samples: readonly number[]): TimedFigure {
  return {
    samplesMs: samples.map(round3),
    medianMs: round3(median(samples)),
    minMs: round3(Math.min(...samples)),
    maxMs: round3(Math.max(...samples)),
  };
}

/** Runs further apart than this (max/min) mean something else was using the CPU. */
export const NOISY_SPREAD = 1.5;

/** A warning per named figure whose runs are too far apart for the median to mean much. */
export function noiseWarnings(figures: readonly (readonly [string, TimedFigure])[]): string[] {
  return figures
    .filter(([, figure]) => figure.maxMs > NOISY_SPREAD * figure.minMs)
    .map(
      ([name, figure]) =>
        `${name} runs vary ×${(figure.maxMs / figure.minMs).toFixed(1)} (min ${formatMs(figure.minMs)} ms, max ${formatMs(figure.maxMs)} ms): the machine was busy, the median is unreliable`,
    );
}

export interface MaterializeDiffTiming<Desired, Plan> {
  /** What the last timed run produced. */
  readonly desired: Desired;
  readonly plan: Plan;
  readonly runs: number;
  readonly materialize: TimedFigure;
  readonly diff: TimedFigure;
}

/**
 * A warm-up run, then `runs` timed ones of materialize and of diff separately, each after a GC
 * so that one run's garbage is not the next's cost.
 */
export function timeMaterializeDiff<Desired, Plan>(
  runs: number,
  materialize: () => Desired,
  diff: (desired: Desired) => Plan,
): MaterializeDiffTiming<Desired, Plan> {
  let desired = materialize();
  let plan = diff(desired);
  const materializeSamples: number[] = [];
  const diffSamples: number[] = [];
  for (let run = 0; run < runs; run++) {
    forceGc();
    const materialized = timeMs(materialize);
    desired = materialized.result;
    materializeSamples.push(materialized.ms);
    forceGc();
    const diffed = timeMs(() => diff(desired));
    plan = diffed.result;
    diffSamples.push(diffed.ms);
  }
  return {
    desired,
    plan,
    runs: materializeSamples.length,
    materialize: timed(materializeSamples),
    diff: timed(diffSamples),
  };
}
