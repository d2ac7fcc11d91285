/**
 * `flows suggest` where the source's egress is enforced (docs/flows.md, "Suggesting rules"):
 * examples/policy-v2.yaml on examples/estate.yaml. What the source's egress would block gets a
 * rule: labels to labels for a workload (one rule admits both ends), `to: { ipList }` of the exact
 * addresses seen for an address outside the estate; the merged policy admits them all.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../lib/compile/compile.js";
import { FlowCheck } from "../../lib/flows/check.js";
import { type Suggestions, suggestRules } from "../../lib/flows/suggest.js";
import { mergeSuggestions, suggestionFragment } from "../../lib/flows/suggest-yaml.js";
import { FlowVerdicts } from "../../lib/flows/verdict.js";
import { loadPolicyText } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import { REPO_ROOT } from "../policy/fixtures.js";
import { ADDRESS, type Examples, examplesFor } from "./check-support.js";

const TEXT = readFileSync(join(REPO_ROOT, "examples", "policy-v2.yaml"), "utf8");

let ex: Examples;
let suggestions: Suggestions;
const observed: Parameters<Examples["resolved"]>[0][] = [
  // web may open api on tcp/8080 only: to the database its egress would block it.
  { initiatorAddress: ADDRESS.web, responderAddress: ADDRESS.db },
  // api may open payments-gateway on tcp/443 only: two other outside addresses, one on two services.
  { initiatorAddress: ADDRESS.api, responderAddress: "203.0.113.99", responderPort: 443 },
  { initiatorAddress: ADDRESS.api, responderAddress: "203.0.113.98", responderPort: 443 },
  { initiatorAddress: ADDRESS.api, responderAddress: "203.0.113.98", responderPort: 8443 },
  // Allowed at both ends: nothing to suggest.
  { initiatorAddress: ADDRESS.api, responderAddress: "198.51.100.7", responderPort: 443 },
];

beforeAll(async () => {
  const loaded = loadPolicyText(TEXT, "policy-v2.yaml");
  if (!loaded.ok) throw new Error("examples/policy-v2.yaml must load");
  ex = await examplesFor(() => loaded.policy as Policy);
  const check = new FlowCheck(ex.intent, ex.policy);
  for (const fields of observed) check.add(ex.resolved(fields));
  suggestions = suggestRules(ex.policy, check.report().groups);
});

describe("suggested rules for an egress-enforced source", () => {
  it("opens outside addresses from the source's identity, by a new ipList of the exact addresses", () => {
    expect(suggestions.notes).toEqual([]);
    expect(suggestions.ipLists).toEqual([
      { name: "observed-from-shop-prod-us-api", cidrs: ["203.0.113.98/32"] },
      { name: "observed-from-shop-prod-us-api-2", cidrs: ["203.0.113.99/32"] },
    ]);
    expect(suggestions.rules.map(({ evidence: _, ...rule }) => rule)).toEqual([
      {
        ruleset: "shop-prod",
        from: { loc: "us", role: "web" },
        extraScope: false,
        to: { loc: "us", role: "db" },
        services: ["tcp/5432"],
      },
      {
        ruleset: "shop-prod",
        from: { loc: "us", role: "api" },
        extraScope: false,
        to: { ipList: "observed-from-shop-prod-us-api" },
        services: ["tcp/443", "tcp/8443"],
      },
      {
        ruleset: "shop-prod",
        from: { loc: "us", role: "api" },
        extraScope: false,
        to: { ipList: "observed-from-shop-prod-us-api-2" },
        services: ["tcp/443"],
      },
    ]);
    expect(suggestionFragment(suggestions)).toContain("to: { ipList: observed-from-shop-prod-us-api }");
  });

  it("merged into the policy, admits every observed accepted connection at both ends", () => {
    const merged = loadPolicyText(mergeSuggestions(TEXT, "policy-v2.yaml", suggestions), "policy-v2.yaml");
    if (!merged.ok) throw new Error(merged.issues.map((issue) => issue.message).join("; "));
    const after = new FlowVerdicts(compile(merged.policy, ex.inventory), merged.policy);
    expect(observed.map((fields) => after.verdictOf(ex.resolved(fields)).kind)).toEqual([
      "allowed",
      "allowed",
      "allowed",
      "allowed",
      "allowed",
    ]);
  });
});
