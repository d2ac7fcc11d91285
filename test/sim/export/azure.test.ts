import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { AzureApi } from "../../../lib/clouds/azure/api.js";
import { AzureOwnership } from "../../../lib/clouds/azure/ownership.js";
import { createSdkAzureApiFactory } from "../../../lib/clouds/azure/sdk/api.js";
import { RecordKey } from "../../../lib/clouds/common/seals.js";
import { SimulatedArm } from "../../../sim/clouds/azure/api.js";
import { type AzureEstateParts, exportAzure } from "../../../sim/clouds/azure/export.js";
import { readAzureForExport } from "../../../sim/clouds/azure/export-read.js";
import { loadEstateText } from "../../../sim/estate.js";
import { ArmFake } from "../../support/arm-fake.js";
import { AZURE_OWNERSHIP, TEST_RECORD_KEY } from "../../support/seals.js";

/**
 * The Azure half of `estate export` on recorded ARM answers (test/fixtures/azure, sources in its
 * SOURCES.md), served by a local ARM fake to the real SDK clients: the VNet list, and a recorded
 * subscription read and mapped to estate parts that the estate checks accept.
 */
const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), "../../fixtures/azure");
// biome-ignore lint/suspicious/noExplicitAny: recorded JSON, read as it was recorded
type Json = any;

function fixture(path: string): Json {
  return JSON.parse(readFileSync(resolve(FIXTURES, path), "utf8"));
}

/** Cloud Custodian's recording subscription (its cassettes keep it). */
const SUB = "ea42f556-5106-4743-99b0-c129bfa71a47";
const NETWORK = `/subscriptions/${SUB}/providers/Microsoft.Network`;
const COMPUTE = `/subscriptions/${SUB}/providers/Microsoft.Compute`;
const MY_VNET = `/subscriptions/${SUB}/resourceGroups/test_vm/providers/Microsoft.Network/virtualNetworks/MyVNET`;
/** The recorded VM's tag `testtag` as the one label dimension. */
const LABELS = { tagPrefix: "test", dimensions: ["tag"] };
const LIVE = new AzureOwnership(RecordKey.fromText(TEST_RECORD_KEY, "the tests"));
const OWNERS = { live: LIVE, simulator: AZURE_OWNERSHIP };

let fake: ArmFake;
beforeAll(async () => {
  fake = await ArmFake.start();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
});

function api(): AzureApi {
  return createSdkAzureApiFactory({
    credential: { getToken: async () => ({ token: fake.token, expiresOnTimestamp: Date.now() + 3_600_000 }) },
    endpoint: fake.endpoint,
    pollIntervalMs: 1,
    retryDelayMs: 5,
    pipelineHook: fake.pipelineHook(),
  })(SUB);
}

/**
 * The recorded subscription (one VM, `test_vm/cctestvm`, on `myVMNic` in `MyVNET`), and the recorded
 * VNet list with its one VNet renamed to `MyVNET` and moved to the VM's region (a NIC is always in
 * its VNet's region): no cassette lists the VM's own VNet.
 */
function serveSubscription(): void {
  const vm = fixture("arm/custodian-vm-get-instance-view.json");
  fake.serveRecorded(`${COMPUTE}/virtualMachines`, [fixture("arm/custodian-vm-list.json")]);
  fake.serveRecorded(`${COMPUTE}/virtualMachines`, [{ value: [vm] }], { statusOnly: true });
  fake.serveRecorded(`${NETWORK}/networkInterfaces`, [fixture("arm/custodian-nic-list.json")]);
  fake.serveRecorded(`${NETWORK}/networkSecurityGroups`, [
    fixture("arm/custodian-nsg-list-tcp-uppercase.json"),
  ]);
  fake.serveRecorded(`${NETWORK}/applicationSecurityGroups`, [{ value: [] }]);
  fake.serveRecorded(`${NETWORK}/publicIPAddresses`, [fixture("arm/custodian-public-ip-list.json")]);
  const vnets = fixture("arm/custodian-vnet-list.json");
  vnets.value[0].id = MY_VNET;
  vnets.value[0].name = "MyVNET";
  vnets.value[0].location = "southcentralus";
  fake.serveRecorded(`${NETWORK}/virtualNetworks`, [vnets]);
}

function checked(parts: AzureEstateParts) {
  const text = stringify({
    apiVersion: "segsync/v1",
    kind: "Estate",
    networks: parts.networks,
    workloads: parts.workloads,
    native: { azure: parts.native },
  });
  return loadEstateText(text, "exported.yaml");
}

describe("listing VNets", () => {
  it("reads the recorded list through the real SDK client: region and address space", async () => {
    fake.serveRecorded(`${NETWORK}/virtualNetworks`, [fixture("arm/custodian-vnet-list.json")]);
    expect(await api().listVirtualNetworks()).toEqual([
      {
        id: `/subscriptions/${SUB}/resourceGroups/databricks-rg/providers/Microsoft.Network/virtualNetworks/databricks-vnet`,
        name: "databricks-vnet",
        location: "eastus",
        resourceGroup: "databricks-rg",
        addressPrefixes: ["10.0.0.0/16"],
      },
    ]);
  });

  it("in the simulator: the VNets it holds, with the range it knows, logged as a read", async () => {
    const sim = new SimulatedArm({
      subscription: SUB,
      virtualMachines: [],
      networkInterfaces: [],
      networkSecurityGroups: [],
      applicationSecurityGroups: [],
      publicIPAddresses: [],
    });
    sim.createVirtualNetwork({
      resourceGroup: "rg-net",
      name: "vnet-prod",
      location: "eastus",
      addressPrefix: "10.2.0.0/16",
    });
    expect(await sim.listVirtualNetworks()).toEqual([
      {
        id: `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-prod`,
        name: "vnet-prod",
        location: "eastus",
        resourceGroup: "rg-net",
        addressPrefixes: ["10.2.0.0/16"],
      },
    ]);
    expect(sim.calls.map((call) => call.method)).toEqual(["listVirtualNetworks"]);
  });
});

describe("exportAzure on a recorded subscription", () => {
  it("exports the VM on its primary NIC in its VNet, and the estate checks accept it", async () => {
    serveSubscription();
    const read = await readAzureForExport(api(), LABELS, LIVE);
    const parts = exportAzure(read, OWNERS);
    expect(parts.findings).toEqual([]);
    expect(parts.networks).toEqual([
      { id: `azure:${SUB}:test_vm:MyVNET`, cidr: "10.0.0.0/16", region: "southcentralus" },
    ]);
    expect(parts.workloads).toEqual([
      {
        id: `azure:${SUB}:test_vm:cctestvm`,
        network: `azure:${SUB}:test_vm:MyVNET`,
        privateIp: "10.0.0.4",
        publicIp: "23.102.173.223",
        state: "running",
        tags: { schedule: "on=(M-U,8);off=(M-U,18);tz=pt", testtag: "testvalue" },
      },
    ]);
    expect(
      parts.native.networkInterfaces.map((nic) => [nic.name, nic.primary, nic.ipConfigurations.length]),
    ).toEqual([["myVMNic", true, 1]]);
    const loaded = checked(parts);
    expect(loaded.ok ? [] : loaded.issues).toEqual([]);
    // Only GETs reached ARM.
    expect(new Set(fake.requests.map((request) => request.method))).toEqual(new Set(["GET"]));
  });

  it("leaves out a tag the simulated ARM refuses, with a finding: the export trusts nothing it reads", async () => {
    serveSubscription();
    const read = await readAzureForExport(api(), LABELS, LIVE);
    const virtualMachines = read.state.virtualMachines.map((vm) => ({
      ...vm,
      tags: { ...vm.tags, "cost<center": "x" },
    }));
    const parts = exportAzure({ ...read, state: { ...read.state, virtualMachines } }, OWNERS);
    expect(parts.workloads.map((workload) => Object.keys(workload.tags).sort())).toEqual([
      ["schedule", "testtag"],
    ]);
    expect(parts.findings.map((finding) => [finding.code, finding.message])).toEqual([
      [
        "azure-export-tag",
        expect.stringMatching(/^azure:.*:test_vm:cctestvm: tag "cost<center" left out \(.*not allowed/),
      ],
    ]);
  });

  it("leaves out a VNet whose address space does not hold its VMs, with a finding", async () => {
    serveSubscription();
    const read = await readAzureForExport(api(), LABELS, LIVE);
    const elsewhere = read.virtualNetworks.map((vnet) => ({ ...vnet, addressPrefixes: ["172.16.0.0/12"] }));
    const parts = exportAzure({ ...read, virtualNetworks: elsewhere }, OWNERS);
    expect(parts.findings.map((finding) => finding.code)).toEqual(["azure-export-vnet-range"]);
    expect([parts.networks, parts.workloads, parts.native.networkInterfaces]).toEqual([[], [], []]);
  });
});

describe("exportAzure and what segsync owns", () => {
  it("seals segsync's NSGs, ASGs and NIC records again under the simulator's key; a forged one stays foreign", async () => {
    serveSubscription();
    const read = await readAzureForExport(api(), LABELS, LIVE);
    const rg = `/subscriptions/${SUB}/resourceGroups/segsync/providers/Microsoft.Network`;
    const nsgId = `${rg}/networkSecurityGroups/segsync-web`;
    const asgId = `${rg}/applicationSecurityGroups/segsync-app-shop`;
    const forgedId = `${rg}/applicationSecurityGroups/segsync-forged`;
    const foreign = new AzureOwnership(
      RecordKey.fromText("another installation's record key, 32+ chars", "a test"),
    );
    const asg = (id: string, tags: Record<string, string>) => ({
      id,
      name: id.split("/").pop() ?? "",
      location: "southcentralus",
      resourceGroup: "segsync",
      tags,
    });
    const [nic] = read.state.networkInterfaces;
    if (nic === undefined) throw new Error("the recorded subscription lost its NIC");
    const state = {
      ...read.state,
      networkSecurityGroups: [
        {
          ...asg(nsgId, LIVE.ownedTags(nsgId, "app=shop")),
          securityRules: [
            {
              name: "segsync-allow",
              priority: 200,
              direction: "Inbound" as const,
              access: "Allow" as const,
              protocol: "Tcp" as const,
              sourceApplicationSecurityGroups: [
                { id: asgId },
                { id: `${rg}/applicationSecurityGroups/gone` },
              ],
              sourcePortRange: "*",
              destinationAddressPrefix: "*",
              destinationPortRange: "443",
            },
          ],
          defaultSecurityRules: [],
        },
      ],
      applicationSecurityGroups: [
        asg(asgId, LIVE.ownedTags(asgId, "app=shop")),
        asg(forgedId, foreign.ownedTags(forgedId, "app=shop")),
      ],
      networkInterfaces: [
        {
          ...nic,
          networkSecurityGroup: { id: nsgId },
          tags: { ...nic.tags, ...LIVE.recordTags(nic.id, undefined) },
        },
      ],
    };
    const parts = exportAzure({ ...read, state }, OWNERS);
    expect(parts.resealed).toBe(3);
    expect(parts.findings.map((finding) => finding.code)).toEqual(["azure-export-reference"]);
    const [nsg] = parts.native.networkSecurityGroups;
    const [owned, forged] = parts.native.applicationSecurityGroups;
    expect(AZURE_OWNERSHIP.owns({ id: nsgId, name: "segsync-web", tags: nsg?.tags ?? {} })).toBe(true);
    expect(nsg?.securityRules[0]?.sourceApplicationSecurityGroups).toEqual([{ id: asgId }]);
    expect(AZURE_OWNERSHIP.owns({ id: asgId, name: "segsync-app-shop", tags: owned?.tags ?? {} })).toBe(true);
    expect(forged?.tags).toEqual(foreign.ownedTags(forgedId, "app=shop"));
    expect(AZURE_OWNERSHIP.owns({ id: forgedId, name: "segsync-forged", tags: forged?.tags ?? {} })).toBe(
      false,
    );
    const [exportedNic] = parts.native.networkInterfaces;
    expect(AZURE_OWNERSHIP.recordedNsg({ id: nic.id, tags: exportedNic?.tags ?? {} })).toEqual({
      original: undefined,
    });
    const loaded = checked(parts);
    expect(loaded.ok ? [] : loaded.issues).toEqual([]);
  });
});
