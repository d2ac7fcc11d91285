/**
 * The AwsApi contract over the objects of the recorded EC2 responses (test/fixtures/aws/ec2, sources
 * in SOURCES.md there): whatever holds them describes them as EC2 did. The SDK adapter reads them
 * from a replay of the recorded XML; the simulator is loaded with them (RECORDED_STATE) and must
 * describe them unchanged, so that its describe shapes cannot drift from EC2's.
 */
import { expect } from "vitest";
import type {
  AwsRegionState,
  Instance,
  ManagedPrefixList,
  NetworkInterface,
  SecurityGroup,
  Vpc,
} from "../../lib/clouds/aws/model.js";
import type { ContractCases } from "./aws-api.contract.js";

/** The samples' account; eu-west-1 is the region their DNS names are in. */
export const RECORDED_LOCATION = { account: "123456789012", region: "eu-west-1" } as const;

/** describe-instances-vpc.xml, as the port models it. */
const INSTANCE: Instance = {
  InstanceId: "i-1234567890abcdef0",
  State: { Name: "running" },
  VpcId: "vpc-11112222",
  PrivateIpAddress: "192.168.1.88",
  PublicIpAddress: "54.194.252.215",
  Tags: [{ Key: "Name", Value: "Server_1" }],
  NetworkInterfaces: [
    {
      NetworkInterfaceId: "eni-551ba033",
      VpcId: "vpc-11112222",
      PrivateIpAddress: "192.168.1.88",
      Association: { PublicIp: "54.194.252.215" },
      Attachment: { DeviceIndex: 0 },
      Groups: [{ GroupId: "sg-e4076980", GroupName: "SecurityGroup1" }],
    },
  ],
};

/** describe-network-interfaces.xml. */
const INTERFACES: readonly NetworkInterface[] = [
  {
    NetworkInterfaceId: "eni-0f62d866",
    VpcId: "vpc-cc3c87a5",
    SubnetId: "subnet-c53c87ac",
    OwnerId: "123456789012",
    Status: "in-use",
    PrivateIpAddress: "10.0.0.146",
    PrivateIpAddresses: [
      { PrivateIpAddress: "10.0.0.146", Primary: true },
      { PrivateIpAddress: "10.0.0.148", Primary: false },
      { PrivateIpAddress: "10.0.0.150", Primary: false },
    ],
    Groups: [{ GroupId: "sg-3f4b5653", GroupName: "default" }],
    Attachment: { InstanceId: "i-22197876", DeviceIndex: 0, AttachmentId: "eni-attach-6537fc0c" },
    TagSet: [],
  },
  {
    NetworkInterfaceId: "eni-a66ed5cf",
    VpcId: "vpc-f28a359b",
    SubnetId: "subnet-cd8a35a4",
    OwnerId: "123456789012",
    Status: "in-use",
    PrivateIpAddress: "10.0.1.233",
    PrivateIpAddresses: [
      { PrivateIpAddress: "10.0.1.233", Primary: true },
      { PrivateIpAddress: "10.0.1.20", Primary: false },
    ],
    Groups: [{ GroupId: "sg-a2a0b2ce", GroupName: "quick-start-1" }],
    Attachment: { InstanceId: "i-886401dc", DeviceIndex: 0, AttachmentId: "eni-attach-a99c57c0" },
    TagSet: [],
  },
];

/** describe-security-groups-vpc.xml. */
const GROUP: SecurityGroup = {
  GroupId: "sg-1a2b3c4d",
  GroupName: "WebServers",
  Description: "Web Servers",
  VpcId: "vpc-614cc409",
  OwnerId: "123456789012",
  IpPermissions: [
    {
      IpProtocol: "-1",
      IpRanges: [],
      Ipv6Ranges: [],
      PrefixListIds: [],
      UserIdGroupPairs: [{ GroupId: "sg-af8661c0", UserId: "123456789012" }],
    },
    {
      IpProtocol: "tcp",
      FromPort: 22,
      ToPort: 22,
      IpRanges: [{ CidrIp: "204.246.162.38/32" }],
      Ipv6Ranges: [],
      PrefixListIds: [],
      UserIdGroupPairs: [],
    },
  ],
  IpPermissionsEgress: [
    {
      IpProtocol: "-1",
      IpRanges: [{ CidrIp: "0.0.0.0/0" }],
      Ipv6Ranges: [],
      PrefixListIds: [],
      UserIdGroupPairs: [],
    },
  ],
  Tags: [],
};

/** describe-managed-prefix-lists-customer.xml with get-managed-prefix-list-entries.xml. */
const CUSTOMER_LIST: ManagedPrefixList = {
  PrefixListId: "pl-0123123123123aabb",
  PrefixListName: "tgw-attachments",
  AddressFamily: "IPv4",
  MaxEntries: 10,
  Version: 1,
  OwnerId: "123456789012",
  State: "create-complete",
  Tags: [{ Key: "Purpose", Value: "For TGW-1a attachments" }],
  Entries: [
    { Cidr: "10.0.0.0/16", Description: "vpc-a" },
    { Cidr: "10.2.0.0/16", Description: "NY office" },
  ],
};

/** describe-managed-prefix-lists-aws-owned.xml with its entries (assembled: see SOURCES.md). */
const AWS_OWNED_LIST: ManagedPrefixList = {
  PrefixListId: "pl-63a5400a",
  PrefixListName: "com.amazonaws.us-east-1.s3",
  AddressFamily: "IPv4",
  OwnerId: "AWS",
  State: "create-complete",
  Tags: [],
  Entries: [{ Cidr: "54.231.0.0/17" }],
};

/** describe-vpcs.xml. */
export const RECORDED_VPC: Required<Vpc> = { VpcId: "vpc-8d2910e4", CidrBlock: "10.0.0.0/16" };

/**
 * The recorded objects as one region's state, with what EC2 holds beside them and the samples
 * leave out (the groups they name, the instances their interfaces are attached to).
 */
export const RECORDED_STATE: AwsRegionState = {
  ...RECORDED_LOCATION,
  instances: [
    INSTANCE,
    ...["i-22197876", "i-886401dc"].map((InstanceId, index) => ({
      InstanceId,
      State: { Name: "running" as const },
      VpcId: INTERFACES[index]?.VpcId,
      Tags: [],
      NetworkInterfaces: [],
    })),
  ],
  networkInterfaces: [...INTERFACES],
  securityGroups: [
    GROUP,
    ...[
      ["sg-af8661c0", "vpc-614cc409", "peers"],
      ["sg-e4076980", "vpc-11112222", "SecurityGroup1"],
      ["sg-3f4b5653", "vpc-cc3c87a5", "default"],
      ["sg-a2a0b2ce", "vpc-f28a359b", "quick-start-1"],
    ].map(([GroupId = "", VpcId = "", GroupName = ""]) => ({
      GroupId,
      GroupName,
      Description: GroupName,
      VpcId,
      OwnerId: RECORDED_LOCATION.account,
      IpPermissions: [],
      IpPermissionsEgress: [],
      Tags: [],
    })),
  ],
  managedPrefixLists: [CUSTOMER_LIST, AWS_OWNED_LIST],
};

function summary({ Entries: _entries, ...rest }: ManagedPrefixList) {
  return rest;
}

export function describeRecordedCases({ world, contractCase }: ContractCases): void {
  contractCase(
    ["recorded"],
    "an instance is described as EC2 did: its interfaces, addresses, groups and tags",
    async () => {
      const { api } = world();
      expect(await api.describeInstances([{ Name: "instance-id", Values: [INSTANCE.InstanceId] }])).toEqual([
        INSTANCE,
      ]);
      // Everything was modelled: nothing was left out of the read.
      expect(api.takeUnreadable()).toEqual([]);
    },
  );

  contractCase(
    ["recorded"],
    "interfaces are described as EC2 did, secondary private addresses included",
    async () => {
      const { api } = world();
      const attachedTo = INTERFACES.map((eni) => eni.Attachment?.InstanceId ?? "");
      expect(
        await api.describeNetworkInterfaces([{ Name: "attachment.instance-id", Values: attachedTo }]),
      ).toEqual(INTERFACES);
    },
  );

  contractCase(
    ["recorded"],
    "a group is described as EC2 did: rules grouped by protocol and ports, and its egress",
    async () => {
      const { api } = world();
      expect(await api.describeSecurityGroups([{ Name: "group-id", Values: [GROUP.GroupId] }])).toEqual([
        GROUP,
      ]);
    },
  );

  contractCase(
    ["recorded"],
    "an account's prefix list is described with MaxEntries and Version, its entries apart",
    async () => {
      const { api } = world();
      const id = CUSTOMER_LIST.PrefixListId;
      expect(await api.describeManagedPrefixLists([{ Name: "prefix-list-id", Values: [id] }])).toEqual([
        summary(CUSTOMER_LIST),
      ]);
      expect(await api.getManagedPrefixListEntries(id)).toEqual(CUSTOMER_LIST.Entries);
    },
  );

  contractCase(["recorded"], "an AWS-owned prefix list has neither MaxEntries nor Version", async () => {
    const { api } = world();
    const id = AWS_OWNED_LIST.PrefixListId;
    expect(await api.describeManagedPrefixLists([{ Name: "prefix-list-id", Values: [id] }])).toEqual([
      summary(AWS_OWNED_LIST),
    ]);
    expect(await api.getManagedPrefixListEntries(id)).toEqual(AWS_OWNED_LIST.Entries);
  });

  contractCase(["recorded"], "a VPC is described with its range", async () => {
    const { api } = world();
    expect(await api.describeVpcs([{ Name: "vpc-id", Values: [RECORDED_VPC.VpcId] }])).toEqual([
      RECORDED_VPC,
    ]);
  });
}
