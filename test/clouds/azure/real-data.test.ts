import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AzureApi } from "../../../lib/clouds/azure/api.js";
import { discoverAzure, workloadOfNetworkInterface } from "../../../lib/clouds/azure/discover.js";
import { evaluateAzure } from "../../../lib/clouds/azure/evaluate.js";
import { parseAzureEvents } from "../../../lib/clouds/azure/ingest/events.js";
import type { AzureSubscriptionState } from "../../../lib/clouds/azure/model.js";
import { createSdkAzureApiFactory } from "../../../lib/clouds/azure/sdk/api.js";
import { ArmFake } from "../../support/arm-fake.js";
import { AZURE_OWNERSHIP } from "../../support/seals.js";

/**
 * Recorded ARM answers and documented Event Grid deliveries (test/fixtures/azure, sources in its
 * SOURCES.md) served by a local ARM fake to the real @azure/arm-network and @azure/arm-compute
 * clients, then through SdkAzureApi, discovery, evaluation and event parsing.
 */
const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), "../../fixtures/azure");
// biome-ignore lint/suspicious/noExplicitAny: recorded JSON, read as it was recorded
type Json = any;

function fixture(path: string): Json {
  return JSON.parse(readFileSync(resolve(FIXTURES, path), "utf8"));
}

/** A documentation example file: its 200 answer. */
function example(path: string): Json {
  return fixture(path).responses["200"].body;
}

/** Cloud Custodian's recording subscription (its cassettes keep it). */
const SUB = "ea42f556-5106-4743-99b0-c129bfa71a47";
const NETWORK = `/subscriptions/${SUB}/providers/Microsoft.Network`;
const COMPUTE = `/subscriptions/${SUB}/providers/Microsoft.Compute`;
const C7N_NSG = `/subscriptions/${SUB}/resourceGroups/test_networksecuritygroup/providers/Microsoft.Network/networkSecurityGroups/c7n-nsg`;
const MY_VM_NIC = `/subscriptions/${SUB}/resourceGroups/test_vm/providers/Microsoft.Network/networkInterfaces/myVMNic`;

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

function api(subscription = SUB): AzureApi {
  return createSdkAzureApiFactory({
    credential: { getToken: async () => ({ token: fake.token, expiresOnTimestamp: Date.now() + 3_600_000 }) },
    endpoint: fake.endpoint,
    pollIntervalMs: 1,
    retryDelayMs: 5,
    pipelineHook: fake.pipelineHook(),
  })(subscription);
}

/** The recorded subscription: one VM (`TEST_VM/cctestvm`), six NICs, two NSGs, four public IPs. */
function serveSubscription(): void {
  const vm = fixture("arm/custodian-vm-get-instance-view.json");
  fake.serveRecorded(`${COMPUTE}/virtualMachines`, [fixture("arm/custodian-vm-list.json")]);
  // A statusOnly listing holds each VM with its instance view: the recorded $expand=instanceView answer.
  fake.serveRecorded(`${COMPUTE}/virtualMachines`, [{ value: [vm] }], { statusOnly: true });
  fake.serveRecorded(`${NETWORK}/networkInterfaces`, [fixture("arm/custodian-nic-list.json")]);
  fake.serveRecorded(`${NETWORK}/networkSecurityGroups`, [
    fixture("arm/custodian-nsg-list-tcp-uppercase.json"),
  ]);
  fake.serveRecorded(`${NETWORK}/applicationSecurityGroups`, [{ value: [] }]);
  fake.serveRecorded(`${NETWORK}/publicIPAddresses`, [fixture("arm/custodian-public-ip-list.json")]);
}

describe("recorded NSGs through the real SDK client", () => {
  it("reads rules whose protocol ARM returns as TCP, Tcp or *, in the model's casing", async () => {
    fake.serveRecorded(`${NETWORK}/networkSecurityGroups`, [
      fixture("arm/custodian-nsg-list-tcp-uppercase.json"),
    ]);
    const nsgs = await api().listNetworkSecurityGroups();
    expect(nsgs.map((nsg) => nsg.name)).toEqual(["c7n-nsg", "k8s-master-C02B7042-nsg"]);
    const [c7n, k8s] = nsgs;
    expect(c7n?.resourceGroup).toBe("test_networksecuritygroup");
    expect(c7n?.etag).toBe('W/"43c55c3f-9e73-42cb-9219-35e045ed9ce0"');
    expect(c7n?.securityRules.map((rule) => [rule.name, rule.protocol])).toEqual([
      ["test1", "*"],
      ["test2", "*"],
      ["test3", "*"],
      ["test4", "Tcp"],
      ["test5", "Tcp"],
      ["test6", "*"],
    ]);
    expect(c7n?.securityRules[1]?.destinationPortRanges).toEqual(["8080-8084", "8086"]);
    expect(k8s?.securityRules.map((rule) => [rule.name, rule.protocol, rule.destinationPortRange])).toEqual([
      ["allow_ssh", "Tcp", "22-22"],
      ["allow_kube_tls", "Tcp", "443-443"],
    ]);
    expect(c7n?.defaultSecurityRules.map((rule) => `${rule.name}:${rule.priority}`)).toEqual([
      "AllowVnetInBound:65000",
      "AllowAzureLoadBalancerInBound:65001",
      "DenyAllInBound:65500",
      "AllowVnetOutBound:65000",
      "AllowInternetOutBound:65001",
      "DenyAllOutBound:65500",
    ]);
  });

  it("reads a rule written `tcp` (ARM keeps the casing of the PUT) as Tcp", async () => {
    const body = fixture("arm/custodian-nsg-list-tcp-uppercase.json");
    body.value[0].properties.securityRules[3].properties.protocol = "tcp";
    fake.serveRecorded(`${NETWORK}/networkSecurityGroups`, [body]);
    const [c7n] = await api().listNetworkSecurityGroups();
    expect(c7n?.securityRules[3]).toMatchObject({ name: "test4", protocol: "Tcp", access: "Deny" });
  });

  it("reads Icmp rules, the 2024-05-01 shape, NSGs that list scale-set NICs, and ASG rules", async () => {
    const client = api();
    fake.serveRecorded(`${NETWORK}/networkSecurityGroups`, [fixture("arm/custodian-nsg-list-icmp.json")]);
    const [icmp] = await client.listNetworkSecurityGroups();
    expect(icmp?.securityRules.map((rule) => rule.protocol)).toEqual(["Icmp"]);

    fake.serveRecorded(`${NETWORK}/networkSecurityGroups`, [
      fixture("arm/custodian-nsg-list-2024-05-01.json"),
    ]);
    const recent = await client.listNetworkSecurityGroups();
    expect(recent.map((nsg) => `${nsg.name}:${nsg.securityRules.length}`)).toEqual([
      "nsg-allow-all-ingress:1",
      "nsg-deny-all-ingress:1",
      "nsg-mixed-rules:3",
    ]);

    fake.serveRecorded(`${NETWORK}/networkSecurityGroups`, [
      fixture("arm/custodian-nsg-list-with-nics.json"),
    ]);
    const [withNics] = await client.listNetworkSecurityGroups();
    expect(withNics?.networkInterfaces?.map((nic) => nic.id.split("/").slice(-4).join("/"))).toEqual([
      "virtualMachines/15/networkInterfaces/us3-staging-dog-vault",
      "virtualMachines/17/networkInterfaces/us3-staging-dog-vault",
    ]);

    fake.serveRecorded(`${NETWORK}/networkSecurityGroups`, [
      fixture("arm/custodian-nsg-list-asg-rules.json"),
    ]);
    const [vault] = await client.listNetworkSecurityGroups();
    const https = vault?.securityRules.find((rule) => rule.name === "us3-staging-dog-vault-https");
    expect(https?.sourceApplicationSecurityGroups?.[0]?.id).toMatch(
      /applicationSecurityGroups\/us3-staging-dog-vault$/,
    );
    expect(https?.destinationPortRange).toBe("443");
    expect(client.takeUnreadable()).toEqual([]);
  });

  it("follows nextLink across recorded pages", async () => {
    const all = fixture("arm/custodian-nsg-list-2024-05-01.json").value;
    fake.serveRecorded(`${NETWORK}/networkSecurityGroups`, [
      { value: all.slice(0, 2) },
      { value: all.slice(2) },
    ]);
    const nsgs = await api().listNetworkSecurityGroups();
    expect(nsgs.map((nsg) => nsg.name)).toEqual([
      "nsg-allow-all-ingress",
      "nsg-deny-all-ingress",
      "nsg-mixed-rules",
    ]);
    const listings = fake.requests.filter((request) => request.path.endsWith("/networkSecurityGroups"));
    expect(listings.map((request) => request.query.get("$skiptoken"))).toEqual([null, "1"]);
  });

  it("leaves out an NSG it cannot model and reports it; the others are read", async () => {
    const body = fixture("arm/custodian-nsg-list-tcp-uppercase.json");
    body.value[0].properties.securityRules[0].properties.direction = undefined;
    fake.serveRecorded(`${NETWORK}/networkSecurityGroups`, [body]);
    const client = api();
    const nsgs = await client.listNetworkSecurityGroups();
    expect(nsgs.map((nsg) => nsg.name)).toEqual(["k8s-master-C02B7042-nsg"]);
    const [finding, ...more] = client.takeUnreadable();
    expect(more).toEqual([]);
    expect(finding).toMatchObject({ code: "azure-unreadable-object", severity: "warning", subject: C7N_NSG });
    expect(finding?.message).toContain("security rule test1");
    expect(client.takeUnreadable()).toEqual([]);
  });
});

describe("recorded NICs, VMs, public IPs and ASGs through the real SDK client", () => {
  it("maps the recorded NICs, VMs (with power state) and public IPs", async () => {
    serveSubscription();
    const client = api();
    const nics = await client.listNetworkInterfaces();
    expect(nics.map((nic) => nic.name)).toEqual([
      "cctestnic",
      "k8s-agent-C02B7042-nic-0",
      "k8s-agent-C02B7042-nic-1",
      "k8s-agent-C02B7042-nic-2",
      "k8s-master-C02B7042-nic-0",
      "myVMNic",
    ]);
    const mine = nics.find((nic) => nic.name === "myVMNic");
    expect(mine?.virtualMachine?.id).toBe(
      `/subscriptions/${SUB}/resourceGroups/test_vm/providers/Microsoft.Compute/virtualMachines/cctestvm`,
    );
    expect(mine?.ipConfigurations[0]).toMatchObject({
      name: "ipconfig1",
      primary: true,
      privateIPAddress: "10.0.0.4",
    });
    expect(nics[0]?.virtualMachine).toBeUndefined();

    const [vm, ...others] = await client.listVirtualMachines();
    expect(others).toEqual([]);
    expect(vm).toMatchObject({
      name: "cctestvm",
      resourceGroup: "TEST_VM",
      powerState: "VM running",
      tags: { testtag: "testvalue", schedule: "on=(M-U,8);off=(M-U,18);tz=pt" },
    });
    expect(vm?.networkProfile.networkInterfaces).toEqual([{ id: MY_VM_NIC }]);

    const addresses = await client.listPublicIPAddresses();
    expect(addresses.find((address) => address.name === "myPublicIP")?.ipAddress).toBe("23.102.173.223");
    expect(addresses.filter((address) => address.ipAddress === undefined)).toHaveLength(2);
    expect(client.takeUnreadable()).toEqual([]);
  });

  it("reads the instance view of VMs the statusOnly listing missed, and VMs without tags", async () => {
    fake.serveRecorded(`${COMPUTE}/virtualMachines`, [fixture("arm/custodian-vm-list-three.json")]);
    fake.serveRecorded(`${COMPUTE}/virtualMachines`, [{ value: [] }], { statusOnly: true });
    const view = example("arm/spec-vm-instance-view.json");
    for (const [group, name] of [
      ["ERIN", "erinvm"],
      ["STEFAN", "stefanvm"],
      ["TEST_VM", "cctestvm"],
    ]) {
      fake.serveRecorded(
        `/subscriptions/${SUB}/resourceGroups/${group}/providers/Microsoft.Compute/virtualMachines/${name}/instanceView`,
        [view],
      );
    }
    const vms = await api().listVirtualMachines();
    expect(vms.map((vm) => [vm.name, vm.powerState, vm.tags])).toEqual([
      ["erinvm", "VM running", { Function: "Works" }],
      ["stefanvm", "VM running", {}],
      ["cctestvm", "VM running", { testtag: "testvalue", schedule: "on=(M-U,8);off=(M-U,18);tz=pt" }],
    ]);
  });

  it("leaves out a NIC and a VM it cannot model and reports each", async () => {
    const nics = fixture("arm/custodian-nic-list.json");
    nics.value[1].properties.ipConfigurations[0].properties.subnet = undefined;
    fake.serveRecorded(`${NETWORK}/networkInterfaces`, [nics]);
    const vms = fixture("arm/custodian-vm-list-three.json");
    vms.value[0].id = undefined;
    fake.serveRecorded(`${COMPUTE}/virtualMachines`, [vms]);
    fake.serveRecorded(`${COMPUTE}/virtualMachines`, [{ value: [] }], { statusOnly: true });
    for (const [group, name] of [
      ["STEFAN", "stefanvm"],
      ["TEST_VM", "cctestvm"],
    ]) {
      fake.serveRecorded(
        `/subscriptions/${SUB}/resourceGroups/${group}/providers/Microsoft.Compute/virtualMachines/${name}/instanceView`,
        [example("arm/spec-vm-instance-view.json")],
      );
    }
    const client = api();
    expect(await client.listNetworkInterfaces()).toHaveLength(5);
    expect((await client.listVirtualMachines()).map((vm) => vm.name)).toEqual(["stefanvm", "cctestvm"]);
    expect(client.takeUnreadable().map((finding) => finding.subject)).toEqual([
      `/subscriptions/${SUB}/resourceGroups/test_containerservice/providers/Microsoft.Network/networkInterfaces/k8s-agent-C02B7042-nic-0`,
      "virtual machine erinvm",
    ]);
  });

  it("maps the documentation's ASG and NIC listings", async () => {
    fake.serveRecorded("/subscriptions/subid/providers/Microsoft.Network/applicationSecurityGroups", [
      example("arm/spec-asg-list-all.json"),
    ]);
    fake.serveRecorded("/subscriptions/subid/providers/Microsoft.Network/networkInterfaces", [
      example("arm/spec-nic-list-all.json"),
    ]);
    const client = api("subid");
    expect(await client.listApplicationSecurityGroups()).toEqual([
      {
        id: "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/applicationSecurityGroups/asg1",
        name: "asg1",
        location: "westus",
        resourceGroup: "rg1",
        tags: {},
      },
      {
        id: "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/applicationSecurityGroups/asg2",
        name: "asg2",
        location: "westus",
        resourceGroup: "rg1",
        tags: {},
      },
    ]);
    const nics = await client.listNetworkInterfaces();
    expect(
      nics.map((nic) => [nic.name, nic.networkSecurityGroup?.id.split("/").at(-1), nic.primary]),
    ).toEqual([
      ["test-nic", "nsg", true],
      ["test-nic2", undefined, undefined],
    ]);
  });
});

describe("the recorded subscription through discovery and evaluation", () => {
  const LABELS = { tagPrefix: "test", dimensions: ["tag"] };

  it("discovers the labeled VM once, under the id its NIC and its events name it by", async () => {
    serveSubscription();
    const client = api();
    const discovery = await discoverAzure(client, LABELS, AZURE_OWNERSHIP);
    expect(discovery.findings).toEqual([]);
    // The VM's own id says TEST_VM, its NIC says test_vm: one lowercase id for both.
    const id = `azure:${SUB}:test_vm:cctestvm`;
    expect(discovery.workloads).toEqual([
      {
        id,
        state: "running",
        nics: [
          {
            id: MY_VM_NIC,
            network: `azure:${SUB}:test_vm:MyVNET`,
            privateIp: "10.0.0.4",
            publicIp: "23.102.173.223",
          },
        ],
        tags: { schedule: "on=(M-U,8);off=(M-U,18);tz=pt", testtag: "testvalue" },
      },
    ]);
    expect(discovery.state.networkInterfaces.map((nic) => nic.name)).toEqual(["myVMNic"]);
    expect(discovery.state.publicIPAddresses.map((address) => address.name)).toEqual(["myPublicIP"]);

    fake.serveRecorded(
      `/subscriptions/${SUB}/resourceGroups/test_vm/providers/Microsoft.Network/networkInterfaces/myVMNic`,
      [fixture("arm/custodian-nic-get.json")],
    );
    expect(await workloadOfNetworkInterface(client, "test_vm", "myVMNic")).toBe(id);
    const written = parseAzureEvents(fixture("events/resource-delete-success-vm.json"));
    expect(written.kind === "events" && written.events.map((event) => event.workloadId)).toEqual([id]);
  });

  it("evaluates the recorded NSG on the recorded NIC, its reference written in another case", async () => {
    serveSubscription();
    const client = api();
    const [nsg] = await client.listNetworkSecurityGroups();
    const nic = (await client.listNetworkInterfaces()).find((candidate) => candidate.name === "myVMNic");
    if (nsg === undefined || nic === undefined) throw new Error("the recording holds c7n-nsg and myVMNic");
    const state: AzureSubscriptionState = {
      subscription: SUB,
      virtualMachines: await client.listVirtualMachines(),
      // Associated here (the recording has it unassociated), by an id spelled in capitals.
      networkInterfaces: [{ ...nic, networkSecurityGroup: { id: C7N_NSG.toUpperCase() } }],
      networkSecurityGroups: [nsg],
      applicationSecurityGroups: [],
      publicIPAddresses: [],
    };
    const reach = evaluateAzure([state]);
    const verdict = (protocol: "tcp" | "udp", port: number) => {
      const { access, rule } = reach.explain(MY_VM_NIC.toLowerCase(), "203.0.113.9", protocol, port);
      return `${access}:${rule?.name}`;
    };
    expect(verdict("tcp", 80)).toBe("Allow:test1");
    expect(verdict("tcp", 8086)).toBe("Deny:test3");
    expect(verdict("tcp", 8083)).toBe("Allow:test2");
    expect(verdict("tcp", 22)).toBe("Deny:test4");
    expect(verdict("udp", 22)).toBe("Deny:DenyAllInBound");
    expect(verdict("udp", 89)).toBe("Allow:test6");
    expect(verdict("tcp", 443)).toBe("Deny:DenyAllInBound");
  });
});

describe("Event Grid deliveries", () => {
  const vm = (group: string) => `azure:${SUB}:${group}:cctestvm`;

  it("reads VM writes, deallocations and deletes as workload events with lowercase ids", () => {
    const write = parseAzureEvents(fixture("events/resource-write-success-vm.json"));
    expect(write).toEqual({
      kind: "events",
      events: [
        {
          cloud: "azure",
          eventId: "4db48cba-50a2-455a-93b4-de41a3b5b7f6",
          time: "2018-07-19T18:38:04.6117357Z",
          workloadId: "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-shop-prod:vm-web-1",
          change: { kind: "resource", action: "updated" },
        },
      ],
      nicChanges: [],
      ignored: 0,
    });
    const deallocate = parseAzureEvents(fixture("events/resource-action-success-vm-deallocate.json"));
    expect(deallocate.kind === "events" && deallocate.events[0]?.change).toEqual({
      kind: "state",
      state: "stopped",
    });
    const deleted = parseAzureEvents(fixture("events/resource-delete-success-vm.json"));
    expect(deleted.kind === "events" && deleted.events).toEqual([
      {
        cloud: "azure",
        eventId: "19a69642-1aad-4a96-a5ab-8d05494513ce",
        time: "2018-07-19T19:24:12.763881Z",
        workloadId: vm("test_vm"),
        change: { kind: "state", state: "terminated" },
      },
    ]);
  });

  it("reads NIC writes and deletes as NIC changes, whatever the casing of resourceGroups", () => {
    for (const [file, eventId] of [
      ["events/resource-write-success-nic.json", "4db48cba-50a2-455a-93b4-de41a3b5b7f6"],
      ["events/resource-delete-success-nic.json", "19a69642-1aad-4a96-a5ab-8d05494513ce"],
    ] as const) {
      const result = parseAzureEvents(fixture(file));
      expect(result.kind === "events" && result.nicChanges).toEqual([
        {
          subscription: SUB,
          resourceGroup: "test_vm",
          nicName: "myVMNic",
          eventId,
          time: fixture(file)[0].eventTime,
        },
      ]);
    }
  });

  it("ignores the documentation's storage event and answers the validation handshake", () => {
    expect(parseAzureEvents(fixture("events/learn-resource-delete-success-storage.json"))).toEqual({
      kind: "events",
      events: [],
      nicChanges: [],
      ignored: 1,
    });
    expect(parseAzureEvents(fixture("events/subscription-validation.json"))).toMatchObject({
      kind: "validation",
      validationCode: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6",
    });
  });
});
