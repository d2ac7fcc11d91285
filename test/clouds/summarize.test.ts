/**
 * Each cloud's plan lines say the rules a write adds and removes (docs/reviewing-plans.md), with
 * the ids the cloud uses named as the state read has them.
 */
import { describe, expect, it } from "vitest";
import type { AwsState, SecurityGroup } from "../../lib/clouds/aws/model.js";
import { summarizeAwsOperation } from "../../lib/clouds/aws/summarize.js";
import type { AzureState, NetworkSecurityGroup, SecurityRule } from "../../lib/clouds/azure/model.js";
import { summarizeAzureOperation } from "../../lib/clouds/azure/summarize.js";
import type { GcpFirewall, GcpState } from "../../lib/clouds/gcp/model.js";
import { summarizeGcpOperation } from "../../lib/clouds/gcp/summarize.js";

const location = { account: "111111111111", region: "us-east-1" };

function group(id: string, name: string, rules: SecurityGroup["IpPermissions"] = []): SecurityGroup {
  return {
    GroupId: id,
    GroupName: name,
    Description: "",
    VpcId: "vpc-1",
    OwnerId: location.account,
    IpPermissions: rules,
    IpPermissionsEgress: [],
    Tags: [],
  };
}

const apiRule = {
  IpProtocol: "tcp",
  FromPort: 5432,
  ToPort: 5432,
  IpRanges: [{ CidrIp: "10.8.0.0/16" }],
  Ipv6Ranges: [],
  PrefixListIds: [{ PrefixListId: "pl-1" }],
  UserIdGroupPairs: [{ GroupId: "sg-api" }],
};

const awsState: AwsState = [
  {
    ...location,
    instances: [],
    networkInterfaces: [],
    securityGroups: [
      group("sg-api", "segsync-apiapiapiapi"),
      group("sg-db", "segsync-dbdbdbdbdbdb", [apiRule]),
    ],
    managedPrefixLists: [
      {
        PrefixListId: "pl-1",
        PrefixListName: "segsync-apiapiapiapi-vpc-1-5",
        AddressFamily: "IPv4",
        MaxEntries: 5,
        Version: 1,
        OwnerId: location.account,
        State: "create-complete",
        Tags: [],
        Entries: [],
      },
    ],
  },
];

describe("AWS plan lines", () => {
  it("names each added rule's source group or prefix list, and one line per source removed", () => {
    const added = summarizeAwsOperation(
      {
        location,
        kind: "authorizeIngress",
        groupName: "segsync-dbdbdbdbdbdb",
        group: { groupId: "sg-db" },
        rules: [
          {
            protocol: "tcp",
            fromPort: 5432,
            toPort: 5432,
            source: { kind: "group", group: { groupId: "sg-api" } },
          },
          {
            protocol: "tcp",
            fromPort: 8000,
            toPort: 8100,
            source: { kind: "prefixList", prefixList: { create: "segsync-new" } },
          },
          { protocol: "-1", source: { kind: "cidr", cidr: "10.9.0.0/16" } },
        ],
      },
      awsState,
    );
    expect(added.changes).toEqual([
      "+ tcp/5432 from segsync-apiapiapiapi",
      "+ tcp/8000-8100 from segsync-new",
      "+ all traffic from 10.9.0.0/16",
    ]);
    const removed = summarizeAwsOperation(
      {
        location,
        kind: "revokeIngress",
        groupName: "segsync-dbdbdbdbdbdb",
        groupId: "sg-db",
        permissions: [apiRule],
      },
      awsState,
    );
    expect(removed.changes).toEqual([
      "- tcp/5432 from 10.8.0.0/16",
      "- tcp/5432 from segsync-apiapiapiapi-vpc-1-5",
      "- tcp/5432 from segsync-apiapiapiapi",
    ]);
    const deleted = summarizeAwsOperation(
      { location, kind: "deleteSecurityGroup", groupId: "sg-db", name: "segsync-dbdbdbdbdbdb" },
      awsState,
    );
    expect(deleted.changes).toHaveLength(3);
    const entries = summarizeAwsOperation(
      {
        location,
        kind: "modifyPrefixList",
        name: "x",
        prefixListId: "pl-1",
        currentVersion: 1,
        add: ["10.0.0.1/32"],
        remove: ["10.0.0.2/32"],
      },
      awsState,
    );
    expect(entries.changes).toEqual(["+ 10.0.0.1/32", "- 10.0.0.2/32"]);
  });
});

const SUB = "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f";
const nsgId = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/segsync-db-eastus`;
const asg = (name: string) => ({
  id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/${name}`,
});
const rule = (
  name: string,
  priority: number,
  port: string,
  extra: Partial<SecurityRule> = {},
): SecurityRule => ({
  name,
  priority,
  direction: "Inbound",
  access: "Allow",
  protocol: "Tcp",
  sourceApplicationSecurityGroups: [asg("segsync-api-x")],
  destinationApplicationSecurityGroups: [asg("segsync-db-x")],
  destinationPortRange: port,
  ...extra,
});

describe("Azure plan lines", () => {
  it("says each rule an NSG write adds, changes (old and new) and removes, by priority", () => {
    const existing: NetworkSecurityGroup = {
      id: nsgId,
      name: "segsync-db-eastus",
      location: "eastus",
      resourceGroup: "rg",
      tags: {},
      securityRules: [rule("keep", 100, "5432"), rule("change", 200, "6379"), rule("gone", 300, "22")],
      defaultSecurityRules: [],
    };
    const state: AzureState = [
      {
        subscription: SUB,
        virtualMachines: [],
        networkInterfaces: [],
        networkSecurityGroups: [existing],
        applicationSecurityGroups: [],
        publicIPAddresses: [],
      },
    ];
    const summary = summarizeAzureOperation(
      {
        subscription: SUB,
        kind: "putNetworkSecurityGroup",
        resourceGroup: "rg",
        name: "segsync-db-eastus",
        location: "eastus",
        identity: "app=shop,role=db",
        flushConnection: true,
        securityRules: [
          rule("keep", 100, "5432"),
          rule("change", 200, "6380"),
          rule("new", 150, "443", {
            sourceApplicationSecurityGroups: [],
            sourceAddressPrefixes: ["10.0.0.1/32", "10.0.0.2/32"],
          }),
          rule("deny", 4096, "*", {
            access: "Deny",
            protocol: "*",
            sourceApplicationSecurityGroups: [],
            sourceAddressPrefix: "*",
          }),
        ],
        change: { created: false, added: 2, removed: 1, changed: 1 },
      },
      state,
    );
    expect(summary.changes).toEqual([
      "+ 150 allow tcp/443 from 10.0.0.1/32, 10.0.0.2/32 to segsync-db-x",
      "+ 4096 deny any from * to segsync-db-x",
      "- 200 allow tcp/6379 from segsync-api-x to segsync-db-x",
      "+ 200 allow tcp/6380 from segsync-api-x to segsync-db-x",
      "- 300 allow tcp/22 from segsync-api-x to segsync-db-x",
    ]);
  });
});

describe("GCP plan lines", () => {
  const firewall: GcpFirewall = {
    name: "segsync-db-allow",
    network: "https://www.googleapis.com/compute/v1/projects/p/global/networks/prod",
    priority: 900,
    direction: "INGRESS",
    sourceTags: ["segsync-api"],
    targetTags: ["segsync-db"],
    allowed: [{ IPProtocol: "tcp", ports: ["5432"] }],
  };
  const state: GcpState = [{ project: "p", instances: [], firewalls: [firewall] }];

  it("says the rule inserted, both sides of a patch, and the rule deleted as it was read", () => {
    expect(summarizeGcpOperation({ project: "p", kind: "insertFirewall", firewall }, state).changes).toEqual([
      "+ 900 allow tcp/5432 from tags segsync-api to tags segsync-db",
    ]);
    const wider = {
      ...firewall,
      sourceRanges: ["203.0.113.7/32"],
      allowed: [{ IPProtocol: "tcp" }, { IPProtocol: "udp", ports: ["53"] }],
    };
    expect(
      summarizeGcpOperation({ project: "p", kind: "patchFirewall", firewall: wider, before: firewall }, state)
        .changes,
    ).toEqual([
      "- 900 allow tcp/5432 from tags segsync-api to tags segsync-db",
      "+ 900 allow tcp udp/53 from ranges 203.0.113.7/32 tags segsync-api to tags segsync-db",
    ]);
    expect(
      summarizeGcpOperation({ project: "p", kind: "deleteFirewall", name: "segsync-db-allow" }, state)
        .changes,
    ).toEqual(["- 900 allow tcp/5432 from tags segsync-api to tags segsync-db"]);
    const deny = {
      ...firewall,
      name: "d",
      priority: 910,
      allowed: undefined,
      denied: [{ IPProtocol: "all" }],
      sourceTags: undefined,
      sourceRanges: ["0.0.0.0/0"],
    };
    expect(
      summarizeGcpOperation({ project: "p", kind: "insertFirewall", firewall: deny }, state).changes,
    ).toEqual(["+ 910 deny all from ranges 0.0.0.0/0 to tags segsync-db"]);
  });
});
