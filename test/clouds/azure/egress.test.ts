/**
 * Enforced egress in Azure, case by case (docs/clouds.md, "Azure deny rules and egress"): the
 * outbound rules and the deny-all outbound materialize writes, their priorities, the quota they
 * share with inbound rules, how plans show them, additive attachment, the platform addresses, and a
 * v1 policy unchanged.
 */
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { DEFAULT_AZURE_QUOTAS } from "../../../lib/clouds/azure/config.js";
import { type CoverageIndex, siblingRules } from "../../../lib/clouds/azure/coverage.js";
import { diffAzure } from "../../../lib/clouds/azure/diff.js";
import { DENY_ALL_OUTBOUND_RULE } from "../../../lib/clouds/azure/egress.js";
import {
  AZURE_METADATA_ADDRESS,
  AZURE_PLATFORM_ADDRESS,
  evaluateAzure,
} from "../../../lib/clouds/azure/evaluate.js";
import { materializeAzure } from "../../../lib/clouds/azure/materialize.js";
import type { AzureState, SecurityRule } from "../../../lib/clouds/azure/model.js";
import { summarizeAzureOperation } from "../../../lib/clouds/azure/summarize.js";
import type { Workload } from "../../../lib/inventory/model.js";
import { resolvePolicyDocument } from "../../../lib/policy/load.js";
import type { Policy } from "../../../lib/policy/model.js";
import { exportAzure } from "../../../sim/clouds/azure/export.js";
import { readAzureForExport } from "../../../sim/clouds/azure/export-read.js";
import { loadEstateText } from "../../../sim/estate.js";
import { AZURE_OWNERSHIP } from "../../support/seals.js";
import { AZURE_VNETS, AzureTestbed, SUBSCRIPTION } from "./harness.js";

const VNET = `azure:${SUBSCRIPTION}:rg-net:vnet-prod`;

function vm(name: string, host: number, role: string, publicIp?: string): Workload {
  return {
    id: `azure:${SUBSCRIPTION}:rg-app:${name}`,
    state: "running",
    nics: [{ network: VNET, privateIp: `10.2.0.${host}`, ...(publicIp ? { publicIp } : {}) }],
    tags: { "seg-app": "shop", "seg-env": "prod", "seg-role": role },
  };
}

const ESTATE = [vm("vm-web", 11, "web"), vm("vm-api", 21, "api"), vm("vm-db", 31, "db")];

function policyOf(egress: "open" | "enforced" | undefined, extraRules: object[] = []): Policy {
  const resolved = resolvePolicyDocument({
    apiVersion: "segsync/v1",
    kind: "Policy",
    labels: { tagPrefix: "seg-", dimensions: ["app", "env", "role"] },
    ipLists: { backup: ["192.0.2.0/24"], blocked: ["192.0.2.128/25"] },
    networks: { connected: [], nat: {} },
    rulesets: [
      {
        name: "shop-prod",
        scope: { app: "shop", env: "prod" },
        enforcement: "enforced",
        ...(egress === undefined ? {} : { egress }),
        rules: [
          { from: { role: "web" }, to: { role: "api" }, services: ["tcp/8080"] },
          { from: { role: "db" }, to: { ipList: "backup" }, services: ["tcp/443", "udp/53"] },
          ...extraRules,
        ],
        ...(egress === undefined
          ? {}
          : { deny: [{ from: { role: "db" }, to: { ipList: "blocked" }, services: ["all"] }] }),
      },
    ],
  });
  if (!resolved.ok) throw new Error(JSON.stringify(resolved.issues));
  return resolved.policy;
}

function nsgOf(state: AzureState, role: string) {
  const nic = state[0]?.networkInterfaces.find((n) => n.name === `vm-${role}VMNic`);
  const nsg = state[0]?.networkSecurityGroups.find(
    (n) => n.id.toLowerCase() === nic?.networkSecurityGroup?.id.toLowerCase(),
  );
  if (nic === undefined || nsg === undefined) throw new Error(`vm-${role} has no NSG`);
  return { nic, nsg };
}

const outbound = (rules: readonly SecurityRule[]) => rules.filter((r) => r.direction === "Outbound");

describe("Azure enforced egress", () => {
  it("writes outbound rules from the identity's ASG to exact prefixes, then a deny-all outbound at 4096", async () => {
    const bed = new AzureTestbed(ESTATE, DEFAULT_AZURE_QUOTAS);
    await bed.reconcile(policyOf("enforced"), [], "exclusive");
    const { nic, nsg } = nsgOf(bed.state(), "db");
    const rules = outbound(nsg.securityRules);
    const asg = nic.ipConfigurations[0]?.applicationSecurityGroups[0]?.id;
    const allows = rules.filter((r) => r.access === "Allow");
    // tcp/443 and udp/53 to the backup list minus the blocked half: 192.0.2.0/25.
    expect(allows.map((r) => [r.protocol, r.destinationAddressPrefix, r.destinationPortRange])).toEqual(
      expect.arrayContaining([
        ["Tcp", "192.0.2.0/25", "443"],
        ["Udp", "192.0.2.0/25", "53"],
      ]),
    );
    expect(allows).toHaveLength(2);
    for (const rule of allows) {
      expect(rule.sourceApplicationSecurityGroups).toEqual([{ id: asg }]);
      expect(rule.priority).toBeGreaterThanOrEqual(100);
      expect(rule.priority).toBeLessThanOrEqual(3999);
    }
    expect(rules.find((r) => r.name === DENY_ALL_OUTBOUND_RULE)).toMatchObject({
      priority: 4096,
      access: "Deny",
      protocol: "*",
      destinationAddressPrefix: "*",
    });
    const reach = evaluateAzure(bed.state());
    expect(reach.explainEgress(nic.id, "192.0.2.7", "tcp", 443).access).toBe("Allow");
    expect(reach.explainEgress(nic.id, "192.0.2.200", "tcp", 443).rule?.name).toBe(DENY_ALL_OUTBOUND_RULE);
    expect(reach.explainEgress(nic.id, "10.2.0.21", "tcp", 8080).rule?.name).toBe(DENY_ALL_OUTBOUND_RULE);
    const web = nsgOf(bed.state(), "web").nic;
    expect(reach.explainEgress(web.id, "10.2.0.21", "tcp", 8080).access).toBe("Allow");
  });

  it("keeps every rule's priority when a grant is added (no renumbering)", async () => {
    const bed = new AzureTestbed(ESTATE, DEFAULT_AZURE_QUOTAS);
    await bed.reconcile(policyOf("enforced"), [], "exclusive");
    const stateBefore = bed.state();
    const before = nsgOf(stateBefore, "db").nsg.securityRules;
    const more = policyOf("enforced", [
      { from: { role: "db" }, to: { role: "web" }, services: ["tcp/9000"] },
    ]);
    const { plan } = await bed.reconcile(more, [], "exclusive");
    const after = nsgOf(bed.state(), "db").nsg.securityRules;
    for (const rule of before) expect(after.find((r) => r.name === rule.name)?.priority).toBe(rule.priority);
    expect(outbound(after).filter((r) => r.access === "Allow")).toHaveLength(3);
    const put = plan.find(
      (op) =>
        op.kind === "putNetworkSecurityGroup" &&
        op.securityRules.some((r) => r.destinationPortRange === "9000"),
    );
    const summary = put && summarizeAzureOperation(put, stateBefore);
    expect(summary?.changes).toHaveLength(1);
    expect(
      summary?.changes?.some((line) =>
        /^\+ \d+ outbound allow tcp\/9000 from segsync-\S+ to 10\.2\.0\.11\/32$/.test(line),
      ),
    ).toBe(true);
  });

  it("shows outbound rules in plans, the deny-all last", async () => {
    const bed = new AzureTestbed(ESTATE, DEFAULT_AZURE_QUOTAS);
    const { plan } = await bed.reconcile(policyOf("enforced"), [], "exclusive");
    const lines = plan
      .filter((op) => op.kind === "putNetworkSecurityGroup")
      .map((op) => summarizeAzureOperation(op, []).changes ?? [])
      .find((changes) => changes.some((line) => line.includes("udp/53")));
    expect(lines).toContain("+ 4096 outbound deny any from * to *");
    expect(
      lines?.some((line) =>
        /^\+ \d+ outbound allow udp\/53 from segsync-\S+ to 192\.0\.2\.0\/25$/.test(line),
      ),
    ).toBe(true);
  });

  it("counts outbound rules in the NSG's rules: over the quota, the NSG is not applied", async () => {
    // db: its inbound deny-all, its load balancer rule and its deny-all outbound, 2 allows: 5.
    const bed = new AzureTestbed(ESTATE, { ...DEFAULT_AZURE_QUOTAS, rulesPerNetworkSecurityGroup: 4 });
    const { desired } = await bed.reconcile(policyOf("enforced"), [], "exclusive");
    expect(desired.findings.filter((f) => f.code === "azure-quota").map((f) => f.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/role=db in eastus: 5 rules do not fit in one NSG \(4 rules\)/),
      ]),
    );
    // Egress open: the same NSG holds 2 rules and fits.
    const open = new AzureTestbed(ESTATE, { ...DEFAULT_AZURE_QUOTAS, rulesPerNetworkSecurityGroup: 4 });
    expect((await open.reconcile(policyOf("open"), [], "exclusive")).desired.findings).toEqual([]);
  });

  it("reports, and does not apply, the egress of a NIC that keeps its own NSG (additive)", async () => {
    const bed = new AzureTestbed(ESTATE, DEFAULT_AZURE_QUOTAS, new Set([ESTATE[2]?.id ?? ""]));
    const { desired } = await bed.reconcile(policyOf("enforced"), [], "additive");
    const db = nsgOf(bed.state(), "db");
    expect(db.nsg.name).toBe("legacy-ssh");
    const finding = desired.findings.find((f) => f.code === "azure-additive-egress");
    expect(finding?.subject).toBe(db.nic.id);
    expect(finding?.message).toContain("its own NSG's outbound rules decide");
    // Egress open: nothing to report beyond the NSG itself.
    const open = new AzureTestbed(ESTATE, DEFAULT_AZURE_QUOTAS, new Set([ESTATE[2]?.id ?? ""]));
    const openPlan = await open.reconcile(policyOf("open"), [], "additive");
    expect(openPlan.desired.findings.map((f) => f.code)).toEqual(["azure-additive-conflict"]);
  });

  it("leaves the platform's DNS and metadata reachable: NSG rules filter them only by their service tags", async () => {
    const bed = new AzureTestbed(ESTATE, DEFAULT_AZURE_QUOTAS);
    await bed.reconcile(policyOf("enforced"), [], "exclusive");
    const { nic, nsg } = nsgOf(bed.state(), "api");
    const reach = evaluateAzure(bed.state());
    expect(reach.explainEgress(nic.id, "8.8.8.8", "udp", 53).access).toBe("Deny");
    expect(reach.explainEgress(nic.id, AZURE_PLATFORM_ADDRESS, "udp", 53)).toEqual({
      access: "Allow",
      nsg: nsg.name,
    });
    expect(reach.explainEgress(nic.id, AZURE_PLATFORM_ADDRESS, "tcp", 32526).access).toBe("Allow");
    expect(reach.explainEgress(nic.id, AZURE_METADATA_ADDRESS, "tcp", 80).access).toBe("Allow");
    // A customer's rule naming the service tags does block them.
    const tagged = (name: string, priority: number, tag: string): SecurityRule => ({
      name,
      priority,
      direction: "Outbound",
      access: "Deny",
      protocol: "*",
      sourcePortRange: "*",
      sourceAddressPrefix: "*",
      destinationAddressPrefix: tag,
      destinationPortRange: "*",
    });
    const blocked: AzureState = bed.state().map((s) => ({
      ...s,
      networkSecurityGroups: s.networkSecurityGroups.map((n) =>
        n.id === nsg.id
          ? {
              ...n,
              securityRules: [
                ...n.securityRules,
                tagged("no-dns", 4000, "AzurePlatformDNS"),
                tagged("no-imds", 4001, "AzurePlatformIMDS"),
              ],
            }
          : n,
      ),
    }));
    const after = evaluateAzure(blocked);
    expect(after.explainEgress(nic.id, AZURE_PLATFORM_ADDRESS, "udp", 53).rule?.name).toBe("no-dns");
    expect(after.explainEgress(nic.id, AZURE_PLATFORM_ADDRESS, "tcp", 80).access).toBe("Allow");
    expect(after.explainEgress(nic.id, AZURE_METADATA_ADDRESS, "tcp", 80).rule?.name).toBe("no-imds");
  });

  it("writes exactly what it wrote before for a policy whose egress is open, and no outbound rule", async () => {
    const v1 = new AzureTestbed(ESTATE, DEFAULT_AZURE_QUOTAS);
    const v1Plan = (await v1.reconcile(policyOf(undefined), [], "exclusive")).plan;
    const open = new AzureTestbed(ESTATE, DEFAULT_AZURE_QUOTAS);
    const openPlan = (await open.reconcile(policyOf("open"), [], "exclusive")).plan;
    expect(openPlan).toEqual(v1Plan);
    expect(
      v1
        .state()[0]
        ?.networkSecurityGroups.flatMap((n) => outbound(n.securityRules))
        .filter((r) => r.name.startsWith("segsync")),
    ).toEqual([]);
    // Egress open: the default outbound rules let everything out.
    const reach = evaluateAzure(v1.state());
    expect(reach.explainEgress(nsgOf(v1.state(), "db").nic.id, "8.8.8.8", "tcp", 443).rule?.name).toBe(
      "AllowInternetOutBound",
    );
    expect(reach.explainEgress(nsgOf(v1.state(), "db").nic.id, "10.9.0.1", "tcp", 443).rule?.name).toBe(
      "AllowVnetOutBound",
    );
  });

  it("removes the outbound rules and the deny-all outbound when egress opens again", async () => {
    const bed = new AzureTestbed(ESTATE, DEFAULT_AZURE_QUOTAS);
    await bed.reconcile(policyOf("enforced"), [], "exclusive");
    await bed.reconcile(policyOf("open"), [], "exclusive");
    const owned = bed.state()[0]?.networkSecurityGroups.filter((n) => n.name.startsWith("segsync-")) ?? [];
    expect(owned.flatMap((n) => outbound(n.securityRules))).toEqual([]);
    const desired = materializeAzure(
      (await bed.reconcile(policyOf("open"), [], "exclusive")).intent,
      bed.state(),
      bed.options(policyOf("open"), "exclusive"),
    );
    expect(diffAzure(desired, bed.state(), AZURE_OWNERSHIP)).toEqual([]);
  });

  it("is in the simulator's exported state, and an estate holding it loads back", async () => {
    const bed = new AzureTestbed(ESTATE, DEFAULT_AZURE_QUOTAS);
    await bed.reconcile(policyOf("enforced"), [], "exclusive");
    const labels = policyOf("enforced").labels;
    const read = await readAzureForExport(bed.sim, labels, AZURE_OWNERSHIP);
    const parts = exportAzure(read, { live: AZURE_OWNERSHIP, simulator: AZURE_OWNERSHIP });
    const exported = parts.native.networkSecurityGroups.flatMap((n) => n.securityRules);
    expect(exported.filter((r) => r.direction === "Outbound" && r.access === "Allow")).toHaveLength(3);
    expect(exported.filter((r) => r.name === DENY_ALL_OUTBOUND_RULE)).toHaveLength(3);
    const text = stringify({
      apiVersion: "segsync/v1",
      kind: "Estate",
      networks: parts.networks,
      workloads: parts.workloads,
      native: { azure: parts.native },
    });
    const loaded = loadEstateText(text, "exported.yaml");
    expect(loaded.ok ? [] : loaded.issues).toEqual([]);
  });

  it("keeps, in a change's read, the outbound rules of the identity's other VNets that share its NSG", () => {
    const asg = (name: string) => ({
      id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-segsync/providers/Microsoft.Network/applicationSecurityGroups/${name}`,
    });
    const [inChange, sibling] = [asg("segsync-abc-11111111"), asg("segsync-abc-22222222")];
    const rule = (name: string, direction: SecurityRule["direction"], own: { id: string }): SecurityRule => ({
      name,
      priority: 100,
      direction,
      access: "Allow",
      protocol: "Tcp",
      sourcePortRange: "*",
      destinationPortRange: "443",
      ...(direction === "Inbound"
        ? { sourceAddressPrefix: "10.8.0.0/16", destinationApplicationSecurityGroups: [own] }
        : { sourceApplicationSecurityGroups: [own], destinationAddressPrefix: "192.0.2.0/24" }),
    });
    const nsg = {
      id: "nsg",
      name: "segsync-abc-eastus",
      location: "eastus",
      resourceGroup: "rg-segsync",
      tags: {},
      defaultSecurityRules: [],
      securityRules: [
        rule("in-change", "Inbound", inChange),
        rule("out-change", "Outbound", inChange),
        rule("in-sibling", "Inbound", sibling),
        rule("out-sibling", "Outbound", sibling),
      ],
    };
    const coverage: CoverageIndex = {
      workloads: new Set(),
      destinationAsgs: new Set([inChange.id.toLowerCase()]),
      regions: new Map(),
      referenceOnly: new Set(),
      nics: new Set(),
    };
    expect(siblingRules(nsg, "abc", coverage).map((r) => r.name)).toEqual(["in-sibling", "out-sibling"]);
  });

  it("scopes each VNet's outbound rules to its members when the identity's VNets share the NSG", async () => {
    const hub = `azure:${SUBSCRIPTION}:rg-net:vnet-hub`;
    const inHub = (workload: Workload, host: number): Workload => ({
      ...workload,
      id: `${workload.id}-hub`,
      nics: [{ network: hub, privateIp: `10.9.0.${host}` }],
    });
    const [web, api] = [vm("vm-web", 11, "web"), vm("vm-api", 21, "api")];
    const vnets = { ...AZURE_VNETS, [hub]: { location: "eastus", addressPrefix: "10.9.0.0/16" } };
    const estate = [web, api, inHub(web, 12), inHub(api, 22)];
    const bed = new AzureTestbed(estate, DEFAULT_AZURE_QUOTAS, new Set(), vnets);
    const { desired } = await bed.reconcile(policyOf("enforced"), [], "exclusive");
    expect(desired.findings).toEqual([]);
    const prodWeb = nsgOf(bed.state(), "web");
    const hubWeb = bed.state()[0]?.networkInterfaces.find((n) => n.name === "vm-web-hubVMNic");
    expect(hubWeb?.networkSecurityGroup?.id).toBe(prodWeb.nic.networkSecurityGroup?.id);
    const reach = evaluateAzure(bed.state());
    expect(reach.explainEgress(prodWeb.nic.id, "10.2.0.21", "tcp", 8080).access).toBe("Allow");
    expect(reach.explainEgress(prodWeb.nic.id, "10.9.0.22", "tcp", 8080).access).toBe("Deny");
    expect(reach.explainEgress(hubWeb?.id ?? "", "10.9.0.22", "tcp", 8080).access).toBe("Allow");
    expect(reach.explainEgress(hubWeb?.id ?? "", "10.2.0.21", "tcp", 8080).access).toBe("Deny");
  });

  it("says a plan that turns egress enforcement on for an NSG in use narrows it", async () => {
    const bed = new AzureTestbed(ESTATE, DEFAULT_AZURE_QUOTAS);
    await bed.reconcile(policyOf("open"), [], "exclusive");
    const before = bed.state();
    const { plan } = await bed.reconcile(policyOf("enforced"), [], "exclusive");
    const puts = plan.filter((op) => op.kind === "putNetworkSecurityGroup");
    expect(puts.length).toBeGreaterThan(0);
    for (const put of puts) {
      const summary = summarizeAzureOperation(put, before);
      expect(summary.changes).toContain("+ 4096 outbound deny any from * to *");
      expect(summary.narrows).toBe(true);
    }
  });
});
