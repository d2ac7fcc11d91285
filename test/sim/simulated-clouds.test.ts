import { describe, expect, it } from "vitest";
import { discoverAws } from "../../lib/clouds/aws/discover.js";
import { discoverAzure } from "../../lib/clouds/azure/discover.js";
import { discoverGcp } from "../../lib/clouds/gcp/discover.js";
import { SimulatedClouds } from "../../sim/simulated-clouds.js";
import { AWS_OWNERSHIP, AZURE_OWNERSHIP, GCP_OWNERSHIP } from "../support/seals.js";
import { estateOf, exampleEstate, HEADER, SUB, text, WORKLOADS } from "./fixtures.js";

const LABELS = { tagPrefix: "seg-", dimensions: ["app", "env", "role", "loc"] };
const PROD = { account: "111111111111", region: "us-east-1" };
const DEV = { account: "222222222222", region: "us-west-2" };
const RG = `/subscriptions/${SUB}/resourceGroups/rg-shop-prod/providers`;

describe("SimulatedClouds.fromEstate on the example estate", () => {
  it("gives an AWS workload its native ENI with the customer group, the others a plain ENI in the default group", async () => {
    const clouds = SimulatedClouds.fromEstate(await exampleEstate());
    const state = clouds.aws(PROD).state();
    const api = state.instances.find((i) => i.InstanceId === "i-0a00000000000003");
    expect(api?.NetworkInterfaces).toEqual([
      {
        NetworkInterfaceId: "eni-0a0000000000000a3",
        VpcId: "vpc-0a1b2c3d",
        PrivateIpAddress: "10.1.0.21",
        Attachment: { DeviceIndex: 0 },
        Groups: [{ GroupId: "sg-0c0ffee0000000001", GroupName: "legacy-ssh" }],
      },
    ]);
    const legacy = state.securityGroups.find((g) => g.GroupId === "sg-0c0ffee0000000001");
    expect(legacy?.IpPermissions).toEqual([
      {
        IpProtocol: "tcp",
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: "10.8.0.0/16", Description: "corp-vpn" }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
    ]);
    const web = state.instances.find((i) => i.InstanceId === "i-0a00000000000001");
    expect(web?.PublicIpAddress).toBe("54.0.0.11");
    expect(web?.NetworkInterfaces[0]?.Groups.map((g) => g.GroupName)).toEqual(["default"]);
    expect(web?.Tags).toContainEqual({ Key: "Name", Value: "shop-web-1" });
    const dev = clouds.aws(DEV).state();
    const stopped = dev.instances.find((i) => i.InstanceId === "i-0b00000000000002");
    expect(stopped?.State.Name).toBe("stopped");
    expect(stopped?.PublicIpAddress).toBeUndefined();
  });

  it("gives an Azure VM its native NIC with the customer NSG, the others the NIC that az vm create makes", async () => {
    const clouds = SimulatedClouds.fromEstate(await exampleEstate());
    const state = clouds.azure(SUB).state();
    const nic = state.networkInterfaces.find((n) => n.name === "vm-api-2-nic");
    expect(nic).toMatchObject({
      id: `${RG}/Microsoft.Network/networkInterfaces/vm-api-2-nic`,
      location: "eastus",
      virtualMachine: { id: `${RG}/Microsoft.Compute/virtualMachines/vm-api-2` },
      networkSecurityGroup: { id: `${RG}/Microsoft.Network/networkSecurityGroups/nsg-legacy-api` },
      primary: true,
      ipConfigurations: [
        {
          name: "ipconfig1",
          privateIPAddress: "10.2.0.11",
          subnet: {
            id: `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-prod/subnets/default`,
          },
          applicationSecurityGroups: [],
        },
      ],
    });
    const vm = state.virtualMachines.find((v) => v.name === "vm-api-2");
    expect(vm?.networkProfile.networkInterfaces).toEqual([{ id: nic?.id, primary: true }]);
    expect(vm?.powerState).toBe("VM running");
    const nsg = state.networkSecurityGroups.find((n) => n.name === "nsg-legacy-api");
    expect(nsg?.securityRules.map((r) => [r.name, r.priority])).toEqual([["allow-ssh-anywhere", 300]]);
    expect(nsg?.defaultSecurityRules.map((r) => r.name)).toContain("AllowVnetInBound");
    expect(nsg?.networkInterfaces).toEqual([{ id: nic?.id }]);
    expect(
      state.networkInterfaces.find((n) => n.name === "vm-batch-1VMNic")?.networkSecurityGroup,
    ).toBeUndefined();
    expect(state.publicIPAddresses).toEqual([
      expect.objectContaining({ name: "vm-blog-web-1PublicIP", ipAddress: "20.0.0.31" }),
    ]);
  });

  it("gives a GCP instance its existing network tags, and keeps the customer rule in its network's project", async () => {
    const clouds = SimulatedClouds.fromEstate(await exampleEstate());
    const state = clouds.gcp("shop-prod").state();
    const web = state.instances.find((i) => i.name === "shop-web-3");
    expect(web?.tags.items).toEqual(["legacy-web", "http-server"]);
    expect(web?.labels).toEqual({ "seg-app": "shop", "seg-env": "prod", "seg-loc": "us", "seg-role": "web" });
    expect(web?.networkInterfaces[0]?.accessConfigs?.[0]?.natIP).toBe("34.0.0.21");
    expect(state.instances.find((i) => i.name === "shop-db-2")?.tags.items).toBeUndefined();
    expect(state.firewalls).toEqual([
      expect.objectContaining({
        name: "legacy-web-8080",
        network: "https://www.googleapis.com/compute/v1/projects/shop-prod/global/networks/prod-net",
        priority: 1000,
        direction: "INGRESS",
        targetTags: ["legacy-web"],
        allowed: [{ IPProtocol: "tcp", ports: ["8080"] }],
      }),
    ]);
    // Shared VPC: the service project's instance sits in the host project's network.
    const [shared] = clouds.gcp("blog-prod-data").state().instances;
    expect(shared?.networkInterfaces[0]?.network).toBe(
      "https://www.googleapis.com/compute/v1/projects/shop-prod/global/networks/prod-net",
    );
  });

  it("connects segsync's discovery to every location, through ports that count writes", async () => {
    const clouds = SimulatedClouds.fromEstate(await exampleEstate());
    const connections = clouds.connections();
    expect(connections.aws.locations).toEqual([PROD, DEV]);
    expect(connections.azure.subscriptions).toEqual([SUB]);
    expect(connections.gcp.projects).toEqual(["blog-prod-data", "shop-prod"]);
    const aws = await Promise.all(
      connections.aws.locations.map((l) => discoverAws(connections.aws.apiFor(l), LABELS, AWS_OWNERSHIP)),
    );
    const azure = await discoverAzure(connections.azure.apiFor(SUB), LABELS, AZURE_OWNERSHIP);
    const gcp = await Promise.all(
      connections.gcp.projects.map((p) => discoverGcp(connections.gcp.apiFor(p), LABELS, GCP_OWNERSHIP)),
    );
    const count =
      aws.flatMap((d) => d.workloads).length +
      azure.workloads.length +
      gcp.flatMap((d) => d.workloads).length;
    expect(count).toBe(14);
    expect(connections.aws.apiFor(PROD)).toBe(connections.aws.apiFor(PROD));
    await connections.gcp.apiFor("shop-prod").deleteFirewall("legacy-web-8080");
    expect(clouds.writes("gcp")).toBe(1);
    expect(clouds.gcp("shop-prod").calls.at(-1)).toEqual({
      ms: expect.any(Number),
      method: "deleteFirewall",
      args: ["legacy-web-8080"],
      outcome: "ok",
    });
  });

  it("makes an unknown location an empty one, as a real cloud has nothing there", async () => {
    const clouds = SimulatedClouds.fromEstate(await exampleEstate());
    const api = clouds.connections().aws.apiFor({ account: "333333333333", region: "eu-west-1" });
    expect(await api.describeInstances([{ Name: "instance-state-name", Values: ["running"] }])).toEqual([]);
    expect(clouds.connections().aws.locations).toHaveLength(3);
  });
});

describe("SimulatedClouds.fromEstate with the other native objects", () => {
  const asg = `/subscriptions/${SUB}/resourceGroups/rg-shop/providers/Microsoft.Network/applicationSecurityGroups/asg-api`;
  const estate = estateOf(
    text(
      ...HEADER,
      ...WORKLOADS,
      "native:",
      "  aws:",
      "    managedPrefixLists:",
      "      - { PrefixListId: pl-0123456789abcdef0, PrefixListName: office, AddressFamily: IPv4, MaxEntries: 5, Entries: [{ Cidr: 10.8.0.0/16 }] }",
      "    securityGroups:",
      "      - GroupId: sg-0c0ffee0000000001",
      "        GroupName: office",
      "        Description: from the office",
      "        VpcId: vpc-0a1b2c3d",
      "        IpPermissions: [{ IpProtocol: tcp, FromPort: 443, ToPort: 443, PrefixListIds: [{ PrefixListId: pl-0123456789abcdef0 }] }]",
      "    networkInterfaces:",
      "      - { NetworkInterfaceId: eni-0a0000000000000b1, VpcId: vpc-0a1b2c3d, PrivateIpAddress: 10.1.0.200, Groups: [{ GroupId: sg-0c0ffee0000000001 }] }",
      "  azure:",
      "    applicationSecurityGroups:",
      `      - { id: ${asg}, name: asg-api, resourceGroup: rg-shop, location: eastus }`,
      "    networkInterfaces:",
      `      - id: /subscriptions/${SUB}/resourceGroups/rg-shop/providers/Microsoft.Network/networkInterfaces/api-nic`,
      "        name: api-nic",
      "        resourceGroup: rg-shop",
      `        virtualMachine: { id: /subscriptions/${SUB}/resourceGroups/rg-shop/providers/Microsoft.Compute/virtualMachines/vm-api-1 }`,
      `        ipConfigurations: [{ name: primary, applicationSecurityGroups: [{ id: ${asg} }] }]`,
    ),
  );

  it("loads prefix lists with their entries, and an ENI attached to nothing", () => {
    const state = SimulatedClouds.fromEstate(estate).aws(PROD).state();
    expect(state.managedPrefixLists).toEqual([
      expect.objectContaining({
        PrefixListId: "pl-0123456789abcdef0",
        OwnerId: "111111111111",
        Version: 1,
        Entries: [{ Cidr: "10.8.0.0/16" }],
      }),
    ]);
    const loose = state.networkInterfaces.find((n) => n.NetworkInterfaceId === "eni-0a0000000000000b1");
    expect(loose).toMatchObject({
      Status: "available",
      Groups: [{ GroupId: "sg-0c0ffee0000000001", GroupName: "office" }],
    });
    expect(loose?.Attachment).toBeUndefined();
  });

  it("makes a NIC's IP configuration a member of its ASGs", () => {
    const state = SimulatedClouds.fromEstate(estate).azure(SUB).state();
    expect(state.applicationSecurityGroups.map((a) => a.name)).toEqual(["asg-api"]);
    expect(state.networkInterfaces.map((n) => n.name)).toEqual(["api-nic"]);
    expect(state.networkInterfaces[0]?.ipConfigurations[0]).toMatchObject({
      name: "primary",
      privateIPAddress: "10.2.0.11",
      applicationSecurityGroups: [{ id: asg }],
    });
  });
});

describe("the clouds the estate's check built", () => {
  it("are the first default build of that estate, the same as a fresh one; every later build is new", async () => {
    const estate = await exampleEstate();
    const first = SimulatedClouds.fromEstate(estate);
    const second = SimulatedClouds.fromEstate(estate);
    const withOptions = SimulatedClouds.fromEstate(estate, { eventSeed: "other" });
    expect(new Set([first, second, withOptions]).size).toBe(3);
    expect(first.stateOut()).toEqual(second.stateOut());
    expect(withOptions.stateOut()).toEqual(second.stateOut());
  });

  it("are not shared: a change to the first build is not in the next one", async () => {
    const estate = await exampleEstate();
    const first = SimulatedClouds.fromEstate(estate);
    first.aws(PROD).setInstanceTags("i-0a00000000000003", { changed: "yes" });
    const tagsOf = (clouds: SimulatedClouds) =>
      clouds
        .aws(PROD)
        .state()
        .instances.find((i) => i.InstanceId === "i-0a00000000000003")?.Tags;
    expect(tagsOf(first)).toEqual([{ Key: "changed", Value: "yes" }]);
    expect(tagsOf(SimulatedClouds.fromEstate(estate))).not.toEqual(tagsOf(first));
  });
});
