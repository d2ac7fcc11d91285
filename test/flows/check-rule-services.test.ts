/**
 * The rule a verdict names admits the connection's service (docs/flows.md, "Checking flows"): a
 * grant merges every rule from one source to one destination, with the union of their services,
 * so the first of its rules in policy order may be one whose own services do not admit it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { FlowVerdicts } from "../../lib/flows/verdict.js";
import { loadPolicyText } from "../../lib/policy/load.js";
import { ADDRESS, type Examples, examplesFor } from "./check-support.js";
import { withAdmin } from "./rule-services-support.js";

async function examplesWith(path: string): Promise<Examples> {
  const loaded = loadPolicyText(withAdmin(path), path);
  if (!loaded.ok) throw new Error(`${path} with the admin ruleset must load`);
  return examplesFor(() => loaded.policy);
}

describe("the rule a verdict names", () => {
  let v1: Examples;
  let v2: Examples;
  beforeAll(async () => {
    v1 = await examplesWith("policy.yaml");
    v2 = await examplesWith("policy-v2.yaml");
  });

  const web = (ex: Examples, port: number) =>
    new FlowVerdicts(ex.intent, ex.policy).verdictOf(
      ex.resolved({ initiatorAddress: ADDRESS.web, responderAddress: ADDRESS.api, responderPort: port }),
    );

  it("is a rule whose services admit the connection, not the grant's first rule", () => {
    expect(web(v1, 8080)).toEqual({ kind: "allowed", rule: "shop-prod#0", onceEnforced: false });
    expect(web(v1, 22)).toEqual({ kind: "allowed", rule: "admin#0", onceEnforced: false });
  });

  it("is so where the source's egress decides", () => {
    expect(web(v2, 8080)).toMatchObject({ kind: "allowed", rule: "shop-prod#0", end: "destination" });
    const toGateway = (port: number) =>
      new FlowVerdicts(v2.intent, v2.policy).verdictOf(
        v2.resolved({ initiatorAddress: ADDRESS.api, responderAddress: "198.51.100.7", responderPort: port }),
      );
    expect(toGateway(443)).toEqual({
      kind: "allowed",
      rule: "shop-prod#3",
      onceEnforced: false,
      end: "source",
    });
    expect(toGateway(22)).toEqual({ kind: "allowed", rule: "admin#1", onceEnforced: false, end: "source" });
  });
});
