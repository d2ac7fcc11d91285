import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.js";

describe("plan --json", () => {
  it("prints the totals, each cloud's operations and findings, the compiler's findings and the guard", async () => {
    let out = "";
    const io = {
      out: (text: string) => {
        out += text;
      },
      err: () => {},
    };
    const code = await main(
      [
        "node",
        "segsync",
        "plan",
        "--policy",
        "examples/policy.yaml",
        "--estate",
        "examples/estate.yaml",
        "--json",
      ],
      io,
    );
    expect(code).toBe(2);
    const plan = JSON.parse(out) as {
      totals: { operations: number; create: number; update: number; delete: number };
      clouds: Record<string, { operations: { action: string }[]; findings: { code: string }[] }>;
      findings: { code: string }[];
      warnings: number;
      guard: { allowed: boolean; removedRules: number; ownedRules: number };
      failures: object;
    };
    const operations = Object.values(plan.clouds).flatMap((cloud) => cloud.operations);
    expect(plan.totals.operations).toBe(operations.length);
    expect(plan.totals.create + plan.totals.update + plan.totals.delete).toBe(operations.length);
    expect(Object.keys(plan.clouds).sort()).toEqual(["aws", "azure", "gcp"]);
    expect(plan.findings.map((f) => f.code)).toContain("unreachable-source");
    expect(plan.warnings).toBeGreaterThanOrEqual(plan.findings.length);
    expect(plan.guard).toMatchObject({ allowed: true, removedRules: 0 });
    expect(plan.failures).toEqual({});
  });
});
