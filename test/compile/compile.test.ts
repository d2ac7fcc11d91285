import { describe, expect, it } from "vitest";
import { compile, serializeIntent } from "../../lib/compile/compile.js";
import type { Intent } from "../../lib/compile/model.js";
import type { Workload } from "../../lib/inventory/model.js";
import { AWS_VPC, AZURE_VNET, designPolicy, GCP_NET, workload } from "./fixtures.js";

const shop = { app: "shop", env: "prod" };
const web1 = workload(
  "aws:111111111111:us-east-1:i-0a00000000000001",
  { network: AWS_VPC, privateIp: "10.1.0.11", publicIp: "54.0.0.11" },
  { ...shop, role: "web" },
);
const web2 = workload(
  "aws:111111111111:us-east-1:i-0a00000000000002",
  { network: AWS_VPC, privateIp: "10.1.0.10" },
  { ...shop, role: "web" },
);
const apiAzure = workload(
  "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-app:api-1",
  { network: AZURE_VNET, privateIp: "10.2.0.5" },
  { ...shop, role: "api" },
);
const dbGcp = workload(
  "gcp:shop-prod:us-central1-a:db-1",
  { network: GCP_NET, privateIp: "10.3.0.7" },
  { ...shop, role: "db" },
);
const batchGcp = workload(
  "gcp:shop-prod:us-central1-a:batch-1",
  { network: GCP_NET, privateIp: "10.3.0.8" },
  { ...shop, role: "batch" },
);
const prometheus = workload(
  "gcp:shop-prod:us-central1-b:prom-1",
  { network: GCP_NET, privateIp: "10.3.0.9", publicIp: "34.1.1.1" },
  { app: "monitoring", role: "prometheus" },
);
const unmanaged = workload(
  "aws:111111111111:us-east-1:i-0a00000000000009",
  { network: AWS_VPC, privateIp: "10.1.0.99" },
  {},
);

function build(workloads: Workload[]): Intent {
  return compile(designPolicy(), { workloads, networks: [] });
}

function destination(intent: Intent, role: string, network: string) {
  const found = intent.destinations.find(
    (d) => d.identity === `app=shop,env=prod,role=${role}` && d.network === network,
  );
  if (!found) throw new Error(`no destination role=${role} in ${network}`);
  return found;
}

function peerSet(intent: Intent, key: string) {
  const found = intent.peerSets.find((p) => p.key === key);
  if (!found) throw new Error(`no peer set ${key}`);
  return found;
}

describe("compile", () => {
  const intent = build([web1, web2, apiAzure, dbGcp, batchGcp, prometheus, unmanaged]);

  it("gives every enforced identity one destination per network it has members in", () => {
    expect(
      intent.destinations.map(
        (d) => `${d.identity} ${d.network} ${d.members.map((m) => m.workload).join(",")}`,
      ),
    ).toEqual(
      expect.arrayContaining([
        `app=shop,env=prod,role=web ${AWS_VPC} ${web1.id},${web2.id}`,
        `app=shop,env=prod,role=api ${AZURE_VNET} ${apiAzure.id}`,
        `app=shop,env=prod,role=db ${GCP_NET} ${dbGcp.id}`,
        `app=shop,env=prod,role=batch ${GCP_NET} ${batchGcp.id}`,
      ]),
    );
    expect(intent.destinations).toHaveLength(4);
    expect(destination(intent, "batch", GCP_NET).grants).toEqual([]);
  });

  it("sees a connected network's sources by private address, merged only when exact", () => {
    const api = destination(intent, "api", AZURE_VNET);
    expect(api.grants).toHaveLength(2);
    const webGrant = api.grants.find((g) => g.rules.includes("shop-prod#0"));
    expect(webGrant?.services).toEqual([{ protocol: "tcp", fromPort: 8080, toPort: 8080 }]);
    const webView = peerSet(intent, webGrant?.sourceKey ?? "");
    expect(webView.local).toEqual([]);
    expect(webView.remote.map((m) => [m.via, m.addresses])).toEqual([
      ["private", ["10.1.0.11"]],
      ["private", ["10.1.0.10"]],
    ]);
    expect(webView.remoteCidrs).toEqual(["10.1.0.10/31"]);
  });

  it("sees the same identity in its own network as local members", () => {
    const webFromAws = intent.peerSets.filter((p) => p.identity === "app=shop,env=prod,role=web");
    expect(webFromAws.map((p) => p.network)).toEqual([AZURE_VNET]);
    const dbGrantSources = destination(intent, "db", GCP_NET).grants.map((g) => peerSet(intent, g.sourceKey));
    const batchView = dbGrantSources.find((p) => p.identity.endsWith("role=batch"));
    expect(batchView?.local).toEqual([{ workload: batchGcp.id, via: "private", addresses: ["10.3.0.8"] }]);
    expect(batchView?.localCidrs).toEqual(["10.3.0.8/32"]);
  });

  it("sees a non-connected source by its public address, and reaches extra-scope sources", () => {
    const web = destination(intent, "web", AWS_VPC);
    const prometheusGrant = web.grants.find((g) => g.rules.includes("shop-prod#3"));
    const view = peerSet(intent, prometheusGrant?.sourceKey ?? "");
    expect(view.identity).toBe("app=monitoring,role=prometheus");
    expect(view.remote).toEqual([{ workload: prometheus.id, via: "public", addresses: ["34.1.1.1"] }]);
  });

  it("uses an ipList's exact CIDRs", () => {
    const web = destination(intent, "web", AWS_VPC);
    expect(web.grants.find((g) => g.sourceKey === "ipList:corp-vpn")).toEqual({
      sourceKey: "ipList:corp-vpn",
      source: { kind: "ipList", name: "corp-vpn", cidrs: ["10.8.0.0/16", "192.168.50.0/24"] },
      services: [
        { protocol: "tcp", fromPort: 80, toPort: 80 },
        { protocol: "tcp", fromPort: 443, toPort: 443 },
      ],
      rules: ["shop-prod#2"],
    });
  });

  it("reports how it treats every workload", () => {
    const treatments = Object.fromEntries(intent.workloads.map((w) => [w.workload, w.treatment]));
    expect(treatments[web1.id]).toBe("enforced");
    expect(treatments[prometheus.id]).toBe("unscoped");
    expect(treatments[unmanaged.id]).toBe("unmanaged");
  });

  it("reports NAT-shared and unreachable sources", () => {
    const natApi = workload(
      "gcp:shop-prod:us-central1-a:api-2",
      { network: GCP_NET, privateIp: "10.3.0.20" },
      { ...shop, role: "api" },
    );
    const lonelyWeb = workload(
      "gcp:other-proj:us-central1-a:web-9",
      { network: "gcp:other-proj:other-net", privateIp: "10.9.0.1" },
      { ...shop, role: "web" },
    );
    const apiAws = workload(
      "aws:111111111111:us-east-1:i-0a00000000000003",
      { network: AWS_VPC, privateIp: "10.1.0.30" },
      { ...shop, role: "api" },
    );
    const db = workload(
      "aws:111111111111:us-east-1:i-0a00000000000004",
      { network: AWS_VPC, privateIp: "10.1.0.40" },
      { ...shop, role: "db" },
    );
    const result = build([natApi, lonelyWeb, apiAws, db]);
    expect(
      result.findings.filter((f) => f.code !== "selector-matches-nothing").map((f) => [f.code, f.subject]),
    ).toEqual([
      ["nat-shared-source", `${natApi.id} -> ${AWS_VPC}`],
      ["unreachable-source", `${lonelyWeb.id} -> ${AWS_VPC}`],
      // web → api: the api in the NAT network cannot see the web workload either.
      ["unreachable-source", `${lonelyWeb.id} -> ${GCP_NET}`],
    ]);
    const dbSources = destination(result, "db", AWS_VPC).grants.map((g) => peerSet(result, g.sourceKey));
    expect(dbSources[0]?.remoteCidrs).toEqual(["203.0.113.10/32"]);
  });

  it("reports selectors that match no running workload", () => {
    const result = build([web1]);
    expect(
      result.findings.filter((f) => f.code === "selector-matches-nothing").map((f) => f.message),
    ).toContain("rule shop-prod#3: from {app: monitoring, role: prometheus} matches no running workload");
  });

  it("reports non-portable label values and treats them as absent", () => {
    const odd = workload(
      "aws:111111111111:us-east-1:i-0a0000000000000a",
      { network: AWS_VPC, privateIp: "10.1.0.50" },
      { app: "Shop", env: "prod", role: "web" },
    );
    const result = build([odd]);
    expect(result.findings.some((f) => f.code === "non-portable-label" && f.subject === odd.id)).toBe(true);
    expect(result.workloads[0]).toEqual({
      workload: odd.id,
      treatment: "unscoped",
      identity: "env=prod,role=web",
    });
  });

  it("reports a tag key that differs from a label key only by case (Seg-App), and drops that label", () => {
    const base = workload(
      "aws:111111111111:us-east-1:i-0a0000000000000b",
      { network: AWS_VPC, privateIp: "10.1.0.51" },
      { env: "prod", role: "web" },
    );
    const odd = { ...base, tags: { ...base.tags, "Seg-App": "shop" } };
    const result = build([odd]);
    expect(result.findings.filter((f) => f.code === "non-portable-label")).toEqual([
      {
        code: "non-portable-label",
        severity: "warning",
        subject: odd.id,
        message: `${odd.id}: tag key "Seg-App" is not portable: keys are lowercase, write "seg-app"; treated as unlabelled for that dimension`,
      },
    ]);
    expect(result.workloads[0]?.identity).toBe("env=prod,role=web");
  });

  it("warns, not informs, when a selector matches no running workload: a typo cuts flows off", () => {
    const result = build([web1]);
    const nothing = result.findings.filter((f) => f.code === "selector-matches-nothing");
    expect(nothing.length).toBeGreaterThan(0);
    expect(nothing.every((f) => f.severity === "warning")).toBe(true);
  });

  it("reports a tagPrefix that no workload carries, ignoring case", () => {
    const untagged = (id: string, tags: Record<string, string>): Workload => ({
      id,
      state: "running",
      nics: [{ network: AWS_VPC, privateIp: "10.1.0.60" }],
      tags,
    });
    const none = build([untagged("aws:111111111111:us-east-1:i-0a000000000000c1", { sg_app: "shop" })]);
    expect(none.findings.filter((f) => f.code === "tag-prefix-matches-nothing")).toEqual([
      {
        code: "tag-prefix-matches-nothing",
        severity: "warning",
        subject: "seg-",
        message: 'no workload carries a tag with prefix "seg-" (labels.tagPrefix), so segsync manages none',
      },
    ]);
    const cased = build([untagged("aws:111111111111:us-east-1:i-0a000000000000c2", { "SEG-APP": "shop" })]);
    expect(cased.findings.map((f) => f.code)).not.toContain("tag-prefix-matches-nothing");
    // Discovery may return only labelled workloads: none at all is the same mistake.
    expect(build([]).findings.map((f) => f.code)).toEqual(["tag-prefix-matches-nothing"]);
  });

  it("leaves stopped workloads out of every peer set and destination", () => {
    const stopped = { ...web2, state: "stopped" as const };
    const result = build([web1, stopped, apiAzure]);
    expect(destination(result, "web", AWS_VPC).members.map((m) => m.workload)).toEqual([web1.id]);
    expect(result.workloads.find((w) => w.workload === web2.id)?.treatment).toBe("inactive");
    expect(result.peerSets.flatMap((p) => p.remote.map((m) => m.workload))).not.toContain(web2.id);
  });

  it("computes visibility-only destinations but marks them so", () => {
    const policy = designPolicy();
    const visibility = {
      ...policy,
      rulesets: policy.rulesets.map((rs) => ({ ...rs, enforcement: "visibility" as const })),
    };
    const result = compile(visibility, { workloads: [web1, apiAzure], networks: [] });
    expect(result.destinations.map((d) => d.enforcement)).toEqual(["visibility", "visibility"]);
    expect(result.workloads.map((w) => w.treatment)).toEqual(["visibility", "visibility"]);
  });

  it("returns a frozen intent", () => {
    expect(Object.isFrozen(intent)).toBe(true);
    expect(Object.isFrozen(intent.destinations[0]?.grants)).toBe(true);
    expect(Object.isFrozen(intent.peerSets[0]?.remoteCidrs)).toBe(true);
  });

  it("rejects an inventory that lists one workload twice", () => {
    expect(() => build([web1, web1])).toThrow(/more than once/);
  });

  it("serializes identically for the same input", () => {
    expect(serializeIntent(build([web1, web2, apiAzure]))).toBe(
      serializeIntent(build([apiAzure, web2, web1])),
    );
  });
});
