import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CLOUD_ENTRIES } from "../../lib/clouds/names.js";
import { CLOUD_NAMES, CLOUDS } from "../../lib/inventory/model.js";

const forms = CLOUD_ENTRIES.flatMap(({ ids }) =>
  (["workload", "network"] as const).map((kind) => ({
    label: `${ids.cloud} ${kind}`,
    parts: ids[kind],
  })),
);

describe("the registry of the clouds' names", () => {
  it("is where CLOUDS and the clouds' names come from, each name once", () => {
    expect(CLOUDS).toEqual(["aws", "azure", "gcp"]);
    expect(new Set(CLOUDS).size).toBe(CLOUDS.length);
    expect(CLOUD_NAMES).toEqual({ aws: "AWS", azure: "Azure", gcp: "GCP" });
    for (const cloud of CLOUDS) expect(cloud).toMatch(/^[a-z][a-z0-9]*$/);
  });

  it.each(forms)(
    "$label: parts with distinct keys other than cloud, anchored, without flags",
    ({ parts }) => {
      expect(parts.length).toBeGreaterThan(0);
      const keys = parts.map((part) => part.key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys).not.toContain("cloud");
      for (const { pattern } of parts) {
        expect(pattern.source).toMatch(/^\^.*\$$/);
        expect(pattern.flags).toBe("");
      }
    },
  );

  it.each(forms)("$label: no part's value can hold a colon, so ids split on it", ({ parts }) => {
    for (const { pattern } of parts) {
      fc.assert(
        fc.property(fc.stringMatching(pattern), (value) => !value.includes(":")),
        { numRuns: 200 },
      );
    }
  });
});
