/**
 * `--only cli-start`: how long the installed `segsync` command takes from spawn to exit, for
 * `--help`, for `validate` of the example policy and for the whole demo, each in fresh processes of the compiled CLI
 * (bin/segsync.js → dist/). Node's own start (`node -e 0`) is measured beside them, so that a slow
 * machine shows as slow Node, not as a slow CLI. Not a per-cell section: once per run.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../infra/bundling.js";
import { noiseWarnings, type TimedFigure, timed } from "../common/timing.js";
import { formatMs } from "../format.js";
import { renderTable } from "../table.js";

/** The targets of docs/package.md, "CLI start" (medians). */
export const CLI_START_TARGETS_MS = { help: 150, validate: 300 } as const;

interface Command {
  readonly name: string;
  readonly args: readonly string[];
  readonly targetMs?: number;
}

const BIN = join(PROJECT_ROOT, "bin", "segsync.js");
const COMMANDS: readonly Command[] = [
  { name: "node -e 0", args: ["-e", "0"] },
  { name: "segsync --help", args: [BIN, "--help"], targetMs: CLI_START_TARGETS_MS.help },
  {
    name: "segsync validate examples/policy.yaml",
    args: [BIN, "validate", join(PROJECT_ROOT, "examples", "policy.yaml")],
    targetMs: CLI_START_TARGETS_MS.validate,
  },
  // The whole demo (`npm start`), which a new user runs first: no target, but watched as it grows.
  { name: "segsync demo", args: [BIN, "demo"] },
];

export interface CliStartFigure {
  readonly name: string;
  readonly wall: TimedFigure;
  readonly targetMs: number | null;
  readonly targetMet: boolean | null;
}

export interface CliStartResult {
  readonly runs: number;
  readonly commands: readonly CliStartFigure[];
}

/** One run's wall time, spawn to exit; a failing command fails the section. */
function wallMs(command: Command): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, command.args, { cwd: PROJECT_ROOT, encoding: "utf8" });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`${command.name} exited ${run.status}: ${run.stderr.slice(0, 300)}`);
  return ms;
}

export function runCliStart(options: { readonly runs: number }): CliStartResult {
  const commands = COMMANDS.map((command): CliStartFigure => {
    wallMs(command); // warm the file cache: the first run reads dist/ from disk
    const samples = Array.from({ length: options.runs }, () => wallMs(command));
    const wall = timed(samples);
    const targetMs = command.targetMs ?? null;
    return {
      name: command.name,
      wall,
      targetMs,
      targetMet: targetMs === null ? null : wall.medianMs <= targetMs,
    };
  });
  return { runs: options.runs, commands };
}

export function renderCliStart(result: CliStartResult): string {
  const rows = result.commands.map((figure) => [
    figure.name,
    formatMs(figure.wall.medianMs),
    formatMs(figure.wall.minMs),
    formatMs(figure.wall.maxMs),
    figure.targetMs === null ? "-" : `≤ ${figure.targetMs}`,
    figure.targetMet === null ? "-" : figure.targetMet ? "met" : "NOT MET",
  ]);
  return [
    `cli-start: the compiled CLI, spawn to exit, median of ${result.runs} fresh processes`,
    "",
    renderTable(["command", "median ms", "min", "max", "target ms", "target"], rows),
  ].join("\n");
}

export function cliStartTargets(result: CliStartResult): { lines: string[]; warnings: string[] } {
  const lines = result.commands.flatMap((figure) =>
    figure.targetMs === null
      ? []
      : [
          `${figure.name} ≤ ${figure.targetMs} ms: ${formatMs(figure.wall.medianMs)} ms ${figure.targetMet ? "met" : "NOT MET"}`,
        ],
  );
  const warnings = noiseWarnings(
    result.commands.map((figure) => [`cli-start ${figure.name}`, figure.wall] as const),
  );
  return { lines, warnings };
}

export const cliStartSection = {
  name: "cli-start",
  description: "the compiled CLI's start: --help, validate and the demo, spawn to exit",
  runsFor: (quick: boolean) => (quick ? 5 : 15),
  run: runCliStart,
  render: renderCliStart,
  targets: cliStartTargets,
} as const;
