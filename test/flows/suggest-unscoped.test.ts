/**
 * `flows suggest` to a destination no ruleset's scope holds (docs/flows.md, "Suggesting rules"):
 * examples/policy-v2.yaml on examples/estate.yaml, where prometheus-1 (monitoring, prod) is in no
 * scope and shop's egress is enforced. No existing ruleset can name it in a rule's `to`, so the
 * rule goes into a new visibility ruleset scoped to its labels, which writes nothing at it and
 * opens the shop source's egress; merged, the policy admits the connection.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { compile } from "../../lib/compile/compile.js";
import { FlowCheck } from "../../lib/flows/check.js";
import { inventoryResolver, resolveConnection } from "../../lib/flows/resolve.js";
import { type Suggestions, suggestRules } from "../../lib/flows/suggest.js";
import { mergeSuggestions, suggestionFragment } from "../../lib/flows/suggest-yaml.js";
import { FlowVerdicts } from "../../lib/flows/verdict.js";
import type { Inventory } from "../../lib/inventory/model.js";
import { loadPolicyText } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import { REPO_ROOT } from "../policy/fixtures.js";
import { ADDRESS, type Examples, examplesFor } from "./check-support.js";
import { connection, VPC_A } from "./resolve-support.js";

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
    expect(suggestions.notes).toEqual([]);
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

/**
 * As a property: egress-enforced sources (app a, in the one ruleset, whose rules are random)
 * open workloads that no scope holds (app b) and each other, accepted or rejected (never both for
 * one identity pair and service), and so do app b's, whose egress is open; the merged policy is
 * valid, admits every accepted connection (the new ruleset's workloads are checked as if
 * enforced: its rules admit what b's own sources were seen opening too) and still denies every
 * rejected one it denied.
 */
describe("suggestions to destinations no ruleset's scope holds, as a property", () => {
  const ROLES = ["x", "y", "z"];
  const SERVICES = [
    { text: "tcp/22", port: 22 },
    { text: "tcp/443", port: 443 },
  ] as const;
  const scenario = fc.record({
    workloads: fc.array(fc.record({ app: fc.constantFrom("a", "b"), role: fc.constantFrom(...ROLES) }), {
      minLength: 2,
      maxLength: 8,
    }),
    rules: fc.array(
      fc.record({
        from: fc.record({ role: fc.constantFrom(...ROLES) }),
        to: fc.record({ role: fc.constantFrom(...ROLES) }),
        services: fc.constant([SERVICES[0].text]),
      }),
      { maxLength: 3 },
    ),
    flows: fc.array(
      fc.record({
        from: fc.nat(7),
        to: fc.nat(7),
        service: fc.constantFrom(...SERVICES),
        accepted: fc.boolean(),
      }),
      { minLength: 4, maxLength: 20 },
    ),
  });

  it("the merged policy admits every accepted connection and denies the rejected ones it denied", () => {
    let created = 0;
    fc.assert(
      fc.property(scenario, (input) => {
        const text = stringify({
          apiVersion: "segsync/v1",
          kind: "Policy",
          labels: { tagPrefix: "seg-", dimensions: ["app", "role"] },
          rulesets: [{ name: "a", scope: { app: "a" }, egress: "enforced", rules: input.rules }],
        });
        const policy = loadOk(text);
        const inventory: Inventory = {
          networks: [{ id: VPC_A }],
          workloads: input.workloads.map((each, n) => ({
            id: `aws:111111111111:us-east-1:i-${n.toString(16).padStart(8, "0")}`,
            state: "running" as const,
            tags: { "seg-app": each.app, "seg-role": each.role },
            nics: [{ network: VPC_A, privateIp: `10.0.0.${n + 1}` }],
          })),
        };
        const count = input.workloads.length;
        const identity = (n: number) => JSON.stringify(input.workloads[n]);
        const flows = input.flows.filter(
          (flow) => flow.from < count && flow.to < count && flow.from !== flow.to,
        );
        const key = (flow: (typeof flows)[number]) =>
          `${identity(flow.from)} ${identity(flow.to)} ${flow.service.text}`;
        const accepted = new Set(flows.filter((flow) => flow.accepted).map(key));
        const resolver = inventoryResolver(inventory, policy);
        const connections = flows
          .filter((flow) => flow.accepted || !accepted.has(key(flow)))
          .map((flow) =>
            resolveConnection(
              connection({
                initiatorAddress: `10.0.0.${flow.from + 1}`,
                responderAddress: `10.0.0.${flow.to + 1}`,
                responderPort: flow.service.port,
                action: flow.accepted ? "accept" : "reject",
              }),
              resolver,
            ),
          );
        const before = new FlowVerdicts(compile(policy, inventory));
        const check = new FlowCheck(compile(policy, inventory));
        for (const each of connections) check.add(each);
        const suggested = suggestRules(policy, check.report().groups);
        expect(suggested.notes).toEqual([]);
        created += suggested.rulesets.length;
        const merged = loadOk(mergeSuggestions(text, "policy.yaml", suggested));
        const after = new FlowVerdicts(compile(merged, inventory));
        for (const each of connections) {
          const verdict = after.verdictOf(each).kind;
          if (each.action === "accept") expect(verdict).not.toBe("denied");
          else if (before.verdictOf(each).kind === "denied") expect(verdict).toBe("denied");
        }
      }),
      { numRuns: 200 },
    );
    // New rulesets were made, not only rules in the one there was.
    expect(created).toBeGreaterThan(25);
  });
});

function loadOk(text: string): Policy {
  const result = loadPolicyText(text, "policy.yaml");
  if (!result.ok)
    throw new Error(`not valid: ${result.issues.map((issue) => issue.message).join("; ")}\n${text}`);
  return result.policy;
}
