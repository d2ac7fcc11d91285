/**
 * The `flows check --json` contract's optional `end` (docs/flows.md, "Both ends"): a verdict from
 * an egress-enforced source says which end decided; reports without it still read.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCheckReport } from "../../lib/graph/check-report.js";
import { FlowCheckReportError } from "../../lib/graph/errors.js";
import { REPO_ROOT } from "../policy/fixtures.js";

const CHECK = "test/fixtures/graph/check.json";

/** The fixture with every allowed or denied verdict given `end`. */
function withEnd(end: unknown): string {
  const doc = JSON.parse(readFileSync(join(REPO_ROOT, CHECK), "utf8"));
  for (const group of doc.groups)
    if (group.verdict.kind === "allowed" || group.verdict.kind === "denied") group.verdict.end = end;
  return JSON.stringify(doc);
}

describe("the verdict's end in a flows check report", () => {
  it("is read where present, and a report without it reads as before", () => {
    const ended = parseCheckReport(withEnd("source"), "check.json").groups.map((group) => group.verdict);
    expect(ended.filter((verdict) => "end" in verdict && verdict.end === "source").length).toBeGreaterThan(0);
    expect(parseCheckReport(readFileSync(join(REPO_ROOT, CHECK), "utf8"), CHECK).groups).toHaveLength(9);
  });

  it("is source or destination, else the path is named", () => {
    expect(() => parseCheckReport(withEnd("middle"), "check.json")).toThrow(FlowCheckReportError);
    expect(() => parseCheckReport(withEnd("middle"), "check.json")).toThrow(/groups\.\d+\.verdict\.end/);
  });
});
