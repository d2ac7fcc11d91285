import { describe, expect, it } from "vitest";
import { DEFAULT_AZURE_QUOTAS } from "../../../lib/clouds/azure/config.js";
import { diffAzure } from "../../../lib/clouds/azure/diff.js";
import { discoverAzure } from "../../../lib/clouds/azure/discover.js";
import { AzureInUseError } from "../../../lib/clouds/azure/errors.js";
import { evaluateAzure } from "../../../lib/clouds/azure/evaluate.js";
import { parseAzureEvents } from "../../../lib/clouds/azure/ingest/events.js";
import type {
  AzureSubscriptionState,
  NetworkSecurityGroup,
  SecurityRule,
} from "../../../lib/clouds/azure/model.js";
import { assignPriorities } from "../../../lib/clouds/azure/priorities.js";
import type { Workload } from "../../../lib/inventory/model.js";
import { designPolicy, workload } from "../../compile/fixtures.js";
import { allow, expectFailure, networkId, newSim, SUB, vmId } from "../../sim/clouds/azure/fixtures.js";
import { AZURE_OWNERSHIP } from "../../support/seals.js";
import { AzureTestbed, SUBSCRIPTION } from "./harness.js";

/**
 * ARM compares resource ids and names ignoring case, and returns each reference as it was written
 * (a NIC's `virtualMachine.id` says `test_vm` where the VM's own id says `TEST_VM`). Each place
 * that compares them does so too.
 */
const RULE: SecurityRule = allow("segsync-allow-web", 200);

function owned(rules: readonly SecurityRule[]): NetworkSecurityGroup {
  return {
    id: networkId("networkSecurityGroups", "rg-segsync", "segsync-abc-eastus"),
    name: "segsync-abc-eastus",
    location: "eastus",
    resourceGroup: "rg-segsync",
    tags: AZURE_OWNERSHIP.ownedTags(
      networkId("networkSecurityGroups", "rg-segsync", "segsync-abc-eastus"),
      "app=shop,role=web",
    ),
    flushConnection: true,
    securityRules: rules,
    defaultSecurityRules: [],
  };
}

function subscription(parts: Partial<AzureSubscriptionState>): AzureSubscriptionState {
  return {
    subscription: SUB,
    virtualMachines: [],
    networkInterfaces: [],
    networkSecurityGroups: [],
    applicationSecurityGroups: [],
    publicIPAddresses: [],
    ...parts,
  };
}

describe("ids and names compared as ARM compares them", () => {
  it("diff: a rule whose name ARM returns in other capitals is the same rule", () => {
    const desired = {
      applicationSecurityGroups: [],
      networkSecurityGroups: [
        {
          subscription: SUB,
          resourceGroup: "rg-segsync",
          name: "segsync-abc-eastus",
          location: "eastus",
          identity: "app=shop,role=web",
          flushConnection: true,
          securityRules: [RULE],
        },
      ],
      networkInterfaces: [],
      findings: [],
    };
    const actual = [
      subscription({ networkSecurityGroups: [owned([{ ...RULE, name: "SEGSYNC-Allow-Web" }])] }),
    ];
    expect(diffAzure(desired, actual, AZURE_OWNERSHIP)).toEqual([]);
    const moved = [
      subscription({
        networkSecurityGroups: [owned([{ ...RULE, name: "SEGSYNC-Allow-Web", priority: 201 }])],
      }),
    ];
    expect(diffAzure(desired, moved, AZURE_OWNERSHIP)).toMatchObject([
      { change: { added: 0, removed: 0, changed: 1 } },
    ]);
  });

  it("priorities: a rule keeps its priority when ARM returns its name in other capitals", () => {
    const [kept] =
      assignPriorities([{ ...RULE, priority: 0 }], [{ ...RULE, name: "Segsync-Allow-Web", priority: 777 }]) ??
      [];
    expect(kept?.priority).toBe(777);
  });

  it("evaluate: NSG and ASG references match their objects whatever their capitals", () => {
    const asg = networkId("applicationSecurityGroups", "rg-app", "asg-web");
    const nsg = {
      ...owned([allow("from-web", 200, { asgs: [asg.toUpperCase()] }, { destinationPortRange: "443" })]),
      defaultSecurityRules: [
        {
          ...allow("DenyAllInBound", 65500, { prefixes: ["*"] }),
          access: "Deny" as const,
          protocol: "*" as const,
          destinationPortRange: "*",
        },
      ],
    };
    const nic = (name: string, ip: string, extra: object) => ({
      id: networkId("networkInterfaces", "rg-app", name),
      name,
      location: "eastus",
      resourceGroup: "rg-app",
      tags: {},
      ipConfigurations: [
        {
          name: "ipconfig1",
          primary: true,
          privateIPAddress: ip,
          subnet: { id: `${networkId("virtualNetworks", "rg-net", "vnet-prod")}/subnets/default` },
          applicationSecurityGroups: [],
        },
      ],
      ...extra,
    });
    const web = nic("web", "10.2.0.4", {});
    const db = nic("db", "10.2.0.5", { networkSecurityGroup: { id: nsg.id.toLowerCase() } });
    const state = subscription({
      networkInterfaces: [
        {
          ...web,
          ipConfigurations: [
            { ...web.ipConfigurations[0], applicationSecurityGroups: [{ id: asg.toLowerCase() }] },
          ],
        } as never,
        db as never,
      ],
      networkSecurityGroups: [nsg],
    });
    const reach = evaluateAzure([state]);
    expect(reach.explain(db.id.toUpperCase(), "10.2.0.4", "tcp", 443).rule?.name).toBe("from-web");
    expect(reach.explain(db.id, "10.2.0.9", "tcp", 443).rule?.name).toBe("DenyAllInBound");
  });

  it("events: a VM named in capitals by its event gets the id discovery gives it", () => {
    const subject = `/subscriptions/${SUB.toUpperCase()}/RESOURCEGROUPS/RG-Shop/providers/Microsoft.Compute/virtualMachines/VM-Web-1`;
    const result = parseAzureEvents([
      {
        id: "e-1",
        topic: `/subscriptions/${SUB}`,
        subject,
        eventType: "Microsoft.Resources.ResourceWriteSuccess",
        eventTime: "2026-12-05T08:00:00Z",
        dataVersion: "2",
        data: {
          operationName: "Microsoft.Compute/virtualMachines/write",
          resourceUri: subject,
          subscriptionId: SUB,
        },
      },
    ]);
    expect(result.kind === "events" && result.events.map((event) => event.workloadId)).toEqual([
      `azure:${SUB}:rg-shop:vm-web-1`,
    ]);
  });

  it("discover and the simulator: a VM in a capitalized resource group is one lowercase workload", async () => {
    const sim = newSim();
    const created = sim.createVm({
      resourceGroup: "RG-Shop",
      name: "Web-1",
      location: "eastus",
      vnet: { resourceGroup: "rg-net", name: "vnet-prod" },
      privateIp: "10.2.0.11",
      tags: { "seg-app": "shop" },
    });
    expect(created.id).toBe(vmId("RG-Shop", "Web-1"));
    expect((await sim.getVirtualMachine("rg-shop", "WEB-1"))?.id).toBe(created.id);
    const discovery = await discoverAzure(sim, { tagPrefix: "seg-", dimensions: ["app"] }, AZURE_OWNERSHIP);
    expect(discovery.workloads.map((found) => found.id)).toEqual([`azure:${SUB}:rg-shop:web-1`]);
  });

  it("the simulator: an NSG referenced in other capitals is found, and in use", async () => {
    const sim = newSim();
    const nsg = sim.createNetworkSecurityGroup({
      resourceGroup: "rg-app",
      name: "nsg-app",
      location: "eastus",
    });
    const vm = sim.createVm({
      resourceGroup: "rg-app",
      name: "web-1",
      location: "eastus",
      vnet: { resourceGroup: "rg-net", name: "vnet-prod" },
      privateIp: "10.2.0.11",
      tags: {},
    });
    const nic = await sim.getNetworkInterface("RG-APP", vm.networkInterfaceId.split("/").at(-1) ?? "");
    if (nic === undefined) throw new Error("createVm makes a NIC");
    await sim.putNetworkInterface({ ...nic, networkSecurityGroup: { id: nsg.id.toUpperCase() } });
    await expectFailure(
      sim.deleteNetworkSecurityGroup("RG-App", "NSG-APP"),
      AzureInUseError,
      "InUseNetworkSecurityGroupCannotBeDeleted",
    );
  });

  it("materialize: workloads whose VM ids ARM spells in capitals are enforced", async () => {
    const vnet = `azure:${SUBSCRIPTION}:rg-net:vnet-prod`;
    const shop = { app: "shop", env: "prod" };
    const workloads: Workload[] = [
      workload(
        `azure:${SUBSCRIPTION}:RG-App:Web-1`,
        { network: vnet, privateIp: "10.2.0.11" },
        { ...shop, role: "web" },
      ),
      workload(
        `azure:${SUBSCRIPTION}:RG-App:Api-1`,
        { network: vnet, privateIp: "10.2.0.12" },
        { ...shop, role: "api" },
      ),
    ];
    const bed = new AzureTestbed(workloads, DEFAULT_AZURE_QUOTAS);
    const policy = designPolicy({ networks: { connected: [], nat: {} } });
    const { desired, intent } = await bed.reconcile(policy, [], "exclusive");
    expect(intent.destinations.flatMap((d) => d.members.map((m) => m.workload)).sort()).toEqual([
      `azure:${SUBSCRIPTION}:rg-app:api-1`,
      `azure:${SUBSCRIPTION}:rg-app:web-1`,
    ]);
    expect(desired.findings.filter((finding) => finding.code === "azure-interface-missing")).toEqual([]);
    expect(desired.networkInterfaces).toHaveLength(2);
    expect((await bed.reconcile(policy, [], "exclusive")).plan).toEqual([]);
  });
});

describe("protocols in any case", () => {
  it("the simulator takes TCP and tcp, as ARM does, and keeps the model's casing", async () => {
    const sim = newSim();
    const written = await sim.putNetworkSecurityGroup({
      resourceGroup: "rg-app",
      name: "nsg-cased",
      location: "eastus",
      tags: {},
      securityRules: [
        { ...allow("upper", 200), protocol: "TCP" as SecurityRule["protocol"] },
        { ...allow("lower", 210), protocol: "udp" as SecurityRule["protocol"] },
      ],
    });
    expect(written.securityRules.map((rule) => [rule.name, rule.protocol])).toEqual([
      ["upper", "Tcp"],
      ["lower", "Udp"],
    ]);
  });
});
