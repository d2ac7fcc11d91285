import { describe, expect, it } from "vitest";
import { coldStartWarnings, renderColdStart, runColdStart } from "../../bench/sections/cold-start.js";
import { skipWithoutMoto } from "../support/moto-server.js";

describe("the cold-start bench section", () => {
  it("says it skipped, and why, without moto", () => {
    const text = renderColdStart({
      skipped: "moto_server is not on PATH",
      rules: 100,
      measured: [],
      extrapolated: null,
    });
    expect(text).toContain("skipped: moto_server is not on PATH");
  });

  it.skipIf(skipWithoutMoto("the cold-start bench section against moto"))(
    "times both paths on a filled table, the snapshot equal to the full read, and extrapolates to 100,000 as such",
    async () => {
      const result = await runColdStart({ sizes: [200], seed: 1 });
      expect(result.skipped).toBeNull();
      const [figures] = result.measured;
      expect(figures).toMatchObject({
        workloads: 200,
        matches: true,
        snapshot: { fellBack: null, chunks: 1 },
      });
      expect(figures?.items).toBeGreaterThan(200); // and the networks
      expect(figures?.fullRead.build.medianMs).toBeGreaterThan(0);
      expect(result.extrapolated).toMatchObject({ workloads: 100_000, from: 200 });
      expect(result.extrapolated?.fullRead.readyMs).toBeCloseTo((figures?.fullRead.readyMs ?? 0) * 500, 3);
      expect(coldStartWarnings(result)).toEqual([]);
      const text = renderColdStart(result);
      expect(text).toContain("100000 (extrapolated)");
      expect(text).toContain("× 500, linearly: not measured");
    },
    60_000,
  );
});
