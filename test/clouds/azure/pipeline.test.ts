import { describe, expect, it } from "vitest";
import { DEFAULT_AZURE_QUOTAS } from "../../../lib/clouds/azure/config.js";
import { evaluateAzure } from "../../../lib/clouds/azure/evaluate.js";
import { AZURE_OPERATION_ORDER } from "../../../lib/clouds/azure/operations.js";
import { ORIGINAL_NSG_TAG_KEY } from "../../../lib/clouds/azure/ownership-keys.js";
import type { Workload } from "../../../lib/inventory/model.js";
import { designPolicy, GCP_NET, workload } from "../../compile/fixtures.js";
import { AzureTestbed, SUBSCRIPTION } from "./harness.js";

const VNET = `azure:${SUBSCRIPTION}:rg-net:vnet-prod`;
const shop = { app: "shop", env: "prod" };
const web = workload(
  `azure:${SUBSCRIPTION}:rg-app:web-1`,
  { network: VNET, privateIp: "10.2.0.11" },
  { ...shop, role: "web" },
);
const api = workload(
  `azure:${SUBSCRIPTION}:rg-app:api-1`,
  { network: VNET, privateIp: "10.2.0.12" },
  { ...shop, role: "api" },
);
const db = workload(
  `azure:${SUBSCRIPTION}:rg-app:db-1`,
  { network: VNET, privateIp: "10.2.0.13" },
  { ...shop, role: "db" },
);
const prometheus = workload(
  "gcp:shop-prod:us-central1-b:prom-1",
  { network: GCP_NET, privateIp: "10.3.0.9", publicIp: "34.1.1.1" },
  { app: "monitoring", role: "prometheus" },
);
const policy = designPolicy({ networks: { connected: [], nat: {} } });

function nicOf(bed: AzureTestbed, w: Workload) {
  const name = w.id.split(":").at(-1) ?? "";
  const nic = bed.state()[0]?.networkInterfaces.find((n) => n.virtualMachine?.id.endsWith(`/${name}`));
  if (!nic) throw new Error(`no NIC for ${w.id}`);
  return nic;
}

describe("Azure pipeline on the simulator", () => {
  it("enforces through one NSG per identity and ASG references, denying the rest of the VNet", async () => {
    const bed = new AzureTestbed([web, api, db], DEFAULT_AZURE_QUOTAS);
    const { plan } = await bed.reconcile(policy, [prometheus], "exclusive");
    const ranks = plan.map((op) => AZURE_OPERATION_ORDER.indexOf(op.kind));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const reach = evaluateAzure(bed.state());
    const dbNic = nicOf(bed, db).id;
    expect(reach.accepts(dbNic, "10.2.0.12", "tcp", 5432)).toBe(true);
    expect(reach.explain(dbNic, "10.2.0.12", "tcp", 5432).rule?.sourceApplicationSecurityGroups).toHaveLength(
      1,
    );
    expect(reach.explain(dbNic, "10.2.0.11", "tcp", 5432).rule?.name).toBe("segsync-deny-all-inbound");
    expect(reach.accepts(dbNic, "34.1.1.1", "tcp", 9100)).toBe(true);
    expect(reach.accepts(dbNic, "168.63.129.16", "tcp", 80)).toBe(true);
  });

  it("replaces a customer NSG on the NIC, records it, and puts it back when enforcement ends", async () => {
    const bed = new AzureTestbed([web, api, db], DEFAULT_AZURE_QUOTAS, new Set([db.id]));
    const customer = nicOf(bed, db).networkSecurityGroup?.id;
    expect(customer).toMatch(/legacy-ssh$/);
    await bed.reconcile(policy, [], "exclusive");
    const enforced = nicOf(bed, db);
    expect(enforced.networkSecurityGroup?.id).toMatch(/segsync-/);
    expect(enforced.tags[ORIGINAL_NSG_TAG_KEY]).toBe(customer);
    const off = {
      ...policy,
      rulesets: policy.rulesets.map((rs) => ({ ...rs, enforcement: "visibility" as const })),
    };
    await bed.reconcile(off, [], "exclusive");
    const restored = nicOf(bed, db);
    expect(restored.networkSecurityGroup?.id).toBe(customer);
    expect(restored.tags[ORIGINAL_NSG_TAG_KEY]).toBeUndefined();
    expect(bed.state()[0]?.networkSecurityGroups.map((n) => n.name)).toEqual(["legacy-ssh"]);
    expect(bed.state()[0]?.applicationSecurityGroups).toEqual([]);
  });

  it("reports, and does not apply, additive enforcement of a NIC that has its own NSG", async () => {
    const bed = new AzureTestbed([web, api, db], DEFAULT_AZURE_QUOTAS, new Set([db.id]));
    const customer = nicOf(bed, db).networkSecurityGroup?.id;
    const { desired } = await bed.reconcile(policy, [], "additive");
    expect(desired.findings.map((f) => f.code)).toContain("azure-additive-conflict");
    expect(nicOf(bed, db).networkSecurityGroup?.id).toBe(customer);
    expect(nicOf(bed, web).networkSecurityGroup?.id).toMatch(/segsync-/);
  });

  it("issues no writes the second time, and keeps rule priorities when a rule is added", async () => {
    const bed = new AzureTestbed([web, api, db], DEFAULT_AZURE_QUOTAS);
    await bed.reconcile(policy, [prometheus], "exclusive");
    const writes = bed.writes();
    expect((await bed.reconcile(policy, [prometheus], "exclusive")).plan).toEqual([]);
    expect(bed.writes()).toBe(writes);
    const priorities = () =>
      Object.fromEntries(
        bed
          .state()[0]
          ?.networkSecurityGroups.flatMap((n) => n.securityRules.map((r) => [r.name, r.priority])) ?? [],
      );
    const before = priorities();
    const extra = designPolicy({
      networks: { connected: [], nat: {} },
      ipLists: { ...policy.ipLists, office: ["198.51.100.0/24"] },
    });
    const withOffice = {
      ...extra,
      rulesets: extra.rulesets.map((rs) => ({
        ...rs,
        rules: [
          ...rs.rules,
          {
            ...(rs.rules[2] as (typeof rs.rules)[number]),
            id: "shop-prod#9",
            index: 9,
            from: { kind: "ipList" as const, name: "office", cidrs: ["198.51.100.0/24"] },
            to: { kind: "labels" as const, selector: { app: ["shop"], env: ["prod"], role: ["db"] } },
          },
        ],
      })),
    };
    await bed.reconcile(withOffice, [prometheus], "exclusive");
    const after = priorities();
    for (const [name, priority] of Object.entries(before)) expect(after[name]).toBe(priority);
    expect(Object.keys(after).length).toBe(Object.keys(before).length + 1);
  });
});
