import type { Inventory } from "../../lib/inventory/model.js";
import type { Policy } from "../../lib/policy/model.js";

/** One benchmark cell: an estate size and a rule count. */
export interface CellSpec {
  readonly workloads: number;
  readonly rules: number;
  readonly seed: number;
  /** Timed single-workload changes in the incremental section. */
  readonly changes: number;
}

/** What a section gets inside the cell process: the generated estate, already resolved. */
export interface CellInput {
  readonly spec: CellSpec;
  readonly policy: Policy;
  readonly inventory: Inventory;
}

export interface Column<R> {
  readonly header: string;
  readonly cell: (result: R) => string;
}

/** How a target's figure prints: milliseconds, a plain ratio, or mebibytes. */
export type TargetUnit = "ms" | "ratio" | "MiB";

/** A figure checked against a budget (at most `limit`) in the cells it applies to. */
export interface Target<R> {
  readonly label: string;
  readonly limit: number;
  readonly unit: TargetUnit;
  /** Which cells the target speaks about, in words, for when none of them ran. */
  readonly where: string;
  readonly appliesTo: (spec: Pick<CellSpec, "workloads" | "rules">) => boolean;
  readonly measure: (result: R) => number;
}

/**
 * A named part of the benchmark (a module under bench/sections/). It runs inside the cell's
 * child process; its result is JSON and comes back to the runner, which renders its columns.
 */
export interface Section<R> {
  readonly name: string;
  readonly description: string;
  run(input: CellInput): R | Promise<R>;
  readonly columns: readonly Column<R>[];
  /** Printed as a table of its own (workloads, rules, its columns) instead of in the main table. */
  readonly ownTable?: boolean;
  /** Lines printed under its own table: how to read the columns. */
  readonly notes?: readonly string[];
  readonly targets: readonly Target<R>[];
  /** Problems in a result that make its figures doubtful; printed under the table. */
  readonly warnings?: (result: R) => readonly string[];
}

/** A section with its result type erased, so that sections of every kind fit in one list. */
export interface AnySection {
  readonly name: string;
  readonly description: string;
  run(input: CellInput): Promise<unknown>;
  readonly columns: readonly Column<unknown>[];
  readonly ownTable: boolean;
  readonly notes: readonly string[];
  readonly targets: readonly Target<unknown>[];
  readonly warnings: (result: unknown) => readonly string[];
}

/** The one place where a result read back from JSON is trusted to be the section's own type. */
export function defineSection<R>(section: Section<R>): AnySection {
  return {
    name: section.name,
    description: section.description,
    run: async (input) => section.run(input),
    columns: section.columns.map((column) => ({
      header: column.header,
      cell: (result) => column.cell(result as R),
    })),
    ownTable: section.ownTable ?? false,
    notes: section.notes ?? [],
    targets: section.targets.map((target) => ({
      ...target,
      measure: (result) => target.measure(result as R),
    })),
    warnings: (result) => section.warnings?.(result as R) ?? [],
  };
}
