import { beforeAll, describe, expect, it } from "vitest";
import type { AzureApi } from "../../../lib/clouds/azure/api.js";
import {
  discoverAzure,
  discoverAzureWorkload,
  networkOfSubnet,
  workloadOfNetworkInterface,
  workloadState,
} from "../../../lib/clouds/azure/discover.js";
import type { AzureSubscriptionState, VirtualMachine } from "../../../lib/clouds/azure/model.js";
import { readLabels } from "../../../lib/inventory/labels.js";
import { AZURE_WRITE_METHODS, SimulatedArm } from "../../../sim/clouds/azure/api.js";
import { allow, networkId, newSim, SUB, vmId } from "../../sim/clouds/azure/fixtures.js";
import { AZURE_OWNERSHIP } from "../../support/seals.js";

const LABELS = { tagPrefix: "seg-", dimensions: ["app", "env", "role"] };
const PROD = `azure:${SUB}:rg-net:vnet-prod`;
const WEST = `azure:${SUB}:rg-west:vnet-west`;
const workloadId = (vm: string) => `azure:${SUB}:rg-shop:${vm}`;

/**
 * Two VNets in two regions: a web VM with a secondary NIC, a public IP and a customer NSG; a
 * deallocated db (its public IP released), a powered-off api (keeps it), a starting batch VM, one
 * tagged `Seg-App`, one that lost its labels but carries the original-NSG record, one unlabeled
 * but in an owned NSG (additive), a plain unlabeled one, and owned and unrelated NSGs and ASGs.
 */
async function buildEstate() {
  const sim = newSim();
  /** The tags of an NSG or ASG segsync created in rg-segsync, sealed. */
  const sealed = (type: string, name: string, identity: string) =>
    AZURE_OWNERSHIP.ownedTags(networkId(type, "rg-segsync", name), identity);
  const vm = (
    name: string,
    vnet: "vnet-prod" | "vnet-west",
    privateIp: string,
    tags: Record<string, string>,
    publicIp?: string,
  ) =>
    sim.createVm({
      resourceGroup: "rg-shop",
      name,
      location: vnet === "vnet-west" ? "westus" : "eastus",
      vnet: { resourceGroup: vnet === "vnet-west" ? "rg-west" : "rg-net", name: vnet },
      privateIp,
      tags,
      ...(publicIp === undefined ? {} : { publicIp }),
    });
  const legacy = sim.createNetworkSecurityGroup({
    resourceGroup: "rg-app",
    name: "nsg-legacy",
    location: "eastus",
    securityRules: [allow("allow-ssh", 300, { prefixes: ["*"] }, { destinationPortRange: "22" })],
  });
  const recorded = sim.createNetworkSecurityGroup({
    resourceGroup: "rg-app",
    name: "nsg-recorded",
    location: "eastus",
  });
  sim.createNetworkSecurityGroup({ resourceGroup: "rg-app", name: "nsg-unused", location: "eastus" });
  const owned = await sim.putNetworkSecurityGroup({
    resourceGroup: "rg-segsync",
    name: "segsync-abc-eastus",
    location: "eastus",
    tags: sealed("networkSecurityGroups", "segsync-abc-eastus", "app=shop,role=web"),
    securityRules: [],
  });
  const ownedWest = await sim.putNetworkSecurityGroup({
    resourceGroup: "rg-segsync",
    name: "segsync-def-westus",
    location: "westus",
    tags: sealed("networkSecurityGroups", "segsync-def-westus", "app=shop,role=db"),
    securityRules: [],
  });
  const ownedAsg = await sim.putApplicationSecurityGroup({
    resourceGroup: "rg-segsync",
    name: "segsync-abc-1234",
    location: "eastus",
    tags: sealed("applicationSecurityGroups", "segsync-abc-1234", "app=shop,role=web"),
  });
  const customerAsg = await sim.putApplicationSecurityGroup({
    resourceGroup: "rg-app",
    name: "asg-web",
    location: "eastus",
    tags: {},
  });
  await sim.putApplicationSecurityGroup({
    resourceGroup: "rg-app",
    name: "asg-unused",
    location: "eastus",
    tags: {},
  });

  const web = vm(
    "vm-web-1",
    "vnet-prod",
    "10.2.0.11",
    { "seg-app": "shop", "seg-role": "web", Name: "web-1" },
    "20.0.0.11",
  );
  sim.addNetworkInterface("rg-shop", "vm-web-1", { privateIp: "10.2.0.21", publicIp: "20.0.0.21" });
  const webNic = await sim.getNetworkInterface("rg-shop", "vm-web-1VMNic");
  if (webNic === undefined) throw new Error("no web NIC");
  await sim.putNetworkInterface({
    ...webNic,
    networkSecurityGroup: { id: legacy.id },
    ipConfigurations: webNic.ipConfigurations.map((c) => ({
      ...c,
      applicationSecurityGroups: [{ id: customerAsg.id }, { id: ownedAsg.id }],
    })),
  });
  vm("vm-db-1", "vnet-west", "10.3.0.21", { "seg-app": "shop", "seg-role": "db" }, "20.0.1.21");
  sim.setPowerState("rg-shop", "vm-db-1", "VM deallocated");
  vm("vm-api-1", "vnet-prod", "10.2.0.31", { "seg-app": "shop", "seg-role": "api" }, "20.0.0.31");
  sim.setPowerState("rg-shop", "vm-api-1", "VM stopped");
  vm("vm-batch-1", "vnet-west", "10.3.0.41", { "seg-env": "prod" });
  sim.setPowerState("rg-shop", "vm-batch-1", "VM starting");
  vm("vm-cased-1", "vnet-prod", "10.2.0.51", { "Seg-App": "shop", "SEG-ROLE": "web" });
  vm("vm-restore-1", "vnet-prod", "10.2.0.61", { Name: "was-labeled" });
  const restoreNic = await sim.getNetworkInterface("rg-shop", "vm-restore-1VMNic");
  await sim.putNetworkInterface({
    ...(restoreNic as NonNullable<typeof restoreNic>),
    tags: AZURE_OWNERSHIP.recordTags((restoreNic as NonNullable<typeof restoreNic>).id, recorded.id),
  });
  vm("vm-additive-1", "vnet-west", "10.3.0.71", {});
  const additiveNic = await sim.getNetworkInterface("rg-shop", "vm-additive-1VMNic");
  await sim.putNetworkInterface({
    ...(additiveNic as NonNullable<typeof additiveNic>),
    networkSecurityGroup: { id: ownedWest.id },
  });
  vm("vm-plain-1", "vnet-prod", "10.2.0.81", { Name: "not-ours" }, "20.0.0.81");
  sim.clearCalls();
  return { sim, web, owned, ownedWest, ownedAsg, customerAsg, legacy, recorded };
}

describe("discoverAzure", () => {
  let estate: Awaited<ReturnType<typeof buildEstate>>;
  let result: Awaited<ReturnType<typeof discoverAzure>>;

  beforeAll(async () => {
    estate = await buildEstate();
    result = await discoverAzure(estate.sim, LABELS, AZURE_OWNERSHIP);
  });

  it("finds labeled VMs (tag names ignoring case) and VMs whose NICs segsync changed, as workloads", () => {
    expect(result.workloads.map((w) => [w.id, w.state])).toEqual([
      [workloadId("vm-additive-1"), "running"],
      [workloadId("vm-api-1"), "stopped"],
      [workloadId("vm-batch-1"), "running"],
      [workloadId("vm-cased-1"), "running"],
      [workloadId("vm-db-1"), "stopped"],
      [workloadId("vm-restore-1"), "running"],
      [workloadId("vm-web-1"), "running"],
    ]);
    expect(result.skipped).toEqual([]);
  });

  it("reads NICs primary first, with the private IP of the primary configuration and the public IP resolved", () => {
    const web = result.workloads.find((w) => w.id === workloadId("vm-web-1"));
    expect(web).toEqual({
      id: workloadId("vm-web-1"),
      state: "running",
      nics: [
        {
          id: networkId("networkInterfaces", "rg-shop", "vm-web-1VMNic"),
          network: PROD,
          privateIp: "10.2.0.11",
          publicIp: "20.0.0.11",
        },
        {
          id: networkId("networkInterfaces", "rg-shop", "vm-web-1VMNic2"),
          network: PROD,
          privateIp: "10.2.0.21",
          publicIp: "20.0.0.21",
        },
      ],
      tags: { Name: "web-1", "seg-app": "shop", "seg-role": "web" },
    });
  });

  it("keeps a powered-off VM's public IP and drops a deallocated VM's released one", () => {
    const byId = new Map(result.workloads.map((w) => [w.id, w]));
    expect(byId.get(workloadId("vm-api-1"))?.nics[0]?.publicIp).toBe("20.0.0.31");
    expect(byId.get(workloadId("vm-db-1"))?.nics).toEqual([
      {
        id: networkId("networkInterfaces", "rg-shop", "vm-db-1VMNic"),
        network: WEST,
        privateIp: "10.3.0.21",
      },
    ]);
  });

  it("reports tag names exactly as ARM returns them, so that label reading flags non-lowercase ones", () => {
    const cased = result.workloads.find((w) => w.id === workloadId("vm-cased-1"));
    expect(cased?.tags).toEqual({ "SEG-ROLE": "web", "Seg-App": "shop" });
    const reading = readLabels(cased?.tags ?? {}, LABELS);
    expect(reading.labels).toEqual({});
    expect(reading.problems.map((p) => p.tagKey)).toEqual(["SEG-ROLE", "Seg-App"]);
  });

  it("lists the networks of the workloads' NICs with their region", () => {
    expect(result.networks).toEqual([
      { id: PROD, region: "eastus" },
      { id: WEST, region: "westus" },
    ]);
  });

  it("returns the state that materialize, diff and evaluate need, and nothing else", () => {
    const { state } = result;
    const names = (items: readonly { name: string }[]) => items.map((item) => item.name);
    expect(state.subscription).toBe(SUB);
    expect(names(state.virtualMachines)).toEqual([
      "vm-additive-1",
      "vm-api-1",
      "vm-batch-1",
      "vm-cased-1",
      "vm-db-1",
      "vm-restore-1",
      "vm-web-1",
    ]);
    expect(names(state.networkInterfaces)).toEqual([
      "vm-additive-1VMNic",
      "vm-api-1VMNic",
      "vm-batch-1VMNic",
      "vm-cased-1VMNic",
      "vm-db-1VMNic",
      "vm-restore-1VMNic",
      "vm-web-1VMNic",
      "vm-web-1VMNic2",
    ]);
    // Owned ones, the customer NSG on a NIC and the one recorded for restore; not nsg-unused.
    expect(names(state.networkSecurityGroups)).toEqual([
      "nsg-legacy",
      "nsg-recorded",
      "segsync-abc-eastus",
      "segsync-def-westus",
    ]);
    expect(
      state.networkSecurityGroups.find((n) => n.name === "nsg-legacy")?.securityRules.map((r) => r.name),
    ).toEqual(["allow-ssh"]);
    expect(names(state.applicationSecurityGroups)).toEqual(["asg-web", "segsync-abc-1234"]);
    expect(names(state.publicIPAddresses)).toEqual([
      "vm-api-1PublicIP",
      "vm-db-1PublicIP",
      "vm-web-1PublicIP",
      "vm-web-1VMNic2PublicIP",
    ]);
  });

  it("only reads", async () => {
    estate.sim.clearCalls();
    await discoverAzure(estate.sim, LABELS, AZURE_OWNERSHIP);
    expect(estate.sim.calls.filter((c) => AZURE_WRITE_METHODS.has(c.method))).toEqual([]);
    expect(estate.sim.calls.map((c) => c.method)).toEqual([
      "listVirtualMachines",
      "listNetworkInterfaces",
      "listNetworkSecurityGroups",
      "listApplicationSecurityGroups",
      "listPublicIPAddresses",
    ]);
  });

  it("takes a configured region for a network, matching its id ignoring case", async () => {
    const configured = await discoverAzure(estate.sim, LABELS, AZURE_OWNERSHIP, {
      networkLocations: { [PROD.toUpperCase()]: "eastus2" },
    });
    expect(configured.networks).toEqual([
      { id: PROD, region: "eastus2" },
      { id: WEST, region: "westus" },
    ]);
  });
});

describe("ids and names ignoring case", () => {
  it("joins NICs to VMs and VNets whatever the case of the ids, naming each network once", async () => {
    const sim = newSim();
    for (const [name, ip] of [
      ["vm-a", "10.2.0.11"],
      ["vm-b", "10.2.0.12"],
    ] as const) {
      sim.createVm({
        resourceGroup: "rg-shop",
        name,
        location: "eastus",
        vnet: { resourceGroup: "rg-net", name: "vnet-prod" },
        privateIp: ip,
        tags: { "seg-app": "shop" },
      });
    }
    const state = sim.state();
    // ARM is known to return references with the resource group in upper case.
    const shouted: AzureSubscriptionState = {
      ...state,
      networkInterfaces: state.networkInterfaces.map((nic) =>
        nic.name.startsWith("vm-b")
          ? {
              ...nic,
              virtualMachine: { id: vmId("RG-SHOP", "vm-b") },
              ipConfigurations: nic.ipConfigurations.map((c) => ({
                ...c,
                subnet: { id: c.subnet.id.replace("/rg-net/", "/RG-NET/") },
              })),
            }
          : nic,
      ),
    };
    const result = await discoverAzure(new SimulatedArm(shouted), LABELS, AZURE_OWNERSHIP);
    expect(result.workloads.map((w) => [w.id, w.nics[0]?.network])).toEqual([
      [workloadId("vm-a"), PROD],
      [workloadId("vm-b"), PROD],
    ]);
    expect(result.networks).toEqual([{ id: PROD, region: "eastus" }]);
  });

  it("lowercases the subscription of network ids read from subnet ids", () => {
    const subnet = `/subscriptions/${SUB.toUpperCase()}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-prod/subnets/default`;
    expect(networkOfSubnet(subnet)).toBe(PROD);
    expect(networkOfSubnet(networkId("networkSecurityGroups", "rg", "nsg"))).toBeUndefined();
  });
});

describe("what makes a workload", () => {
  it.each([
    ["VM running", "running"],
    ["VM starting", "running"],
    ["VM stopping", "stopped"],
    ["VM stopped", "stopped"],
    ["VM deallocating", "stopped"],
    ["VM deallocated", "stopped"],
    ["VM unknown", undefined],
    ["", undefined],
  ])("power state %j → %s", (powerState, expected) => {
    expect(workloadState(powerState)).toBe(expected);
  });

  it("leaves out a labeled VM whose power state is no workload state, with its NICs", async () => {
    const sim = newSim();
    sim.createVm({
      resourceGroup: "rg-shop",
      name: "vm-new",
      location: "eastus",
      vnet: { resourceGroup: "rg-net", name: "vnet-prod" },
      privateIp: "10.2.0.11",
      tags: { "seg-app": "shop" },
    });
    const state = sim.state();
    const creating = new SimulatedArm({
      ...state,
      virtualMachines: state.virtualMachines.map((vm) => ({ ...vm, powerState: "VM unknown" })),
    });
    const result = await discoverAzure(creating, LABELS, AZURE_OWNERSHIP);
    expect(result.workloads).toEqual([]);
    expect(result.state.networkInterfaces).toEqual([]);
    expect(await discoverAzureWorkload(creating, "rg-shop", "vm-new")).toBeUndefined();
  });

  it("skips, and says why, a VM whose names cannot form a workload id", async () => {
    const sim = newSim();
    sim.createVm({
      resourceGroup: "rg-shop",
      name: "vm-ok",
      location: "eastus",
      vnet: { resourceGroup: "rg-net", name: "vnet-prod" },
      privateIp: "10.2.0.11",
      tags: { "seg-app": "shop" },
    });
    const [vm] = sim.state().virtualMachines as VirtualMachine[];
    // ARM allows Unicode letters in resource group names; workload ids are ASCII.
    const odd: VirtualMachine = {
      ...(vm as VirtualMachine),
      id: vmId("rg-café", "vm-odd"),
      name: "vm-odd",
      resourceGroup: "rg-café",
    };
    const api: AzureApi = Object.create(sim, {
      listVirtualMachines: { value: async () => [...(await sim.listVirtualMachines()), odd] },
    });
    const result = await discoverAzure(api, LABELS, AZURE_OWNERSHIP);
    expect(result.workloads.map((w) => w.id)).toEqual([workloadId("vm-ok")]);
    expect(result.skipped).toEqual([
      { vm: odd.id, reason: expect.stringContaining('resourceGroup "rg-café"') },
    ]);
  });
});

describe("the event path", () => {
  let estate: Awaited<ReturnType<typeof buildEstate>>;

  beforeAll(async () => {
    estate = await buildEstate();
  });

  it("reads one VM as discoverAzure does, with targeted calls only", async () => {
    estate.sim.clearCalls();
    const workload = await discoverAzureWorkload(estate.sim, "RG-SHOP", "vm-web-1");
    const all = await discoverAzure(estate.sim, LABELS, AZURE_OWNERSHIP);
    expect(workload).toEqual(all.workloads.find((w) => w.id === workloadId("vm-web-1")));
    // Its public IP resources by name too: no listing of the subscription.
    expect(estate.sim.calls.slice(0, 5).map((c) => c.method)).toEqual([
      "getVirtualMachine",
      "getNetworkInterface",
      "getNetworkInterface",
      "getPublicIPAddress",
      "getPublicIPAddress",
    ]);
  });

  it("answers undefined for a VM that is gone, and reads an unlabeled one (the reconciler decides)", async () => {
    expect(await discoverAzureWorkload(estate.sim, "rg-shop", "vm-nope")).toBeUndefined();
    expect((await discoverAzureWorkload(estate.sim, "rg-shop", "vm-plain-1"))?.tags).toEqual({
      Name: "not-ours",
    });
  });

  it("finds the VM of a NIC, or undefined when the NIC is gone or detached", async () => {
    expect(await workloadOfNetworkInterface(estate.sim, "rg-shop", "vm-web-1VMNic2")).toBe(
      workloadId("vm-web-1"),
    );
    expect(await workloadOfNetworkInterface(estate.sim, "rg-shop", "nic-nope")).toBeUndefined();
  });
});
