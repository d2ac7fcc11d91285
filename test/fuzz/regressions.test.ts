/**
 * The campaign's failures, shrunk and kept (test/fuzz/regressions/*.json): each runs through
 * the campaign's checks and must have no problem. A defect not fixed yet is marked `knownDefect`
 * and runs as `it.fails`, so that its fix turns the test red until the mark is removed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { FuzzCase } from "./generate.js";
import { type ProblemKind, type RunOptions, runCase } from "./run-case.js";

interface Regression {
  readonly name: string;
  readonly description: string;
  readonly knownDefect: boolean;
  /** For a known defect: the kind of problem it shows, and no other. */
  readonly failsWith?: ProblemKind;
  readonly run: RunOptions;
  readonly case: FuzzCase;
}

const DIR = join(import.meta.dirname, "regressions");
const regressions = readdirSync(DIR)
  .filter((file) => file.endsWith(".json"))
  .sort()
  .map((file) => JSON.parse(readFileSync(join(DIR, file), "utf8")) as Regression);

describe("the campaign's kept failures", () => {
  it("are there", () => {
    expect(regressions.length).toBeGreaterThan(0);
  });

  for (const regression of regressions) {
    (regression.knownDefect ? it.fails : it)(regression.name, async () => {
      const outcome = await runCase(regression.case, regression.run);
      // A known defect failing for another reason is not the defect reproducing: that passes, and it.fails turns red.
      if (regression.knownDefect && outcome.problems.some((p) => p.kind !== regression.failsWith)) return;
      expect(outcome.problems).toEqual([]);
    });
  }
});
