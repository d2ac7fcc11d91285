import { describe, expect, it } from "vitest";
import { checkBlastRadius, DEFAULT_GUARD_LIMITS } from "../../lib/plan/guard.js";
import type { CrossCloudPlan } from "../../lib/plan/model.js";
import { renderPlan } from "../../lib/plan/render.js";

function plan(removedRules: number, ownedRules: number): CrossCloudPlan {
  return {
    aws: {
      cloud: "aws",
      operations: [{}],
      summaries: [
        {
          cloud: "aws",
          action: "update",
          objectType: "security group",
          object: "segsync-x",
          detail: `−${removedRules} rule(s)`,
          narrows: true,
        },
      ],
      findings: [],
      removedRules,
      ownedRules,
    },
  };
}

describe("the blast-radius guard", () => {
  it("lets through plans within the count and share limits", () => {
    expect(checkBlastRadius(plan(0, 0), DEFAULT_GUARD_LIMITS)).toMatchObject({
      allowed: true,
      overridden: false,
    });
    expect(checkBlastRadius(plan(20, 40), DEFAULT_GUARD_LIMITS).allowed).toBe(true);
    expect(checkBlastRadius(plan(30, 200), DEFAULT_GUARD_LIMITS).allowed).toBe(true);
  });

  it("holds back a plan over the count or the share, with its numbers", () => {
    const overShare = checkBlastRadius(plan(30, 100), DEFAULT_GUARD_LIMITS);
    expect(overShare).toEqual({
      allowed: false,
      removedRules: 30,
      ownedRules: 100,
      reason:
        "the plan removes or narrows 30 owned rules: 30.0% of the 100 owned rules (limit 25%); not applied without an explicit override",
    });
    expect(checkBlastRadius(plan(201, 10_000), DEFAULT_GUARD_LIMITS)).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/more than 200 rules/),
    });
  });

  it("applies a held-back plan only with an explicit override", () => {
    expect(checkBlastRadius(plan(500, 500), DEFAULT_GUARD_LIMITS, true)).toMatchObject({
      allowed: true,
      overridden: true,
    });
  });

  it("renders a plan grouped by cloud, with a summary line", () => {
    expect(renderPlan(plan(2, 10))).toBe(
      "AWS:\n  ~ security group segsync-x: −2 rule(s)\nPlan: 0 to create, 1 to change, 0 to destroy (2 of 10 owned rules removed or\n    narrowed).\n",
    );
    expect(renderPlan({})).toBe("No changes: the clouds already enforce the policy.\n");
  });
});
