/**
 * Until the clouds enforce egress, the compiler refuses a policy that enforces it rather than
 * compile it without it (docs/policy.md, "Deny rules and egress (v2)"); deny rules and rules to an
 * ipList compile.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../lib/compile/compile.js";
import { UnsupportedPolicyFeatureError } from "../../lib/compile/errors.js";
import { IncrementalCompiler } from "../../lib/compile/incremental.js";
import type { Inventory } from "../../lib/inventory/model.js";
import { loadPolicyFile, resolvePolicyDocument } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import { policyDocument } from "../policy/documents.js";
import { REPO_ROOT } from "../policy/fixtures.js";
import { AWS_VPC, workload } from "./fixtures.js";

const inventory: Inventory = {
  workloads: [
    workload("aws:111111111111:us-east-1:i-0a", { network: AWS_VPC, privateIp: "10.1.0.5" }, { app: "shop" }),
  ],
  networks: [],
};

function resolved(document: Record<string, unknown>): Policy {
  const result = resolvePolicyDocument(policyDocument(document));
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.policy;
}

function refusal(policy: Policy): UnsupportedPolicyFeatureError {
  try {
    compile(policy, inventory);
  } catch (error) {
    if (error instanceof UnsupportedPolicyFeatureError) return error;
    throw error;
  }
  throw new Error("compile accepted the policy");
}

const rule = { from: { role: "web" }, to: { role: "api" }, services: ["tcp/8080"] };
const ipLists = { gw: ["198.51.100.0/24"] };

describe("the compiler refuses what the clouds cannot enforce yet", () => {
  it("enforced egress, the ruleset's own or the policy's, naming the ruleset", () => {
    const own = refusal(resolved({ rulesets: [{ name: "a", scope: {}, egress: "enforced", rules: [] }] }));
    expect(own.message).toContain("ruleset a enforces egress");
    const inherited = refusal(
      resolved({ egress: "enforced", rulesets: [{ name: "b", scope: {}, rules: [] }] }),
    );
    expect(inherited.message).toContain("ruleset b enforces egress");
  });

  it("in IncrementalCompiler.build as in compile", () => {
    const policy = resolved({ rulesets: [{ name: "a", scope: {}, egress: "enforced", rules: [] }] });
    expect(() => IncrementalCompiler.build(policy, inventory)).toThrow(UnsupportedPolicyFeatureError);
  });

  it("only enforced egress in examples/policy-v2.yaml", async () => {
    const loaded = await loadPolicyFile(`${REPO_ROOT}/examples/policy-v2.yaml`);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    expect(refusal(loaded.policy).features.map((feature) => feature.description)).toEqual([
      "ruleset shop-prod enforces egress",
    ]);
  });
});

describe("the compiler compiles", () => {
  it("deny rules, of enforced and visibility rulesets", () => {
    const visibility = { name: "v", scope: {}, enforcement: "visibility", rules: [], deny: [rule] };
    const policy = resolved({
      rulesets: [{ name: "shop", scope: { app: "shop" }, rules: [rule], deny: [rule] }, visibility],
    });
    expect(compile(policy, inventory).destinations.length).toBeGreaterThan(0);
  });

  it("a rule to an ipList, with a finding that it changes nothing while egress is open", () => {
    const toGateway = { from: { app: "shop" }, to: { ipList: "gw" }, services: ["tcp/443"] };
    const policy = resolved({
      ipLists,
      rulesets: [{ name: "shop", scope: { app: "shop" }, rules: [toGateway] }],
    });
    expect(compile(policy, inventory).findings).toContainEqual(
      expect.objectContaining({ code: "egress-rule-without-effect", subject: "shop#0" }),
    );
  });

  it("egress: open said explicitly, and egress: enforced where it has no effect (visibility)", () => {
    const policy = resolved({
      egress: "open",
      rulesets: [
        { name: "a", scope: { app: "shop" }, egress: "open", rules: [rule] },
        { name: "b", scope: {}, enforcement: "visibility", egress: "enforced", rules: [] },
      ],
    });
    expect(compile(policy, inventory).destinations.length).toBeGreaterThan(0);
  });
});
