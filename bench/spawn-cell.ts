import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { CellReport, CellRequest } from "./cell-protocol.js";

const CELL_SCRIPT = fileURLToPath(new URL("./cell.ts", import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Runs one cell in a fresh Node process, so that its RSS peak and heap are not inflated by the
 * cells before it. --expose-gc lets the cell force collections between timed runs; the larger
 * old space keeps 100k-workload cells from failing on the default heap limit.
 */
export function spawnCell(request: CellRequest): Promise<CellReport> {
  return spawnMeasurement<CellReport>(CELL_SCRIPT, request, 8192);
}

/**
 * Runs a measurement script (`node --expose-gc --import tsx <script> <argument JSON>`) in a fresh
 * process with this old-space limit in MiB, and resolves with the one report it sends over IPC,
 * or with a failure when it ends without one.
 */
export function spawnMeasurement<Report>(
  script: string,
  argument: unknown,
  oldSpaceMiB: number,
): Promise<Report | { readonly ok: false; readonly error: string }> {
  return new Promise((resolve) => {
    const child = fork(script, [JSON.stringify(argument)], {
      cwd: PROJECT_ROOT,
      execArgv: ["--expose-gc", `--max-old-space-size=${oldSpaceMiB}`, "--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let report: Report | undefined;
    child.on("message", (message) => {
      report = message as Report;
    });
    child.on("error", (error) => resolve({ ok: false, error: error.message }));
    child.on("exit", (code, signal) => {
      if (report) resolve(report);
      else resolve({ ok: false, error: `process ended (${signal ?? `exit ${code}`}) without a report` });
    });
  });
}
