import { describe, expect, it } from "vitest";
import { evaluateAws } from "../../lib/clouds/aws/evaluate.js";
import type { IpPermission } from "../../lib/clouds/aws/model.js";
import { evaluateAzure } from "../../lib/clouds/azure/evaluate.js";
import type { SecurityRule } from "../../lib/clouds/azure/model.js";
import { evaluateGcp } from "../../lib/clouds/gcp/evaluate.js";
import type { GcpFirewall } from "../../lib/clouds/gcp/model.js";
import { DEFAULT_SECURITY_RULES } from "../../sim/clouds/azure/api.js";

const tcp = (port: number, extra: Partial<IpPermission>): IpPermission => ({
  IpProtocol: "tcp",
  FromPort: port,
  ToPort: port,
  IpRanges: [],
  Ipv6Ranges: [],
  PrefixListIds: [],
  UserIdGroupPairs: [],
  ...extra,
});

describe("AWS semantics", () => {
  const eni = (id: string, ip: string, groups: string[]) => ({
    NetworkInterfaceId: id,
    VpcId: "vpc-1",
    Status: "in-use",
    PrivateIpAddress: ip,
    Groups: groups.map((GroupId) => ({ GroupId, GroupName: GroupId })),
    TagSet: [],
  });
  const group = (GroupId: string, IpPermissions: IpPermission[]) => ({
    GroupId,
    GroupName: GroupId,
    Description: "",
    VpcId: "vpc-1",
    OwnerId: "1",
    IpPermissions,
    IpPermissionsEgress: [],
    Tags: [],
  });
  const state = [
    {
      account: "1",
      region: "r",
      instances: [],
      networkInterfaces: [eni("eni-a", "10.0.0.1", ["sg-a", "sg-b"]), eni("eni-src", "10.0.0.2", ["sg-src"])],
      securityGroups: [
        group("sg-a", [tcp(80, { IpRanges: [{ CidrIp: "0.0.0.0/0" }] })]),
        group("sg-b", [
          tcp(5432, { UserIdGroupPairs: [{ GroupId: "sg-src" }] }),
          tcp(443, { PrefixListIds: [{ PrefixListId: "pl-1" }] }),
        ]),
        group("sg-src", []),
      ],
      managedPrefixLists: [
        {
          PrefixListId: "pl-1",
          PrefixListName: "x",
          AddressFamily: "IPv4" as const,
          MaxEntries: 5,
          Version: 1,
          OwnerId: "1",
          State: "create-complete",
          Tags: [],
          Entries: [{ Cidr: "198.51.100.0/24" }],
        },
      ],
    },
  ];
  const reach = evaluateAws(state);

  it("accepts the union of the ENI's groups", () => {
    expect(reach.explain("eni-a", "203.0.113.1", "tcp", 80)?.groupId).toBe("sg-a");
    expect(reach.accepts("eni-a", "198.51.100.9", "tcp", 443)).toBe(true);
    expect(reach.accepts("eni-a", "203.0.113.1", "tcp", 443)).toBe(false);
  });

  it("matches a group reference by membership in the same VPC", () => {
    expect(reach.accepts("eni-a", "10.0.0.2", "tcp", 5432)).toBe(true);
    expect(reach.accepts("eni-a", "10.0.0.3", "tcp", 5432)).toBe(false);
  });
});

describe("Azure semantics", () => {
  const rule = (name: string, priority: number, access: "Allow" | "Deny", source: string): SecurityRule => ({
    name,
    priority,
    direction: "Inbound",
    access,
    protocol: "Tcp",
    sourcePortRange: "*",
    sourceAddressPrefix: source,
    destinationAddressPrefix: "*",
    destinationPortRange: "22",
  });
  const nic = (name: string, ip: string, nsg?: string) => ({
    id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/${name}`,
    name,
    location: "eastus",
    resourceGroup: "rg",
    tags: {},
    ...(nsg ? { networkSecurityGroup: { id: nsg } } : {}),
    ipConfigurations: [
      {
        name: "ipconfig1",
        primary: true,
        privateIPAddress: ip,
        subnet: {
          id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/default",
        },
        applicationSecurityGroups: [],
      },
    ],
  });
  const nsgId = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/n";
  const state = [
    {
      subscription: "s",
      virtualMachines: [],
      publicIPAddresses: [],
      applicationSecurityGroups: [],
      networkInterfaces: [nic("target", "10.0.0.1", nsgId), nic("peer", "10.0.0.2"), nic("open", "10.0.0.3")],
      networkSecurityGroups: [
        {
          id: nsgId,
          name: "n",
          location: "eastus",
          resourceGroup: "rg",
          tags: {},
          defaultSecurityRules: DEFAULT_SECURITY_RULES,
          securityRules: [rule("deny-one", 100, "Deny", "203.0.113.7"), rule("allow-all", 200, "Allow", "*")],
        },
      ],
    },
  ];
  const reach = evaluateAzure(state);
  const target = state[0]?.networkInterfaces[0]?.id ?? "";

  it("lets the first matching rule by priority decide", () => {
    expect(reach.explain(target, "203.0.113.7", "tcp", 22).rule?.name).toBe("deny-one");
    expect(reach.explain(target, "203.0.113.8", "tcp", 22).rule?.name).toBe("allow-all");
  });

  it("falls through to the default rules: VirtualNetwork allowed, the rest denied", () => {
    expect(reach.explain(target, "10.0.0.2", "tcp", 80).rule?.name).toBe("AllowVnetInBound");
    expect(reach.explain(target, "203.0.113.8", "tcp", 80).rule?.name).toBe("DenyAllInBound");
    expect(reach.accepts(target, "168.63.129.16", "tcp", 80)).toBe(true);
  });

  it("allows everything to a NIC without an NSG", () => {
    expect(reach.accepts(state[0]?.networkInterfaces[2]?.id ?? "", "203.0.113.8", "udp", 53)).toBe(true);
  });

  it("decides both directions with the NIC's one NSG: none passes everything, an unknown NIC nothing", () => {
    const open = state[0]?.networkInterfaces[2]?.id ?? "";
    expect(reach.explainEgress(open, "203.0.113.8", "tcp", 22)).toEqual({ access: "Allow" });
    expect(reach.explainEgress("/no/such/nic", "10.0.0.1", "tcp", 22)).toEqual({ access: "Deny" });
    expect(reach.explain("/no/such/nic", "10.0.0.2", "tcp", 22)).toEqual({ access: "Deny" });
    expect(reach.explainEgress(target, "203.0.113.8", "tcp", 443)).toMatchObject({
      access: "Allow",
      nsg: "n",
      rule: { name: "AllowInternetOutBound" },
    });
  });
});

describe("GCP semantics", () => {
  const network = "https://www.googleapis.com/compute/v1/projects/p/global/networks/n";
  const rule = (
    name: string,
    priority: number,
    kind: "allowed" | "denied",
    extra: Partial<GcpFirewall>,
  ): GcpFirewall => ({
    name,
    network,
    priority,
    direction: "INGRESS",
    [kind]: [{ IPProtocol: "tcp", ports: ["22"] }],
    ...extra,
  });
  const instance = (name: string, ip: string, tags: string[]) => ({
    name,
    zone: "z",
    status: "RUNNING" as const,
    tags: { items: tags },
    networkInterfaces: [{ network, networkIP: ip }],
  });
  const state = [
    {
      project: "p",
      instances: [
        instance("target", "10.0.0.1", ["web"]),
        instance("peer", "10.0.0.2", ["ops"]),
        instance("other", "10.0.0.3", []),
      ],
      firewalls: [
        rule("tie-allow", 500, "allowed", { sourceRanges: ["0.0.0.0/0"], targetTags: ["web"] }),
        rule("tie-deny", 500, "denied", { sourceRanges: ["203.0.113.0/24"], targetTags: ["web"] }),
        rule("from-ops", 600, "allowed", { sourceTags: ["ops"] }),
      ],
    },
  ];
  const reach = evaluateGcp(state);

  it("lets deny beat allow at equal priority, and the lowest number decide", () => {
    expect(reach.explain("p", "z", "target", "p/n", "203.0.113.5", "tcp", 22).rule?.name).toBe("tie-deny");
    expect(reach.explain("p", "z", "target", "p/n", "198.51.100.5", "tcp", 22).rule?.name).toBe("tie-allow");
  });

  it("matches source tags by same-network internal address only, targets by tag", () => {
    expect(reach.explain("p", "z", "other", "p/n", "10.0.0.2", "tcp", 22).rule?.name).toBe("from-ops");
    expect(reach.explain("p", "z", "other", "p/n", "198.51.100.5", "tcp", 22).access).toBe("deny");
  });

  it("denies what no rule allows (the implied rule)", () => {
    expect(reach.explain("p", "z", "target", "p/n", "198.51.100.5", "udp", 53)).toEqual({ access: "deny" });
  });
});
