import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type CheckGroup, FlowCheck } from "../../lib/flows/check.js";
import { type Suggestions, suggestRules } from "../../lib/flows/suggest.js";
import { mergeSuggestions, suggestionFragment } from "../../lib/flows/suggest-yaml.js";
import { loadPolicyText } from "../../lib/policy/load.js";
import { REPO_ROOT } from "../policy/fixtures.js";
import { ADDRESS, DB, type Examples, examplesFor } from "./check-support.js";

const POLICY_YAML = readFileSync(join(REPO_ROOT, "examples", "policy.yaml"), "utf8");
const POLICY_JSON = readFileSync(join(REPO_ROOT, "examples", "policy.json"), "utf8");

/** Whether every line of `original` is in `merged`, in order: nothing of the user's text is lost or moved. */
function keepsEveryLine(original: string, merged: string): boolean {
  const lines = merged.split("\n");
  let at = 0;
  for (const line of original.split("\n")) {
    at = lines.indexOf(line, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}

describe("suggested rules (suggestRules)", () => {
  let ex: Examples;
  let groups: readonly CheckGroup[];
  let suggestions: Suggestions;
  beforeAll(async () => {
    ex = await examplesFor();
    const check = new FlowCheck(ex.intent);
    const seen = (fields: Parameters<Examples["resolved"]>[0]) => check.add(ex.resolved(fields));
    // Two web workloads to the database, on two services the policy does not allow.
    seen({ initiatorAddress: ADDRESS.web, responderAddress: ADDRESS.db, first: 1_000, last: 2_000 });
    seen({
      initiatorAddress: ADDRESS.web2,
      responderAddress: ADDRESS.db,
      responderPort: 22,
      first: 5_000,
      last: 9_000,
    });
    // A workload out of the scope (blog) to the database.
    seen({ initiatorAddress: ADDRESS.blogWeb, responderAddress: ADDRESS.db });
    // Outside addresses to the web tier: two on tcp/8443, one on tcp/8443 and tcp/9000.
    for (const address of ["198.51.100.8", "198.51.100.7", "198.51.100.9"])
      seen({ initiatorAddress: address, responderAddress: ADDRESS.web, responderPort: 8443 });
    seen({ initiatorAddress: "198.51.100.9", responderAddress: ADDRESS.web, responderPort: 9000 });
    // Not for suggestions: allowed, rejected.
    seen({ initiatorAddress: ADDRESS.api, responderAddress: ADDRESS.db });
    seen({
      initiatorAddress: ADDRESS.prometheus,
      responderAddress: ADDRESS.db,
      action: "reject",
      responderPort: 1,
    });
    groups = check.report().groups;
    suggestions = suggestRules(ex.policy, groups);
  });

  it("one rule per identity pair, its services merged, inside the scope both share", () => {
    expect(suggestions.rules[0]).toEqual({
      ruleset: "shop-prod",
      from: { loc: "us", role: "web" },
      extraScope: false,
      to: { loc: "us", role: "db" },
      services: ["tcp/22", "tcp/5432"],
      evidence: {
        connections: 2,
        firstSeen: "1970-01-01T00:00:01.000Z",
        lastSeen: "1970-01-01T00:00:09.000Z",
      },
    });
  });

  it("extraScope from a source out of the scope, into the destination's ruleset", () => {
    expect(suggestions.rules[1]).toMatchObject({
      ruleset: "shop-prod",
      from: { app: "blog", env: "prod", loc: "us", role: "web" },
      extraScope: true,
      to: { loc: "us", role: "db" },
      services: ["tcp/5432"],
    });
  });

  it("outside addresses in exact ipLists, one per destination identity and service set", () => {
    expect(suggestions.ipLists).toEqual([
      { name: "observed-shop-prod-us-web", cidrs: ["198.51.100.7/32", "198.51.100.8/32"] },
      { name: "observed-shop-prod-us-web-2", cidrs: ["198.51.100.9/32"] },
    ]);
    expect(
      suggestions.rules.slice(2).map((rule) => [rule.from, rule.services, rule.evidence.connections]),
    ).toEqual([
      [{ ipList: "observed-shop-prod-us-web" }, ["tcp/8443"], 2],
      [{ ipList: "observed-shop-prod-us-web-2" }, ["tcp/8443", "tcp/9000"], 2],
    ]);
    expect(suggestions.rules).toHaveLength(4);
    expect(suggestions.notes).toEqual([]);
  });

  it("says why no rule is suggested for an unlabelled source or a protocol no service names", () => {
    const template = groups.find((group) => group.service === "tcp/5432" && group.wouldBlock);
    if (template === undefined) throw new Error("no group");
    const unlabelled = {
      ...template,
      source: { kind: "workload" as const, workload: "aws:x:y:i-1", identity: "" },
    };
    const gre = { ...template, service: "ip/47" };
    expect(suggestRules(ex.policy, [unlabelled, gre])).toEqual({
      rules: [],
      ipLists: [],
      rulesets: [],
      notes: [
        `aws:x:y:i-1 → ${DB} tcp/5432: the source has no segsync labels; label it to suggest a rule`,
        `${template.source.kind === "workload" ? template.source.workload : ""} → ${DB} ip/47: no service names ip/47 but all; no rule suggested`,
      ],
    });
  });

  it("merged into the YAML policy: every line of it kept, valid, the evidence a comment above each rule", () => {
    const merged = mergeSuggestions(POLICY_YAML, "policy.yaml", suggestions);
    expect(keepsEveryLine(POLICY_YAML, merged)).toBe(true);
    expect(loadPolicyText(merged, "policy.yaml")).toMatchObject({ ok: true });
    expect(merged).toContain(
      [
        "        services: [tcp/9100]",
        "      # observed: 2 connections, first 1970-01-01T00:00:01.000Z, last 1970-01-01T00:00:09.000Z",
        "      - from: { loc: us, role: web }",
        "        to: { loc: us, role: db }",
        "        services: [tcp/22, tcp/5432]",
      ].join("\n"),
    );
    expect(merged).toContain(
      "  corp-vpn: [10.8.0.0/16, 192.168.50.0/24]\n  observed-shop-prod-us-web: [198.51.100.7/32, 198.51.100.8/32]\n",
    );
  });

  it("merged into the JSON policy: valid JSON and policy, the evidence a description", () => {
    const merged = mergeSuggestions(POLICY_JSON, "policy.json", suggestions);
    const loaded = loadPolicyText(merged, "policy.json");
    expect(loaded).toMatchObject({ ok: true });
    expect(JSON.parse(merged).rulesets[0].rules[4]).toEqual({
      from: { loc: "us", role: "web" },
      to: { loc: "us", role: "db" },
      services: ["tcp/22", "tcp/5432"],
      description: "observed: 2 connections, first 1970-01-01T00:00:01.000Z, last 1970-01-01T00:00:09.000Z",
    });
  });

  it("a one-line empty rules list becomes a block; ipLists are added when the policy has none; values YAML would misread are quoted", () => {
    const policy = [
      "apiVersion: segsync/v1",
      "kind: Policy",
      "labels: { dimensions: [app, env] }",
      "rulesets:",
      "  - name: y2024",
      '    scope: { env: "2024" }',
      "    rules: [] # nothing yet",
      "",
    ].join("\n");
    const rule = {
      ruleset: "y2024",
      from: { ipList: "observed-2024" },
      extraScope: false,
      to: { app: "true" },
      services: ["tcp/22"],
      evidence: { connections: 1, firstSeen: "a", lastSeen: "b" },
    };
    const merged = mergeSuggestions(policy, "p.yaml", {
      rules: [rule],
      ipLists: [{ name: "observed-2024", cidrs: ["2001:db8::1/128"] }],
      rulesets: [],
      notes: [],
    });
    expect(loadPolicyText(merged, "p.yaml")).toMatchObject({ ok: true });
    expect(merged).toBe(
      [
        "apiVersion: segsync/v1",
        "kind: Policy",
        "labels: { dimensions: [app, env] }",
        "ipLists:",
        "  observed-2024: [2001:db8::1/128]",
        "rulesets:",
        "  - name: y2024",
        '    scope: { env: "2024" }',
        "    rules: # nothing yet",
        "      # observed: 1 connection, first a, last b",
        "      - from: { ipList: observed-2024 }",
        '        to: { app: "true" }',
        "        services: [tcp/22]",
        "",
      ].join("\n"),
    );
  });

  it("the fragment: only the new ipLists and rules", () => {
    const fragment = suggestionFragment({ ...suggestions, rules: suggestions.rules.slice(1, 3) });
    expect(fragment).toBe(
      [
        "ipLists:",
        "  observed-shop-prod-us-web: [198.51.100.7/32, 198.51.100.8/32]",
        "  observed-shop-prod-us-web-2: [198.51.100.9/32]",
        "rulesets:",
        "  - name: shop-prod",
        "    rules:",
        "      # observed: 1 connection, first 1970-01-01T00:00:01.000Z, last 1970-01-01T00:00:02.000Z",
        "      - from: { app: blog, env: prod, loc: us, role: web }",
        "        extraScope: true",
        "        to: { loc: us, role: db }",
        "        services: [tcp/5432]",
        "      # observed: 2 connections, first 1970-01-01T00:00:01.000Z, last 1970-01-01T00:00:02.000Z",
        "      - from: { ipList: observed-shop-prod-us-web }",
        "        to: { loc: us, role: web }",
        "        services: [tcp/8443]",
        "",
      ].join("\n"),
    );
  });
});

describe("merging into a one-line ipLists map", () => {
  it("adds the new ipLists inside it, on its line", () => {
    const policy = [
      "apiVersion: segsync/v1",
      "kind: Policy",
      "ipLists: { corp: [10.8.0.0/16] } # the office",
      "rulesets: []",
      "",
    ].join("\n");
    const merged = mergeSuggestions(policy, "p.yaml", {
      rules: [],
      ipLists: [{ name: "observed-web", cidrs: ["198.51.100.7/32"] }],
      rulesets: [],
      notes: [],
    });
    expect(merged.split("\n")[2]).toBe(
      "ipLists: { corp: [10.8.0.0/16], observed-web: [198.51.100.7/32] } # the office",
    );
    expect(loadPolicyText(merged, "p.yaml")).toMatchObject({ ok: true });
  });
});
