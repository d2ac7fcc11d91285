import { inspect } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AzureApi } from "../../../../lib/clouds/azure/api.js";
import {
  AzureAccessError,
  AzureApiError,
  AzureConflictError,
  AzureOperationFailedError,
  AzureThrottledError,
} from "../../../../lib/clouds/azure/errors.js";
import type { SecurityRule } from "../../../../lib/clouds/azure/model.js";
import { createSdkAzureApiFactory, type SdkAzureApiOptions } from "../../../../lib/clouds/azure/sdk/api.js";
import { meaningOf } from "../../../contract/azure-api.contract.js";
import { ArmFake, type ArmFakeRequest } from "../../../support/arm-fake.js";
import {
  LOCATION,
  networkId,
  RESOURCE_GROUP,
  SUBNET_ID,
  SUBSCRIPTION,
  vmId,
  wireAsg,
  wireNic,
  wireNsg,
  wirePublicIp,
  wireVm,
} from "./api-wire.js";

/** The real SDK clients, end to end over HTTP, against an in-memory ARM. */
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

function api(options: Partial<SdkAzureApiOptions> = {}): AzureApi {
  return createSdkAzureApiFactory({
    credential: { getToken: async () => ({ token: fake.token, expiresOnTimestamp: Date.now() + 3_600_000 }) },
    endpoint: fake.endpoint,
    pollIntervalMs: 1,
    retryDelayMs: 5,
    pipelineHook: fake.pipelineHook(),
    ...options,
  })(SUBSCRIPTION);
}

function requestsTo(path: string, method = "GET"): ArmFakeRequest[] {
  return fake.requests.filter((request) => request.method === method && request.path.endsWith(path));
}

async function failure(promise: Promise<unknown>): Promise<AzureApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AzureApiError)) throw new Error(`expected an AzureApiError, got ${String(error)}`);
  return error;
}

const RULE: SecurityRule = {
  name: "segsync-allow-web",
  priority: 200,
  direction: "Inbound",
  access: "Allow",
  protocol: "Tcp",
  sourceApplicationSecurityGroups: [{ id: networkId("applicationSecurityGroups", "segsync-web") }],
  sourcePortRange: "*",
  destinationAddressPrefix: "*",
  destinationPortRanges: ["443", "8443"],
};
const DENY_ALL: SecurityRule = {
  name: "segsync-deny-all",
  priority: 4096,
  direction: "Inbound",
  access: "Deny",
  protocol: "*",
  sourceAddressPrefix: "*",
  sourcePortRange: "*",
  destinationAddressPrefix: "*",
  destinationPortRange: "*",
};
const NSG_INPUT = {
  resourceGroup: RESOURCE_GROUP,
  name: "segsync-web",
  location: LOCATION,
  tags: { "segsync-managed": "true" },
  securityRules: [RULE, DENY_ALL],
};

describe("listings", () => {
  it("follow nextLink through every page of NSGs, ASGs, NICs and public IPs", async () => {
    fake.pageSize = 2;
    fake.seed(
      ...["a", "b", "c", "d", "e"].map((name) => wireNsg(`nsg-${name}`, [{ name: "ssh", priority: 100 }])),
      ...["a", "b", "c"].map((name) => wireAsg(`asg-${name}`)),
      ...["a", "b", "c"].map((name) => wireNic(`nic-${name}`)),
      wirePublicIp("pip-a", "20.1.2.3"),
    );
    const azure = api();

    const [nsgs, asgs, nics, addresses] = await Promise.all([
      azure.listNetworkSecurityGroups(),
      azure.listApplicationSecurityGroups(),
      azure.listNetworkInterfaces(),
      azure.listPublicIPAddresses(),
    ]);

    expect(nsgs.map((nsg) => nsg.name)).toEqual(["nsg-a", "nsg-b", "nsg-c", "nsg-d", "nsg-e"]);
    expect(
      requestsTo("/Microsoft.Network/networkSecurityGroups").map((r) => r.query.get("$skiptoken")),
    ).toEqual([null, "2", "4"]);
    expect(requestsTo("/Microsoft.Network/networkSecurityGroups").every((r) => r.status === 200)).toBe(true);
    expect(nsgs[0]).toMatchObject({
      resourceGroup: RESOURCE_GROUP,
      location: LOCATION,
      etag: 'W/"nsg-a-etag-1"',
      tags: { owner: "team" },
      securityRules: [{ name: "ssh", priority: 100, protocol: "Tcp", destinationPortRange: "22" }],
    });
    expect(nsgs[0]).not.toHaveProperty("networkInterfaces");
    expect(asgs.map((asg) => asg.name)).toEqual(["asg-a", "asg-b", "asg-c"]);
    expect(nics.map((nic) => nic.name)).toEqual(["nic-a", "nic-b", "nic-c"]);
    expect(nics[0]?.ipConfigurations).toEqual([
      {
        name: "ipconfig1",
        primary: true,
        privateIPAddress: "10.0.0.4",
        subnet: { id: SUBNET_ID },
        publicIPAddress: { id: networkId("publicIPAddresses", "nic-a-pip") },
        applicationSecurityGroups: [],
      },
    ]);
    expect(addresses).toEqual([
      {
        id: networkId("publicIPAddresses", "pip-a"),
        name: "pip-a",
        location: LOCATION,
        resourceGroup: RESOURCE_GROUP,
        ipAddress: "20.1.2.3",
      },
    ]);
  });

  it("reads every VM's power state with two paged listings, not one call per VM", async () => {
    fake.seed(
      wireVm("vm-1", "running", ["nic-1"]),
      wireVm("vm-2", "deallocated", ["nic-2a", "nic-2b"]),
      wireVm("vm-3", "running", ["nic-3"]),
    );

    const vms = await api().listVirtualMachines();

    expect(vms.map((vm) => [vm.name, vm.powerState])).toEqual([
      ["vm-1", "VM running"],
      ["vm-2", "VM deallocated"],
      ["vm-3", "VM running"],
    ]);
    expect(vms[1]).toEqual({
      id: vmId("vm-2"),
      name: "vm-2",
      location: LOCATION,
      resourceGroup: RESOURCE_GROUP,
      tags: { app: "vm-2" },
      powerState: "VM deallocated",
      networkProfile: {
        networkInterfaces: [
          { id: networkId("networkInterfaces", "nic-2a"), primary: true },
          { id: networkId("networkInterfaces", "nic-2b"), primary: false },
        ],
      },
    });
    const listings = requestsTo("/Microsoft.Compute/virtualMachines");
    const pages = listings.map(
      (r) => `statusOnly=${r.query.get("statusOnly")} skip=${r.query.get("$skiptoken")}`,
    );
    expect(pages.sort()).toEqual([
      "statusOnly=null skip=2",
      "statusOnly=null skip=null",
      "statusOnly=true skip=2",
      "statusOnly=true skip=null",
    ]);
    expect(fake.requests).toHaveLength(4);
  });

  it("gets one VM with its instance view, and undefined for a VM that is not there", async () => {
    fake.seed(wireVm("vm-1", "running", ["nic-1"]));
    const azure = api();

    await expect(azure.getVirtualMachine(RESOURCE_GROUP, "vm-1")).resolves.toMatchObject({
      powerState: "VM running",
    });
    await expect(azure.getVirtualMachine(RESOURCE_GROUP, "vm-gone")).resolves.toBeUndefined();
    expect(fake.requests.map((r) => r.query.get("$expand"))).toEqual(["instanceView", "instanceView"]);
  });
});

describe("putNetworkSecurityGroup", () => {
  // RULE names this ASG: ARM refuses a rule naming one that does not exist.
  beforeEach(() => {
    fake.seed(wireAsg("segsync-web"));
  });

  it("awaits the long-running PUT and returns the NSG as ARM reads it back, with its new etag", async () => {
    fake.pollsInProgress = 2;

    const nsg = await api().putNetworkSecurityGroup(NSG_INPUT);

    expect(fake.requests.map((r) => [r.method, r.path.split("/").slice(-2).join("/"), r.status])).toEqual([
      ["PUT", "networkSecurityGroups/segsync-web", 201],
      ["GET", expect.stringMatching(/^operations\//), 200],
      ["GET", expect.stringMatching(/^operations\//), 200],
      ["GET", expect.stringMatching(/^operations\//), 200],
      ["GET", "networkSecurityGroups/segsync-web", 200],
    ]);
    const stored = fake.resource(networkId("networkSecurityGroups", "segsync-web"));
    expect(stored?.properties?.provisioningState).toBe("Succeeded");
    expect(nsg.etag).toBe(stored?.etag);
    expect(meaningOf(nsg.securityRules)).toEqual([RULE, DENY_ALL]);
    expect(nsg.defaultSecurityRules.map((rule) => [rule.name, rule.priority])).toContainEqual([
      "DenyAllInBound",
      65500,
    ]);
    expect(nsg).toMatchObject({ resourceGroup: RESOURCE_GROUP, location: LOCATION, tags: NSG_INPUT.tags });
  });

  it("sends If-Match on the PUT only, and a stale etag fails with AzureConflictError (412)", async () => {
    const azure = api();
    const created = await azure.putNetworkSecurityGroup(NSG_INPUT);
    fake.requests.length = 0;

    const updated = await azure.putNetworkSecurityGroup({
      ...NSG_INPUT,
      securityRules: [DENY_ALL],
      ifMatch: created.etag,
    });

    expect(updated.etag).not.toBe(created.etag);
    expect(meaningOf(updated.securityRules)).toEqual([DENY_ALL]);
    expect(fake.requests.map((r) => [r.method, r.ifMatch])).toEqual([
      ["PUT", created.etag],
      ["GET", undefined],
      ["GET", undefined],
      ["GET", undefined],
    ]);

    const error = await failure(azure.putNetworkSecurityGroup({ ...NSG_INPUT, ifMatch: created.etag }));
    expect(error).toBeInstanceOf(AzureConflictError);
    expect(error).toMatchObject({ code: "PreconditionFailed", status: 412, cause: { statusCode: 412 } });
    expect(fake.resource(networkId("networkSecurityGroups", "segsync-web"))?.etag).toBe(updated.etag);
  });

  it("retries a throttled PUT after its Retry-After", async () => {
    fake.failNext(1, { method: "PUT", status: 429, code: "SubscriptionRequestsThrottled", retryAfter: "1" });

    await api().putNetworkSecurityGroup(NSG_INPUT);

    const puts = requestsTo("/segsync-web", "PUT");
    expect(puts.map((r) => r.status)).toEqual([429, 201]);
    expect((puts[1]?.at ?? 0) - (puts[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it("retries RetryableErrorDueToAnotherOperation after its Retry-After", async () => {
    fake.failNext(1, {
      method: "PUT",
      status: 429,
      code: "RetryableErrorDueToAnotherOperation",
      retryAfter: "1",
    });

    await api().putNetworkSecurityGroup(NSG_INPUT);

    const puts = requestsTo("/segsync-web", "PUT");
    expect(puts.map((r) => r.status)).toEqual([429, 201]);
    expect((puts[1]?.at ?? 0) - (puts[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it("retries RetryableErrorDueToAnotherOperation without Retry-After too, with backoff", async () => {
    fake.failNext(2, { method: "PUT", status: 429, code: "RetryableErrorDueToAnotherOperation" });

    await api({ retryDelayMs: 20 }).putNetworkSecurityGroup(NSG_INPUT);

    const puts = requestsTo("/segsync-web", "PUT");
    expect(puts.map((r) => r.status)).toEqual([429, 429, 201]);
    expect((puts[2]?.at ?? 0) - (puts[1]?.at ?? 0)).toBeGreaterThanOrEqual(35);
  });

  it("surfaces a 429 that outlasts the retries as AzureThrottledError", async () => {
    fake.failNext(10, { method: "PUT", status: 429, code: "RetryableErrorDueToAnotherOperation" });

    const error = await failure(api({ maxRetries: 2 }).putNetworkSecurityGroup(NSG_INPUT));

    expect(error).toBeInstanceOf(AzureThrottledError);
    expect(error).toMatchObject({ code: "RetryableErrorDueToAnotherOperation", status: 429 });
    expect(requestsTo("/segsync-web", "PUT")).toHaveLength(3);
  });

  it("reports an operation that ends Failed as AzureOperationFailedError with ARM's code", async () => {
    fake.failNextOperation("InternalServerError", "An error occurred.");

    const error = await failure(api().putNetworkSecurityGroup(NSG_INPUT));

    expect(error).toBeInstanceOf(AzureOperationFailedError);
    expect(error.code).toBe("InternalServerError");
    expect(error.message).toContain("An error occurred.");
  });
});

describe("deletes", () => {
  it("awaits the long-running DELETE of an NSG and of an ASG", async () => {
    fake.seed(wireNsg("segsync-old"), wireAsg("segsync-old-asg"));
    const azure = api();

    await azure.deleteNetworkSecurityGroup(RESOURCE_GROUP, "segsync-old");
    await azure.deleteApplicationSecurityGroup(RESOURCE_GROUP, "segsync-old-asg");

    expect(fake.resource(networkId("networkSecurityGroups", "segsync-old"))).toBeUndefined();
    expect(fake.resource(networkId("applicationSecurityGroups", "segsync-old-asg"))).toBeUndefined();
    expect(fake.requests.map((r) => [r.method, r.path.split("/").at(-2), r.status])).toEqual([
      ["DELETE", "networkSecurityGroups", 202],
      ["GET", "operations", 200],
      ["GET", "operations", 200],
      ["DELETE", "applicationSecurityGroups", 202],
      ["GET", "operations", 200],
      ["GET", "operations", 200],
    ]);
  });
});

describe("putNetworkInterface", () => {
  const LB_POOL = { id: networkId("loadBalancers", "lb-1").concat("/backendAddressPools/pool-1") };

  function seedNic() {
    fake.seed(
      wireNsg("segsync-web"),
      wireAsg("segsync-web"),
      wireNic(
        "nic-1",
        { enableAcceleratedNetworking: true, dnsSettings: { dnsServers: ["10.0.0.10"] } },
        { loadBalancerBackendAddressPools: [LB_POOL] },
      ),
    );
  }

  it("replaces the NIC whole: segsync's changes on top of everything else as ARM had it", async () => {
    seedNic();
    const azure = api();
    const nic = await azure.getNetworkInterface(RESOURCE_GROUP, "nic-1");
    if (nic === undefined) throw new Error("seeded NIC not found");
    const asgId = networkId("applicationSecurityGroups", "segsync-web");
    const nsgId = networkId("networkSecurityGroups", "segsync-web");
    fake.requests.length = 0;

    const written = await azure.putNetworkInterface(
      {
        ...nic,
        tags: { "segsync-original-nsg": "none" },
        networkSecurityGroup: { id: nsgId },
        ipConfigurations: nic.ipConfigurations.map((c) => ({
          ...c,
          applicationSecurityGroups: [{ id: asgId }],
        })),
      },
      nic.etag,
    );

    expect(written).toMatchObject({
      networkSecurityGroup: { id: nsgId },
      tags: { "segsync-original-nsg": "none" },
    });
    expect(written.ipConfigurations[0]?.applicationSecurityGroups).toEqual([{ id: asgId }]);
    expect(written.etag).not.toBe(nic.etag);
    const stored = fake.resource(networkId("networkInterfaces", "nic-1"))?.properties ?? {};
    expect(stored).toMatchObject({
      enableAcceleratedNetworking: true,
      dnsSettings: { dnsServers: ["10.0.0.10"] },
      ipConfigurations: [
        {
          properties: {
            privateIPAllocationMethod: "Static",
            privateIPAddress: "10.0.0.4",
            loadBalancerBackendAddressPools: [LB_POOL],
            applicationSecurityGroups: [{ id: asgId }],
          },
        },
      ],
    });
    expect(fake.requests.map((r) => [r.method, r.ifMatch])).toEqual([
      ["GET", undefined],
      ["PUT", nic.etag],
      ["GET", undefined],
      ["GET", undefined],
      ["GET", undefined],
    ]);
  });
});

describe("credentials", () => {
  it("maps a rejected token to AzureAccessError, and no message or inspection shows the token", async () => {
    const wrongToken = "wrong-token-SECRET-VALUE";
    const error = await failure(
      api({ pipelineHook: fake.pipelineHook(wrongToken) }).listNetworkSecurityGroups(),
    );

    expect(error).toBeInstanceOf(AzureAccessError);
    expect(error).toMatchObject({ code: "InvalidAuthenticationToken", status: 401 });
    for (const text of [error.message, inspect(error, { depth: 8 }), JSON.stringify(error)]) {
      expect(text).not.toContain(wrongToken);
    }
  });
});
