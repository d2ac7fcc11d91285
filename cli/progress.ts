/**
 * A progress bar for long applies: one line on stderr, redrawn in place, with each cloud's
 * `done/total`, a bar and the time elapsed. Only on a terminal: piped or captured output (CI
 * logs, the golden tests) gets nothing, so stdout and stderr stay as they were.
 */
import { CLOUD_NAMES, CLOUDS, type Cloud } from "../lib/inventory/model.js";
import type { ApplyProgress } from "../lib/reconcile/reconciler.js";

/** Where the bar is drawn: process.stderr, or a fake terminal in tests. */
export interface ProgressTerminal {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** Shorter applies finish before a bar would say anything. */
  readonly minOperations?: number;
  /** Milliseconds; tests pass a fake clock. */
  readonly now?: () => number;
  /** Fewer redraws than this apart are skipped (the last one is always drawn). */
  readonly redrawMs?: number;
}

export interface ProgressReporter {
  readonly onProgress: (progress: ApplyProgress) => void;
  /** Draws the last state and ends the line; call it before writing anything else on stderr. */
  finish(): void;
}

export const PROGRESS_MIN_OPERATIONS = 20;
const DEFAULT_COLUMNS = 80;
const REDRAW_MS = 100;
const BAR_WIDTH = 24;

const SILENT: ProgressReporter = { onProgress: () => {}, finish: () => {} };

/**
 * A reporter for an apply of `planned` operations per cloud (totals are updated from the
 * progress itself, since the apply plans again); silent off a terminal and for short plans.
 */
export function progressReporter(
  terminal: ProgressTerminal | undefined,
  planned: Readonly<Partial<Record<Cloud, number>>>,
  options: ProgressOptions = {},
): ProgressReporter {
  const operations = CLOUDS.reduce((sum, cloud) => sum + (planned[cloud] ?? 0), 0);
  if (!terminal?.isTTY || operations <= (options.minOperations ?? PROGRESS_MIN_OPERATIONS)) return SILENT;
  const now = options.now ?? Date.now;
  const redrawMs = options.redrawMs ?? REDRAW_MS;
  const started = now();
  const counts = new Map<Cloud, { done: number; total: number }>(
    CLOUDS.flatMap((cloud) => {
      const total = planned[cloud] ?? 0;
      return total > 0 ? [[cloud, { done: 0, total }] as const] : [];
    }),
  );
  let drawnAt: number | undefined;
  let drawnLength = 0;
  let finished = false;

  const draw = () => {
    drawnAt = now();
    // A pseudo-terminal without a size says 0 columns.
    const columns = terminal.columns || DEFAULT_COLUMNS;
    const line = progressLine(counts, drawnAt - started, columns - 1);
    // Spaces wipe what a longer line before left behind.
    terminal.write(`\r${line.padEnd(drawnLength)}`);
    drawnLength = line.length;
  };

  return {
    onProgress(progress) {
      if (finished) return;
      counts.set(progress.cloud, { done: progress.done, total: progress.total });
      const complete = [...counts.values()].every((c) => c.done >= c.total);
      if (complete || drawnAt === undefined || now() - drawnAt >= redrawMs) draw();
    },
    finish() {
      if (finished) return;
      finished = true;
      draw();
      terminal.write("\n");
    },
  };
}

/** `applying  AWS 12/17  Azure 3/7  GCP 0/7  [#######-----------------]  22/31  4.2s`, within `width`. */
export function progressLine(
  counts: ReadonlyMap<Cloud, { readonly done: number; readonly total: number }>,
  elapsedMs: number,
  width: number,
): string {
  const perCloud = CLOUDS.flatMap((cloud) => {
    const count = counts.get(cloud);
    return count ? [`${CLOUD_NAMES[cloud]} ${count.done}/${count.total}`] : [];
  });
  const done = [...counts.values()].reduce((sum, c) => sum + c.done, 0);
  const total = [...counts.values()].reduce((sum, c) => sum + c.total, 0);
  const filled = total === 0 ? BAR_WIDTH : Math.min(BAR_WIDTH, Math.floor((done / total) * BAR_WIDTH));
  const bar = `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}]`;
  const overall = `${bar}  ${done}/${total}  ${(elapsedMs / 1000).toFixed(1)}s`;
  const line = `applying  ${perCloud.join("  ")}  ${overall}`;
  // A narrow terminal gets the overall count only: a wrapped line could not be redrawn with \r.
  if (line.length <= width) return line;
  return overall.length <= width ? overall : overall.slice(0, Math.max(0, width));
}
