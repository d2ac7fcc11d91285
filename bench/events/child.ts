/**
 * The events section's own process (`node --expose-gc --import tsx bench/events/child.ts
 * <CellSpec JSON>`): a 100k estate's simulation is measured apart from the cell's other sections.
 */
import { type ChildReport, runChild } from "../child-process.js";
import type { CellSpec } from "../sections/section.js";
import { type EventsResult, measureEvents } from "./measure.js";

export type EventsReport = ChildReport<EventsResult>;

await runChild<CellSpec, EventsResult>(
  "node --expose-gc --import tsx bench/events/child.ts '<CellSpec JSON>'",
  measureEvents,
);
