/**
 * Suggestions as a property (docs/flows.md, "Suggesting rules"): on random estates, policies and
 * observed connections, the policy with the suggestions merged is valid, admits every observed
 * accepted connection, and admits no observed rejected connection that the original denied.
 * Workloads carry every dimension, so that a selector of an identity's labels is that identity,
 * and no identity pair (or outside address and identity) is seen both accepted and rejected on
 * one service: no set of label rules could tell those apart. Rulesets enforce ingress or also
 * egress (v2), and connections go to workloads or outside addresses: the property holds in both
 * directions of enforcement. Where some egress is enforced, a last ruleset in visibility scopes
 * every workload, so that a rule can name any destination (a rule's `to` is in its scope).
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import { stringify } from "yaml";
import { compile } from "../../lib/compile/compile.js";
import { FlowCheck } from "../../lib/flows/check.js";
import { inventoryResolver, type ResolvedConnection, resolveConnection } from "../../lib/flows/resolve.js";
import { suggestRules } from "../../lib/flows/suggest.js";
import { mergeSuggestions } from "../../lib/flows/suggest-yaml.js";
import { FlowVerdicts } from "../../lib/flows/verdict.js";
import type { Inventory } from "../../lib/inventory/model.js";
import { loadPolicyText } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import { connection, VPC_A } from "./resolve-support.js";

const APPS = ["a", "b"];
const ROLES = ["x", "y", "z"];
const SERVICES = [
  { text: "tcp/22", protocol: 6, port: 22 },
  { text: "tcp/443", protocol: 6, port: 443 },
  { text: "udp/53", protocol: 17, port: 53 },
  { text: "tcp/8080", protocol: 6, port: 8080 },
] as const;
const KNOWN = "198.51.100.0/28";

const labels = fc.record({ app: fc.constantFrom(...APPS), role: fc.constantFrom(...ROLES) });
const ruleServices = fc.uniqueArray(fc.constantFrom(...SERVICES.slice(0, 3).map((s) => s.text)), {
  minLength: 1,
  maxLength: 2,
});
const toLabels = fc.record({ role: fc.constantFrom(...ROLES) }, { requiredKeys: [] });
const rule = fc.oneof(
  fc.record({
    from: fc.oneof(
      fc.record({ role: fc.constantFrom(...ROLES) }),
      labels,
      fc.constant({ ipList: "known" } as Record<string, string>),
    ),
    to: toLabels as fc.Arbitrary<Record<string, string>>,
    services: ruleServices,
  }),
  // Egress to outside addresses: the source's side only.
  fc.record({
    from: fc.oneof(fc.record({ role: fc.constantFrom(...ROLES) }), labels),
    to: fc.constant({ ipList: "known" } as Record<string, string>),
    services: ruleServices,
  }),
);
const ruleset = fc.record({
  scope: fc.oneof(fc.constant({}), fc.record({ app: fc.constantFrom(...APPS) })),
  enforcement: fc.constantFrom("enforced", "visibility"),
  egress: fc.constantFrom("open", "enforced"),
  rules: fc.uniqueArray(rule, { maxLength: 4, selector: (each) => JSON.stringify(each) }),
});

const scenario = fc.record({
  workloads: fc.array(labels, { minLength: 2, maxLength: 10 }),
  rulesets: fc.array(ruleset, { minLength: 1, maxLength: 3 }),
  flows: fc.array(
    fc.record({
      // A workload by index, or an outside address (the first 16 in ipList known).
      from: fc.oneof(
        fc.nat(9),
        fc.integer({ min: 0, max: 31 }).map((n) => `198.51.100.${n}`),
      ),
      // A workload by index, or an outside address.
      to: fc.oneof(
        fc.nat(9),
        fc.nat(9),
        fc.integer({ min: 0, max: 31 }).map((n) => `198.51.100.${n}`),
      ),
      service: fc.constantFrom(...SERVICES),
      accepted: fc.boolean(),
    }),
    { maxLength: 30 },
  ),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function policyText(input: Scenario): string {
  const rulesets = input.rulesets.map((each, n) => ({
    name: `r${n}`,
    scope: each.scope,
    enforcement: each.enforcement,
    egress: each.egress,
    // A label source is written extraScope: always valid, whatever the scope.
    rules: each.rules.map((r) => ("ipList" in r.from ? r : { ...r, extraScope: true })),
  }));
  if (input.rulesets.some((each) => each.egress === "enforced"))
    rulesets.push({ name: "rest", scope: {}, enforcement: "visibility", egress: "open", rules: [] });
  return stringify({
    apiVersion: "segsync/v1",
    kind: "Policy",
    labels: { tagPrefix: "seg-", dimensions: ["app", "role"] },
    ipLists: { known: [KNOWN] },
    rulesets,
  });
}

function inventoryOf(input: Scenario): Inventory {
  return {
    networks: [{ id: VPC_A }],
    workloads: input.workloads.map((each, n) => ({
      id: `aws:111111111111:us-east-1:i-${n.toString(16).padStart(8, "0")}`,
      state: "running" as const,
      tags: { "seg-app": each.app, "seg-role": each.role },
      nics: [{ network: VPC_A, privateIp: `10.0.0.${n + 1}` }],
    })),
  };
}

/** The flows on workloads that exist, rejected ones dropped where the same pair and service was also accepted. */
function connectionsOf(input: Scenario, policy: Policy, inventory: Inventory): ResolvedConnection[] {
  const count = input.workloads.length;
  const identity = (index: number) => JSON.stringify(input.workloads[index]);
  const end = (value: string | number) => (typeof value === "string" ? value : identity(value));
  const address = (value: string | number) => (typeof value === "string" ? value : `10.0.0.${value + 1}`);
  const exists = (value: string | number) => typeof value === "string" || value < count;
  const flows = input.flows.filter(
    (flow) =>
      exists(flow.from) && exists(flow.to) && (typeof flow.from === "number" || typeof flow.to === "number"),
  );
  const keyOf = (flow: (typeof flows)[number]) =>
    JSON.stringify([end(flow.from), end(flow.to), flow.service.text]);
  const accepted = new Set(flows.filter((flow) => flow.accepted).map(keyOf));
  const resolver = inventoryResolver(inventory, policy);
  return flows
    .filter((flow) => flow.accepted || !accepted.has(keyOf(flow)))
    .map((flow) =>
      resolveConnection(
        connection({
          initiatorAddress: address(flow.from),
          responderAddress: address(flow.to),
          protocol: flow.service.protocol,
          responderPort: flow.service.port,
          action: flow.accepted ? "accept" : "reject",
        }),
        resolver,
      ),
    );
}

function loaded(text: string): Policy {
  const result = loadPolicyText(text, "policy.yaml");
  if (!result.ok)
    throw new Error(`not valid: ${result.issues.map((issue) => issue.message).join("; ")}\n${text}`);
  return result.policy;
}

it("the merged policy is valid, admits every observed accepted connection and no rejected one the original denied", () => {
  let leaving = 0;
  fc.assert(
    fc.property(scenario, (input) => {
      const text = policyText(input);
      const policy = loaded(text);
      const inventory = inventoryOf(input);
      const connections = connectionsOf(input, policy, inventory);
      const before = new FlowVerdicts(compile(policy, inventory));
      const check = new FlowCheck(compile(policy, inventory));
      for (const each of connections) check.add(each);
      const suggestions = suggestRules(policy, check.report().groups);
      expect(suggestions.notes).toEqual([]);
      const merged = loaded(mergeSuggestions(text, "policy.yaml", suggestions));
      const after = new FlowVerdicts(compile(merged, inventory));
      for (const each of connections) {
        const earlier = before.verdictOf(each);
        if (earlier.kind === "denied" && earlier.end === "source") leaving++;
        const verdict = after.verdictOf(each).kind;
        if (each.action === "accept") expect(verdict).not.toBe("denied");
        else if (before.verdictOf(each).kind === "denied") expect(verdict).toBe("denied");
      }
    }),
    { numRuns: 150 },
  );
  // Connections the sources' egress denied before the suggestions: the egress direction was exercised.
  expect(leaving).toBeGreaterThan(20);
});
