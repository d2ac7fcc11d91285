/**
 * The simulate section's own process (`node --expose-gc --import tsx bench/simulate/child.ts
 * <CellSpec JSON>`), so that the memory peak it reports is the simulation's alone, not that of
 * the cell's other sections: measures, sends the result to the parent over IPC.
 */
import type { CellSpec } from "../sections/section.js";
import { measureFullSync, type SimulateResult } from "./full-sync.js";

export type SimulateReport =
  | { readonly ok: true; readonly result: SimulateResult }
  | { readonly ok: false; readonly error: string };

function send(report: SimulateReport): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) {
      // Run by hand: print instead of IPC.
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      resolve();
      return;
    }
    process.send(report, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });
}

const spec = JSON.parse(process.argv[2] ?? "null") as CellSpec | null;
if (spec === null) {
  process.stderr.write("usage: node --expose-gc --import tsx bench/simulate/child.ts '<CellSpec JSON>'\n");
  process.exit(2);
}
try {
  await send({ ok: true, result: await measureFullSync(spec) });
} catch (error) {
  await send({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
}
// The IPC channel would keep this process alive.
process.disconnect?.();
