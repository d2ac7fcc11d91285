/**
 * A policy without deny rules or egress means exactly what it meant before v2. v1-resolved.json
 * holds documents (every example policy, the test fixture policies, the fuzz regressions' and
 * generated policies, as they were at commit c22c3ca) with what the v1 resolver of that commit
 * made of each. It was written once by that resolver and must never be regenerated from the
 * current one, or this test proves nothing; the documents are kept, so that a later edit of an
 * example or of the fuzz generator does not change what is compared.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolvePolicyDocument } from "../../lib/policy/load.js";
import type { Policy, Rule, Ruleset } from "../../lib/policy/model.js";
import { REPO_ROOT } from "./fixtures.js";

interface Resolved {
  readonly source: string;
  readonly document: unknown;
  readonly policy: unknown;
}

const RESOLVED: readonly Resolved[] = JSON.parse(
  readFileSync(join(REPO_ROOT, "test", "policy", "v1-resolved.json"), "utf8"),
);

function v1Rule(rule: Rule) {
  if (rule.to.kind !== "labels")
    throw new Error(`${rule.id}: a v1 rule goes to labels, not ipList ${rule.to.name}`);
  const { id, ruleset, index, from, services } = rule;
  return { id, ruleset, index, from, to: rule.to.selector, services };
}

function v1Ruleset(ruleset: Ruleset) {
  const { name, scope, enforcement, rules } = ruleset;
  return { name, scope, enforcement, rules: rules.map(v1Rule) };
}

/** The fields a v1 resolved policy had, in the shape it had them. */
function v1Fields(policy: Policy) {
  return { ...policy, rulesets: policy.rulesets.map(v1Ruleset) };
}

describe("a v1 policy resolves as before v2", () => {
  it("covers the examples, the fixtures, the regressions and generated policies", () => {
    const sources = RESOLVED.map((entry) => entry.source);
    expect(sources).toEqual(expect.arrayContaining(["examples/policy.yaml", "examples/policy.json"]));
    expect(sources).toContain("test/fixtures/graph/policy.yaml");
    expect(sources.filter((source) => source.startsWith("test/fuzz/regressions/")).length).toBeGreaterThan(0);
    expect(sources.filter((source) => source.startsWith("generateCase(")).length).toBeGreaterThanOrEqual(16);
  });

  it.each(RESOLVED.map((entry) => [entry.source, entry] as const))("%s", (_, entry) => {
    const result = resolvePolicyDocument(entry.document);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(v1Fields(result.policy)).toEqual(entry.policy);
    expect(result.warnings).toEqual([]);
    for (const ruleset of result.policy.rulesets) {
      expect(ruleset.deny).toEqual([]);
      expect(ruleset.egress).toBe("open");
      expect(ruleset.rules.every((rule) => rule.action === "allow")).toBe(true);
    }
  });
});
