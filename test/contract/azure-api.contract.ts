/**
 * The contract of the Azure cloud API port (lib/clouds/azure/api.ts), written once and run over
 * every implementation (azure-api.test.ts): the simulator, the SDK adapter against the local ARM
 * fake, and the SDK adapter replaying recorded ARM answers. What it pins is what the port's comments
 * promise and what segsync relies on of the simulator; where the simulator and the fake disagreed,
 * the one that did not match ARM (docs/clouds.md) was fixed.
 *
 * Seeded implementations start every case from azure-estate.ts; the recorded one holds a real
 * subscription and runs the cases that hold for any subscription (reads only).
 */
import { describe, expect } from "vitest";
import type { AzureApi } from "../../lib/clouds/azure/api.js";
import {
  AzureApiError,
  AzureConflictError,
  AzureInUseError,
  AzureInvalidRequestError,
  AzureNotFoundError,
  AzureQuotaExceededError,
  AzureThrottledError,
} from "../../lib/clouds/azure/errors.js";
import {
  type NetworkInterface,
  type NetworkSecurityGroup,
  parseResourceId,
  type SecurityRule,
  sameResource,
} from "../../lib/clouds/azure/model.js";
import { allowRule, CUSTOMER_NSG, networkId, PROD_SUBNET, SEGSYNC_GROUP, vmId } from "./azure-estate.js";
import { NotRun } from "./not-run.js";

export interface AzureApiUnderTest {
  readonly api: AzureApi;
  /** From now on every call fails as ARM throttles (429), until called with false. */
  throttle(on: boolean): void;
  /**
   * From now on the cloud fails with 5xx: `before` a call takes effect, or (`lost`) writes take
   * effect and their response is lost; undefined stops it.
   */
  serverErrors(mode: "before" | "lost" | undefined): void;
}

/** What a case needs beyond reading whatever the subscription holds. */
export type AzureContractNeed = "estate" | "throttling" | "server errors";

export interface AzureApiImplementation {
  readonly name: string;
  /** A fresh implementation for one case: the contract's estate, or what the implementation holds. */
  readonly start: () => Promise<AzureApiUnderTest>;
  /** The needs it cannot meet, each with the reason its cases are not run (not-run.ts). */
  readonly cannot?: Partial<Record<AzureContractNeed, string>>;
}

type ErrorClass = new (...args: never[]) => AzureApiError;

/** The failure of `promise`: of this class and status, with the cloud's error (a RestError) as cause. */
export async function armFailure(
  promise: Promise<unknown>,
  type: ErrorClass,
  status: number,
  code?: string,
): Promise<AzureApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(type);
  const failure = error as AzureApiError;
  expect(failure.status).toBe(status);
  if (code !== undefined) expect(failure.code).toBe(code);
  expect(failure.cause).toMatchObject({ name: "RestError", statusCode: status, code: failure.code });
  return failure;
}

const DEFAULT_RULES = [
  ["AllowVnetInBound", "Inbound", 65000, "Allow"],
  ["AllowAzureLoadBalancerInBound", "Inbound", 65001, "Allow"],
  ["DenyAllInBound", "Inbound", 65500, "Deny"],
  ["AllowVnetOutBound", "Outbound", 65000, "Allow"],
  ["AllowInternetOutBound", "Outbound", 65001, "Allow"],
  ["DenyAllOutBound", "Outbound", 65500, "Deny"],
];

function defaultRulesOf(nsg: NetworkSecurityGroup) {
  return nsg.defaultSecurityRules
    .map((rule) => [rule.name, rule.direction, rule.priority, rule.access])
    .sort((a, b) => String(a[1]).localeCompare(String(b[1])) || Number(a[2]) - Number(b[2]));
}

/**
 * A rule as it means: ARM reads back the list fields a PUT left out as `[]` (test/fixtures/azure/arm),
 * the simulator leaves them out; segsync's diff reads both alike.
 */
export function meaningOf(rules: readonly SecurityRule[]): SecurityRule[] {
  return rules.map(
    (rule) =>
      Object.fromEntries(
        Object.entries(rule).filter(
          ([, value]) => !(Array.isArray(value) && value.length === 0) && value !== "",
        ),
      ) as unknown as SecurityRule,
  );
}

const byId = <T extends { readonly id: string }>(items: readonly T[]): T[] =>
  [...items].sort((a, b) => a.id.toLowerCase().localeCompare(b.id.toLowerCase()));
const namesOf = (items: readonly { readonly name: string }[]) => items.map((item) => item.name).sort();

export const NSG_INPUT = {
  resourceGroup: SEGSYNC_GROUP,
  name: "segsync-web",
  location: "eastus",
  tags: { "segsync-managed": "true" },
  securityRules: [
    allowRule("segsync-allow-https", 200),
    allowRule("segsync-deny-all", 4096, {
      access: "Deny",
      protocol: "*",
      sourceAddressPrefix: "*",
      destinationPortRange: "*",
    }),
  ],
};

export function describeAzureApiContract(implementation: AzureApiImplementation): void {
  const { name, start, cannot = {} } = implementation;
  const notRun = new NotRun(name, Object.values(cannot));

  /** A case that needs `needs`: run, or left out and counted with the implementation's reason (not-run.ts). */
  const contractCase: ContractCase = Object.assign(
    (
      title: string,
      needs: readonly AzureContractNeed[],
      body: (under: AzureApiUnderTest) => Promise<void>,
    ) => {
      notRun.case(
        needs.map((need) => cannot[need]),
        title,
        async () => body(await start()),
      );
    },
    { group: (title: string, register: () => void) => notRun.group(title, register) },
  );

  describe(`AzureApi contract: ${name}`, () => {
    describeReadsOfAnySubscription(contractCase);
    describeReadsOfTheEstate(contractCase);
    describeNsgWrites(contractCase);
    describeNsgChecks(contractCase);
    describeAsgWrites(contractCase);
    describeNicWrites(contractCase);
    describeThrottling(contractCase);
    describeServerErrors(contractCase);
    notRun.report();
  });
}

interface ContractCase {
  (
    title: string,
    needs: readonly AzureContractNeed[],
    body: (under: AzureApiUnderTest) => Promise<void>,
  ): void;
  /** A group of cases: a suite when one of them runs (not-run.ts). */
  group(title: string, register: () => void): void;
}

async function readAll(api: AzureApi) {
  const [virtualMachines, networkInterfaces, networkSecurityGroups, applicationSecurityGroups] =
    await Promise.all([
      api.listVirtualMachines(),
      api.listNetworkInterfaces(),
      api.listNetworkSecurityGroups(),
      api.listApplicationSecurityGroups(),
    ]);
  const [publicIPAddresses, virtualNetworks] = await Promise.all([
    api.listPublicIPAddresses(),
    api.listVirtualNetworks(),
  ]);
  return {
    virtualMachines,
    networkInterfaces,
    networkSecurityGroups,
    applicationSecurityGroups,
    publicIPAddresses,
    virtualNetworks,
  };
}

function describeReadsOfAnySubscription(contractCase: ContractCase): void {
  contractCase.group("reads, of any subscription", () => {
    contractCase(
      "name every object by an ARM id of the subscription, its group and name",
      [],
      async ({ api }) => {
        const all = await readAll(api);
        const objects = Object.values(all).flat();
        expect(objects.length).toBeGreaterThan(0);
        for (const object of objects) {
          const id = parseResourceId(object.id);
          expect(id, object.id).toBeDefined();
          expect(id?.subscription.toLowerCase()).toBe(api.subscription.toLowerCase());
          expect(id?.resourceGroup).toBe(object.resourceGroup);
          expect(id?.name).toBe(object.name);
        }
      },
    );

    contractCase("get what the listings hold, whatever the casing of group and name", [], async ({ api }) => {
      const all = await readAll(api);
      for (const vm of all.virtualMachines) {
        expect(await api.getVirtualMachine(vm.resourceGroup, vm.name)).toEqual(vm);
        expect(await api.getVirtualMachine(vm.resourceGroup.toUpperCase(), vm.name.toUpperCase())).toEqual(
          vm,
        );
      }
      for (const nic of all.networkInterfaces) {
        expect(await api.getNetworkInterface(nic.resourceGroup, nic.name)).toEqual(nic);
        expect(
          await api.getNetworkInterface(nic.resourceGroup.toLowerCase(), nic.name.toUpperCase()),
        ).toEqual(nic);
      }
      for (const nsg of all.networkSecurityGroups) {
        expect(await api.getNetworkSecurityGroup(nsg.resourceGroup, nsg.name)).toEqual(nsg);
        expect(await api.getNetworkSecurityGroup(nsg.resourceGroup.toUpperCase(), nsg.name)).toEqual(nsg);
      }
      for (const asg of all.applicationSecurityGroups) {
        expect(await api.getApplicationSecurityGroup(asg.resourceGroup, asg.name)).toEqual(asg);
        expect(
          await api.getApplicationSecurityGroup(asg.resourceGroup.toUpperCase(), asg.name.toUpperCase()),
        ).toEqual(asg);
      }
      for (const address of all.publicIPAddresses) {
        expect(await api.getPublicIPAddress(address.resourceGroup, address.name)).toEqual(address);
        expect(await api.getPublicIPAddress(address.resourceGroup.toLowerCase(), address.name)).toEqual(
          address,
        );
      }
    });

    contractCase(
      "answer undefined for what is not there, in a group that is or is not",
      [],
      async ({ api }) => {
        const [vm] = await api.listVirtualMachines();
        const group = vm?.resourceGroup ?? "rg-shop";
        for (const resourceGroup of [group, "rg-never-made"]) {
          expect(await api.getVirtualMachine(resourceGroup, "vm-never-made")).toBeUndefined();
          expect(await api.getNetworkInterface(resourceGroup, "nic-never-made")).toBeUndefined();
          expect(await api.getNetworkSecurityGroup(resourceGroup, "nsg-never-made")).toBeUndefined();
          expect(await api.getApplicationSecurityGroup(resourceGroup, "asg-never-made")).toBeUndefined();
          expect(await api.getPublicIPAddress(resourceGroup, "pip-never-made")).toBeUndefined();
        }
      },
    );

    contractCase("give every NSG ARM's six default rules and valid custom ones", [], async ({ api }) => {
      const nsgs = await api.listNetworkSecurityGroups();
      expect(nsgs.length).toBeGreaterThan(0);
      for (const nsg of nsgs) {
        expect(defaultRulesOf(nsg)).toEqual(DEFAULT_RULES);
        const slots = nsg.securityRules.map((rule) => `${rule.direction} ${rule.priority}`);
        expect(new Set(slots).size).toBe(slots.length);
        for (const rule of nsg.securityRules) {
          expect(rule.priority).toBeGreaterThanOrEqual(100);
          expect(rule.priority).toBeLessThanOrEqual(4096);
        }
      }
    });

    contractCase(
      "name on each NSG exactly the NICs associated with it, and leave the list out when none is",
      [],
      async ({ api }) => {
        const [nsgs, nics] = await Promise.all([
          api.listNetworkSecurityGroups(),
          api.listNetworkInterfaces(),
        ]);
        for (const nsg of nsgs) {
          const users = nics.filter((nic) => sameResource(nic.networkSecurityGroup?.id, nsg.id));
          if (users.length === 0) expect(nsg).not.toHaveProperty("networkInterfaces");
          else
            expect(byId(nsg.networkInterfaces ?? []).map((nic) => nic.id.toLowerCase())).toEqual(
              byId(users).map((nic) => nic.id.toLowerCase()),
            );
        }
      },
    );

    contractCase("tell each VM's power state, and point its NICs back at it", [], async ({ api }) => {
      const [vms, nics] = await Promise.all([api.listVirtualMachines(), api.listNetworkInterfaces()]);
      expect(vms.length).toBeGreaterThan(0);
      for (const vm of vms) {
        expect(vm.powerState).toMatch(/^VM [a-z]+$/);
        for (const reference of vm.networkProfile.networkInterfaces) {
          const nic = nics.find((candidate) => sameResource(candidate.id, reference.id));
          expect(nic, reference.id).toBeDefined();
          expect(sameResource(nic?.virtualMachine?.id, vm.id)).toBe(true);
        }
      }
    });

    contractCase(
      "change nothing, and leave nothing unreadable, when reading well-formed objects",
      [],
      async ({ api }) => {
        const first = await readAll(api);
        expect(api.takeUnreadable()).toEqual([]);
        expect(await readAll(api)).toEqual(first);
      },
    );
  });
}

function describeReadsOfTheEstate(contractCase: ContractCase): void {
  contractCase.group("reads of the contract's estate", () => {
    contractCase("page through every object of each listing", ["estate"], async ({ api }) => {
      const all = await readAll(api);
      expect(namesOf(all.virtualMachines)).toEqual([
        "vm-batch-1",
        "vm-db-1",
        "vm-web-1",
        "vm-web-2",
        "vm-west-1",
      ]);
      expect(namesOf(all.networkInterfaces)).toEqual([
        "vm-batch-1VMNic",
        "vm-db-1VMNic",
        "vm-db-1VMNic2",
        "vm-web-1VMNic",
        "vm-web-2VMNic",
        "vm-west-1VMNic",
      ]);
      expect(namesOf(all.networkSecurityGroups)).toEqual(["nsg-customer", "nsg-spare-a", "nsg-spare-b"]);
      expect(all.applicationSecurityGroups).toEqual([]);
      expect(namesOf(all.publicIPAddresses)).toEqual([
        "vm-db-1PublicIP",
        "vm-web-1PublicIP",
        "vm-west-1PublicIP",
      ]);
      expect(
        byId(all.virtualNetworks).map((vnet) => [vnet.name, vnet.location, vnet.addressPrefixes]),
      ).toEqual([
        ["vnet-batch", "eastus", ["10.4.0.0/16"]],
        ["vnet-prod", "eastus", ["10.2.0.0/16"]],
        ["vnet-west", "westus", ["10.3.0.0/16"]],
      ]);
    });

    contractCase("read VMs with their power state and NICs, primary first", ["estate"], async ({ api }) => {
      const vms = byId(await api.listVirtualMachines());
      expect(vms.map((vm) => [vm.name, vm.powerState])).toEqual([
        ["vm-batch-1", "VM running"],
        ["vm-db-1", "VM running"],
        ["vm-web-1", "VM running"],
        ["vm-web-2", "VM deallocated"],
        ["vm-west-1", "VM running"],
      ]);
      expect(await api.getVirtualMachine("rg-shop", "vm-web-1")).toEqual({
        id: vmId("rg-shop", "vm-web-1"),
        name: "vm-web-1",
        location: "eastus",
        resourceGroup: "rg-shop",
        tags: { "seg-app": "shop" },
        powerState: "VM running",
        networkProfile: {
          networkInterfaces: [
            { id: networkId("networkInterfaces", "rg-shop", "vm-web-1VMNic"), primary: true },
          ],
        },
      });
      const db = vms[1];
      expect(
        db?.networkProfile.networkInterfaces.map((nic) => [nic.id.split("/").at(-1), nic.primary]),
      ).toEqual([
        ["vm-db-1VMNic", true],
        ["vm-db-1VMNic2", false],
      ]);
    });

    contractCase("read a NIC with its VM, NSG, addresses and etag", ["estate"], async ({ api }) => {
      const nic = await api.getNetworkInterface("rg-shop", "vm-web-1VMNic");
      expect(nic).toEqual({
        id: networkId("networkInterfaces", "rg-shop", "vm-web-1VMNic"),
        name: "vm-web-1VMNic",
        location: "eastus",
        resourceGroup: "rg-shop",
        etag: expect.stringMatching(/^W\/".+"$/),
        tags: {},
        virtualMachine: { id: vmId("rg-shop", "vm-web-1") },
        networkSecurityGroup: { id: CUSTOMER_NSG },
        primary: true,
        ipConfigurations: [
          {
            name: "ipconfig1",
            primary: true,
            privateIPAddress: "10.2.0.11",
            subnet: { id: PROD_SUBNET },
            publicIPAddress: { id: networkId("publicIPAddresses", "rg-shop", "vm-web-1PublicIP") },
            applicationSecurityGroups: [],
          },
        ],
      });
      const addresses = await api.listPublicIPAddresses();
      expect(addresses.find((address) => address.name === "vm-web-1PublicIP")).toEqual({
        id: networkId("publicIPAddresses", "rg-shop", "vm-web-1PublicIP"),
        name: "vm-web-1PublicIP",
        location: "eastus",
        resourceGroup: "rg-shop",
        ipAddress: "20.0.0.11",
      });
    });

    contractCase(
      "read a customer NSG with its rules, tags and the NIC that uses it",
      ["estate"],
      async ({ api }) => {
        const nsg = await api.getNetworkSecurityGroup("rg-net", "nsg-customer");
        expect(nsg).toMatchObject({
          id: CUSTOMER_NSG,
          name: "nsg-customer",
          location: "eastus",
          resourceGroup: "rg-net",
          tags: { owner: "network-team" },
          networkInterfaces: [{ id: networkId("networkInterfaces", "rg-shop", "vm-web-1VMNic") }],
        });
        expect(meaningOf(nsg?.securityRules ?? [])).toEqual([
          allowRule("allow-ssh", 300, { destinationPortRange: "22" }),
        ]);
        expect(nsg?.etag).toMatch(/^W\/".+"$/);
      },
    );
  });
}

async function createdNsg(api: AzureApi): Promise<NetworkSecurityGroup> {
  return api.putNetworkSecurityGroup(NSG_INPUT);
}

function describeNsgWrites(contractCase: ContractCase): void {
  contractCase.group("NSG writes", () => {
    contractCase(
      "create the NSG and return it as a read gives it, with a new etag",
      ["estate"],
      async ({ api }) => {
        const nsg = await createdNsg(api);
        expect(nsg).toMatchObject({
          id: networkId("networkSecurityGroups", SEGSYNC_GROUP, "segsync-web"),
          name: "segsync-web",
          location: "eastus",
          resourceGroup: SEGSYNC_GROUP,
          tags: { "segsync-managed": "true" },
        });
        expect(meaningOf(nsg.securityRules)).toEqual(NSG_INPUT.securityRules);
        expect(nsg.etag).toMatch(/^W\/".+"$/);
        expect(defaultRulesOf(nsg)).toEqual(DEFAULT_RULES);
        expect(nsg).not.toHaveProperty("networkInterfaces");
        expect(await api.getNetworkSecurityGroup(SEGSYNC_GROUP, "segsync-web")).toEqual(nsg);
        const listed = await api.listNetworkSecurityGroups();
        expect(listed.find((candidate) => candidate.name === "segsync-web")).toEqual(nsg);
      },
    );

    contractCase(
      "replace the rules and tags whole, keep the default rules, and change the etag",
      ["estate"],
      async ({ api }) => {
        const first = await createdNsg(api);
        const rule = allowRule("segsync-other", 300, {
          direction: "Outbound",
          destinationAddressPrefix: "10.2.0.0/16",
        });
        const second = await api.putNetworkSecurityGroup({
          ...NSG_INPUT,
          tags: { fresh: "yes" },
          securityRules: [rule],
        });
        expect(meaningOf(second.securityRules)).toEqual([rule]);
        expect(second.tags).toEqual({ fresh: "yes" });
        expect(second.defaultSecurityRules).toEqual(first.defaultSecurityRules);
        expect(second.etag).not.toBe(first.etag);
        expect(await api.getNetworkSecurityGroup(SEGSYNC_GROUP, "segsync-web")).toEqual(second);
      },
    );

    contractCase("answer with the normalized location", ["estate"], async ({ api }) => {
      const nsg = await api.putNetworkSecurityGroup({ ...NSG_INPUT, location: "East US" });
      expect(nsg.location).toBe("eastus");
      const asg = await api.putApplicationSecurityGroup({
        ...NSG_INPUT,
        name: "segsync-asg",
        location: "East US",
      });
      expect(asg.location).toBe("eastus");
    });

    contractCase(
      "keep tags as written, and refuse tags ARM refuses, changing nothing",
      ["estate"],
      async ({ api }) => {
        const tags = { "segsync-managed": "true", Owner: "Team-A", seal: "s".repeat(256) };
        const nsg = await api.putNetworkSecurityGroup({ ...NSG_INPUT, tags });
        expect(nsg.tags).toEqual(tags);
        const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`k${index}`, "v"]));
        // ARM's codes for these are not pinned.
        for (const refusedTags of [
          tooMany,
          { "a/b": "v" },
          { Env: "a", env: "b" },
          { seal: "s".repeat(257) },
        ]) {
          await armFailure(
            api.putNetworkSecurityGroup({ ...NSG_INPUT, tags: refusedTags }),
            AzureInvalidRequestError,
            400,
          );
          await armFailure(
            api.putApplicationSecurityGroup(asgInput("segsync-tagged", refusedTags)),
            AzureInvalidRequestError,
            400,
          );
        }
        expect(await api.getNetworkSecurityGroup(SEGSYNC_GROUP, "segsync-web")).toEqual(nsg);
        expect(await api.listApplicationSecurityGroups()).toEqual([]);
        const nic = await readNic(api, "rg-shop", "vm-web-2VMNic");
        await armFailure(
          api.putNetworkInterface({ ...nic, tags: { "a?b": "v" } }),
          AzureInvalidRequestError,
          400,
        );
      },
    );

    contractCase("keep an NSG and an ASG in the region they were made in", ["estate"], async ({ api }) => {
      const nsg = await createdNsg(api);
      const asg = await api.putApplicationSecurityGroup(asgInput("segsync-web"));
      // ARM's code for it is not pinned.
      await armFailure(
        api.putNetworkSecurityGroup({ ...NSG_INPUT, location: "westus" }),
        AzureInvalidRequestError,
        400,
      );
      await armFailure(
        api.putApplicationSecurityGroup({ ...asgInput("segsync-web"), location: "westus" }),
        AzureInvalidRequestError,
        400,
      );
      expect(await api.getNetworkSecurityGroup(SEGSYNC_GROUP, "segsync-web")).toEqual(nsg);
      expect(await api.listApplicationSecurityGroups()).toEqual([asg]);
    });

    contractCase(
      "keep flushConnection when sent true, and turn it off on a PUT without it",
      ["estate"],
      async ({ api }) => {
        const flushing = await api.putNetworkSecurityGroup({ ...NSG_INPUT, flushConnection: true });
        expect(flushing.flushConnection).toBe(true);
        const plain = await api.putNetworkSecurityGroup(NSG_INPUT);
        expect(plain.flushConnection ?? false).toBe(false);
      },
    );

    contractCase(
      "take the current etag or * as If-Match, and refuse a stale one with 412, changing nothing",
      ["estate"],
      async ({ api }) => {
        const first = await createdNsg(api);
        const second = await api.putNetworkSecurityGroup({ ...NSG_INPUT, ifMatch: first.etag });
        const third = await api.putNetworkSecurityGroup({ ...NSG_INPUT, tags: { third: "1" }, ifMatch: "*" });
        expect(new Set([first.etag, second.etag, third.etag]).size).toBe(3);
        await armFailure(
          api.putNetworkSecurityGroup({ ...NSG_INPUT, securityRules: [], ifMatch: second.etag }),
          AzureConflictError,
          412,
          "PreconditionFailed",
        );
        expect(await api.getNetworkSecurityGroup(SEGSYNC_GROUP, "segsync-web")).toEqual(third);
      },
    );

    contractCase(
      "never create on a conditional PUT: If-Match on a missing NSG is 412",
      ["estate"],
      async ({ api }) => {
        for (const ifMatch of ["*", 'W/"00000000-0000-0000-0000-000000000000"']) {
          await armFailure(
            api.putNetworkSecurityGroup({ ...NSG_INPUT, ifMatch }),
            AzureConflictError,
            412,
            "PreconditionFailed",
          );
        }
        expect(await api.getNetworkSecurityGroup(SEGSYNC_GROUP, "segsync-web")).toBeUndefined();
      },
    );

    contractCase(
      "run concurrent writes to one NSG one after the other, in call order",
      ["estate"],
      async ({ api }) => {
        const rules = [100, 200, 300].map((priority) => [allowRule(`segsync-${priority}`, priority)]);
        const written = await Promise.all(
          rules.map((securityRules) => api.putNetworkSecurityGroup({ ...NSG_INPUT, securityRules })),
        );
        expect(written.map((nsg) => meaningOf(nsg.securityRules))).toEqual(rules);
        expect(new Set(written.map((nsg) => nsg.etag)).size).toBe(3);
        const last = await api.getNetworkSecurityGroup(SEGSYNC_GROUP, "segsync-web");
        expect(meaningOf(last?.securityRules ?? [])).toEqual(rules[2]);
      },
    );

    contractCase(
      "delete an NSG; deleting it again, or one never made, is no error",
      ["estate"],
      async ({ api }) => {
        await createdNsg(api);
        await api.deleteNetworkSecurityGroup(SEGSYNC_GROUP, "segsync-web");
        expect(await api.getNetworkSecurityGroup(SEGSYNC_GROUP, "segsync-web")).toBeUndefined();
        expect(namesOf(await api.listNetworkSecurityGroups())).not.toContain("segsync-web");
        await api.deleteNetworkSecurityGroup(SEGSYNC_GROUP, "segsync-web");
        await api.deleteNetworkSecurityGroup("rg-never-made", "nsg-never-made");
      },
    );

    contractCase("refuse to delete an NSG a NIC uses, and keep it", ["estate"], async ({ api }) => {
      const before = await api.getNetworkSecurityGroup("rg-net", "nsg-customer");
      await armFailure(
        api.deleteNetworkSecurityGroup("rg-net", "nsg-customer"),
        AzureInUseError,
        400,
        "InUseNetworkSecurityGroupCannotBeDeleted",
      );
      expect(await api.getNetworkSecurityGroup("rg-net", "nsg-customer")).toEqual(before);
    });
  });
}

function describeNsgChecks(contractCase: ContractCase): void {
  contractCase.group("NSG rules ARM refuses", () => {
    async function refused(api: AzureApi, securityRules: SecurityRule[], type: ErrorClass, code: string) {
      const before = await createdNsg(api);
      await armFailure(api.putNetworkSecurityGroup({ ...NSG_INPUT, securityRules }), type, 400, code);
      expect(await api.getNetworkSecurityGroup(SEGSYNC_GROUP, "segsync-web")).toEqual(before);
    }

    contractCase("priorities outside 100 to 4096, changing nothing", ["estate"], async ({ api }) => {
      for (const priority of [99, 4097]) {
        await refused(
          api,
          [allowRule("segsync-bad", priority)],
          AzureInvalidRequestError,
          "SecurityRuleInvalidPriority",
        );
      }
    });

    contractCase(
      "two rules of one direction with one priority; two directions may share it",
      ["estate"],
      async ({ api }) => {
        await refused(
          api,
          [allowRule("segsync-a", 150), allowRule("segsync-b", 150)],
          AzureInvalidRequestError,
          "SecurityRuleConflict",
        );
        const both = [allowRule("segsync-a", 150), allowRule("segsync-b", 150, { direction: "Outbound" })];
        const written = await api.putNetworkSecurityGroup({ ...NSG_INPUT, securityRules: both });
        expect(meaningOf(written.securityRules)).toEqual(both);
      },
    );

    contractCase(
      "a rule naming an ASG that does not exist, or is in another region",
      ["estate"],
      async ({ api }) => {
        const west = await api.putApplicationSecurityGroup({
          ...asgInput("segsync-west"),
          location: "westus",
        });
        const ghost = networkId("applicationSecurityGroups", SEGSYNC_GROUP, "segsync-ghost");
        const { sourceAddressPrefix: _, ...rule } = allowRule("segsync-from-asg", 200);
        for (const id of [ghost, west.id]) {
          const fromAsg = { ...rule, sourceApplicationSecurityGroups: [{ id }] };
          await refused(api, [fromAsg], AzureInvalidRequestError, "InvalidResourceReference");
        }
      },
    );

    contractCase("malformed port ranges and address prefixes", ["estate"], async ({ api }) => {
      // ARM's codes for these are not pinned.
      const wrong: Partial<SecurityRule>[] = [
        { destinationPortRange: "70000" },
        { destinationPortRange: "90-80" },
        { destinationPortRange: "https" },
        { sourceAddressPrefix: "10.0.0.300" },
        { sourceAddressPrefix: "10.0.0.0/33" },
        { sourceAddressPrefix: "not a prefix" },
      ];
      const before = await createdNsg(api);
      for (const extra of wrong) {
        const rules = [allowRule("segsync-wrong", 200, extra)];
        await armFailure(
          api.putNetworkSecurityGroup({ ...NSG_INPUT, securityRules: rules }),
          AzureInvalidRequestError,
          400,
        );
      }
      expect(await api.getNetworkSecurityGroup(SEGSYNC_GROUP, "segsync-web")).toEqual(before);
    });

    contractCase("more than 4000 address prefixes on one side, as a quota", ["estate"], async ({ api }) => {
      const prefixes = Array.from({ length: 4001 }, (_, index) => `10.${index >> 8}.${index & 255}.0/24`);
      const { sourceAddressPrefix: _, ...rule } = allowRule("segsync-many", 200);
      const over = [{ ...rule, sourceAddressPrefixes: prefixes }];
      await armFailure(
        api.putNetworkSecurityGroup({ ...NSG_INPUT, securityRules: over }),
        AzureQuotaExceededError,
        400,
      );
      const at = [{ ...rule, sourceAddressPrefixes: prefixes.slice(0, 4000) }];
      const written = await api.putNetworkSecurityGroup({ ...NSG_INPUT, securityRules: at });
      expect(written.securityRules[0]?.sourceAddressPrefixes).toHaveLength(4000);
    });

    contractCase(
      "more than 100 ASGs across the rules of one NSG, as a quota",
      ["estate"],
      async ({ api }) => {
        const ids: string[] = [];
        for (let index = 0; index < 101; index += 1) {
          ids.push((await api.putApplicationSecurityGroup(asgInput(`segsync-${index}`))).id);
        }
        const { sourceAddressPrefix: _, ...rule } = allowRule("segsync-from", 100);
        const rules = ids.map((id, index) => ({
          ...rule,
          name: `segsync-from-${index}`,
          priority: 100 + index,
          sourceApplicationSecurityGroups: [{ id }],
        }));
        await armFailure(
          api.putNetworkSecurityGroup({ ...NSG_INPUT, securityRules: rules }),
          AzureQuotaExceededError,
          400,
        );
        const written = await api.putNetworkSecurityGroup({
          ...NSG_INPUT,
          securityRules: rules.slice(0, 100),
        });
        expect(written.securityRules).toHaveLength(100);
      },
    );

    contractCase("more than 1000 rules, as a quota; 1000 go through", ["estate"], async ({ api }) => {
      const rules = Array.from({ length: 1001 }, (_, index) => allowRule(`segsync-${index}`, 100 + index));
      await refused(api, rules, AzureQuotaExceededError, "SecurityRuleCountLimitReached");
      const written = await api.putNetworkSecurityGroup({
        ...NSG_INPUT,
        securityRules: rules.slice(0, 1000),
      });
      expect(written.securityRules).toHaveLength(1000);
    });

    contractCase(
      "the 1000 rules count both directions; outbound rules from an ASG to prefixes read back as written",
      ["estate"],
      async ({ api }) => {
        const asg = await api.putApplicationSecurityGroup(asgInput("segsync-web"));
        const inbound = Array.from({ length: 500 }, (_, index) =>
          allowRule(`segsync-in-${index}`, 100 + index),
        );
        const {
          sourceAddressPrefix: _,
          destinationAddressPrefix: __,
          ...rule
        } = allowRule("segsync-out", 100, { direction: "Outbound" });
        const outbound = Array.from({ length: 501 }, (_, index) => ({
          ...rule,
          name: `segsync-out-${index}`,
          priority: 100 + index,
          sourceApplicationSecurityGroups: [{ id: asg.id }],
          destinationAddressPrefixes: ["192.0.2.0/24", `198.51.100.${index % 250}/32`],
        }));
        await refused(
          api,
          [...inbound, ...outbound],
          AzureQuotaExceededError,
          "SecurityRuleCountLimitReached",
        );
        const written = await api.putNetworkSecurityGroup({
          ...NSG_INPUT,
          securityRules: [...inbound, ...outbound.slice(0, 500)],
        });
        expect(written.securityRules).toHaveLength(1000);
        const read = written.securityRules.find((r) => r.name === "segsync-out-7");
        expect(read && meaningOf([read])).toEqual(meaningOf([outbound[7] as SecurityRule]));
      },
    );
  });
}

function asgInput(name: string, tags: Record<string, string> = { "segsync-managed": "true" }) {
  return { resourceGroup: SEGSYNC_GROUP, name, location: "eastus", tags };
}

/** The NIC as read, with these ASGs on every IP configuration and this NSG. */
function enforced(
  nic: NetworkInterface,
  asgIds: readonly string[],
  nsgId: string | undefined,
): NetworkInterface {
  const { networkSecurityGroup: _, ...rest } = nic;
  return {
    ...rest,
    ...(nsgId === undefined ? {} : { networkSecurityGroup: { id: nsgId } }),
    ipConfigurations: nic.ipConfigurations.map((configuration) => ({
      ...configuration,
      applicationSecurityGroups: asgIds.map((id) => ({ id })),
    })),
  };
}

async function readNic(api: AzureApi, resourceGroup: string, name: string): Promise<NetworkInterface> {
  const nic = await api.getNetworkInterface(resourceGroup, name);
  if (nic === undefined) throw new Error(`the estate has no NIC ${resourceGroup}/${name}`);
  return nic;
}

function describeAsgWrites(contractCase: ContractCase): void {
  contractCase.group("ASG writes", () => {
    contractCase("create an ASG, replace its tags, and list it", ["estate"], async ({ api }) => {
      const asg = await api.putApplicationSecurityGroup(asgInput("segsync-web"));
      expect(asg).toEqual({
        id: networkId("applicationSecurityGroups", SEGSYNC_GROUP, "segsync-web"),
        name: "segsync-web",
        location: "eastus",
        resourceGroup: SEGSYNC_GROUP,
        tags: { "segsync-managed": "true" },
      });
      const retagged = await api.putApplicationSecurityGroup(asgInput("segsync-web", { other: "tag" }));
      expect(retagged).toEqual({ ...asg, tags: { other: "tag" } });
      expect(await api.listApplicationSecurityGroups()).toEqual([retagged]);
    });

    contractCase("delete an ASG; deleting it again is no error", ["estate"], async ({ api }) => {
      await api.putApplicationSecurityGroup(asgInput("segsync-web"));
      await api.deleteApplicationSecurityGroup(SEGSYNC_GROUP, "segsync-web");
      expect(await api.listApplicationSecurityGroups()).toEqual([]);
      await api.deleteApplicationSecurityGroup(SEGSYNC_GROUP, "segsync-web");
    });

    contractCase(
      "refuse to delete an ASG an IP configuration or a security rule names",
      ["estate"],
      async ({ api }) => {
        const member = await api.putApplicationSecurityGroup(asgInput("segsync-member"));
        const named = await api.putApplicationSecurityGroup(asgInput("segsync-named"));
        const nic = await readNic(api, "rg-shop", "vm-web-2VMNic");
        await api.putNetworkInterface(enforced(nic, [member.id], undefined));
        const { sourceAddressPrefix: _, ...rule } = allowRule("segsync-from-named", 200);
        await api.putNetworkSecurityGroup({
          ...NSG_INPUT,
          securityRules: [{ ...rule, sourceApplicationSecurityGroups: [{ id: named.id }] }],
        });
        await armFailure(
          api.deleteApplicationSecurityGroup(SEGSYNC_GROUP, "segsync-member"),
          AzureInUseError,
          400,
          "ApplicationSecurityGroupInUseByIpConfigurations",
        );
        // ARM refuses this one too (an ASG a rule names); its code is not pinned.
        await armFailure(
          api.deleteApplicationSecurityGroup(SEGSYNC_GROUP, "segsync-named"),
          AzureInUseError,
          400,
        );
        expect(namesOf(await api.listApplicationSecurityGroups())).toEqual([
          "segsync-member",
          "segsync-named",
        ]);
      },
    );
  });
}

function describeNicWrites(contractCase: ContractCase): void {
  contractCase.group("NIC writes", () => {
    contractCase(
      "set a NIC's NSG, ASGs and tags, keeping the rest as ARM had it",
      ["estate"],
      async ({ api }) => {
        const nsg = await createdNsg(api);
        const asg = await api.putApplicationSecurityGroup(asgInput("segsync-web"));
        const nic = await readNic(api, "rg-shop", "vm-web-2VMNic");
        const wanted = { ...enforced(nic, [asg.id], nsg.id), tags: { "segsync-original-nsg": "none" } };
        const written = await api.putNetworkInterface(wanted, nic.etag);
        expect(written).toEqual({ ...wanted, etag: expect.stringMatching(/^W\/".+"$/) });
        expect(written.etag).not.toBe(nic.etag);
        expect(await api.getNetworkInterface("rg-shop", "vm-web-2VMNic")).toEqual(written);
        const after = await api.getNetworkSecurityGroup(SEGSYNC_GROUP, "segsync-web");
        expect(after?.networkInterfaces).toEqual([{ id: nic.id }]);
        expect(after?.etag).toBe(nsg.etag);
      },
    );

    contractCase(
      "give a NIC back its NSG; the NSG it leaves no longer names it",
      ["estate"],
      async ({ api }) => {
        const nic = await readNic(api, "rg-shop", "vm-web-1VMNic");
        const nsg = await createdNsg(api);
        const moved = await api.putNetworkInterface(enforced(nic, [], nsg.id));
        expect(moved.networkSecurityGroup).toEqual({ id: nsg.id });
        expect(await api.getNetworkSecurityGroup("rg-net", "nsg-customer")).not.toHaveProperty(
          "networkInterfaces",
        );
        const back = await api.putNetworkInterface(enforced(moved, [], CUSTOMER_NSG), moved.etag);
        expect(back.networkSecurityGroup).toEqual({ id: CUSTOMER_NSG });
        expect(await api.getNetworkSecurityGroup(SEGSYNC_GROUP, "segsync-web")).not.toHaveProperty(
          "networkInterfaces",
        );
        const cleared = await api.putNetworkInterface(enforced(back, [], undefined));
        expect(cleared).not.toHaveProperty("networkSecurityGroup");
      },
    );

    contractCase("refuse a NIC write with a stale etag, changing nothing", ["estate"], async ({ api }) => {
      const nic = await readNic(api, "rg-shop", "vm-web-2VMNic");
      const first = await api.putNetworkInterface({ ...nic, tags: { first: "write" } }, nic.etag);
      await armFailure(
        api.putNetworkInterface({ ...nic, tags: { second: "write" } }, nic.etag),
        AzureConflictError,
        412,
        "PreconditionFailed",
      );
      expect(await api.getNetworkInterface("rg-shop", "vm-web-2VMNic")).toEqual(first);
    });

    contractCase(
      "refuse an NSG or an ASG that does not exist, or is in another region",
      ["estate"],
      async ({ api }) => {
        const nic = await readNic(api, "rg-shop", "vm-web-2VMNic");
        const westNsg = await api.putNetworkSecurityGroup({
          ...NSG_INPUT,
          name: "segsync-west",
          location: "westus",
        });
        const westAsg = await api.putApplicationSecurityGroup({
          ...asgInput("segsync-west"),
          location: "westus",
        });
        const ghostNsg = networkId("networkSecurityGroups", SEGSYNC_GROUP, "segsync-ghost");
        const ghostAsg = networkId("applicationSecurityGroups", SEGSYNC_GROUP, "segsync-ghost");
        for (const wanted of [
          enforced(nic, [], ghostNsg),
          enforced(nic, [ghostAsg], undefined),
          enforced(nic, [], westNsg.id),
          enforced(nic, [westAsg.id], undefined),
        ]) {
          await armFailure(
            api.putNetworkInterface(wanted),
            AzureInvalidRequestError,
            400,
            "InvalidResourceReference",
          );
        }
        expect(await api.getNetworkInterface("rg-shop", "vm-web-2VMNic")).toEqual(nic);
      },
    );

    contractCase(
      "refuse to write a NIC that is gone with 404, whatever the If-Match",
      ["estate"],
      async ({ api }) => {
        const nic = await readNic(api, "rg-shop", "vm-web-2VMNic");
        const gone = { ...nic, id: networkId("networkInterfaces", "rg-shop", "nic-gone"), name: "nic-gone" };
        for (const ifMatch of [undefined, nic.etag, "*"]) {
          await armFailure(
            api.putNetworkInterface(gone, ifMatch),
            AzureNotFoundError,
            404,
            "ResourceNotFound",
          );
        }
        expect(await api.getNetworkInterface("rg-shop", "nic-gone")).toBeUndefined();
      },
    );

    contractCase(
      "keep the members of an ASG in one VNet, the VNet of those it has",
      ["estate"],
      async ({ api }) => {
        const asg = await api.putApplicationSecurityGroup(asgInput("segsync-web"));
        const web = await readNic(api, "rg-shop", "vm-web-2VMNic");
        const batch = await readNic(api, "rg-batch", "vm-batch-1VMNic");
        const member = await api.putNetworkInterface(enforced(web, [asg.id], undefined));
        // ARM refuses it; its code is not pinned.
        await armFailure(
          api.putNetworkInterface(enforced(batch, [asg.id], undefined)),
          AzureInvalidRequestError,
          400,
        );
        expect(await api.getNetworkInterface("rg-batch", "vm-batch-1VMNic")).toEqual(batch);
        await api.putNetworkInterface(enforced(member, [], undefined));
        const moved = await api.putNetworkInterface(enforced(batch, [asg.id], undefined));
        expect(moved.ipConfigurations[0]?.applicationSecurityGroups).toEqual([{ id: asg.id }]);
      },
    );

    contractCase("take at most 20 ASGs on an IP configuration, as a quota", ["estate"], async ({ api }) => {
      const ids: string[] = [];
      for (let index = 0; index < 21; index += 1) {
        ids.push((await api.putApplicationSecurityGroup(asgInput(`segsync-${index}`))).id);
      }
      const nic = await readNic(api, "rg-shop", "vm-web-2VMNic");
      // ARM's code for it is not pinned.
      await armFailure(api.putNetworkInterface(enforced(nic, ids, undefined)), AzureQuotaExceededError, 400);
      const twenty = await api.putNetworkInterface(enforced(nic, ids.slice(0, 20), undefined));
      expect(twenty.ipConfigurations[0]?.applicationSecurityGroups).toHaveLength(20);
    });
  });
}

function describeThrottling(contractCase: ContractCase): void {
  contractCase.group("throttling on demand", () => {
    contractCase(
      "fails reads and writes with AzureThrottledError (429), changing nothing",
      ["estate", "throttling"],
      async ({ api, throttle }) => {
        const before = await readAll(api);
        throttle(true);
        await armFailure(api.listNetworkSecurityGroups(), AzureThrottledError, 429);
        await armFailure(api.getVirtualMachine("rg-shop", "vm-web-1"), AzureThrottledError, 429);
        await armFailure(api.putNetworkSecurityGroup(NSG_INPUT), AzureThrottledError, 429);
        await armFailure(api.deleteNetworkSecurityGroup("rg-net", "nsg-spare-a"), AzureThrottledError, 429);
        throttle(false);
        expect(await readAll(api)).toEqual(before);
      },
    );
  });
}

/** A 5xx that outlasted any retries: AzureApiError itself, no class that refuses one object. */
async function serverFailure(promise: Promise<unknown>): Promise<AzureApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error?.constructor).toBe(AzureApiError);
  const failure = error as AzureApiError;
  expect([500, 503]).toContain(failure.status);
  expect(failure.cause).toMatchObject({ name: "RestError", statusCode: failure.status, code: failure.code });
  return failure;
}

function describeServerErrors(contractCase: ContractCase): void {
  contractCase.group("server errors on demand", () => {
    contractCase(
      "fail reads and writes with a 5xx AzureApiError before they take effect",
      ["estate", "server errors"],
      async ({ api, serverErrors }) => {
        const before = await readAll(api);
        serverErrors("before");
        await serverFailure(api.listVirtualMachines());
        await serverFailure(api.putNetworkSecurityGroup(NSG_INPUT));
        await serverFailure(api.deleteNetworkSecurityGroup("rg-net", "nsg-spare-a"));
        serverErrors(undefined);
        expect(await readAll(api)).toEqual(before);
      },
    );

    contractCase(
      "lose a write's response after it took effect: a retry with the etag it had meets 412",
      ["estate", "server errors"],
      async ({ api, serverErrors }) => {
        const first = await createdNsg(api);
        const update = { ...NSG_INPUT, securityRules: [allowRule("segsync-ssh", 110)], ifMatch: first.etag };
        serverErrors("lost");
        // The SDK's own retry of the lost PUT may already meet the 412.
        const error = await api.putNetworkSecurityGroup(update).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error instanceof AzureConflictError || error?.constructor === AzureApiError).toBe(true);
        await api.putApplicationSecurityGroup(asgInput("segsync-lost")).catch(() => undefined);
        await api.deleteNetworkSecurityGroup("rg-net", "nsg-spare-a").catch(() => undefined);
        serverErrors(undefined);
        const written = await api.getNetworkSecurityGroup(SEGSYNC_GROUP, "segsync-web");
        expect(meaningOf(written?.securityRules ?? [])).toEqual(update.securityRules);
        expect(written?.etag).not.toBe(first.etag);
        await armFailure(api.putNetworkSecurityGroup(update), AzureConflictError, 412, "PreconditionFailed");
        expect(namesOf(await api.listApplicationSecurityGroups())).toEqual(["segsync-lost"]);
        expect(await api.getNetworkSecurityGroup("rg-net", "nsg-spare-a")).toBeUndefined();
      },
    );
  });
}
