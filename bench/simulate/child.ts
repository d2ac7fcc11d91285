/**
 * The simulate section's own process (`node --expose-gc --import tsx bench/simulate/child.ts
 * <CellSpec JSON>`), so that the memory peak it reports is the simulation's alone, not that of
 * the cell's other sections: measures, sends the result to the parent over IPC.
 */
import { type ChildReport, runChild } from "../child-process.js";
import type { CellSpec } from "../sections/section.js";
import { measureFullSync, type SimulateResult } from "./full-sync.js";

export type SimulateReport = ChildReport<SimulateResult>;

await runChild<CellSpec, SimulateResult>(
  "node --expose-gc --import tsx bench/simulate/child.ts '<CellSpec JSON>'",
  measureFullSync,
);
