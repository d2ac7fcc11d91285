import { describe, expect, it } from "vitest";
import { formatIssue, loadPolicyFile } from "../../lib/policy/load.js";
import { invalidFixtures } from "./fixtures.js";

const fixtures = invalidFixtures();
const SEVERAL_ERRORS = "several-errors.yaml";

describe("invalid policy fixtures", () => {
  it("cover many distinct errors, in YAML and JSON", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(32);
    expect(fixtures.filter((fixture) => fixture.file.endsWith(".json")).length).toBeGreaterThanOrEqual(2);
    // Without the file name: each single-error fixture exercises a different error.
    const errors = fixtures
      .filter((fixture) => !fixture.file.endsWith(SEVERAL_ERRORS))
      .flatMap((fixture) => fixture.expectedLines.map((line) => line.slice(line.indexOf(" ") + 1)));
    expect(new Set(errors).size).toBe(errors.length);
  });

  it.each(fixtures.map((fixture) => [fixture.file, fixture] as const))("%s", async (_, fixture) => {
    const result = await loadPolicyFile(fixture.absolutePath);
    expect(result.ok).toBe(false);
    const lines = result.ok ? [] : result.issues.map((issue) => formatIssue(fixture.file, issue));
    expect(lines).toEqual(fixture.expectedLines);
  });

  it("each exercise one error, except the one that proves all errors come at once", () => {
    for (const fixture of fixtures) {
      if (fixture.file.endsWith(SEVERAL_ERRORS))
        expect(fixture.expectedLines.length).toBeGreaterThanOrEqual(8);
      else expect(fixture.expectedLines, fixture.file).toHaveLength(1);
    }
  });
});
