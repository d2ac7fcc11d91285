import { describe, expect, it } from "vitest";
import { resolvePolicyDocument } from "../../lib/policy/load.js";
import { policySummary } from "../../lib/policy/summary.js";
import { policyDocument } from "./documents.js";

function summaryOf(fields: Record<string, unknown>): string {
  const result = resolvePolicyDocument(policyDocument(fields));
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return policySummary(result.policy);
}

describe("policySummary", () => {
  it("counts an empty policy", () => {
    expect(summaryOf({})).toBe("0 rulesets; 0 rules; 0 services; 0 ipLists; dimensions app, env, role, loc");
  });

  it("counts rulesets by enforcement, and uses singulars", () => {
    const rule = { from: {}, to: {}, services: ["all"] };
    const summary = summaryOf({
      labels: { dimensions: ["app"] },
      services: { web: ["tcp/80"] },
      ipLists: { a: ["10.0.0.0/8"], b: ["10.1.0.0/16"] },
      rulesets: [
        { name: "a", scope: {}, rules: [rule] },
        { name: "b", scope: {}, enforcement: "visibility", rules: [] },
        { name: "c", scope: {}, rules: [] },
      ],
    });
    expect(summary).toBe(
      "3 rulesets: 2 enforced, 1 visibility; 1 rule; 1 service; 2 ipLists; dimensions app",
    );
  });

  it("counts deny rules and names the rulesets whose egress is enforced (v2)", () => {
    const rule = { from: {}, to: {}, services: ["all"] };
    const summary = summaryOf({
      rulesets: [
        { name: "a", scope: {}, egress: "enforced", rules: [rule], deny: [rule] },
        { name: "b", scope: {}, enforcement: "visibility", egress: "enforced", rules: [], deny: [rule] },
        { name: "c", scope: {}, rules: [] },
      ],
    });
    expect(summary).toBe(
      "3 rulesets: 2 enforced, 1 visibility; 1 rule, 2 deny rules; egress enforced in 1 ruleset (a); 0 services; 0 ipLists; dimensions app, env, role, loc",
    );
  });

  it("says when the policy enforces egress but no enforced ruleset takes it", () => {
    const summary = summaryOf({
      egress: "enforced",
      rulesets: [{ name: "a", scope: {}, egress: "open", rules: [] }],
    });
    expect(summary).toBe(
      "1 ruleset: 1 enforced; 0 rules; egress enforced in 0 rulesets; 0 services; 0 ipLists; dimensions app, env, role, loc",
    );
  });

  it("lists at most three egress-enforcing rulesets", () => {
    const rulesets = ["a", "b", "c", "d", "e"].map((name) => ({ name, scope: {}, rules: [] }));
    expect(summaryOf({ egress: "enforced", rulesets })).toContain(
      "egress enforced in 5 rulesets (a, b, c and 2 more)",
    );
  });
});
