import { describe, expect, it } from "vitest";
import { formatIssue, loadPolicyFile, loadPolicyText, resolvePolicyDocument } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import { type Document, oneRuleset, policyDocument } from "./documents.js";
import { REPO_ROOT } from "./fixtures.js";

const IP_LISTS = { anywhere: ["0.0.0.0/0"], "payments-gateway": ["198.51.100.0/24"] };

function resolved(document: Document): Policy {
  const result = resolvePolicyDocument(document);
  if (!result.ok) throw new Error(`unexpected issues: ${JSON.stringify(result.issues)}`);
  return result.policy;
}

describe("deny rules", () => {
  const policy = resolved(
    policyDocument({
      ipLists: IP_LISTS,
      rulesets: [
        {
          name: "boundaries",
          scope: { env: "prod" },
          rules: [{ from: { ipList: "anywhere" }, to: {}, services: ["all"] }],
          deny: [
            { from: { env: "dev" }, extraScope: true, to: { role: "db" }, services: ["tcp/22", "tcp/21"] },
            { from: { role: "web" }, to: { ipList: "payments-gateway" }, services: ["tcp/443"] },
          ],
        },
      ],
    }),
  );
  const ruleset = policy.rulesets[0];

  it("resolve as allow rules do, with their own ids and action deny", () => {
    expect(ruleset?.rules.map((rule) => [rule.id, rule.action])).toEqual([["boundaries#0", "allow"]]);
    expect(ruleset?.deny[0]).toEqual({
      id: "boundaries#deny-0",
      ruleset: "boundaries",
      action: "deny",
      index: 0,
      from: { kind: "labels", selector: { env: ["dev"] }, extraScope: true },
      to: { kind: "labels", selector: { env: ["prod"], role: ["db"] } },
      services: [{ protocol: "tcp", fromPort: 21, toPort: 22 }],
    });
  });

  it("may deny egress to an ipList: from intersected with the scope, to the ipList's addresses", () => {
    expect(ruleset?.deny[1]).toMatchObject({
      id: "boundaries#deny-1",
      from: { kind: "labels", selector: { env: ["prod"], role: ["web"] }, extraScope: false },
      to: { kind: "ipList", name: "payments-gateway", cidrs: ["198.51.100.0/24"] },
    });
  });

  it("are an empty list when the ruleset has none", () => {
    expect(resolved(oneRuleset({ app: "shop" }, [])).rulesets[0]?.deny).toEqual([]);
  });

  it("are frozen like the rest", () => {
    expect(Object.isFrozen(ruleset?.deny)).toBe(true);
    expect(Object.isFrozen(ruleset?.deny[1]?.to)).toBe(true);
  });
});

describe("rules to an ipList", () => {
  it("resolve `to` to the ipList's canonical addresses", () => {
    const policy = resolved(
      oneRuleset({ app: "shop" }, [{ from: { role: "api" }, to: { ipList: "gw" }, services: ["tcp/443"] }], {
        ipLists: { gw: ["198.51.100.7", "198.51.100.7/32", "2001:DB8::/32"] },
      }),
    );
    expect(policy.rulesets[0]?.rules[0]?.to).toEqual({
      kind: "ipList",
      name: "gw",
      cidrs: ["198.51.100.7/32", "2001:db8::/32"],
    });
  });

  it("accept an extraScope source: workloads anywhere may send to the addresses", () => {
    const policy = resolved(
      oneRuleset(
        { app: "shop" },
        [{ from: { app: "blog" }, extraScope: true, to: { ipList: "gw" }, services: ["tcp/443"] }],
        { ipLists: { gw: ["198.51.100.0/24"] } },
      ),
    );
    expect(policy.rulesets[0]?.rules[0]?.from).toEqual({
      kind: "labels",
      selector: { app: ["blog"] },
      extraScope: true,
    });
  });
});

describe("egress", () => {
  const rulesets = [
    { name: "inherits", scope: { app: "a" }, rules: [] },
    { name: "opens", scope: { app: "b" }, egress: "open", rules: [] },
    { name: "enforces", scope: { app: "c" }, egress: "enforced", rules: [] },
  ];

  it("of a ruleset is its own, else the policy's", () => {
    const open = resolved(policyDocument({ rulesets }));
    expect(open.egress).toBe("open");
    expect(open.rulesets.map((ruleset) => ruleset.egress)).toEqual(["open", "open", "enforced"]);
    const enforced = resolved(policyDocument({ egress: "enforced", rulesets }));
    expect(enforced.egress).toBe("enforced");
    expect(enforced.rulesets.map((ruleset) => ruleset.egress)).toEqual(["enforced", "open", "enforced"]);
  });
});

describe("warnings", () => {
  const text = [
    "apiVersion: segsync/v1",
    "kind: Policy",
    "egress: enforced",
    "rulesets:",
    "  - name: tried",
    "    scope: { app: shop }",
    "    enforcement: visibility",
    "    egress: enforced",
    "    rules: []",
    "  - name: quiet",
    "    scope: { app: blog }",
    "    enforcement: visibility",
    "    egress: open",
    "    rules: []",
    "",
  ].join("\n");

  it("point at egress: enforced on a visibility ruleset, which has no effect, without refusing it", () => {
    const result = loadPolicyText(text, "p.yaml");
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.warnings.map((warning) => formatIssue("p.yaml", warning))).toEqual([
      "p.yaml:8:13 rulesets[0].egress: egress: enforced has no effect on a visibility ruleset: its workloads' egress stays open until enforcement is enforced",
    ]);
  });

  it("carry paths without positions for a document built in code", () => {
    const ruleset = { name: "t", scope: {}, enforcement: "visibility", egress: "enforced", rules: [] };
    const result = resolvePolicyDocument(policyDocument({ rulesets: [ruleset] }));
    expect(result.ok && result.warnings).toEqual([
      {
        path: "rulesets[0].egress",
        message:
          "egress: enforced has no effect on a visibility ruleset: its workloads' egress stays open until enforcement is enforced",
      },
    ]);
  });

  it("are none for an enforced ruleset, or for the policy's egress alone", () => {
    const result = resolvePolicyDocument(
      policyDocument({
        egress: "enforced",
        rulesets: [
          { name: "a", scope: {}, egress: "enforced", rules: [] },
          { name: "b", scope: {}, enforcement: "visibility", rules: [] },
        ],
      }),
    );
    expect(result.ok && result.warnings).toEqual([]);
  });
});

describe("examples/policy-v2.yaml", () => {
  it("validates, with deny rules, a rule to an ipList and enforced egress", async () => {
    const result = await loadPolicyFile(`${REPO_ROOT}/examples/policy-v2.yaml`);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.warnings).toEqual([]);
    const [boundaries, shop] = result.policy.rulesets;
    expect(boundaries?.rules.map((rule) => rule.from)).toEqual([
      { kind: "ipList", name: "anywhere", cidrs: ["0.0.0.0/0"] },
    ]);
    expect(boundaries?.deny.map((rule) => rule.id)).toEqual([
      "dev-boundaries#deny-0",
      "dev-boundaries#deny-1",
    ]);
    expect(shop?.egress).toBe("enforced");
    expect(shop?.rules.find((rule) => rule.to.kind === "ipList")?.to).toMatchObject({
      name: "payments-gateway",
    });
  });
});
