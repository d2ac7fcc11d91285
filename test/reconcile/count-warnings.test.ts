import { describe, expect, it } from "vitest";
import { countWarnings } from "../../lib/reconcile/render.js";

const part = (codes: string[]) => ({
  cloud: "aws" as const,
  operations: [],
  summaries: [],
  findings: codes.map((code) => ({ code, severity: "warning" as const, subject: "aws", message: code })),
  removedRules: 0,
  ownedRules: 0,
  narrowing: [],
  places: [],
  ownedRulesByPlace: {},
});

describe("the warnings plan --fail-on-warning counts", () => {
  it("leaves out the note on connections a narrowing leaves open", () => {
    expect(countWarnings({ aws: part(["tracked-connections"]) }, [])).toBe(0);
  });

  it("counts every other warning, the clouds' and the compiler's", () => {
    const compiler = [
      { code: "unreachable-source" as const, severity: "warning" as const, subject: "x", message: "x" },
    ];
    expect(countWarnings({ aws: part(["tracked-connections", "aws-quota"]) }, compiler)).toBe(2);
  });
});
