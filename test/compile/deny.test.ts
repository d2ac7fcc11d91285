/**
 * Deny rules at ingress (docs/policy.md, "How deny rules compile"): exact subtraction, sources
 * split by address, the NAT-shared rule, the findings, and the incremental compiler following the
 * addresses that deny rules cut with.
 */
import { describe, expect, it } from "vitest";
import { compile, serializeIntent } from "../../lib/compile/compile.js";
import { grantMembers } from "../../lib/compile/grant-members.js";
import { IncrementalCompiler } from "../../lib/compile/incremental.js";
import type { Intent } from "../../lib/compile/model.js";
import type { Policy, Rule, RuleSource, Service } from "../../lib/policy/model.js";
import { AWS_VPC, designPolicy, GCP_NET, workload } from "./fixtures.js";

const shop = { app: "shop", env: "prod" };
const scope = { app: ["shop"], env: ["prod"] };
const tcp = (fromPort: number, toPort = fromPort): Service => ({ protocol: "tcp", fromPort, toPort });

function deny(index: number, from: RuleSource, to: Record<string, string[]>, services: Service[]): Rule {
  return {
    id: `shop-prod#deny-${index}`,
    ruleset: "shop-prod",
    action: "deny",
    index,
    from,
    to: { kind: "labels", selector: to },
    services,
  };
}

function withDenies(denies: Rule[], extraRules: Rule[] = []): Policy {
  const base = designPolicy();
  const [ruleset] = base.rulesets;
  if (!ruleset) throw new Error("the design policy has a ruleset");
  // Rules name their ipList's CIDRs as the loader resolves them, from the policy's ipLists.
  const ipLists = {
    ...base.ipLists,
    anywhere: ["0.0.0.0/0"],
    blocked: ["10.1.0.12/32"],
    moved: ["10.1.0.99/32"],
  };
  return {
    ...base,
    ipLists,
    rulesets: [{ ...ruleset, rules: [...ruleset.rules, ...extraRules], deny: denies }],
  };
}

const web1 = workload(
  "aws:111111111111:us-east-1:i-0a00000000000001",
  { network: AWS_VPC, privateIp: "10.1.0.11" },
  { ...shop, role: "web" },
);
const web2 = workload(
  "aws:111111111111:us-east-1:i-0a00000000000002",
  { network: AWS_VPC, privateIp: "10.1.0.12" },
  { ...shop, role: "web" },
);
const api = workload(
  "aws:111111111111:us-east-1:i-0a00000000000003",
  { network: AWS_VPC, privateIp: "10.1.0.30" },
  { ...shop, role: "api" },
);

function grantsOf(intent: Intent, role: string) {
  const found = intent.destinations.find((d) => d.identity.includes(`role=${role}`));
  if (!found) throw new Error(`no ${role} destination`);
  return found.grants.map((g) => ({ source: g.source, services: g.services, rules: g.rules }));
}

const webSelector: RuleSource = { kind: "labels", selector: { ...scope, role: ["web"] }, extraScope: false };
const anywhere: Rule = {
  id: "shop-prod#4",
  ruleset: "shop-prod",
  action: "allow",
  index: 4,
  from: { kind: "ipList", name: "anywhere", cidrs: ["0.0.0.0/0"] },
  to: { kind: "labels", selector: { ...scope, role: ["api"] } },
  services: [{ protocol: "all" }],
};

describe("deny rules at ingress", () => {
  it("take their ports out of a peer set's grant, which keeps its native reference", () => {
    const intent = compile(
      withDenies(
        [deny(0, webSelector, { ...scope, role: ["api"] }, [tcp(8080)])],
        [{ ...anywhere, from: webSelector, services: [tcp(8000, 8100)] }],
      ),
      { workloads: [web1, web2, api], networks: [] },
    );
    const [grant] = grantsOf(intent, "api");
    expect(grant?.source.kind).toBe("peerSet");
    expect(grant?.services).toEqual([tcp(8000, 8079), tcp(8081, 8100)]);
    // shop-prod#0 allows only tcp/8080, which the deny takes: it is cancelled; #4 is not.
    expect(grant?.rules).toEqual(["shop-prod#4"]);
    expect(intent.findings.filter((f) => f.code === "rule-cancelled-by-deny")).toEqual([
      {
        code: "rule-cancelled-by-deny",
        severity: "warning",
        subject: "shop-prod#0",
        message: "rule shop-prod#0 allows nothing: deny rules shop-prod#deny-0 take out every flow it allows",
      },
    ]);
  });

  it("split a peer set whose members an ipList deny covers: granted by address, part by part", () => {
    const blocked: RuleSource = { kind: "ipList", name: "blocked", cidrs: ["10.1.0.12/32"] };
    const intent = compile(
      withDenies([deny(0, blocked, { ...scope, role: ["api"] }, [{ protocol: "all" }])]),
      {
        workloads: [web1, web2, api],
        networks: [],
      },
    );
    expect(grantsOf(intent, "api")).toEqual([
      {
        source: {
          kind: "addresses",
          of: `${intent.peerSets[0]?.hash}@${AWS_VPC}`,
          label: "app=shop,env=prod,role=web",
          cidrs: ["10.1.0.11/32"],
        },
        services: [tcp(8080)],
        rules: ["shop-prod#0"],
      },
    ]);
    // explain and graph see the members of the part: web1 only.
    const peerSets = new Map(intent.peerSets.map((p) => [p.key, p]));
    const [part] = intent.destinations.find((d) => d.identity.includes("role=api"))?.grants ?? [];
    expect(part && grantMembers(part, peerSets)?.members.map((m) => m.workload)).toEqual([web1.id]);
    // The peer set stays in the intent (its findings with it), and no rule is cancelled.
    expect(intent.peerSets.map((p) => p.identity)).toEqual(["app=shop,env=prod,role=web"]);
    expect(intent.findings.some((f) => f.code === "rule-cancelled-by-deny")).toBe(false);
  });

  it("boundaries first: allow all from anywhere, minus a labelled source, exact on addresses and ports", () => {
    const intent = compile(
      withDenies([deny(0, webSelector, { ...scope, role: ["api"] }, [tcp(22)])], [anywhere]),
      {
        workloads: [web1, api],
        networks: [],
      },
    );
    const grants = grantsOf(intent, "api");
    const everyoneElse = grants.find((g) => g.source.kind === "addresses" && g.source.cidrs.length > 1);
    expect(everyoneElse?.services).toEqual([{ protocol: "all" }]);
    expect(everyoneElse?.source.kind === "addresses" && everyoneElse.source.cidrs).toHaveLength(32);
    const web = grants.find((g) => g.source.kind === "addresses" && g.source.cidrs[0] === "10.1.0.11/32");
    expect(web?.services).toEqual([
      tcp(1, 21),
      tcp(23, 65535),
      { protocol: "udp", fromPort: 1, toPort: 65535 },
      { protocol: "icmp" },
    ]);
    expect(web?.rules).toEqual(["shop-prod#4"]);
    // web's own grant (shop-prod#0, tcp/8080) keeps its native reference: the deny leaves it whole.
    expect(grants.find((g) => g.source.kind === "peerSet")?.services).toEqual([tcp(8080)]);
  });

  it("deny wins for a NAT address that a denied workload shares, and say so", () => {
    const natApi = workload(
      "gcp:shop-prod:us-central1-a:api-1",
      { network: GCP_NET, privateIp: "10.3.0.5" },
      { ...shop, role: "api" },
    );
    const natBatch = workload(
      "gcp:shop-prod:us-central1-a:batch-1",
      { network: GCP_NET, privateIp: "10.3.0.6" },
      { ...shop, role: "batch" },
    );
    const db = workload(
      "aws:111111111111:us-east-1:i-0a00000000000004",
      { network: AWS_VPC, privateIp: "10.1.0.40" },
      { ...shop, role: "db" },
    );
    const batchSelector: RuleSource = {
      kind: "labels",
      selector: { ...scope, role: ["batch"] },
      extraScope: false,
    };
    const intent = compile(
      withDenies([deny(0, batchSelector, { ...scope, role: ["db"] }, [{ protocol: "all" }])]),
      {
        workloads: [natApi, natBatch, db],
        networks: [],
      },
    );
    // api and batch both leave GCP as 203.0.113.10: denied for batch, so denied for api too.
    expect(grantsOf(intent, "db")).toEqual([]);
    expect(intent.findings.filter((f) => f.code === "nat-shared-denied").map((f) => f.message)).toEqual([
      `app=shop,env=prod,role=api is seen from ${AWS_VPC} as NAT address 203.0.113.10/32, which app=shop,env=prod,role=batch shares: deny rule shop-prod#deny-0 wins for that address, so app=shop,env=prod,role=db does not accept all from it`,
    ]);
    expect(intent.findings.map((f) => f.code)).toContain("rule-cancelled-by-deny");
  });

  it("are followed by the incremental compiler when one of two denied identities behind a NAT address leaves", () => {
    // The cut stays the same address; only the finding's list of who shares it changes.
    const behindNat = (name: string, ip: string, role: string) =>
      workload(`gcp:shop-prod:us-central1-a:${name}`, { network: GCP_NET, privateIp: ip }, { ...shop, role });
    const natApi = behindNat("api-1", "10.3.0.5", "api");
    const batch = behindNat("batch-1", "10.3.0.6", "batch");
    const cron = behindNat("cron-1", "10.3.0.7", "cron");
    const db = workload(
      "aws:111111111111:us-east-1:i-0a00000000000004",
      { network: AWS_VPC, privateIp: "10.1.0.40" },
      { ...shop, role: "db" },
    );
    const jobs: RuleSource = {
      kind: "labels",
      selector: { ...scope, role: ["batch", "cron"] },
      extraScope: false,
    };
    const policy = withDenies([deny(0, jobs, { ...scope, role: ["db"] }, [{ protocol: "all" }])]);
    const compiler = IncrementalCompiler.build(policy, {
      workloads: [natApi, batch, cron, db],
      networks: [],
    });
    const before = compiler.snapshot().findings.filter((f) => f.code === "nat-shared-denied");
    expect(before.map((f) => f.message).join()).toContain("role=batch, app=shop,env=prod,role=cron shares");
    compiler.apply([{ kind: "delete", id: cron.id }]);
    expect(serializeIntent(compiler.snapshot())).toBe(
      serializeIntent(compile(policy, { workloads: [natApi, batch, db], networks: [] })),
    );
  });

  it("are followed by the incremental compiler when a source member moves into a denied address", () => {
    const blocked: RuleSource = { kind: "ipList", name: "moved", cidrs: ["10.1.0.99/32"] };
    const policy = withDenies([deny(0, blocked, { ...scope, role: ["api"] }, [{ protocol: "all" }])]);
    const compiler = IncrementalCompiler.build(policy, { workloads: [web1, web2, api], networks: [] });
    const moved = { ...web2, nics: [{ network: AWS_VPC, privateIp: "10.1.0.99" }] };
    compiler.apply([{ kind: "upsert", workload: moved }]);
    expect(serializeIntent(compiler.snapshot())).toBe(
      serializeIntent(compile(policy, { workloads: [web1, moved, api], networks: [] })),
    );
  });
});
