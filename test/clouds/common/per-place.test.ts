import { describe, expect, it } from "vitest";
import { onePerPlace } from "../../../lib/clouds/common/per-place.js";

describe("onePerPlace", () => {
  it("makes one API per place on first use and hands the same one back after", () => {
    const made: string[] = [];
    const apiFor = onePerPlace(
      (place: { readonly account: string; readonly region: string }) => `${place.account}:${place.region}`,
      (place) => {
        made.push(place.region);
        return { place };
      },
    );
    const east = apiFor({ account: "111111111111", region: "us-east-1" });
    expect(apiFor({ account: "111111111111", region: "us-east-1" })).toBe(east);
    const west = apiFor({ account: "111111111111", region: "us-west-2" });
    expect(west).not.toBe(east);
    expect(made).toEqual(["us-east-1", "us-west-2"]);
  });

  it("makes it again after a failed first use", () => {
    let attempts = 0;
    const apiFor = onePerPlace(
      (project: string) => project,
      (project) => {
        attempts += 1;
        if (attempts === 1) throw new Error(`${project}: no clients`);
        return { project };
      },
    );
    expect(() => apiFor("proj-a")).toThrow("proj-a: no clients");
    expect(apiFor("proj-a")).toEqual({ project: "proj-a" });
  });
});
