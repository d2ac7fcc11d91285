import { describe, expect, it } from "vitest";
import type { Cloud } from "../../lib/inventory/model.js";
import { checkBlastRadius, DEFAULT_GUARD_LIMITS, heldOperations } from "../../lib/reconcile/guard.js";
import type { CloudPlan, CrossCloudPlan } from "../../lib/reconcile/plan.js";
import { renderPlan } from "../../lib/reconcile/render.js";

/** One cloud's plan: per operation, the owned rules it removes and its place; owned rules per place. */
function part(
  cloud: Cloud,
  operations: readonly { removes: number; place: string; object?: string }[],
  owned: Readonly<Record<string, number>>,
): CloudPlan {
  return {
    cloud,
    operations: operations.map(() => ({})),
    summaries: operations.map(({ removes, object }) => ({
      cloud,
      action: "update",
      objectType: "security group",
      object: object ?? "segsync-x",
      detail: `−${removes} rule(s)`,
      narrows: removes > 0,
    })),
    findings: [],
    removedRules: operations.reduce((sum, o) => sum + o.removes, 0),
    ownedRules: Object.values(owned).reduce((sum, n) => sum + n, 0),
    narrowing: operations.map((o) => o.removes),
    places: operations.map((o) => o.place),
    ownedRulesByPlace: owned,
  };
}

const plan = (removedRules: number, ownedRules: number): CrossCloudPlan => ({
  aws: part("aws", [{ removes: removedRules, place: "a" }], { a: ownedRules }),
});
/** The baseline of a cold start: every removal is unexplained. */
const unexplained = plan;
const explainedByChanges: CrossCloudPlan = { aws: part("aws", [], { a: 0 }) };

describe("the blast-radius guard", () => {
  it("lets through plans within the count and share limits", () => {
    expect(checkBlastRadius(plan(0, 0), unexplained(0, 0), DEFAULT_GUARD_LIMITS)).toMatchObject({
      allowed: true,
      overridden: false,
    });
    expect(checkBlastRadius(plan(20, 40), unexplained(20, 40), DEFAULT_GUARD_LIMITS).allowed).toBe(true);
    expect(checkBlastRadius(plan(30, 200), unexplained(30, 200), DEFAULT_GUARD_LIMITS).allowed).toBe(true);
  });

  it("holds back a place over the count or the share, with its numbers", () => {
    const overShare = checkBlastRadius(plan(30, 100), unexplained(30, 100), DEFAULT_GUARD_LIMITS);
    expect(overShare).toMatchObject({
      allowed: false,
      removedRules: 30,
      unexplainedRules: 30,
      ownedRules: 100,
      held: [{ cloud: "aws", place: "a", unexplainedRules: 30, ownedRules: 100 }],
    });
    expect(overShare.allowed === false && overShare.reason).toBe(
      "aws a: the plan removes or narrows 30 owned rules that no confirmed workload change explains: 30.0% of the 100 owned rules (limit 25%); their narrowing operations are held back (everything else is applied) until an explicit override",
    );
    expect(checkBlastRadius(plan(201, 10_000), unexplained(201, 10_000), DEFAULT_GUARD_LIMITS)).toMatchObject(
      {
        allowed: false,
        reason: expect.stringMatching(/more than 200 rules/),
      },
    );
  });

  it("does not count removals that only follow from confirmed workload changes", () => {
    // A terminated web server with 21 partner rules: 22 of 24 owned rules go, all explained.
    expect(checkBlastRadius(plan(22, 24), explainedByChanges, DEFAULT_GUARD_LIMITS)).toMatchObject({
      allowed: true,
      removedRules: 22,
      unexplainedRules: 0,
    });
    // Part explained: only what the baseline would also remove counts.
    const partly: CrossCloudPlan = { aws: part("aws", [{ removes: 25, place: "a" }], { a: 0 }) };
    expect(checkBlastRadius(plan(300, 1000), partly, DEFAULT_GUARD_LIMITS)).toMatchObject({
      allowed: true,
      unexplainedRules: 25,
    });
  });

  it("holds only the narrowing operations of the place over the limits", () => {
    const both: CrossCloudPlan = {
      aws: part(
        "aws",
        [
          { removes: 0, place: "a", object: "eni-new" },
          { removes: 0, place: "a", object: "eni-moved" },
          { removes: 30, place: "a", object: "eni-moved of i-1 (aws)" },
          { removes: 5, place: "b", object: "sg-1" },
        ],
        { a: 100, b: 10 },
      ),
      gcp: part("gcp", [{ removes: 0, place: "p" }], { p: 3 }),
    };
    const verdict = checkBlastRadius(both, both, DEFAULT_GUARD_LIMITS);
    expect(verdict.allowed).toBe(false);
    // The narrowing write and the make-before-break step of the same ENI; not the new ENI's.
    expect(heldOperations(both, verdict)).toEqual({ aws: new Set([1, 2]) });
  });

  it("applies a held-back plan only with an explicit override", () => {
    expect(checkBlastRadius(plan(500, 500), unexplained(500, 500), DEFAULT_GUARD_LIMITS, true)).toMatchObject(
      {
        allowed: true,
        overridden: true,
      },
    );
  });

  it("renders a plan grouped by cloud, with a summary line", () => {
    expect(renderPlan(plan(2, 10))).toBe(
      "AWS:\n  ~ security group segsync-x: −2 rule(s)\nPlan: 0 to create, 1 to change, 0 to destroy (2 of 10 owned rules removed or\n    narrowed).\n",
    );
    expect(renderPlan({})).toBe("No changes: the clouds already enforce the policy.\n");
  });
});
