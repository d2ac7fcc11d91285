import type { ChildReport } from "./child-process.js";
import type { CellSpec } from "./sections/section.js";

/** What the runner asks one cell process to do (passed as its only argument, JSON). */
export interface CellRequest {
  readonly spec: CellSpec;
  readonly sections: readonly string[];
}

export interface EstateStats {
  readonly networks: number;
  readonly workloads: number;
  readonly running: number;
  readonly rulesets: number;
  readonly rules: number;
  readonly generateMs: number;
  /** resolvePolicyDocument on the raw document: validation and resolution. */
  readonly resolveMs: number;
}

export interface CellResult {
  readonly spec: CellSpec;
  readonly estate: EstateStats;
  /** Section name → that section's result (its own JSON shape). */
  readonly sections: Readonly<Record<string, unknown>>;
  readonly memory: {
    /** The cell process's resident set high-water mark: generation, resolution and every section. */
    readonly peakRssMiB: number;
    /** Heap in use after a full GC once the estate is generated and resolved, before any section. */
    readonly baselineHeapMiB: number | null;
  };
}

/** What the cell process sends back over IPC. */
export type CellReport = ChildReport<CellResult>;
