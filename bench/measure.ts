/** Timing and memory primitives shared by the sections. */

const MIB = 1024 * 1024;

/** Runs a full GC when the process was started with --expose-gc; says whether it could. */
export function forceGc(): boolean {
  if (typeof globalThis.gc !== "function") return false;
  globalThis.gc();
  return true;
}

/** Heap in use after a full GC (what is retained), or null without --expose-gc. */
export function heapAfterGcMiB(): number | null {
  return forceGc() ? process.memoryUsage().heapUsed / MIB : null;
}

/** The process's resident set high-water mark so far (maxRSS is in KiB). */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function timeMs<T>(work: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = work();
  return { result, ms: performance.now() - start };
}

/** The value below which `fraction` of the samples lie (nearest rank). */
export function percentile(samples: readonly number[], fraction: number): number {
  if (samples.length === 0) throw new Error("percentile of no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1] as number;
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error("median of no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function mean(samples: readonly number[]): number {
  return samples.reduce((sum, sample) => sum + sample, 0) / Math.max(1, samples.length);
}

/** Rounds for the JSON report: sub-microsecond digits are noise. */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
