import type { CellResult } from "./cell-protocol.js";
import { formatMiB, formatMs, formatRatio } from "./format.js";
import type { AnySection, TargetUnit } from "./sections/section.js";

export interface TargetCell {
  readonly workloads: number;
  readonly rules: number;
  /** Infinity (null in the JSON) where a ratio has no finite value. */
  readonly value: number;
  readonly met: boolean;
}

export interface TargetReport {
  readonly section: string;
  readonly label: string;
  readonly limit: number;
  readonly unit: TargetUnit;
  readonly where: string;
  /** The measured cells the target applies to; empty when none of them ran. */
  readonly cells: readonly TargetCell[];
  readonly status: "met" | "not met" | "not measured";
}

export function evaluateTargets(
  sections: readonly AnySection[],
  results: readonly CellResult[],
): TargetReport[] {
  return sections.flatMap((section) =>
    section.targets.map((target) => {
      const cells = results
        .filter((result) => target.appliesTo(result.spec) && result.sections[section.name] !== undefined)
        .map((result) => {
          const value = target.measure(result.sections[section.name]);
          return {
            workloads: result.spec.workloads,
            rules: result.spec.rules,
            value,
            met: value <= target.limit,
          };
        });
      const status =
        cells.length === 0 ? "not measured" : cells.every((cell) => cell.met) ? "met" : "not met";
      return {
        section: section.name,
        label: target.label,
        limit: target.limit,
        unit: target.unit,
        where: target.where,
        cells,
        status,
      };
    }),
  );
}

function formatValue(value: number, unit: TargetUnit): string {
  if (unit === "MiB") return `${formatMiB(value)} MiB`;
  return unit === "ms" ? `${formatMs(value)} ms` : formatRatio(value);
}

export function renderTargets(reports: readonly TargetReport[]): string {
  return reports
    .map((report) => {
      const head = `${report.label} at ${report.where}: `;
      if (report.cells.length === 0) return `${head}not measured (no such cell in this run)`;
      const figures = report.cells
        .map(
          (cell) =>
            `${cell.workloads}×${cell.rules}: ${formatValue(cell.value, report.unit)} ${cell.met ? "met" : "NOT MET"}`,
        )
        .join("; ");
      return `${head}${figures}`;
    })
    .join("\n");
}
