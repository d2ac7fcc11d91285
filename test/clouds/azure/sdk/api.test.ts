import type { NetworkSecurityGroup as SdkNetworkSecurityGroup } from "@azure/arm-network";
import { bearerTokenAuthenticationPolicyName, type Pipeline } from "@azure/core-rest-pipeline";
import { describe, expect, it, vi } from "vitest";
import type { AzureApi } from "../../../../lib/clouds/azure/api.js";
import type { NetworkInterface, SecurityRule } from "../../../../lib/clouds/azure/model.js";
import { createSdkAzureApiFactory, SdkAzureApi } from "../../../../lib/clouds/azure/sdk/api.js";
import type { CallOptions } from "../../../../lib/clouds/azure/sdk/clients.js";
import {
  IF_MATCH_ON_WRITES_POLICY,
  RETRY_WITHOUT_RETRY_AFTER_POLICY,
} from "../../../../lib/clouds/azure/sdk/pipeline.js";
import { armError, fakeApi, paged, sdkNic, sdkNsg, sdkVm, sdkVmStatus } from "./api-fakes.js";
import { LOCATION, networkId, RESOURCE_GROUP, SUBNET_ID, SUBSCRIPTION, vmId } from "./api-wire.js";

const asgId = (name: string) => networkId("applicationSecurityGroups", name);

describe("listings", () => {
  const item = (type: string) => (name: string) => ({ id: networkId(type, name), name, location: LOCATION });
  it.each([
    ["listNetworkSecurityGroups", "networkSecurityGroups"],
    ["listApplicationSecurityGroups", "applicationSecurityGroups"],
    ["listNetworkInterfaces", "networkInterfaces"],
    ["listPublicIPAddresses", "publicIPAddresses"],
  ] as const)("%s reads every page", async (method, group) => {
    const make = item(group);
    const pages = paged([["a1", "a2"].map(make), ["b1"].map(make), ["c1", "c2"].map(make)]);
    const api = fakeApi({ [group]: { listAll: () => pages } });

    const items = await (api[method] as AzureApi["listNetworkSecurityGroups"])();

    expect(items.map((found) => found.name)).toEqual(["a1", "a2", "b1", "c1", "c2"]);
    expect(items.every((found) => found.resourceGroup === RESOURCE_GROUP)).toBe(true);
    expect(pages.pagesRead()).toBe(3);
  });
});

describe("shape mapping", () => {
  it("maps an NSG as az network nsg show prints it: flattened rules, ASG ids, tags defaulting to {}", async () => {
    const sdk: SdkNetworkSecurityGroup = sdkNsg("nsg-1", {
      tags: undefined,
      securityRules: [
        {
          id: `${networkId("networkSecurityGroups", "nsg-1")}/securityRules/web`,
          name: "web",
          etag: 'W/"rule"',
          provisioningState: "Succeeded",
          priority: 300,
          direction: "Inbound",
          access: "Allow",
          protocol: "Tcp",
          description: "web from the front",
          sourcePortRange: "*",
          sourcePortRanges: [],
          sourceApplicationSecurityGroups: [{ id: asgId("front"), location: LOCATION }],
          destinationAddressPrefix: "*",
          destinationAddressPrefixes: [],
          destinationPortRanges: ["80", "443"],
        },
      ],
      defaultSecurityRules: [
        { name: "DenyAllInBound", priority: 65500, direction: "Inbound", access: "Deny", protocol: "*" },
      ],
      networkInterfaces: [{ id: networkId("networkInterfaces", "nic-1"), location: LOCATION }],
    });
    const api = fakeApi({ networkSecurityGroups: { get: async () => sdk } });

    const nsg = await api.getNetworkSecurityGroup(RESOURCE_GROUP, "nsg-1");

    expect(nsg).toEqual({
      id: networkId("networkSecurityGroups", "nsg-1"),
      name: "nsg-1",
      location: LOCATION,
      resourceGroup: RESOURCE_GROUP,
      etag: 'W/"nsg-1-1"',
      tags: {},
      securityRules: [
        {
          name: "web",
          priority: 300,
          direction: "Inbound",
          access: "Allow",
          protocol: "Tcp",
          description: "web from the front",
          sourcePortRange: "*",
          sourcePortRanges: [],
          sourceApplicationSecurityGroups: [{ id: asgId("front") }],
          destinationAddressPrefix: "*",
          destinationAddressPrefixes: [],
          destinationPortRanges: ["80", "443"],
        },
      ],
      defaultSecurityRules: [
        { name: "DenyAllInBound", priority: 65500, direction: "Inbound", access: "Deny", protocol: "*" },
      ],
      networkInterfaces: [{ id: networkId("networkInterfaces", "nic-1") }],
    });
  });

  it("maps a NIC: NSG and VM ids, IP configurations with their ASGs, resource group from the id", async () => {
    const nsgId = networkId("networkSecurityGroups", "nsg-1", "rg-net");
    const sdk = sdkNic("nic-1", {
      id: networkId("networkInterfaces", "nic-1", "RG-Upper"),
      tags: { env: "prod" },
      primary: true,
      virtualMachine: { id: vmId("vm-1") },
      networkSecurityGroup: { id: nsgId, location: LOCATION },
      ipConfigurations: [
        {
          name: "ipconfig1",
          primary: true,
          subnet: { id: SUBNET_ID },
          applicationSecurityGroups: [{ id: asgId("web") }],
        },
        {
          name: "ipconfig2",
          subnet: { id: SUBNET_ID },
          publicIPAddress: { id: networkId("publicIPAddresses", "pip") },
        },
      ],
    });
    const api = fakeApi({ networkInterfaces: { get: async () => sdk } });

    expect(await api.getNetworkInterface("RG-Upper", "nic-1")).toEqual({
      id: networkId("networkInterfaces", "nic-1", "RG-Upper"),
      name: "nic-1",
      location: LOCATION,
      resourceGroup: "RG-Upper",
      etag: 'W/"nic-1-1"',
      tags: { env: "prod" },
      virtualMachine: { id: vmId("vm-1") },
      networkSecurityGroup: { id: nsgId },
      primary: true,
      ipConfigurations: [
        {
          name: "ipconfig1",
          primary: true,
          privateIPAddress: "",
          subnet: { id: SUBNET_ID },
          applicationSecurityGroups: [{ id: asgId("web") }],
        },
        {
          name: "ipconfig2",
          primary: false,
          privateIPAddress: "",
          subnet: { id: SUBNET_ID },
          publicIPAddress: { id: networkId("publicIPAddresses", "pip") },
          applicationSecurityGroups: [],
        },
      ],
    } satisfies NetworkInterface);
  });

  it.each([
    ["PowerState/running", "VM running", "VM running"],
    ["PowerState/deallocated", "VM deallocated", "VM deallocated"],
    ["PowerState/stopped", "VM stopped", "VM stopped"],
    ["PowerState/starting", undefined, "VM starting"],
  ])("reads %s (displayStatus %s) as %s", async (code, displayStatus, expected) => {
    const api = fakeApi({
      virtualMachines: {
        get: async () => ({ ...sdkVm("vm-1"), ...sdkVmStatus("vm-1", code, displayStatus) }),
      },
    });
    expect((await api.getVirtualMachine(RESOURCE_GROUP, "vm-1"))?.powerState).toBe(expected);
  });

  it("lists VMs as models joined with the statusOnly listing; a VM without status is read alone, or left out if gone", async () => {
    const listAll = vi.fn((options?: { statusOnly?: string }) =>
      options?.statusOnly === "true"
        ? paged([
            [sdkVmStatus("vm-1", "PowerState/running", "VM running")],
            [sdkVmStatus("vm-2", "PowerState/deallocated")],
          ])
        : paged([
            [sdkVm("vm-1"), sdkVm("vm-2")],
            [sdkVm("vm-new"), sdkVm("vm-deleted")],
          ]),
    );
    const instanceView = vi.fn(async (_resourceGroup: string, name: string) => {
      if (name === "vm-deleted") throw armError(404, "ResourceNotFound");
      return { statuses: [{ code: "PowerState/starting", displayStatus: "VM starting" }] };
    });
    const api = fakeApi({ virtualMachines: { listAll, instanceView } });

    const vms = await api.listVirtualMachines();

    expect(vms.map((vm) => [vm.name, vm.powerState])).toEqual([
      ["vm-1", "VM running"],
      ["vm-2", "VM deallocated"],
      ["vm-new", "VM starting"],
    ]);
    expect(vms[0]).toEqual({
      id: vmId("vm-1"),
      name: "vm-1",
      location: LOCATION,
      resourceGroup: RESOURCE_GROUP,
      tags: { app: "vm-1" },
      powerState: "VM running",
      networkProfile: {
        networkInterfaces: [{ id: networkId("networkInterfaces", "vm-1-nic"), primary: true }],
      },
    });
    expect(listAll.mock.calls).toEqual([[], [{ statusOnly: "true" }]]);
    expect(instanceView.mock.calls.map(([, name]) => name)).toEqual(["vm-new", "vm-deleted"]);
  });

  it("gets a VM with $expand=instanceView, and a VM without a PowerState status has powerState ''", async () => {
    const get = vi.fn(async () =>
      sdkVm("vm-1", { instanceView: { statuses: [{ code: "ProvisioningState/creating" }] } }),
    );
    const api = fakeApi({ virtualMachines: { get } });
    expect((await api.getVirtualMachine(RESOURCE_GROUP, "vm-1"))?.powerState).toBe("");
    expect(get).toHaveBeenCalledWith(RESOURCE_GROUP, "vm-1", { expand: "instanceView" });
  });
});

describe("writes", () => {
  const RULE: SecurityRule = {
    name: "allow-web",
    priority: 200,
    direction: "Inbound",
    access: "Allow",
    protocol: "Tcp",
    sourceApplicationSecurityGroups: [{ id: asgId("front") }],
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    destinationPortRanges: ["443"],
  };
  const INPUT = {
    resourceGroup: RESOURCE_GROUP,
    name: "nsg-1",
    location: LOCATION,
    tags: { k: "v" },
    securityRules: [RULE],
  };

  it("puts the whole NSG, with If-Match only when given, and returns it as ARM wrote it", async () => {
    const put = vi.fn(
      async (_rg: string, _name: string, parameters: SdkNetworkSecurityGroup, _options?: CallOptions) =>
        sdkNsg("nsg-1", { ...parameters, etag: 'W/"new"' }),
    );
    const api = fakeApi({ networkSecurityGroups: { beginCreateOrUpdateAndWait: put } }, 1);

    const written = await api.putNetworkSecurityGroup({ ...INPUT, ifMatch: 'W/"old"' });
    await api.putNetworkSecurityGroup(INPUT);

    expect(written).toMatchObject({ etag: 'W/"new"', tags: { k: "v" }, securityRules: [RULE] });
    const [first, second] = put.mock.calls;
    expect(first?.slice(0, 3)).toEqual([
      RESOURCE_GROUP,
      "nsg-1",
      {
        location: LOCATION,
        tags: { k: "v" },
        flushConnection: false,
        securityRules: [
          {
            name: "allow-web",
            priority: 200,
            direction: "Inbound",
            access: "Allow",
            protocol: "Tcp",
            sourceApplicationSecurityGroups: [{ id: asgId("front") }],
            sourcePortRange: "*",
            destinationAddressPrefix: "*",
            destinationPortRanges: ["443"],
          },
        ],
      },
    ]);
    expect(first?.[3]).toMatchObject({
      updateIntervalInMs: 1,
      requestOptions: { customHeaders: { "If-Match": 'W/"old"' } },
    });
    expect(second?.[3]?.requestOptions).toBeUndefined();
  });

  it("puts a NIC read afresh and sent back whole, with segsync's changes, If-Match the etag given or else read", async () => {
    const pool = { id: `${networkId("loadBalancers", "lb")}/backendAddressPools/p` };
    const current = sdkNic("nic-1", {
      enableAcceleratedNetworking: true,
      tags: { old: "tag" },
      networkSecurityGroup: { id: networkId("networkSecurityGroups", "customer") },
    });
    const configuration = current.ipConfigurations?.[0];
    if (configuration) configuration.loadBalancerBackendAddressPools = [pool];
    const put = vi.fn(
      async (_rg: string, _name: string, parameters: typeof current, _options?: CallOptions) => ({
        ...parameters,
        etag: 'W/"nic-1-2"',
      }),
    );
    const api = fakeApi({ networkInterfaces: { get: async () => current, beginCreateOrUpdateAndWait: put } });
    const read = await api.getNetworkInterface(RESOURCE_GROUP, "nic-1");
    if (read === undefined) throw new Error("no NIC");
    const wanted: NetworkInterface = {
      ...read,
      tags: { new: "tag" },
      networkSecurityGroup: undefined,
      ipConfigurations: read.ipConfigurations.map((c) => ({
        ...c,
        applicationSecurityGroups: [{ id: asgId("web") }],
      })),
    };

    const written = await api.putNetworkInterface(wanted, 'W/"caller"');
    await api.putNetworkInterface(wanted);

    const sent = put.mock.calls[0]?.[2];
    expect(sent).toMatchObject({
      enableAcceleratedNetworking: true,
      tags: { new: "tag" },
      networkSecurityGroup: undefined,
    });
    expect(sent?.ipConfigurations?.[0]).toMatchObject({
      privateIPAllocationMethod: "Static",
      loadBalancerBackendAddressPools: [pool],
      applicationSecurityGroups: [{ id: asgId("web") }],
    });
    expect(put.mock.calls.map((call) => call[3]?.requestOptions?.customHeaders?.["If-Match"])).toEqual([
      'W/"caller"',
      'W/"nic-1-1"',
    ]);
    expect(written.etag).toBe('W/"nic-1-2"');
  });
});

describe("writes to one NSG are serialized", () => {
  /** A put that stays in flight until released, recording how many overlap. */
  function gatedPuts() {
    let active = 0;
    let maxActive = 0;
    const order: string[] = [];
    const gates: (() => void)[] = [];
    const put = async (_rg: string, name: string, parameters: SdkNetworkSecurityGroup) => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      order.push(`start ${name} ${parameters.tags?.n}`);
      await new Promise<void>((resolve) => gates.push(resolve));
      active -= 1;
      order.push(`end ${name} ${parameters.tags?.n}`);
      if (parameters.tags?.fail === "yes") throw armError(400, "SecurityRuleInvalidPriority");
      return sdkNsg(name, parameters);
    };
    const releaseAll = async () => {
      for (let round = 0; round < 20; round += 1) {
        gates.splice(0).forEach((release) => {
          release();
        });
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    };
    return { put, order, releaseAll, maxActive: () => maxActive };
  }
  const input = (name: string, n: string, fail = "no") => ({
    resourceGroup: RESOURCE_GROUP,
    name,
    location: LOCATION,
    tags: { n, fail },
    securityRules: [],
  });

  it("runs two concurrent puts to one NSG one after the other, in call order, even when the first fails", async () => {
    const gated = gatedPuts();
    const api = fakeApi({ networkSecurityGroups: { beginCreateOrUpdateAndWait: gated.put } });

    const first = api.putNetworkSecurityGroup(input("nsg-1", "1", "yes"));
    const second = api.putNetworkSecurityGroup(input("NSG-1", "2"));
    const settled = Promise.allSettled([first, second]);
    await gated.releaseAll();

    const [one, two] = await settled;
    expect(one?.status).toBe("rejected");
    expect(two?.status).toBe("fulfilled");
    expect(gated.maxActive()).toBe(1);
    expect(gated.order).toEqual(["start nsg-1 1", "end nsg-1 1", "start NSG-1 2", "end NSG-1 2"]);
  });

  it("lets puts to different NSGs overlap", async () => {
    const gated = gatedPuts();
    const api = fakeApi({ networkSecurityGroups: { beginCreateOrUpdateAndWait: gated.put } });

    const both = Promise.all([
      api.putNetworkSecurityGroup(input("nsg-1", "1")),
      api.putNetworkSecurityGroup(input("nsg-2", "2")),
    ]);
    await gated.releaseAll();
    await both;

    expect(gated.maxActive()).toBe(2);
  });

  it("serializes a delete behind a put of the same NSG", async () => {
    const gated = gatedPuts();
    const order = gated.order;
    const api = fakeApi({
      networkSecurityGroups: {
        beginCreateOrUpdateAndWait: gated.put,
        beginDeleteAndWait: async (_rg, name) => {
          order.push(`delete ${name}`);
        },
      },
    });

    const both = Promise.all([
      api.putNetworkSecurityGroup(input("nsg-1", "1")),
      api.deleteNetworkSecurityGroup(RESOURCE_GROUP, "nsg-1"),
    ]);
    await gated.releaseAll();
    await both;

    expect(order).toEqual(["start nsg-1 1", "end nsg-1 1", "delete nsg-1"]);
  });
});

describe("createSdkAzureApiFactory", () => {
  const credential = { getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 60_000 }) };

  it("caches one api, with its two clients, per subscription", () => {
    const factory = createSdkAzureApiFactory({ credential });
    const api = factory(SUBSCRIPTION);
    expect(api).toBeInstanceOf(SdkAzureApi);
    expect(factory(SUBSCRIPTION)).toBe(api);
    expect(factory("99999999-2222-3333-4444-555555555555")).not.toBe(api);
    expect(api.subscription).toBe(SUBSCRIPTION);
  });

  it("adds segsync's policies to both pipelines, then hands them to the hook", () => {
    const seen: string[][] = [];
    const hook = (pipeline: Pipeline) => {
      seen.push(pipeline.getOrderedPolicies().map((policy) => policy.name));
    };
    createSdkAzureApiFactory({ credential, pipelineHook: hook })(SUBSCRIPTION);
    expect(seen).toHaveLength(2);
    for (const names of seen) {
      expect(names).toEqual(
        expect.arrayContaining([
          IF_MATCH_ON_WRITES_POLICY,
          RETRY_WITHOUT_RETRY_AFTER_POLICY,
          bearerTokenAuthenticationPolicyName,
        ]),
      );
      // Inside the SDK's retry policy, which still sees the 429s with Retry-After.
      expect(names.indexOf(RETRY_WITHOUT_RETRY_AFTER_POLICY)).toBeGreaterThan(
        names.indexOf("defaultRetryPolicy"),
      );
    }
  });
});
