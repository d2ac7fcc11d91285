import { describe, expect, it } from "vitest";
import { PolicyInvalidError, policyOrThrow } from "../../lib/policy/errors.js";
import { resolvePolicyDocument } from "../../lib/policy/load.js";
import { policyDocument } from "./documents.js";

describe("PolicyInvalidError", () => {
  const issues = [
    { path: "kind", message: 'expected "Policy", got "Estate"', line: 2, column: 7 },
    { path: "egress", message: 'only "open" is supported in v1', line: 3, column: 9 },
  ];

  it("carries the issues and lists them in its message", () => {
    const cause = new Error("underlying");
    const error = new PolicyInvalidError(issues, { fileName: "p.yaml", cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("PolicyInvalidError");
    expect(error.issues).toBe(issues);
    expect(error.cause).toBe(cause);
    expect(error.message).toBe(
      [
        "p.yaml: invalid policy (2 issues)",
        'p.yaml:2:7 kind: expected "Policy", got "Estate"',
        'p.yaml:3:9 egress: only "open" is supported in v1',
      ].join("\n"),
    );
  });

  it("is what policyOrThrow throws for an invalid result", () => {
    const invalid = resolvePolicyDocument(policyDocument({ egress: "closed" }));
    expect(() => policyOrThrow(invalid, "p.yaml")).toThrow(PolicyInvalidError);
    expect(() => policyOrThrow(invalid)).toThrow("policy: invalid policy (1 issue)\npolicy: egress:");
    const valid = resolvePolicyDocument(policyDocument());
    expect(policyOrThrow(valid).egress).toBe("open");
  });
});
