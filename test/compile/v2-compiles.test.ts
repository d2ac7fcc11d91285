/**
 * Every v2 feature compiles (docs/policy.md, "Deny rules and egress (v2)"): deny rules, rules to an
 * ipList, and enforced egress, which gives the egress-enforced identities an egress table.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../lib/compile/compile.js";
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

function egressKeys(policy: Policy): string[] {
  return (compile(policy, inventory).egress ?? []).map((entry) => entry.key);
}

const rule = { from: { role: "web" }, to: { role: "api" }, services: ["tcp/8080"] };
const ipLists = { gw: ["198.51.100.0/24"] };

describe("enforced egress compiles", () => {
  it("from the ruleset's own egress or the policy's, an egress table per enforced identity and network", () => {
    const own = resolved({ rulesets: [{ name: "a", scope: {}, egress: "enforced", rules: [] }] });
    const inherited = resolved({ egress: "enforced", rulesets: [{ name: "b", scope: {}, rules: [] }] });
    expect(egressKeys(own)).toHaveLength(1);
    expect(egressKeys(inherited)).toHaveLength(1);
  });

  it("the same in IncrementalCompiler.build as in compile", () => {
    const policy = resolved({ rulesets: [{ name: "a", scope: {}, egress: "enforced", rules: [] }] });
    expect(IncrementalCompiler.build(policy, inventory).snapshot()).toEqual(compile(policy, inventory));
  });

  it("not where egress is open or the ruleset only watches", () => {
    const visibility = { name: "v", scope: {}, enforcement: "visibility", egress: "enforced", rules: [] };
    expect(compile(resolved({ rulesets: [visibility] }), inventory).egress).toBeUndefined();
    expect(
      compile(resolved({ rulesets: [{ name: "o", scope: {}, rules: [rule] }] }), inventory).egress,
    ).toBeUndefined();
  });

  it("examples/policy-v2.yaml: the shop's egress, nothing for dev's boundaries", async () => {
    const loaded = await loadPolicyFile(`${REPO_ROOT}/examples/policy-v2.yaml`);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const shop = workload(
      "aws:111111111111:us-east-1:i-0b",
      { network: AWS_VPC, privateIp: "10.1.0.6" },
      { app: "shop", env: "prod", role: "api" },
    );
    const dev = workload(
      "aws:111111111111:us-east-1:i-0c",
      { network: AWS_VPC, privateIp: "10.1.0.7" },
      { app: "shop", env: "dev", role: "api" },
    );
    const intent = compile(loaded.policy, { workloads: [shop, dev], networks: [] });
    expect(
      (intent.egress ?? []).map((entry) => [entry.identity, entry.members.map((member) => member.workload)]),
    ).toEqual([["app=shop,env=prod,role=api", [shop.id]]]);
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
