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
  return new Promise((resolve) => {
    const child = fork(CELL_SCRIPT, [JSON.stringify(request)], {
      cwd: PROJECT_ROOT,
      execArgv: ["--expose-gc", "--max-old-space-size=8192", "--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let report: CellReport | undefined;
    child.on("message", (message) => {
      report = message as CellReport;
    });
    child.on("error", (error) => resolve({ ok: false, error: error.message }));
    child.on("exit", (code, signal) => {
      if (report) resolve(report);
      else resolve({ ok: false, error: `cell process ended (${signal ?? `exit ${code}`}) without a report` });
    });
  });
}
