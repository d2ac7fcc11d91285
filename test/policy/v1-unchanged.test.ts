/**
 * A policy without deny rules or egress means exactly what it meant before v2. v1-resolved.json
 * holds what the v1 resolver (before deny rules and egress existed) made of every example policy,
 * the test fixture policies and the fuzz campaign's policies; it was written once by that
 * resolver and must never be regenerated from the current one, or this test proves nothing.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPolicyFile, type PolicyLoadResult, resolvePolicyDocument } from "../../lib/policy/load.js";
import type { Policy, Rule, Ruleset } from "../../lib/policy/model.js";
import { generateCase } from "../fuzz/generate.js";
import { REPO_ROOT } from "./fixtures.js";

interface Resolved {
  readonly source: string;
  readonly policy: unknown;
}

const RESOLVED: readonly Resolved[] = JSON.parse(
  readFileSync(join(REPO_ROOT, "test", "policy", "v1-resolved.json"), "utf8"),
);

const GENERATED = /^generateCase\((\d+), \{ additive: (true|false) \}\)$/;

/** The policy that `source` names, loaded and resolved by the current code. */
async function load(source: string): Promise<PolicyLoadResult> {
  const generated = GENERATED.exec(source);
  if (generated) {
    const fuzzCase = generateCase(Number(generated[1]), { additive: generated[2] === "true" });
    return resolvePolicyDocument(fuzzCase.policy);
  }
  if (source.startsWith("test/fuzz/regressions/")) {
    const regression = JSON.parse(readFileSync(join(REPO_ROOT, source), "utf8"));
    return resolvePolicyDocument(regression.case.policy);
  }
  return loadPolicyFile(join(REPO_ROOT, source));
}

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
    expect(sources.filter((source) => GENERATED.test(source)).length).toBeGreaterThanOrEqual(16);
  });

  it.each(RESOLVED.map((entry) => [entry.source, entry] as const))("%s", async (_, entry) => {
    const result = await load(entry.source);
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
