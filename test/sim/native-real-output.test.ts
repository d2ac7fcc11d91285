/**
 * Real cloud output pastes into an estate's `native:` block and simulates: each sample of
 * test/fixtures/native (see SOURCES.md there) is put in an estate whose networks and workloads are
 * the ones the sample names, with only ids adapted (Azure's placeholder subscriptions).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateAws } from "../../lib/clouds/aws/evaluate.js";
import { evaluateAzure } from "../../lib/clouds/azure/evaluate.js";
import { loadPolicyText } from "../../lib/policy/load.js";
import { formatIssue, loadEstateText } from "../../sim/estate.js";
import { Simulation } from "../../sim/simulation.js";
import { SUB } from "./fixtures.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/native");

/** The sample's text with ids adapted, parsed. */
function sample<T>(path: string, ids: Readonly<Record<string, string>> = {}): T {
  let text = readFileSync(join(FIXTURES, path), "utf8");
  for (const [from, to] of Object.entries(ids)) text = text.replaceAll(from, to);
  return JSON.parse(text) as T;
}

/** An ARM example file: its response body. */
interface RestExample<T> {
  responses: { "200": { body: T } };
}
/** A Cloud Custodian recording of one API call. */
interface Recorded<T> {
  body: T;
}
interface DescribedInterfaces {
  NetworkInterfaces: { Attachment: { DeviceIndex: number } }[];
}

/** The group both interfaces of describe-network-interfaces name, as describe-security-groups prints a VPC's default group. */
const DEFAULT_GROUP = {
  GroupId: "sg-8637d3e3",
  GroupName: "default",
  Description: "default VPC security group",
  VpcId: "vpc-a01106c2",
};

const POLICY = [
  "apiVersion: segsync/v1",
  "kind: Policy",
  "labels: { tagPrefix: seg-, dimensions: [app, role] }",
  "rulesets:",
  "  - name: shop",
  "    scope: { app: shop }",
  "    enforcement: enforced",
  "    rules:",
  "      - { from: { role: web }, to: { role: db }, services: [tcp/5432] }",
].join("\n");

interface EstateParts {
  readonly networks: readonly object[];
  readonly workloads: readonly object[];
  readonly native: object;
}

/** The estate as a user writes it (JSON here), loaded and checked as a file is. */
function estateOf(parts: EstateParts) {
  const text = JSON.stringify({ apiVersion: "segsync/v1", kind: "Estate", ...parts }, null, 2);
  const loaded = loadEstateText(text, "estate.json");
  if (!loaded.ok) throw new Error(loaded.issues.map((issue) => formatIssue("estate.json", issue)).join("\n"));
  return loaded.estate;
}

/** Loads the estate, runs a full reconcile on it, and expects every cloud to have taken it. */
async function synced(parts: EstateParts): Promise<Simulation> {
  const policy = loadPolicyText(POLICY, "policy.yaml");
  if (!policy.ok) throw new Error("the test policy must load");
  const simulation = Simulation.start(policy.policy, estateOf(parts));
  const result = await simulation.fullSync();
  expect(result.failures).toEqual({});
  expect(result.refused).toEqual({});
  return simulation;
}

async function simulates(parts: EstateParts): Promise<void> {
  await synced(parts);
}

const web = { "seg-app": "shop", "seg-role": "web" };
const db = { "seg-app": "shop", "seg-role": "db" };

describe("aws ec2 describe-* output from the AWS CLI reference", () => {
  const ACCOUNT = "123456789012";
  const vpc = (region: string, vpcId: string, cidr: string) => ({
    id: `aws:${ACCOUNT}:${region}:${vpcId}`,
    cidr,
  });
  const instance = (region: string, vpcId: string, instanceId: string, privateIp: string, more = {}) => ({
    id: `aws:${ACCOUNT}:${region}:${instanceId}`,
    network: `aws:${ACCOUNT}:${region}:${vpcId}`,
    privateIp,
    tags: web,
    ...more,
  });

  it("describe-security-groups", async () => {
    const { SecurityGroups } = sample<{ SecurityGroups: object[] }>("aws/describe-security-groups.json");
    await simulates({
      networks: [vpc("us-east-1", "vpc-1a2b3c4d", "10.0.0.0/16")],
      workloads: [instance("us-east-1", "vpc-1a2b3c4d", "i-0a00000000000001", "10.0.0.10")],
      native: { aws: { securityGroups: SecurityGroups } },
    });
  });

  it("describe-network-interfaces: the primary interface of an instance", async () => {
    const { NetworkInterfaces } = sample<DescribedInterfaces>("aws/describe-network-interfaces.json");
    const primary = NetworkInterfaces.filter((eni) => eni.Attachment.DeviceIndex === 0);
    await simulates({
      networks: [vpc("us-east-1", "vpc-a01106c2", "10.0.0.0/16")],
      workloads: [
        instance("us-east-1", "vpc-a01106c2", "i-0598c7d356eba48d7", "10.0.1.149", {
          publicIp: "198.51.100.0",
        }),
      ],
      native: {
        aws: {
          // The group both interfaces name, as describe-security-groups prints a VPC's default group.
          securityGroups: [
            {
              GroupId: "sg-8637d3e3",
              GroupName: "default",
              Description: "default VPC security group",
              VpcId: "vpc-a01106c2",
            },
          ],
          networkInterfaces: primary,
        },
      },
    });
  });

  it("describe-network-interfaces: a secondary interface of a workload is enforced as its own NIC", async () => {
    const { NetworkInterfaces } = sample<DescribedInterfaces>("aws/describe-network-interfaces.json");
    // eni-f9ba99bf is i-0598c7d356eba48d7's primary interface; eni-e5aa89a3 is i-1234567890abcdef0's
    // DeviceIndex 1, whose primary interface the sample does not show: the workload entry gives it.
    const simulation = await synced({
      networks: [vpc("us-east-1", "vpc-a01106c2", "10.0.0.0/16")],
      workloads: [
        instance("us-east-1", "vpc-a01106c2", "i-0598c7d356eba48d7", "10.0.1.149", {
          publicIp: "198.51.100.0",
        }),
        instance("us-east-1", "vpc-a01106c2", "i-1234567890abcdef0", "10.0.1.16", { tags: db }),
      ],
      native: {
        aws: {
          securityGroups: [
            {
              GroupId: "sg-8637d3e3",
              GroupName: "default",
              Description: "default VPC security group",
              VpcId: "vpc-a01106c2",
            },
          ],
          networkInterfaces: NetworkInterfaces,
        },
      },
    });
    const state = simulation.clouds.aws({ account: ACCOUNT, region: "us-east-1" }).state();
    const enis = state.networkInterfaces.filter(
      (eni) => eni.Attachment?.InstanceId === "i-1234567890abcdef0",
    );
    expect(enis.map((eni) => [eni.PrivateIpAddress, eni.Attachment?.DeviceIndex])).toEqual([
      ["10.0.1.16", 0],
      ["10.0.1.17", 1],
    ]);
    const secondary = enis.find((eni) => eni.NetworkInterfaceId === "eni-e5aa89a3");
    expect(secondary?.Attachment?.AttachmentId).toBe("eni-attach-66c4350a");
    expect(secondary?.Association?.PublicIp).toBe("203.0.113.12");
    // segsync's group for the db role replaced the customer's default group on both interfaces.
    for (const eni of enis) {
      expect(eni.Groups.map((group) => group.GroupName)).not.toContain("default");
      expect(eni.Groups.length).toBeGreaterThan(0);
    }
    expect(enis[0]?.Groups).toEqual(enis[1]?.Groups);
    const reach = evaluateAws([state]);
    expect(reach.explain("eni-e5aa89a3", "10.0.1.149", "tcp", 5432)).toBeDefined();
    expect(reach.explain("eni-e5aa89a3", "10.0.1.149", "tcp", 22)).toBeUndefined();
    expect(reach.explain("eni-e5aa89a3", "10.0.9.9", "tcp", 5432)).toBeUndefined();
  });

  it("describe-network-interfaces: a secondary interface in the instance's VPC only", () => {
    const { NetworkInterfaces } = sample<DescribedInterfaces>("aws/describe-network-interfaces.json");
    expect(() =>
      estateOf({
        networks: [
          vpc("us-east-1", "vpc-a01106c2", "10.0.0.0/16"),
          vpc("us-east-1", "vpc-0b0b0b0b", "10.1.0.0/16"),
        ],
        workloads: [instance("us-east-1", "vpc-0b0b0b0b", "i-1234567890abcdef0", "10.1.0.16")],
        native: {
          aws: { securityGroups: [DEFAULT_GROUP], networkInterfaces: NetworkInterfaces.slice(0, 1) },
        },
      }),
    ).toThrow(
      "native.aws.networkInterfaces[0].VpcId: is vpc-a01106c2, but i-1234567890abcdef0 is in vpc-0b0b0b0b: a secondary network interface must be in its instance's VPC",
    );
  });

  it("create-network-interface: an interface attached to nothing yet", async () => {
    const { NetworkInterface } = sample<{ NetworkInterface: object }>("aws/create-network-interface.json");
    await simulates({
      networks: [vpc("us-west-2", "vpc-02723a0feeeb9d57b", "10.0.0.0/16")],
      workloads: [instance("us-west-2", "vpc-02723a0feeeb9d57b", "i-0a00000000000001", "10.0.8.10")],
      native: {
        aws: {
          securityGroups: [
            {
              GroupId: "sg-09dfba7ed20cda78b",
              GroupName: "my-security-group",
              Description: "my security group",
              VpcId: "vpc-02723a0feeeb9d57b",
            },
          ],
          networkInterfaces: [NetworkInterface],
        },
      },
    });
  });

  it("describe-managed-prefix-lists with get-managed-prefix-list-entries", async () => {
    const { PrefixLists } = sample<{ PrefixLists: { PrefixListId: string }[] }>(
      "aws/describe-managed-prefix-lists.json",
    );
    const { Entries } = sample<{ Entries: object[] }>("aws/get-managed-prefix-list-entries.json");
    const lists = PrefixLists.map((list) =>
      list.PrefixListId === "pl-0123456abcabcabc1" ? { ...list, Entries } : list,
    );
    await simulates({
      networks: [vpc("us-west-2", "vpc-0a1b2c3d", "10.0.0.0/16")],
      workloads: [instance("us-west-2", "vpc-0a1b2c3d", "i-0a00000000000001", "10.0.0.10")],
      native: { aws: { managedPrefixLists: lists } },
    });
  });

  it("modify-managed-prefix-list", async () => {
    const { PrefixList } = sample<{ PrefixList: object }>("aws/modify-managed-prefix-list.json");
    await simulates({
      networks: [vpc("us-west-2", "vpc-0a1b2c3d", "10.0.0.0/16")],
      workloads: [instance("us-west-2", "vpc-0a1b2c3d", "i-0a00000000000001", "10.0.0.10")],
      native: { aws: { managedPrefixLists: [PrefixList] } },
    });
  });
});

describe("az network … and ARM REST output from Microsoft's documentation", () => {
  const ids = {
    "/subscriptions/guid/": `/subscriptions/${SUB}/`,
    "/subscriptions/subid/": `/subscriptions/${SUB}/`,
  };
  const vnet = (group: string, name: string, region: string, cidr: string) => ({
    id: `azure:${SUB}:${group}:${name}`,
    region,
    cidr,
  });
  const vm = (group: string, name: string, network: string, privateIp: string, more = {}) => ({
    id: `azure:${SUB}:${group}:${name}`,
    network,
    privateIp,
    tags: db,
    ...more,
  });

  it("az network nsg show", async () => {
    const nsg = sample<object>("azure/az-network-nsg-show.json", ids);
    await simulates({
      networks: [vnet("myResourceGroup", "myVnet", "eastus", "192.168.0.0/16")],
      workloads: [vm("myResourceGroup", "myVM", `azure:${SUB}:myResourceGroup:myVnet`, "192.168.1.5")],
      native: { azure: { networkSecurityGroups: [nsg] } },
    });
  });

  it("az network nic create, with the NSG it names", async () => {
    const nsg = sample<object>("azure/az-network-nsg-show.json", ids);
    const { NewNIC } = sample<{ NewNIC: object }>("azure/az-network-nic-create.json", ids);
    await simulates({
      networks: [vnet("myResourceGroup", "myVnet", "eastus", "192.168.0.0/16")],
      workloads: [vm("myResourceGroup", "myVM", `azure:${SUB}:myResourceGroup:myVnet`, "192.168.1.5")],
      native: { azure: { networkSecurityGroups: [nsg], networkInterfaces: [NewNIC] } },
    });
  });

  it("NetworkSecurityGroups_Get (REST, fields under properties)", async () => {
    const nsg = sample<RestExample<object>>("azure/NetworkSecurityGroupGet.json", ids).responses["200"].body;
    await simulates({
      networks: [vnet("rg1", "rg1-vnet", "westus", "172.20.0.0/16")],
      workloads: [vm("rg1", "vm1", `azure:${SUB}:rg1:rg1-vnet`, "172.20.2.4")],
      native: { azure: { networkSecurityGroups: [nsg] } },
    });
  });

  it("NetworkInterfaces_Get (REST): a VM's NIC with a secondary IP configuration", async () => {
    const nic = sample<RestExample<object>>("azure/NetworkInterfaceGet.json", ids).responses["200"].body;
    const nsg = {
      id: `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.Network/networkSecurityGroups/nsg`,
      name: "nsg",
      location: "eastus",
    };
    await simulates({
      networks: [vnet("rg1", "rg1-vnet", "eastus", "172.20.0.0/16")],
      workloads: [vm("rg1", "vm1", `azure:${SUB}:rg1:rg1-vnet`, "172.20.2.4", { publicIp: "20.0.0.4" })],
      native: { azure: { networkSecurityGroups: [nsg], networkInterfaces: [nic] } },
    });
  });

  it("a VM's secondary NIC, as ARM returned it to the Azure CLI, is enforced as its own NIC", async () => {
    const nic = sample<{ id: string }>("azure/nic-get-secondary-azure-cli.json");
    const ZERO = "00000000-0000-0000-0000-000000000000";
    const group = "cli_test_multi_nic_vm000001";
    const network = `azure:${ZERO}:${group}:myvnet`;
    const simulation = await synced({
      networks: [{ id: network, region: "westus", cidr: "10.0.0.0/16" }],
      workloads: [
        { id: `azure:${ZERO}:${group}:webvm`, network, privateIp: "10.0.0.10", tags: web },
        // The recording's nic1 (10.0.0.4) was the primary NIC: the workload entry gives it.
        { id: `azure:${ZERO}:${group}:multinicvm1`, network, privateIp: "10.0.0.4", tags: db },
      ],
      native: { azure: { networkInterfaces: [nic] } },
    });
    const state = simulation.clouds.azure(ZERO).state();
    const vm = state.virtualMachines.find((machine) => machine.name === "multinicvm1");
    expect(
      vm?.networkProfile.networkInterfaces.map((ref) => [ref.id.split("/").at(-1), ref.primary]),
    ).toEqual([
      ["multinicvm1VMNic", true],
      ["nic2", false],
    ]);
    const secondary = state.networkInterfaces.find((n) => n.id === nic.id);
    expect(secondary?.ipConfigurations[0]?.privateIPAddress).toBe("10.0.0.5");
    const reach = evaluateAzure([state]);
    expect(reach.explain(nic.id, "10.0.0.10", "tcp", 5432).access).toBe("Allow");
    expect(reach.explain(nic.id, "10.0.0.10", "tcp", 22).access).toBe("Deny");
    expect(reach.explain(nic.id, "10.0.9.9", "tcp", 5432).access).toBe("Deny");
  });

  it("a secondary NIC in another VNet than its VM's is refused", () => {
    const nic = sample<object>("azure/nic-get-secondary-azure-cli.json");
    const ZERO = "00000000-0000-0000-0000-000000000000";
    const group = "cli_test_multi_nic_vm000001";
    expect(() =>
      estateOf({
        networks: [
          { id: `azure:${ZERO}:${group}:myvnet`, region: "westus", cidr: "10.0.0.0/16" },
          { id: `azure:${ZERO}:${group}:othervnet`, region: "westus", cidr: "10.1.0.0/16" },
        ],
        workloads: [
          {
            id: `azure:${ZERO}:${group}:multinicvm1`,
            network: `azure:${ZERO}:${group}:othervnet`,
            privateIp: "10.1.0.4",
            tags: db,
          },
        ],
        native: { azure: { networkInterfaces: [nic] } },
      }),
    ).toThrow(
      `native.azure.networkInterfaces[0].ipConfigurations[0].subnet.id: is not a subnet of azure:${ZERO}:${group}:othervnet, the VNet of the VM: all the NICs of a VM are in one VNet`,
    );
  });

  it("ApplicationSecurityGroups_List (REST)", async () => {
    const { value } = sample<RestExample<{ value: object[] }>>("azure/ApplicationSecurityGroupList.json", ids)
      .responses["200"].body;
    await simulates({
      networks: [vnet("rg1", "rg1-vnet", "westus", "172.20.0.0/16")],
      workloads: [vm("rg1", "vm1", `azure:${SUB}:rg1:rg1-vnet`, "172.20.2.4")],
      native: { azure: { applicationSecurityGroups: value } },
    });
  });
});

describe("Compute API output recorded by Cloud Custodian", () => {
  const network = "gcp:cloud-custodian:default";
  const instance = (zone: string, name: string, privateIp: string) => ({
    id: `gcp:cloud-custodian:${zone}:${name}`,
    network,
    privateIp,
    tags: web,
  });
  const networks = [{ id: network, cidr: "10.128.0.0/9" }];

  it.each(["gcp/firewalls-get-allow-inbound-xyz.json", "gcp/firewalls-get-test.json"])(
    "firewalls.get: %s",
    async (path) => {
      const firewall = sample<Recorded<object>>(path).body;
      await simulates({
        networks,
        workloads: [instance("us-central1-a", "test-ingwar", "10.128.0.2")],
        native: { gcp: { firewalls: [firewall] } },
      });
    },
  );

  it("firewalls.list", async () => {
    const { items } = sample<Recorded<{ items: object[] }>>("gcp/firewalls-list.json").body;
    await simulates({
      networks,
      workloads: [instance("us-central1-a", "test-ingwar", "10.128.0.2")],
      native: { gcp: { firewalls: items } },
    });
  });

  it("instances.list", async () => {
    const { items } = sample<Recorded<{ items: object[] }>>("gcp/instances-list-us-central1-a.json").body;
    await simulates({
      networks,
      workloads: [instance("us-central1-a", "test-ingwar", "10.128.0.2")],
      native: { gcp: { instances: items } },
    });
  });

  it("instances.aggregatedList", async () => {
    const { items } = sample<Recorded<{ items: Record<string, { instances?: object[] }> }>>(
      "gcp/instances-aggregated-list.json",
    ).body;
    const instances = Object.values(items).flatMap((scope) => scope.instances ?? []);
    await simulates({
      networks,
      workloads: [instance("us-east4-c", "iap-test-webapp", "10.150.0.2")],
      native: { gcp: { instances } },
    });
  });
});
