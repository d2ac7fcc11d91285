/**
 * `flows suggest` to a destination no ruleset's scope holds (docs/flows.md, "Suggesting rules"):
 * examples/policy-v2.yaml on examples/estate.yaml, where prometheus-1 (monitoring, prod) is in no
 * scope and shop's egress is enforced. No existing ruleset can name it in a rule's `to`, so the
 * rule goes into a new visibility ruleset scoped to its labels, which writes nothing at it and
 * opens the shop source's egress; merged, the policy admits the connection.
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
const SCOPE = "{ app: monitoring, env: prod, role: prometheus }";
/** Why the ruleset is new, the comment above it. */
const WHY = [
  "# no ruleset's scope holds monitoring,prod,prometheus workloads yet:",
  "# observed-monitoring-prod-prometheus is new, in visibility, so it writes nothing at them; its",
  "# rules open the egress of the sources they name",
];

let ex: Examples;
let suggestions: Suggestions;
const observed: Parameters<Examples["resolved"]>[0][] = [
  // shop's web and api scrape nothing, but were seen opening prometheus: their egress would block it.
  { initiatorAddress: ADDRESS.web, responderAddress: ADDRESS.prometheus, responderPort: 9090 },
  { initiatorAddress: ADDRESS.api, responderAddress: ADDRESS.prometheus, responderPort: 9090 },
  { initiatorAddress: ADDRESS.api, responderAddress: ADDRESS.prometheus, responderPort: 9091 },
];

beforeAll(async () => {
  const loaded = loadPolicyText(TEXT, "policy-v2.yaml");
  if (!loaded.ok) throw new Error("examples/policy-v2.yaml must load");
  ex = await examplesFor(() => loaded.policy as Policy);
  const check = new FlowCheck(ex.intent, ex.policy);
  for (const fields of observed) check.add(ex.resolved(fields));
  suggestions = suggestRules(ex.policy, check.report().groups);
});

describe("suggested rules to a destination no ruleset's scope holds", () => {
  it("go into one new visibility ruleset scoped to the destination's labels, and say why", () => {
    expect(suggestions.rulesets).toEqual([
      {
        name: "observed-monitoring-prod-prometheus",
        scope: { app: "monitoring", env: "prod", role: "prometheus" },
      },
    ]);
    expect(suggestions.rules.map(({ evidence: _, ...rule }) => rule)).toEqual([
      {
        ruleset: "observed-monitoring-prod-prometheus",
        from: { app: "shop", env: "prod", loc: "us", role: "web" },
        extraScope: true,
        to: {},
        services: ["tcp/9090"],
      },
      {
        ruleset: "observed-monitoring-prod-prometheus",
        from: { app: "shop", env: "prod", loc: "us", role: "api" },
        extraScope: true,
        to: {},
        services: ["tcp/9090", "tcp/9091"],
      },
    ]);
    expect(suggestions.notes).toEqual([
      "no ruleset's scope holds monitoring,prod,prometheus workloads yet: observed-monitoring-prod-prometheus is new, in visibility, so it writes nothing at them; its rules open the egress of the sources they name",
    ]);
  });

  it("merged at the end of rulesets, the policy validates and admits every observed connection at both ends", () => {
    const text = mergeSuggestions(TEXT, "policy-v2.yaml", suggestions);
    expect(text.startsWith(TEXT)).toBe(true);
    const added = text.slice(TEXT.length).split("\n");
    expect(added.slice(0, 11)).toEqual([
      ...WHY.map((line) => `  ${line}`),
      "  - name: observed-monitoring-prod-prometheus",
      `    scope: ${SCOPE}`,
      "    enforcement: visibility",
      "    rules:",
      expect.stringMatching(/^ {6}# observed: 1 connection, first /),
      "      - from: { app: shop, env: prod, loc: us, role: web }",
      "        extraScope: true",
      "        to: {}",
    ]);
    const merged = loadPolicyText(text, "policy-v2.yaml");
    if (!merged.ok) throw new Error(merged.issues.map((issue) => issue.message).join("; "));
    const after = new FlowVerdicts(compile(merged.policy, ex.inventory), merged.policy);
    expect(observed.map((fields) => after.verdictOf(ex.resolved(fields)))).toEqual([
      {
        kind: "allowed",
        rule: "observed-monitoring-prod-prometheus#0",
        onceEnforced: true,
        end: "destination",
      },
      {
        kind: "allowed",
        rule: "observed-monitoring-prod-prometheus#1",
        onceEnforced: true,
        end: "destination",
      },
      {
        kind: "allowed",
        rule: "observed-monitoring-prod-prometheus#1",
        onceEnforced: true,
        end: "destination",
      },
    ]);
  });

  it("after the last ruleset's rules when the policy ends with them, and in JSON and the fragment", () => {
    const tail =
      "rulesets:\n  - name: shop-prod\n    scope: { app: shop, env: prod }\n    egress: enforced\n    rules:\n      - from: { role: web }\n        to: { role: api }\n        services: [tcp/8080]\n";
    const head = TEXT.slice(0, TEXT.indexOf("rulesets:"));
    const short = loadPolicyText(head + tail, "short.yaml");
    if (!short.ok) throw new Error(short.issues.map((issue) => issue.message).join("; "));
    const extra = { ...suggestions.rules[0], ruleset: "shop-prod" } as (typeof suggestions.rules)[number];
    const both = { ...suggestions, rules: [extra, ...suggestions.rules] };
    const text = mergeSuggestions(head + tail, "short.yaml", both);
    const lines = text.slice(head.length + tail.length).split("\n");
    expect(lines[1]).toBe("      - from: { app: shop, env: prod, loc: us, role: web }");
    expect(lines[5]).toBe(`  ${WHY[0]}`);
    expect(lines[8]).toBe("  - name: observed-monitoring-prod-prometheus");
    expect(loadPolicyText(text, "short.yaml").ok).toBe(true);
    const json = JSON.parse(mergeSuggestions(JSON.stringify({ rulesets: [] }), "p.json", suggestions));
    expect(json.rulesets).toEqual([
      {
        name: "observed-monitoring-prod-prometheus",
        scope: { app: "monitoring", env: "prod", role: "prometheus" },
        enforcement: "visibility",
        rules: [expect.objectContaining({ extraScope: true, to: {} }), expect.objectContaining({ to: {} })],
      },
    ]);
    expect(suggestionFragment(suggestions)).toContain(
      [
        "rulesets:",
        ...WHY.map((line) => `  ${line}`),
        "  - name: observed-monitoring-prod-prometheus",
        `    scope: ${SCOPE}`,
        "    enforcement: visibility",
        "    rules:",
        "",
      ].join("\n"),
    );
  });
});
