import { describe, expect, it } from "vitest";
import { intersectSelectors, normalizeSelector, scopeConflicts } from "../../lib/policy/selectors.js";
import { closestName } from "../../lib/policy/suggest.js";

describe("selectors", () => {
  it("normalize values and dimension order", () => {
    expect(Object.entries(normalizeSelector({ role: ["web", "api", "web"], app: "shop" }))).toEqual([
      ["app", ["shop"]],
      ["role", ["api", "web"]],
    ]);
  });

  it("intersect per dimension, taking one-sided dimensions as they are", () => {
    expect(
      intersectSelectors({ app: ["shop"], role: ["api", "web"] }, { role: ["db", "web"], loc: ["eu"] }),
    ).toEqual({
      app: ["shop"],
      loc: ["eu"],
      role: ["web"],
    });
  });

  it("find the dimensions that share no value with the scope", () => {
    expect(
      scopeConflicts({ env: "dev", role: ["web", "x"], loc: "eu" }, { env: ["prod", "stage"], role: "web" }),
    ).toEqual([{ dimension: "env", scopeValues: ["prod", "stage"] }]);
  });
});

describe("closestName", () => {
  it("suggests within two edits, case-insensitively", () => {
    expect(closestName("postgress", ["web", "postgres"])).toBe("postgres");
    expect(closestName("WEB", ["web"])).toBe("web");
    expect(closestName("http", ["web", "postgres"])).toBeUndefined();
  });
});
