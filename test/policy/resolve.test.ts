import { describe, expect, it } from "vitest";
import { loadPolicyFile, type PolicyLoadResult, resolvePolicyDocument } from "../../lib/policy/load.js";
import type { LabelSelector, Policy, RuleTarget } from "../../lib/policy/model.js";
import { type Document, oneRuleset, policyDocument } from "./documents.js";
import { REPO_ROOT } from "./fixtures.js";

function resolved(document: Document): Policy {
  const result: PolicyLoadResult = resolvePolicyDocument(document);
  if (!result.ok) throw new Error(`unexpected issues: ${JSON.stringify(result.issues)}`);
  return result.policy;
}

/** The selector of a rule's `to`, which for a v1 rule is always labels. */
function labelsOf(to: RuleTarget): LabelSelector {
  if (to.kind !== "labels") throw new Error(`to is ipList ${to.name}`);
  return to.selector;
}

function firstRule(document: Document) {
  const rule = resolved(document).rulesets[0]?.rules[0];
  if (!rule) throw new Error("no rule");
  return rule;
}

describe("defaults", () => {
  it("fill every optional field", () => {
    expect(resolved(policyDocument())).toEqual({
      labels: { tagPrefix: "seg-", dimensions: ["app", "env", "role", "loc"] },
      services: {},
      ipLists: {},
      networks: { connected: [], nat: {} },
      platform: { azureLoadBalancerProbes: "allow" },
      attachment: "exclusive",
      egress: "open",
      rulesets: [],
    });
  });

  it("make rulesets enforced and rules intra-scope", () => {
    const policy = resolved(
      oneRuleset({ app: "shop" }, [{ from: { role: "web" }, to: {}, services: ["all"] }]),
    );
    expect(policy.rulesets[0]?.enforcement).toBe("enforced");
    expect(policy.rulesets[0]?.rules[0]?.from).toMatchObject({ kind: "labels", extraScope: false });
  });

  it("keep explicit values", () => {
    const policy = resolved(
      policyDocument({
        labels: { tagPrefix: "", dimensions: ["tier"] },
        platform: { azureLoadBalancerProbes: "deny" },
        attachment: "additive",
        egress: "open",
      }),
    );
    expect(policy.labels).toEqual({ tagPrefix: "", dimensions: ["tier"] });
    expect(policy.platform.azureLoadBalancerProbes).toBe("deny");
    expect(policy.attachment).toBe("additive");
  });
});

describe("selectors", () => {
  it("intersect `to` with the scope, per dimension, values sorted", () => {
    const rule = firstRule(
      oneRuleset({ app: "shop", role: ["web", "db", "api"] }, [
        { from: {}, to: { role: ["db", "cache", "api"], loc: "eu" }, services: ["tcp/80"] },
      ]),
    );
    expect(rule.to).toEqual({
      kind: "labels",
      selector: { app: ["shop"], loc: ["eu"], role: ["api", "db"] },
    });
  });

  it("intersect an intra-scope `from` with the scope", () => {
    const rule = firstRule(
      oneRuleset({ app: "shop", env: "prod" }, [{ from: { role: "web" }, to: {}, services: ["tcp/80"] }]),
    );
    expect(rule.from).toEqual({
      kind: "labels",
      selector: { app: ["shop"], env: ["prod"], role: ["web"] },
      extraScope: false,
    });
  });

  it("leave an extraScope `from` as written, even outside the scope", () => {
    const rule = firstRule(
      oneRuleset({ app: "shop" }, [
        { from: { app: "monitoring", role: "prometheus" }, extraScope: true, to: {}, services: ["tcp/9100"] },
      ]),
    );
    expect(rule.from).toEqual({
      kind: "labels",
      selector: { app: ["monitoring"], role: ["prometheus"] },
      extraScope: true,
    });
  });

  it("read a list as OR within its dimension", () => {
    const rule = firstRule(
      oneRuleset({}, [{ from: { role: ["batch", "api"] }, to: { role: "db" }, services: ["tcp/5432"] }]),
    );
    expect(rule.from).toMatchObject({ selector: { role: ["api", "batch"] } });
  });

  it("accept {} as scope and selectors: every labelled workload", () => {
    const rule = firstRule(oneRuleset({}, [{ from: {}, to: {}, services: ["icmp"] }]));
    expect(rule.to).toEqual({ kind: "labels", selector: {} });
    expect(rule.from).toEqual({ kind: "labels", selector: {}, extraScope: false });
    const inScope = firstRule(oneRuleset({ env: "prod" }, [{ from: {}, to: {}, services: ["icmp"] }]));
    expect(inScope.to).toEqual({ kind: "labels", selector: { env: ["prod"] } });
    expect(inScope.from).toMatchObject({ selector: { env: ["prod"] } });
  });

  it("handle dimensions named like Object.prototype members", () => {
    const rule = firstRule(
      oneRuleset({ constructor: "a" }, [{ from: { tostring: "b" }, to: {}, services: ["all"] }], {
        labels: { dimensions: ["constructor", "tostring"] },
      }),
    );
    expect(rule.to).toEqual({ kind: "labels", selector: { constructor: ["a"] } });
    expect(rule.from).toMatchObject({ selector: { constructor: ["a"], tostring: ["b"] } });
  });
});

describe("sources and services", () => {
  it("inline an ipList source with canonical CIDRs", () => {
    const policy = resolved(
      oneRuleset({ app: "shop" }, [{ from: { ipList: "vpn" }, to: { role: "web" }, services: ["tcp/443"] }], {
        ipLists: { vpn: ["10.8.0.0/16", "192.168.50.7", "2001:DB8::/32", "192.168.50.7/32"] },
      }),
    );
    expect(policy.ipLists.vpn).toEqual(["10.8.0.0/16", "192.168.50.7/32", "2001:db8::/32"]);
    expect(policy.rulesets[0]?.rules[0]?.from).toEqual({
      kind: "ipList",
      name: "vpn",
      cidrs: policy.ipLists.vpn,
    });
  });

  it("expand named services, mix them with inline ones, and normalize", () => {
    const rule = firstRule(
      oneRuleset(
        {},
        [{ from: {}, to: {}, services: ["web", "tcp/81", "dns", "tcp/8080-8090", "tcp/8085"] }],
        {
          services: { web: ["tcp/443", "tcp/80"], dns: ["udp/53", "tcp/53"] },
        },
      ),
    );
    expect(rule.services).toEqual([
      { protocol: "tcp", fromPort: 53, toPort: 53 },
      { protocol: "tcp", fromPort: 80, toPort: 81 },
      { protocol: "tcp", fromPort: 443, toPort: 443 },
      { protocol: "tcp", fromPort: 8080, toPort: 8090 },
      { protocol: "udp", fromPort: 53, toPort: 53 },
    ]);
  });

  it("let `all` absorb every other service", () => {
    const rule = firstRule(
      oneRuleset({}, [{ from: {}, to: {}, services: ["ping", "all"] }], { services: { ping: ["icmp"] } }),
    );
    expect(rule.services).toEqual([{ protocol: "all" }]);
  });

  it("normalize the named services themselves", () => {
    const policy = resolved(policyDocument({ services: { web: ["tcp/443", "tcp/80", "tcp/80"] } }));
    expect(policy.services.web).toEqual([
      { protocol: "tcp", fromPort: 80, toPort: 80 },
      { protocol: "tcp", fromPort: 443, toPort: 443 },
    ]);
  });

  it("keep networks, with canonical NAT addresses", () => {
    const group = ["gcp:shop-prod:prod-net", "aws:111111111111:eu-west-1:vpc-0123456789abcdef0"];
    const policy = resolved(
      policyDocument({
        networks: { connected: [group], nat: { "gcp:shop-prod:prod-net": ["203.0.113.10"] } },
      }),
    );
    expect(policy.networks).toEqual({
      connected: [group],
      nat: { "gcp:shop-prod:prod-net": ["203.0.113.10/32"] },
    });
  });
});

describe("the resolved policy", () => {
  it("names rules <ruleset>#<index>", () => {
    const policy = resolved(
      oneRuleset({}, [
        { from: {}, to: {}, services: ["tcp/1"] },
        { from: {}, to: {}, services: ["tcp/2"], description: "second" },
      ]),
    );
    expect(policy.rulesets[0]?.rules.map((rule) => [rule.id, rule.ruleset, rule.index])).toEqual([
      ["shop#0", "shop", 0],
      ["shop#1", "shop", 1],
    ]);
  });

  it("is frozen all the way down", () => {
    const policy = resolved(oneRuleset({ app: "shop" }, [{ from: {}, to: {}, services: ["tcp/1"] }]));
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.rulesets[0]?.rules[0]?.to)).toBe(true);
    expect(Object.isFrozen(policy.rulesets[0]?.rules[0]?.from)).toBe(true);
  });

  it("of the example has its four rules", async () => {
    const result = await loadPolicyFile(`${REPO_ROOT}/examples/policy.yaml`);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const scope = { app: ["shop"], env: ["prod"] };
    expect(result.policy.rulesets[0]?.rules.map((rule) => [rule.id, rule.from, labelsOf(rule.to)])).toEqual([
      [
        "shop-prod#0",
        { kind: "labels", selector: { ...scope, role: ["web"] }, extraScope: false },
        { ...scope, role: ["api"] },
      ],
      [
        "shop-prod#1",
        { kind: "labels", selector: { ...scope, role: ["api", "batch"] }, extraScope: false },
        { ...scope, role: ["db"] },
      ],
      [
        "shop-prod#2",
        { kind: "ipList", name: "corp-vpn", cidrs: ["10.8.0.0/16", "192.168.50.0/24"] },
        { ...scope, role: ["web"] },
      ],
      [
        "shop-prod#3",
        { kind: "labels", selector: { app: ["monitoring"], role: ["prometheus"] }, extraScope: true },
        { ...scope, role: ["api", "db", "web"] },
      ],
    ]);
  });
});
