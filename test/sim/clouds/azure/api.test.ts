import { beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_AZURE_QUOTAS } from "../../../../lib/clouds/azure/config.js";
import {
  AzureConflictError,
  AzureInUseError,
  AzureInvalidRequestError,
  AzureQuotaExceededError,
  AzureThrottledError,
} from "../../../../lib/clouds/azure/errors.js";
import type { NetworkInterface } from "../../../../lib/clouds/azure/model.js";
import {
  AZURE_WRITE_METHODS,
  DEFAULT_SECURITY_RULES,
  SimulatedArm,
  SimulationInputError,
} from "../../../../sim/clouds/azure/api.js";
import { allow, expectFailure, networkId, newSim, OWNED, SUB, subscriptionPath, vmId } from "./fixtures.js";

let sim: SimulatedArm;

beforeEach(() => {
  sim = newSim();
});

const nsgInput = (name: string, securityRules = [allow("allow-https", 100)], location = "eastus") => ({
  resourceGroup: "rg-segsync",
  name,
  location,
  tags: OWNED,
  securityRules,
});

async function asg(name: string, location = "eastus"): Promise<string> {
  return (await sim.putApplicationSecurityGroup({ resourceGroup: "rg-segsync", name, location, tags: OWNED }))
    .id;
}

function launch(
  name: string,
  vnet = "vnet-prod",
  privateIp = "10.2.0.11",
  extra: { publicIp?: string } = {},
) {
  const west = vnet === "vnet-west";
  return sim.createVm({
    resourceGroup: "rg-shop",
    name,
    location: west ? "westus" : "eastus",
    vnet: { resourceGroup: west ? "rg-west" : "rg-net", name: vnet },
    privateIp,
    tags: { "seg-app": "shop" },
    ...extra,
  });
}

async function nicOf(name: string): Promise<NetworkInterface> {
  const nic = await sim.getNetworkInterface("rg-shop", `${name}VMNic`);
  if (nic === undefined) throw new Error(`no NIC for ${name}`);
  return nic;
}

/** The NIC as read, with these ASG memberships on every IP configuration. */
function withAsgs(nic: NetworkInterface, asgIds: string[]): NetworkInterface {
  return {
    ...nic,
    ipConfigurations: nic.ipConfigurations.map((c) => ({
      ...c,
      applicationSecurityGroups: asgIds.map((id) => ({ id })),
    })),
  };
}

describe("resources as ARM builds and prints them", () => {
  it("gives a VM, its primary NIC, subnet and public IP their ARM ids", async () => {
    const created = launch("vm-web-1", "vnet-prod", "10.2.0.11", { publicIp: "20.0.0.11" });
    expect(created).toEqual({
      id: vmId("rg-shop", "vm-web-1"),
      networkInterfaceId: networkId("networkInterfaces", "rg-shop", "vm-web-1VMNic"),
      publicIPAddressId: networkId("publicIPAddresses", "rg-shop", "vm-web-1PublicIP"),
    });
    const [vm] = await sim.listVirtualMachines();
    expect(vm).toEqual({
      id: created.id,
      name: "vm-web-1",
      location: "eastus",
      resourceGroup: "rg-shop",
      tags: { "seg-app": "shop" },
      powerState: "VM running",
      networkProfile: { networkInterfaces: [{ id: created.networkInterfaceId, primary: true }] },
    });
    const nic = await nicOf("vm-web-1");
    expect(nic).toMatchObject({
      id: created.networkInterfaceId,
      primary: true,
      virtualMachine: { id: created.id },
      ipConfigurations: [
        {
          name: "ipconfig1",
          primary: true,
          privateIPAddress: "10.2.0.11",
          subnet: { id: `${networkId("virtualNetworks", "rg-net", "vnet-prod")}/subnets/default` },
          publicIPAddress: { id: created.publicIPAddressId },
          applicationSecurityGroups: [],
        },
      ],
    });
    expect(nic.etag).toMatch(/^W\/"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"$/);
    expect(await sim.listPublicIPAddresses()).toEqual([
      {
        id: created.publicIPAddressId,
        name: "vm-web-1PublicIP",
        location: "eastus",
        resourceGroup: "rg-shop",
        ipAddress: "20.0.0.11",
      },
    ]);
  });

  it("gives every NSG the six default rules, an etag and a normalized location", async () => {
    const nsg = await sim.putNetworkSecurityGroup({ ...nsgInput("segsync-web"), location: "East US" });
    expect(nsg.id).toBe(networkId("networkSecurityGroups", "rg-segsync", "segsync-web"));
    expect(nsg.location).toBe("eastus");
    expect(nsg.etag).toMatch(/^W\/"/);
    expect(nsg.defaultSecurityRules.map((r) => [r.name, r.direction, r.priority, r.access])).toEqual([
      ["AllowVnetInBound", "Inbound", 65000, "Allow"],
      ["AllowAzureLoadBalancerInBound", "Inbound", 65001, "Allow"],
      ["DenyAllInBound", "Inbound", 65500, "Deny"],
      ["AllowVnetOutBound", "Outbound", 65000, "Allow"],
      ["AllowInternetOutBound", "Outbound", 65001, "Allow"],
      ["DenyAllOutBound", "Outbound", 65500, "Deny"],
    ]);
    expect(nsg.defaultSecurityRules).toEqual(DEFAULT_SECURITY_RULES);
    expect(nsg.securityRules).toEqual([allow("allow-https", 100)]);
    expect(nsg).not.toHaveProperty("networkInterfaces");
    // A PUT replaces the custom rules; the default ones stay.
    const replaced = await sim.putNetworkSecurityGroup(nsgInput("segsync-web", [allow("other", 200)]));
    expect(replaced.securityRules.map((r) => r.name)).toEqual(["other"]);
    expect(replaced.defaultSecurityRules).toHaveLength(6);
  });

  it("hands out copies: changing what it returned changes nothing inside", async () => {
    launch("vm-web-1");
    const [vm] = await sim.listVirtualMachines();
    (vm as { tags: Record<string, string> }).tags["seg-app"] = "changed";
    const state = sim.state();
    (state.virtualMachines as unknown[]).length = 0;
    expect((await sim.getVirtualMachine("rg-shop", "vm-web-1"))?.tags).toEqual({ "seg-app": "shop" });
    expect(sim.state().virtualMachines).toHaveLength(1);
  });

  it("prints its state sorted by id, and starts again from it unchanged", async () => {
    launch("vm-b", "vnet-prod", "10.2.0.12", { publicIp: "20.0.0.12" });
    launch("vm-a", "vnet-west", "10.3.0.11");
    const asgId = await asg("segsync-a");
    await sim.putNetworkSecurityGroup(nsgInput("segsync-z", [allow("from-asg", 100, { asgs: [asgId] })]));
    const nsg = await sim.putNetworkSecurityGroup(nsgInput("segsync-b"));
    await sim.putNetworkInterface({
      ...withAsgs(await nicOf("vm-b"), [asgId]),
      networkSecurityGroup: { id: nsg.id },
    });
    const state = sim.state();
    expect(state.virtualMachines.map((vm) => vm.name)).toEqual(["vm-a", "vm-b"]);
    expect(state.networkSecurityGroups.map((n) => n.name)).toEqual(["segsync-b", "segsync-z"]);
    expect(state.networkSecurityGroups[0]?.networkInterfaces).toEqual([{ id: (await nicOf("vm-b")).id }]);
    const again = new SimulatedArm(state);
    expect(again.state()).toEqual(state);
    expect(again.virtualNetworks().map((v) => [v.name, v.location])).toEqual([
      ["vnet-prod", "eastus"],
      ["vnet-west", "westus"],
    ]);
  });
});

describe("NSG rules", () => {
  it("take priorities 100 to 4096 and refuse others", async () => {
    await sim.putNetworkSecurityGroup(nsgInput("ok", [allow("low", 100), allow("high", 4096)]));
    for (const priority of [99, 4097, 150.5]) {
      const error = await expectFailure(
        sim.putNetworkSecurityGroup(nsgInput("bad", [allow("rule", priority)])),
        AzureInvalidRequestError,
        "SecurityRuleInvalidPriority",
      );
      expect(error.status).toBe(400);
      expect(error.message).toContain(`Value provided: ${priority} Allowed range 100-4096`);
    }
  });

  it("refuse two rules with one priority in one direction, not in two directions", async () => {
    const error = await expectFailure(
      sim.putNetworkSecurityGroup(nsgInput("nsg", [allow("first", 300), allow("second", 300)])),
      AzureInvalidRequestError,
      "SecurityRuleConflict",
    );
    expect(error.message).toContain("Security rule first conflicts with rule second");
    const outbound = allow("out", 300, { prefixes: ["*"] }, { direction: "Outbound" });
    await sim.putNetworkSecurityGroup(nsgInput("nsg", [allow("first", 300), outbound]));
  });

  it("refuse a rule name used twice (ignoring case) and names ARM does not allow", async () => {
    await expectFailure(
      sim.putNetworkSecurityGroup(nsgInput("nsg", [allow("web", 100), allow("WEB", 101)])),
      AzureInvalidRequestError,
      "DuplicateResourceName",
    );
    for (const name of ["-web", "web-", "a".repeat(81), "we b"]) {
      await expectFailure(
        sim.putNetworkSecurityGroup(nsgInput("nsg", [allow(name, 100)])),
        AzureInvalidRequestError,
        "InvalidResourceName",
      );
    }
  });

  it("refuse malformed ports, prefixes, protocols and sides", async () => {
    const cases: [Parameters<typeof allow>, string][] = [
      [["r", 100, undefined, { destinationPortRange: "80-70" }], "SecurityRuleInvalidPortRange"],
      [["r", 100, undefined, { destinationPortRange: "70000" }], "SecurityRuleInvalidPortRange"],
      [["r", 100, { prefixes: ["10.0.0.300/32"] }], "SecurityRuleInvalidAddressPrefix"],
      [["r", 100, undefined, { protocol: "Sctp" as never }], "SecurityRuleInvalidProtocol"],
      [["r", 100, undefined, { destinationAddressPrefix: undefined }], "InvalidRequestFormat"],
      [
        ["r", 100, undefined, { sourceAddressPrefixes: ["10.8.0.0/16"] }],
        "SecurityRuleParameterContainsUnsupportedValue",
      ],
    ];
    for (const [args, code] of cases) {
      await expectFailure(
        sim.putNetworkSecurityGroup(nsgInput("nsg", [allow(...args)])),
        AzureInvalidRequestError,
        code,
      );
    }
    const asgId = await asg("segsync-web");
    await expectFailure(
      sim.putNetworkSecurityGroup(
        nsgInput("nsg", [allow("r", 100, { asgs: [asgId] }, { sourceAddressPrefix: "10.0.0.0/8" })]),
      ),
      AzureInvalidRequestError,
      "SecurityRuleParameterContainsUnsupportedValue",
    );
    // Service tags, `*`, ranges and lists are all fine.
    await sim.putNetworkSecurityGroup(
      nsgInput("nsg", [
        allow("tags", 100, { prefixes: ["VirtualNetwork"] }),
        allow("any", 101, { prefixes: ["*"] }, { protocol: "*", destinationPortRange: "*" }),
        allow(
          "list",
          102,
          { prefixes: ["10.1.0.0/16", "2001:db8::/32"] },
          { destinationPortRanges: ["80", "8000-8100"], destinationPortRange: undefined },
        ),
      ]),
    );
  });

  it("must name ASGs that exist, in the NSG's region", async () => {
    const missing = networkId("applicationSecurityGroups", "rg-segsync", "nope");
    const error = await expectFailure(
      sim.putNetworkSecurityGroup(nsgInput("nsg", [allow("r", 100, { asgs: [missing] })])),
      AzureInvalidRequestError,
      "InvalidResourceReference",
    );
    expect(error.message).toContain(`Resource ${missing} referenced by resource`);
    const west = await asg("segsync-west", "westus");
    await expectFailure(
      sim.putNetworkSecurityGroup(nsgInput("nsg", [allow("r", 100, { asgs: [west] })])),
      AzureInvalidRequestError,
      "InvalidResourceReference",
    );
  });

  it("refuse ASGs on both sides whose members are in different VNets", async () => {
    const [a, b] = [await asg("segsync-a"), await asg("segsync-b")];
    launch("vm-1", "vnet-prod", "10.2.0.11");
    launch("vm-2", "vnet-prod2", "10.4.0.11");
    await sim.putNetworkInterface(withAsgs(await nicOf("vm-1"), [a]));
    await sim.putNetworkInterface(withAsgs(await nicOf("vm-2"), [b]));
    const both = allow(
      "r",
      100,
      { asgs: [a] },
      { destinationAddressPrefix: undefined, destinationApplicationSecurityGroups: [{ id: b }] },
    );
    await expectFailure(
      sim.putNetworkSecurityGroup(nsgInput("nsg", [both])),
      AzureInvalidRequestError,
      "ApplicationSecurityGroupsInDifferentVirtualNetworks",
    );
    const same = { ...both, destinationApplicationSecurityGroups: [{ id: a }] };
    await sim.putNetworkSecurityGroup(nsgInput("nsg", [same]));
  });

  it("keep to the quotas of config.ts", async () => {
    sim = newSim({
      quotas: {
        rulesPerNetworkSecurityGroup: 3,
        prefixesPerRule: 2,
        applicationSecurityGroupsPerRule: 1,
        applicationSecurityGroupsPerIpConfiguration: 2,
        applicationSecurityGroupsPerNetworkSecurityGroup: 2,
        flushConnection: true,
      },
    });
    const rules = [allow("a", 100), allow("b", 101), allow("c", 102)];
    await sim.putNetworkSecurityGroup(nsgInput("nsg", rules));
    await expectFailure(
      sim.putNetworkSecurityGroup(nsgInput("nsg", [...rules, allow("d", 103)])),
      AzureQuotaExceededError,
      "SecurityRuleCountLimitReached",
    );
    await expectFailure(
      sim.putNetworkSecurityGroup(
        nsgInput("nsg", [allow("a", 100, { prefixes: ["10.0.0.1", "10.0.0.2", "10.0.0.3"] })]),
      ),
      AzureQuotaExceededError,
      "SecurityRuleAddressPrefixesLimitReached",
    );
    const [x, y, z] = [await asg("segsync-x"), await asg("segsync-y"), await asg("segsync-z")];
    await expectFailure(
      sim.putNetworkSecurityGroup(nsgInput("nsg", [allow("a", 100, { asgs: [x, y] })])),
      AzureQuotaExceededError,
      "ApplicationSecurityGroupsPerSecurityRuleLimitReached",
    );
    await expectFailure(
      sim.putNetworkSecurityGroup(
        nsgInput("nsg", [
          allow("a", 100, { asgs: [x] }),
          allow("b", 101, { asgs: [y] }),
          allow("c", 102, { asgs: [z] }),
        ]),
      ),
      AzureQuotaExceededError,
      "ApplicationSecurityGroupsPerNetworkSecurityGroupLimitReached",
    );
  });

  it("leave the NSG as it was when a PUT fails", async () => {
    await sim.putNetworkSecurityGroup(nsgInput("nsg"));
    const before = sim.state();
    await expectFailure(
      sim.putNetworkSecurityGroup(nsgInput("nsg", [allow("a", 100), allow("b", 100)])),
      AzureInvalidRequestError,
      "SecurityRuleConflict",
    );
    expect(sim.state()).toEqual(before);
  });
});

describe("NIC writes", () => {
  it("refuse an NSG that does not exist or is in another region", async () => {
    launch("vm-1");
    const west = await sim.putNetworkSecurityGroup(nsgInput("nsg-west", [], "westus"));
    const nic = await nicOf("vm-1");
    for (const id of [west.id, networkId("networkSecurityGroups", "rg-segsync", "nope")]) {
      const error = await expectFailure(
        sim.putNetworkInterface({ ...nic, networkSecurityGroup: { id } }),
        AzureInvalidRequestError,
        "InvalidResourceReference",
      );
      expect(error.message).toContain("both resources are in the same region");
    }
  });

  it("join ASGs that exist in the NIC's region, up to the quota per IP configuration", async () => {
    sim = newSim({ quotas: { ...DEFAULT_AZURE_QUOTAS, applicationSecurityGroupsPerIpConfiguration: 2 } });
    launch("vm-1");
    const nic = await nicOf("vm-1");
    const [a, b, c] = [await asg("segsync-a"), await asg("segsync-b"), await asg("segsync-c")];
    const joined = await sim.putNetworkInterface(withAsgs(nic, [a, b]));
    expect(joined.ipConfigurations[0]?.applicationSecurityGroups).toEqual([{ id: a }, { id: b }]);
    await expectFailure(
      sim.putNetworkInterface(withAsgs(nic, [a, b, c])),
      AzureQuotaExceededError,
      "ApplicationSecurityGroupsPerIpConfigurationLimitReached",
    );
    await expectFailure(
      sim.putNetworkInterface(withAsgs(nic, [networkId("applicationSecurityGroups", "rg-segsync", "nope")])),
      AzureInvalidRequestError,
      "InvalidResourceReference",
    );
    await expectFailure(
      sim.putNetworkInterface(withAsgs(nic, [await asg("segsync-west", "westus")])),
      AzureInvalidRequestError,
      "InvalidResourceReference",
    );
  });

  it("keep every member of an ASG in the VNet of its first member", async () => {
    launch("vm-1", "vnet-prod", "10.2.0.11");
    launch("vm-2", "vnet-prod2", "10.4.0.11");
    launch("vm-3", "vnet-prod", "10.2.0.13");
    const a = await asg("segsync-a");
    await sim.putNetworkInterface(withAsgs(await nicOf("vm-1"), [a]));
    await sim.putNetworkInterface(withAsgs(await nicOf("vm-3"), [a]));
    const error = await expectFailure(
      sim.putNetworkInterface(withAsgs(await nicOf("vm-2"), [a])),
      AzureInvalidRequestError,
      "ApplicationSecurityGroupInDifferentVirtualNetwork",
    );
    expect(error.message).toContain("vnet-prod");
    // Once its members have left, the ASG can go to another VNet.
    await sim.putNetworkInterface(withAsgs(await nicOf("vm-1"), []));
    await sim.putNetworkInterface(withAsgs(await nicOf("vm-3"), []));
    await sim.putNetworkInterface(withAsgs(await nicOf("vm-2"), [a]));
  });

  it("want the same ASGs on every IP configuration of a NIC", async () => {
    launch("vm-1");
    const nic = await nicOf("vm-1");
    const [first] = nic.ipConfigurations;
    if (first === undefined) throw new Error("no IP configuration");
    const second = { ...first, name: "ipconfig2", primary: false, privateIPAddress: "10.2.0.50" };
    const { publicIPAddress: _none, ...secondWithoutPublic } = second;
    const a = await asg("segsync-a");
    const twoConfigs = {
      ...nic,
      ipConfigurations: [{ ...first, applicationSecurityGroups: [{ id: a }] }, secondWithoutPublic],
    };
    await expectFailure(
      sim.putNetworkInterface(twoConfigs),
      AzureInvalidRequestError,
      "AllIpConfigurationsOnANicMustBelongToTheSameApplicationSecurityGroups",
    );
    const written = await sim.putNetworkInterface(withAsgs(twoConfigs, [a]));
    expect(written.ipConfigurations.map((c) => c.applicationSecurityGroups)).toEqual([
      [{ id: a }],
      [{ id: a }],
    ]);
  });

  it("keep the read-only VM reference and primary flag, and the NIC's location", async () => {
    launch("vm-1");
    const { virtualMachine: _vm, primary: _primary, ...nic } = await nicOf("vm-1");
    const written = await sim.putNetworkInterface({ ...nic, tags: { "segsync-original-nsg": "none" } });
    expect(written.virtualMachine).toEqual({ id: vmId("rg-shop", "vm-1") });
    expect(written.primary).toBe(true);
    expect(written.tags).toEqual({ "segsync-original-nsg": "none" });
    await expectFailure(
      sim.putNetworkInterface({ ...nic, location: "westus" }),
      AzureInvalidRequestError,
      "InvalidResourceLocation",
    );
  });

  it("refuse a private IP already used in the VNet, and tags ARM would refuse", async () => {
    launch("vm-1", "vnet-prod", "10.2.0.11");
    launch("vm-2", "vnet-prod", "10.2.0.12");
    const nic = await nicOf("vm-2");
    const taken = {
      ...nic,
      ipConfigurations: nic.ipConfigurations.map((c) => ({ ...c, privateIPAddress: "10.2.0.11" })),
    };
    await expectFailure(sim.putNetworkInterface(taken), AzureInvalidRequestError, "PrivateIPAddressInUse");
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
    await expectFailure(
      sim.putNetworkInterface({ ...nic, tags: tooMany }),
      AzureInvalidRequestError,
      "InvalidTagCount",
    );
    await expectFailure(
      sim.putNetworkInterface({ ...nic, tags: { "a/b": "v" } }),
      AzureInvalidRequestError,
      "InvalidTagNameCharacters",
    );
    await expectFailure(
      sim.putNetworkInterface({ ...nic, tags: { Env: "a", env: "b" } }),
      AzureInvalidRequestError,
      "InvalidTagName",
    );
    await expectFailure(
      sim.putNetworkInterface({ ...nic, tags: { k: "v".repeat(257) } }),
      AzureInvalidRequestError,
      "InvalidTagValueLength",
    );
  });
});

describe("deletes", () => {
  it("refuse to delete an ASG while an IP configuration or a rule names it", async () => {
    launch("vm-1");
    const a = await asg("segsync-a");
    const nic = await nicOf("vm-1");
    await sim.putNetworkInterface(withAsgs(nic, [a]));
    await sim.putNetworkSecurityGroup(nsgInput("nsg", [allow("from-a", 100, { asgs: [a] })]));
    const byNic = await expectFailure(
      sim.deleteApplicationSecurityGroup("rg-segsync", "segsync-a"),
      AzureInUseError,
      "ApplicationSecurityGroupInUseByIpConfigurations",
    );
    expect(byNic.message).toContain(`${nic.id}/ipConfigurations/ipconfig1`);
    await sim.putNetworkInterface(withAsgs(await nicOf("vm-1"), []));
    await expectFailure(
      sim.deleteApplicationSecurityGroup("rg-segsync", "segsync-a"),
      AzureInUseError,
      "ApplicationSecurityGroupInUseBySecurityRules",
    );
    await sim.putNetworkSecurityGroup(nsgInput("nsg", []));
    await sim.deleteApplicationSecurityGroup("rg-segsync", "segsync-a");
    expect(await sim.listApplicationSecurityGroups()).toEqual([]);
  });
});

describe("throttling and the call log", () => {
  it("throws 429 TooManyRequests on every call at rate 1, changing nothing and logging it", async () => {
    sim.setThrottle({ throttleRate: 1, seed: 7 });
    const error = await expectFailure(
      sim.putNetworkSecurityGroup(nsgInput("nsg")),
      AzureThrottledError,
      "TooManyRequests",
    );
    expect(error.status).toBe(429);
    await expectFailure(sim.listVirtualMachines(), AzureThrottledError, "TooManyRequests");
    sim.setThrottle(undefined);
    expect(await sim.listNetworkSecurityGroups()).toEqual([]);
    expect(sim.calls.map((c) => [c.method, c.outcome])).toEqual([
      ["putNetworkSecurityGroup", "TooManyRequests"],
      ["listVirtualMachines", "TooManyRequests"],
      ["listNetworkSecurityGroups", "ok"],
    ]);
  });

  it("throttles a seeded, repeatable fraction of calls", async () => {
    const outcomes = async (seed: number) => {
      const arm = SimulatedArm.empty(SUB, { throttle: { throttleRate: 0.3, seed } });
      for (let i = 0; i < 200; i++) await arm.listVirtualMachines().catch(() => undefined);
      return arm.calls.map((c) => c.outcome);
    };
    const first = await outcomes(42);
    expect(await outcomes(42)).toEqual(first);
    expect(await outcomes(43)).not.toEqual(first);
    const throttled = first.filter((o) => o === "TooManyRequests").length;
    expect(throttled).toBeGreaterThan(30);
    expect(throttled).toBeLessThan(90);
  });

  it("logs every AzureApi call with copied arguments and its outcome, but not the simulation controls", async () => {
    launch("vm-1");
    const input = nsgInput("nsg");
    await sim.putNetworkSecurityGroup(input);
    input.securityRules.length = 0;
    await sim.deleteNetworkSecurityGroup("rg-segsync", "nsg");
    await expectFailure(
      sim.putNetworkSecurityGroup({ ...nsgInput("x"), ifMatch: "*" }),
      AzureConflictError,
      "PreconditionFailed",
    );
    await sim.getVirtualMachine("rg-shop", "vm-1");
    const ms = expect.any(Number);
    expect(sim.calls).toEqual([
      { method: "putNetworkSecurityGroup", args: [nsgInput("nsg")], outcome: "ok", ms },
      { method: "deleteNetworkSecurityGroup", args: ["rg-segsync", "nsg"], outcome: "ok", ms },
      {
        method: "putNetworkSecurityGroup",
        args: [{ ...nsgInput("x"), ifMatch: "*" }],
        outcome: "PreconditionFailed",
        ms,
      },
      { method: "getVirtualMachine", args: ["rg-shop", "vm-1"], outcome: "ok", ms },
    ]);
    expect(sim.calls.filter((c) => AZURE_WRITE_METHODS.has(c.method))).toHaveLength(3);
    expect([...AZURE_WRITE_METHODS].sort()).toEqual([
      "deleteApplicationSecurityGroup",
      "deleteNetworkSecurityGroup",
      "putApplicationSecurityGroup",
      "putNetworkInterface",
      "putNetworkSecurityGroup",
    ]);
    sim.clearCalls();
    expect(sim.calls).toEqual([]);
  });

  it("refuses a throttle rate outside 0 to 1", () => {
    expect(() => sim.setThrottle({ throttleRate: 1.5, seed: 1 })).toThrow(SimulationInputError);
  });
});

describe("simulation controls", () => {
  it("deallocation releases the public IP unless kept; powerOff keeps it; starting can give one back", async () => {
    const { publicIPAddressId } = launch("vm-1", "vnet-prod", "10.2.0.11", { publicIp: "20.0.0.11" });
    const address = async () =>
      (await sim.listPublicIPAddresses()).find((p) => p.id === publicIPAddressId)?.ipAddress;
    sim.setPowerState("rg-shop", "vm-1", "VM stopped");
    expect(await address()).toBe("20.0.0.11");
    sim.setPowerState("rg-shop", "vm-1", "VM deallocated", { keepPublicIp: true });
    expect(await address()).toBe("20.0.0.11");
    sim.setPowerState("rg-shop", "vm-1", "VM deallocated");
    expect(await address()).toBeUndefined();
    expect((await sim.getVirtualMachine("rg-shop", "vm-1"))?.powerState).toBe("VM deallocated");
    sim.setPowerState("rg-shop", "vm-1", "VM running", { publicIp: "20.0.0.99" });
    expect(await address()).toBe("20.0.0.99");
    expect(() => sim.setPowerState("rg-shop", "vm-1", "VM stopped", { publicIp: "20.0.0.98" })).toThrow(
      SimulationInputError,
    );
    launch("vm-2", "vnet-prod", "10.2.0.12");
    expect(() => sim.setPowerState("rg-shop", "vm-2", "VM running", { publicIp: "20.0.0.99" })).toThrow(
      /no public IP address resource/,
    );
  });

  it("deleting a VM deletes its NICs and public IPs, which frees their NSG", async () => {
    const created = launch("vm-1", "vnet-prod", "10.2.0.11", { publicIp: "20.0.0.11" });
    const nsg = await sim.putNetworkSecurityGroup(nsgInput("nsg"));
    await sim.putNetworkInterface({ ...(await nicOf("vm-1")), networkSecurityGroup: { id: nsg.id } });
    sim.addNetworkInterface("rg-shop", "vm-1", { privateIp: "10.2.0.21" });
    sim.deleteVm("rg-shop", "vm-1");
    expect(await sim.getVirtualMachine("rg-shop", "vm-1")).toBeUndefined();
    expect(await sim.listNetworkInterfaces()).toEqual([]);
    expect(await sim.listPublicIPAddresses()).toEqual([]);
    await sim.deleteNetworkSecurityGroup("rg-segsync", "nsg");
    expect(() => sim.deleteVm("rg-shop", "vm-1")).toThrow(SimulationInputError);
    // The same name and address can be used again.
    expect(launch("vm-1", "vnet-prod", "10.2.0.11", { publicIp: "20.0.0.11" })).toEqual(created);
  });

  it("adds a secondary NIC in the VM's VNet", async () => {
    launch("vm-1");
    const { networkInterfaceId } = sim.addNetworkInterface("rg-shop", "vm-1", {
      privateIp: "10.2.0.21",
      publicIp: "20.0.0.21",
    });
    expect(networkInterfaceId).toBe(networkId("networkInterfaces", "rg-shop", "vm-1VMNic2"));
    const vm = await sim.getVirtualMachine("rg-shop", "vm-1");
    expect(vm?.networkProfile.networkInterfaces).toEqual([
      { id: networkId("networkInterfaces", "rg-shop", "vm-1VMNic"), primary: true },
      { id: networkInterfaceId, primary: false },
    ]);
    expect((await sim.getNetworkInterface("rg-shop", "vm-1VMNic2"))?.primary).toBe(false);
    expect((await sim.listPublicIPAddresses()).map((p) => p.name)).toEqual(["vm-1VMNic2PublicIP"]);
  });

  it("re-tags a VM with a complete new map, checked as ARM checks tags", async () => {
    launch("vm-1");
    sim.setVmTags("rg-shop", "vm-1", { "seg-app": "shop", "seg-role": "web" });
    expect((await sim.getVirtualMachine("rg-shop", "vm-1"))?.tags).toEqual({
      "seg-app": "shop",
      "seg-role": "web",
    });
    expect(() => sim.setVmTags("rg-shop", "vm-1", { "a<b": "x" })).toThrow(AzureInvalidRequestError);
  });

  it("refuses launches that could not happen, and those ARM would refuse", async () => {
    launch("vm-1", "vnet-prod", "10.2.0.11", { publicIp: "20.0.0.11" });
    expect(() => launch("vm-1", "vnet-prod", "10.2.0.99")).toThrow(/already exists/);
    expect(() => launch("vm-2", "vnet-prod", "10.2.0.11")).toThrow(/already used/);
    expect(() => launch("vm-2", "vnet-prod", "10.9.0.11")).toThrow(/outside/);
    expect(() => launch("vm-2", "vnet-prod", "10.2.0.12", { publicIp: "20.0.0.11" })).toThrow(/already held/);
    expect(() => launch("vm-2", "vnet-nope")).toThrow(/does not exist/);
    expect(() =>
      sim.createVm({
        resourceGroup: "rg-shop",
        name: "vm-3",
        location: "westus",
        vnet: { resourceGroup: "rg-net", name: "vnet-prod" },
        privateIp: "10.2.0.30",
        tags: {},
      }),
    ).toThrow(AzureInvalidRequestError);
    const west = sim.createNetworkSecurityGroup({
      resourceGroup: "rg-app",
      name: "nsg-west",
      location: "westus",
    });
    try {
      sim.createVm({
        resourceGroup: "rg-shop",
        name: "vm-4",
        location: "eastus",
        vnet: { resourceGroup: "rg-net", name: "vnet-prod" },
        privateIp: "10.2.0.40",
        publicIp: "20.0.0.40",
        tags: {},
        networkSecurityGroupId: west.id,
      });
      expect.unreachable();
    } catch (error) {
      expect((error as { code?: string }).code).toBe("InvalidResourceReference");
    }
    // A refused launch leaves nothing behind.
    expect((await sim.listPublicIPAddresses()).map((p) => p.ipAddress)).toEqual(["20.0.0.11"]);
    expect(await sim.listVirtualMachines()).toHaveLength(1);
  });

  it("creates customer NSGs with their rules, once", async () => {
    const nsg = sim.createNetworkSecurityGroup({
      resourceGroup: "rg-app",
      name: "nsg-legacy",
      location: "eastus",
      securityRules: [allow("allow-ssh", 300, { prefixes: ["*"] }, { destinationPortRange: "22" })],
    });
    expect(nsg.tags).toEqual({});
    expect(nsg.securityRules.map((r) => r.name)).toEqual(["allow-ssh"]);
    expect(() =>
      sim.createNetworkSecurityGroup({ resourceGroup: "rg-app", name: "NSG-LEGACY", location: "eastus" }),
    ).toThrow(SimulationInputError);
    expect(sim.calls).toEqual([]);
  });
});

describe("starting state", () => {
  it("must be a state ARM could hold", async () => {
    launch("vm-1");
    const nsg = await sim.putNetworkSecurityGroup(nsgInput("nsg"));
    await sim.putNetworkInterface({ ...(await nicOf("vm-1")), networkSecurityGroup: { id: nsg.id } });
    const state = sim.state();
    expect(() => SimulatedArm.empty("8F2C1D3E-5A6B-4C7D-9E0F-1A2B3C4D5E6F")).toThrow(/lowercase GUID/);
    expect(() => new SimulatedArm({ ...state, networkSecurityGroups: [] })).toThrow(
      /InvalidResourceReference/,
    );
    expect(() => new SimulatedArm({ ...state, virtualMachines: [] })).toThrow(/names .* as its VM/);
    const wrongId = state.networkSecurityGroups.map((n) => ({
      ...n,
      id: `${subscriptionPath}/resourceGroups/rg-segsync/providers/Microsoft.Network/networkSecurityGroups/other`,
    }));
    expect(() => new SimulatedArm({ ...state, networkSecurityGroups: wrongId })).toThrow(/is not the id of/);
    const badRules = state.networkSecurityGroups.map((n) => ({ ...n, securityRules: [allow("a", 50)] }));
    expect(() => new SimulatedArm({ ...state, networkSecurityGroups: badRules })).toThrow(
      /SecurityRuleInvalidPriority/,
    );
    const twice = [...state.networkInterfaces, ...state.networkInterfaces];
    expect(() => new SimulatedArm({ ...state, networkInterfaces: twice })).toThrow(/given twice/);
  });
});

describe("lookups kept true under every change (the subscription's indexes)", () => {
  it("a NIC moved to another NSG frees the first and holds the second, which lists it", async () => {
    launch("vm-1");
    const a = await sim.putNetworkSecurityGroup(nsgInput("nsg-a"));
    const b = await sim.putNetworkSecurityGroup(nsgInput("nsg-b"));
    await sim.putNetworkInterface({ ...(await nicOf("vm-1")), networkSecurityGroup: { id: a.id } });
    await sim.putNetworkInterface({ ...(await nicOf("vm-1")), networkSecurityGroup: { id: b.id } });
    const nicId = (await nicOf("vm-1")).id;
    expect((await sim.getNetworkSecurityGroup("rg-segsync", "nsg-a"))?.networkInterfaces).toBeUndefined();
    expect((await sim.getNetworkSecurityGroup("rg-segsync", "nsg-b"))?.networkInterfaces).toEqual([
      { id: nicId },
    ]);
    await sim.deleteNetworkSecurityGroup("rg-segsync", "nsg-a");
    await expectFailure(
      sim.deleteNetworkSecurityGroup("rg-segsync", "nsg-b"),
      AzureInUseError,
      "InUseNetworkSecurityGroupCannotBeDeleted",
    );
  });

  it("an ASG whose last member left another VNet takes members anywhere; a deleted VM's address is free", async () => {
    launch("vm-1", "vnet-prod", "10.2.0.11");
    launch("vm-2", "vnet-prod2", "10.4.0.11");
    const a = await asg("segsync-a");
    await sim.putNetworkInterface(withAsgs(await nicOf("vm-1"), [a]));
    sim.deleteVm("rg-shop", "vm-1");
    await sim.putNetworkInterface(withAsgs(await nicOf("vm-2"), [a]));
    expect(() => launch("vm-3", "vnet-prod", "10.2.0.11")).not.toThrow();
    await expectFailure(
      sim.putNetworkInterface(withAsgs(await nicOf("vm-3"), [a])),
      AzureInvalidRequestError,
      "ApplicationSecurityGroupInDifferentVirtualNetwork",
    );
  });
});
