import { describe, expect, it } from "vitest";
import { DEFAULT_GCP_QUOTAS } from "../../../lib/clouds/gcp/config.js";
import { evaluateGcp } from "../../../lib/clouds/gcp/evaluate.js";
import { materializeGcp, ownedTag } from "../../../lib/clouds/gcp/materialize.js";
import { GCP_OPERATION_ORDER } from "../../../lib/clouds/gcp/operations.js";
import { compile } from "../../../lib/compile/compile.js";
import { designPolicy, workload } from "../../compile/fixtures.js";
import { GcpTestbed, PROJECT } from "./harness.js";

const DEFAULT_NET = `gcp:${PROJECT}:default`;
const shop = { app: "shop", env: "prod" };
const web = workload(
  `gcp:${PROJECT}:us-central1-a:web-1`,
  { network: DEFAULT_NET, privateIp: "10.128.0.11" },
  { ...shop, role: "web" },
);
const api = workload(
  `gcp:${PROJECT}:us-central1-a:api-1`,
  { network: DEFAULT_NET, privateIp: "10.128.0.12" },
  { ...shop, role: "api" },
);
const db = workload(
  `gcp:${PROJECT}:us-central1-b:db-1`,
  { network: DEFAULT_NET, privateIp: "10.128.0.13" },
  { ...shop, role: "db" },
);
const batch = workload(
  `gcp:${PROJECT}:us-central1-b:batch-1`,
  { network: DEFAULT_NET, privateIp: "10.128.0.14" },
  { app: "reports" },
);
const policy = designPolicy({ networks: { connected: [], nat: {} } });
const explain = (bed: GcpTestbed, zone: string, name: string, from: string, port: number) =>
  evaluateGcp(bed.state()).explain(PROJECT, zone, name, `${PROJECT}/default`, from, "tcp", port);

describe("GCP pipeline on the simulator, in the default network", () => {
  it("overrides default-allow-internal for enforced instances only (exclusive band)", async () => {
    const bed = new GcpTestbed([web, api, db, batch], DEFAULT_GCP_QUOTAS);
    // Before: default-allow-internal lets anything in the network reach the database.
    expect(explain(bed, "us-central1-b", "db-1", "10.128.0.11", 5432).rule?.name).toBe(
      "default-allow-internal",
    );
    const { plan } = await bed.reconcile(policy, [], "exclusive");
    const ranks = plan.map((op) => GCP_OPERATION_ORDER.indexOf(op.kind));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(explain(bed, "us-central1-b", "db-1", "10.128.0.12", 5432).access).toBe("allow");
    const denied = explain(bed, "us-central1-b", "db-1", "10.128.0.11", 5432);
    expect(denied.access).toBe("deny");
    expect(denied.rule?.name).toMatch(/^segsync-.*-deny$/);
    // An instance segsync does not enforce keeps what the customer's rules give it.
    expect(explain(bed, "us-central1-b", "batch-1", "10.128.0.11", 5432).rule?.name).toBe(
      "default-allow-internal",
    );
    const instance = bed.state()[0]?.instances.find((i) => i.name === "db-1");
    expect(instance?.tags.items?.some((t) => t.startsWith("segsync-"))).toBe(true);
  });

  it("in additive mode, keeps the customer's own rules and overrides only the default network's", async () => {
    const bed = new GcpTestbed([web, api, db], DEFAULT_GCP_QUOTAS);
    bed.sim.createFirewall({
      name: "ops-ssh",
      network: `projects/${PROJECT}/global/networks/default`,
      priority: 1000,
      sourceRanges: ["0.0.0.0/0"],
      allowed: [{ IPProtocol: "tcp", ports: ["22"] }],
    });
    const { desired } = await bed.reconcile(policy, [], "additive");
    // The deny-all sits at 65000: ahead of default-allow-internal (65534), behind the customer's 1000.
    expect(explain(bed, "us-central1-b", "db-1", "10.128.0.11", 5432).rule?.name).toMatch(
      /^segsync-.*-deny$/,
    );
    expect(explain(bed, "us-central1-b", "db-1", "203.0.113.5", 22).rule?.name).toBe("ops-ssh");
    expect(desired.findings.filter((f) => f.code === "gcp-rule-precedes")).toEqual([]);
  });

  it("reports a customer rule that decides ahead of segsync's band", async () => {
    const bed = new GcpTestbed([web, api, db], DEFAULT_GCP_QUOTAS);
    bed.sim.createFirewall({
      name: "early-allow",
      network: `projects/${PROJECT}/global/networks/default`,
      priority: 100,
      sourceRanges: ["0.0.0.0/0"],
      allowed: [{ IPProtocol: "tcp", ports: ["22"] }],
    });
    const { desired } = await bed.reconcile(policy, [], "exclusive");
    expect(desired.findings.find((f) => f.code === "gcp-rule-precedes")?.subject).toBe(
      `${PROJECT}/early-allow`,
    );
  });

  it("issues no writes the second time, and removes its tags and rules when enforcement ends", async () => {
    const bed = new GcpTestbed([web, api, db], DEFAULT_GCP_QUOTAS);
    await bed.reconcile(policy, [], "exclusive");
    const writes = bed.writes();
    expect((await bed.reconcile(policy, [], "exclusive")).plan).toEqual([]);
    expect(bed.writes()).toBe(writes);
    const off = {
      ...policy,
      rulesets: policy.rulesets.map((rs) => ({ ...rs, enforcement: "visibility" as const })),
    };
    await bed.reconcile(off, [], "exclusive");
    expect(
      bed
        .state()[0]
        ?.firewalls.map((f) => f.name)
        .filter((n) => n.startsWith("segsync-")),
    ).toEqual([]);
    expect(bed.state()[0]?.instances.flatMap((i) => i.tags.items ?? [])).toEqual([]);
    expect(bed.state()[0]?.firewalls.map((f) => f.name)).toContain("default-allow-internal");
  });

  it("counts the rules discovery does not list against the project's quota", () => {
    const bed = new GcpTestbed([web, api, db], DEFAULT_GCP_QUOTAS);
    const intent = compile(policy, { workloads: [web, api, db], networks: [] });
    const state = bed.state();
    const needed = materializeGcp(intent, state, bed.options("exclusive")).firewalls.length;
    const customer = state[0]?.firewalls.length ?? 0;
    const quota = (unlistedRules: number) => {
      const limits = { ...DEFAULT_GCP_QUOTAS, firewallRulesPerProject: needed + customer };
      const withUnlisted = state.map((project) => ({ ...project, unlistedRules }));
      return materializeGcp(intent, withUnlisted, {
        ...bed.options("exclusive"),
        quotas: limits,
      }).findings.filter((finding) => finding.code === "gcp-quota");
    };
    // Exactly at the quota it fits; one rule the listing left out (another network's) does not.
    expect(quota(0)).toEqual([]);
    expect(quota(1).length).toBeGreaterThan(0);
  });

  it("names a tag every instance can carry", () => {
    expect(ownedTag("neltvvat3ib5")).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
  });
});
