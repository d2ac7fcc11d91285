import { describe, expect, it } from "vitest";
import { estateIssues, HEADER, SUB, text, WORKLOADS } from "./fixtures.js";

const E = [...HEADER, ...WORKLOADS];
const sg = (id = "sg-0c0ffee0000000001", name = "legacy-ssh", vpc = "vpc-0a1b2c3d", extra: string[] = []) => [
  `    - GroupId: ${id}`,
  `      GroupName: ${name}`,
  "      Description: ssh",
  `      VpcId: ${vpc}`,
  ...extra,
];
const eni = (lines: string[]) => ["    - NetworkInterfaceId: eni-0a0000000000000a1", ...lines];
const nsgId = (name: string, rg = "rg-shop") =>
  `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Network/networkSecurityGroups/${name}`;
const asgId = (name: string) =>
  `/subscriptions/${SUB}/resourceGroups/rg-shop/providers/Microsoft.Network/applicationSecurityGroups/${name}`;
const nicId = (name: string) =>
  `/subscriptions/${SUB}/resourceGroups/rg-shop/providers/Microsoft.Network/networkInterfaces/${name}`;
const vmId = (name: string) =>
  `/subscriptions/${SUB}/resourceGroups/rg-shop/providers/Microsoft.Compute/virtualMachines/${name}`;
const nsg = (name = "nsg-legacy", location = "eastus", rules: string[] = []) => [
  `    - id: ${nsgId(name)}`,
  `      name: ${name}`,
  "      resourceGroup: rg-shop",
  `      location: ${location}`,
  ...rules,
];
const nic = (lines: string[]) => [
  `    - id: ${nicId("vm-api-1-nic")}`,
  "      name: vm-api-1-nic",
  "      resourceGroup: rg-shop",
  ...lines,
];
const NET = (name: string) =>
  `https://www.googleapis.com/compute/v1/projects/shop-prod/global/networks/${name}`;
const ipc = (lines: string[] = []) => ["      ipConfigurations:", "        - name: ipconfig1", ...lines];

interface InvalidCase {
  readonly name: string;
  readonly source: string;
  readonly expected: readonly string[];
}

const INVALID: readonly InvalidCase[] = [
  {
    name: "sgUnknownVpc",
    source: text(
      ...E,
      "native:",
      "  aws:",
      "    securityGroups:",
      ...sg(undefined, undefined, "vpc-0fffffff"),
    ),
    expected: [
      "e.yaml:17:14 native.aws.securityGroups[0].VpcId: vpc-0fffffff is not the VPC of an AWS network in networks",
    ],
  },
  {
    name: "sgOwner",
    source: text(
      ...E,
      "native:",
      "  aws:",
      "    securityGroups:",
      ...sg(undefined, undefined, undefined, ['      OwnerId: "222222222222"']),
    ),
    expected: [
      "e.yaml:18:16 native.aws.securityGroups[0].OwnerId: is 222222222222, but vpc-0a1b2c3d is in account 111111111111",
    ],
  },
  {
    name: "sgDupId",
    source: text(...E, "native:", "  aws:", "    securityGroups:", ...sg(), ...sg(undefined, "other")),
    expected: [
      "e.yaml:18:16 native.aws.securityGroups[1].GroupId: sg-0c0ffee0000000001 is already listed at native.aws.securityGroups[0]",
    ],
  },
  {
    name: "sgDupName",
    source: text(...E, "native:", "  aws:", "    securityGroups:", ...sg(), ...sg("sg-0c0ffee0000000002")),
    expected: [
      'e.yaml:19:18 native.aws.securityGroups[1].GroupName: "legacy-ssh" is already the name of native.aws.securityGroups[0] in vpc-0a1b2c3d',
    ],
  },
  {
    name: "sgUnknownField",
    source: text(
      ...E,
      "native:",
      "  aws:",
      "    securityGroups:",
      ...sg(undefined, undefined, undefined, ["      GroupDescription: x"]),
    ),
    expected: [
      'e.yaml:18:7 native.aws.securityGroups[0].GroupDescription: unknown key "GroupDescription" (allowed: GroupId, GroupName, Description, VpcId, OwnerId, IpPermissions, IpPermissionsEgress, Tags, SecurityGroupArn)',
    ],
  },
  {
    name: "sgRuleGroup",
    source: text(
      ...E,
      "native:",
      "  aws:",
      "    securityGroups:",
      ...sg(undefined, undefined, undefined, [
        "      IpPermissions:",
        "        - { IpProtocol: tcp, FromPort: 22, ToPort: 22, UserIdGroupPairs: [{ GroupId: sg-0c0ffee0000000009 }] }",
      ]),
    ),
    expected: [
      "e.yaml:19:86 native.aws.securityGroups[0].IpPermissions[0].UserIdGroupPairs[0].GroupId: sg-0c0ffee0000000009 is not a group of native.aws.securityGroups in 111111111111:us-east-1",
    ],
  },
  {
    name: "sgRuleList",
    source: text(
      ...E,
      "native:",
      "  aws:",
      "    securityGroups:",
      ...sg(undefined, undefined, undefined, [
        "      IpPermissions:",
        "        - { IpProtocol: tcp, FromPort: 22, ToPort: 22, PrefixListIds: [{ PrefixListId: pl-0123456789abcdef0 }] }",
      ]),
    ),
    expected: [
      "e.yaml:19:88 native.aws.securityGroups[0].IpPermissions[0].PrefixListIds[0].PrefixListId: pl-0123456789abcdef0 is not a list of native.aws.managedPrefixLists in 111111111111:us-east-1",
    ],
  },
  {
    name: "plNoPlace",
    source: text(
      ...HEADER,
      `  - { id: "aws:222222222222:us-west-2:vpc-0f9e8d7c", cidr: 10.5.0.0/16 }`,
      "workloads: []",
      "native:",
      "  aws:",
      "    managedPrefixLists:",
      "      - { PrefixListId: pl-0123456789abcdef0, PrefixListName: office, AddressFamily: IPv4, MaxEntries: 5 }",
    ),
    expected: [
      "e.yaml:12:25 native.aws.managedPrefixLists[0].PrefixListId: cannot tell which account and region pl-0123456789abcdef0 is in: give its PrefixListArn",
    ],
  },
  {
    name: "plBadArn",
    source: text(
      ...E,
      "native:",
      "  aws:",
      "    managedPrefixLists:",
      '      - { PrefixListId: pl-0123456789abcdef0, PrefixListName: office, AddressFamily: IPv4, MaxEntries: 5, PrefixListArn: "arn:aws:ec2:us-east-1:111111111111:prefix-list/pl-0000000000000000f" }',
    ),
    expected: [
      "e.yaml:14:122 native.aws.managedPrefixLists[0].PrefixListArn: not the ARN of pl-0123456789abcdef0 (arn:aws:ec2:<region>:<account>:prefix-list/pl-0123456789abcdef0)",
    ],
  },
  {
    name: "plOtherRegion",
    source: text(
      ...E,
      "native:",
      "  aws:",
      "    managedPrefixLists:",
      '      - { PrefixListId: pl-0123456789abcdef0, PrefixListName: office, AddressFamily: IPv4, MaxEntries: 5, PrefixListArn: "arn:aws:ec2:eu-west-1:111111111111:prefix-list/pl-0123456789abcdef0" }',
    ),
    expected: [
      "e.yaml:14:122 native.aws.managedPrefixLists[0].PrefixListArn: 111111111111:eu-west-1 has no AWS network in networks",
    ],
  },
  {
    name: "plTooMany",
    source: text(
      ...E,
      "native:",
      "  aws:",
      "    managedPrefixLists:",
      "      - { PrefixListId: pl-0123456789abcdef0, PrefixListName: office, AddressFamily: IPv4, MaxEntries: 1, Entries: [{ Cidr: 10.8.0.0/16 }, { Cidr: 10.9.0.0/16 }] }",
    ),
    expected: ["e.yaml:14:116 native.aws.managedPrefixLists[0].Entries: 2 entries, but MaxEntries is 1"],
  },
  {
    name: "plBadEntry",
    source: text(
      ...E,
      "native:",
      "  aws:",
      "    managedPrefixLists:",
      '      - { PrefixListId: pl-0123456789abcdef0, PrefixListName: office, AddressFamily: IPv4, MaxEntries: 5, Entries: [{ Cidr: "2001:db8::/32" }] }',
    ),
    expected: [
      'e.yaml:14:125 native.aws.managedPrefixLists[0].Entries[0].Cidr: "2001:db8::/32" is not a canonical IPv4 CIDR block',
    ],
  },
  {
    name: "eniUnknownInstance",
    source: text(
      ...E,
      "native:",
      "  aws:",
      "    networkInterfaces:",
      ...eni([
        "      VpcId: vpc-0a1b2c3d",
        "      PrivateIpAddress: 10.1.0.11",
        "      Attachment: { InstanceId: i-0a00000000000009 }",
      ]),
    ),
    expected: [
      "e.yaml:17:33 native.aws.networkInterfaces[0].Attachment.InstanceId: i-0a00000000000009 is not a workload of the estate in 111111111111:us-east-1",
    ],
  },
  {
    name: "eniPrivate",
    source: text(
      ...E,
      "native:",
      "  aws:",
      "    networkInterfaces:",
      ...eni([
        "      VpcId: vpc-0a1b2c3d",
        "      PrivateIpAddress: 10.1.0.12",
        "      Attachment: { InstanceId: i-0a00000000000001 }",
      ]),
    ),
    expected: [
      "e.yaml:16:25 native.aws.networkInterfaces[0].PrivateIpAddress: is 10.1.0.12, but workloads[0] has privateIp 10.1.0.11",
    ],
  },
  {
    name: "eniDeviceTwice",
    source: text(
      ...E,
      "native:",
      "  aws:",
      "    networkInterfaces:",
      ...eni([
        "      VpcId: vpc-0a1b2c3d",
        "      PrivateIpAddress: 10.1.0.21",
        "      Attachment: { InstanceId: i-0a00000000000001, DeviceIndex: 1 }",
      ]),
      "    - NetworkInterfaceId: eni-0a0000000000000a2",
      "      VpcId: vpc-0a1b2c3d",
      "      PrivateIpAddress: 10.1.0.22",
      "      Attachment: { InstanceId: i-0a00000000000001, DeviceIndex: 1 }",
    ),
    expected: [
      "e.yaml:21:66 native.aws.networkInterfaces[1].Attachment.DeviceIndex: i-0a00000000000001 already has device index 1 at native.aws.networkInterfaces[0]",
    ],
  },
  {
    name: "eniSecondaryOtherVpc",
    source: text(
      ...HEADER,
      '  - { id: "aws:111111111111:us-east-1:vpc-0e0e0e0e", cidr: 10.9.0.0/16 }',
      ...WORKLOADS,
      "native:",
      "  aws:",
      "    networkInterfaces:",
      ...eni([
        "      VpcId: vpc-0e0e0e0e",
        "      PrivateIpAddress: 10.9.0.21",
        "      Attachment: { InstanceId: i-0a00000000000001, DeviceIndex: 1 }",
      ]),
    ),
    expected: [
      `e.yaml:16:14 native.aws.networkInterfaces[0].VpcId: is vpc-0e0e0e0e, but i-0a00000000000001 is in vpc-0a1b2c3d: a secondary network interface must be in its instance's VPC (attachments from another VPC are not simulated: docs/clouds.md, "AWS secondary network interfaces")`,
    ],
  },
  {
    name: "eniZones",
    source: text(
      ...E,
      "native:",
      "  aws:",
      "    networkInterfaces:",
      ...eni([
        "      VpcId: vpc-0a1b2c3d",
        "      AvailabilityZone: us-east-1a",
        "      PrivateIpAddress: 10.1.0.11",
        "      Attachment: { InstanceId: i-0a00000000000001, DeviceIndex: 0 }",
      ]),
      "    - NetworkInterfaceId: eni-0a0000000000000a2",
      "      VpcId: vpc-0a1b2c3d",
      "      AvailabilityZone: us-east-1d",
      "      PrivateIpAddress: 10.1.0.22",
      "      Attachment: { InstanceId: i-0a00000000000001, DeviceIndex: 1 }",
      "    - NetworkInterfaceId: eni-0a0000000000000a3",
      "      VpcId: vpc-0a1b2c3d",
      "      AvailabilityZone: eu-west-1a",
      "      PrivateIpAddress: 10.1.0.23",
      "      Attachment: { InstanceId: i-0a00000000000001, DeviceIndex: 2 }",
    ),
    expected: [
      "e.yaml:21:25 native.aws.networkInterfaces[1].AvailabilityZone: is us-east-1d, but native.aws.networkInterfaces[0] of i-0a00000000000001 is in us-east-1a: EC2 attaches a network interface only to an instance in its Availability Zone",
      "e.yaml:26:25 native.aws.networkInterfaces[2].AvailabilityZone: is not an Availability Zone of us-east-1",
    ],
  },
  {
    name: "eniSecondaryAddress",
    source: text(
      ...E,
      "native:",
      "  aws:",
      "    networkInterfaces:",
      ...eni([
        "      VpcId: vpc-0a1b2c3d",
        "      PrivateIpAddress: 10.2.0.21",
        "      Association: { PublicIp: 54.0.0.11 }",
        "      Attachment: { InstanceId: i-0a00000000000001, DeviceIndex: 1 }",
      ]),
    ),
    expected: [
      "e.yaml:16:25 native.aws.networkInterfaces[0].PrivateIpAddress: 10.2.0.21 is outside aws:111111111111:us-east-1:vpc-0a1b2c3d (10.1.0.0/16)",
      "e.yaml:17:32 native.aws.networkInterfaces[0].Association.PublicIp: 54.0.0.11 is already the public IP of workloads[0]",
    ],
  },
  {
    name: "eniSecondaryNoWorkload",
    source: text(
      ...E,
      "native:",
      "  aws:",
      "    networkInterfaces:",
      ...eni([
        "      VpcId: vpc-0a1b2c3d",
        "      PrivateIpAddress: 10.1.0.21",
        "      Attachment: { InstanceId: i-0a00000000000009, DeviceIndex: 1 }",
      ]),
    ),
    expected: [
      "e.yaml:17:33 native.aws.networkInterfaces[0].Attachment.InstanceId: i-0a00000000000009 is not a workload of the estate in 111111111111:us-east-1: a secondary network interface (DeviceIndex 1) is one of an estate workload, whose entry gives its primary one",
    ],
  },
  {
    name: "eniPublic",
    source: text(
      ...E,
      "native:",
      "  aws:",
      "    networkInterfaces:",
      ...eni([
        "      VpcId: vpc-0a1b2c3d",
        "      PrivateIpAddress: 10.1.0.11",
        "      Association: { PublicIp: 54.0.0.99 }",
        "      Attachment: { InstanceId: i-0a00000000000001 }",
      ]),
    ),
    expected: [
      "e.yaml:17:32 native.aws.networkInterfaces[0].Association.PublicIp: is 54.0.0.99, but workloads[0] has publicIp 54.0.0.11",
    ],
  },
  {
    name: "eniGroup",
    source: text(
      ...E,
      "native:",
      "  aws:",
      "    networkInterfaces:",
      ...eni([
        "      VpcId: vpc-0a1b2c3d",
        "      PrivateIpAddress: 10.1.0.11",
        "      Groups: [{ GroupId: sg-0c0ffee0000000001 }]",
        "      Attachment: { InstanceId: i-0a00000000000001 }",
      ]),
    ),
    expected: [
      "e.yaml:17:27 native.aws.networkInterfaces[0].Groups[0].GroupId: sg-0c0ffee0000000001 is not a group of native.aws.securityGroups in vpc-0a1b2c3d",
    ],
  },
  {
    name: "eniTwice",
    source: text(
      ...E,
      "native:",
      "  aws:",
      "    networkInterfaces:",
      ...eni([
        "      VpcId: vpc-0a1b2c3d",
        "      PrivateIpAddress: 10.1.0.11",
        "      Attachment: { InstanceId: i-0a00000000000001 }",
      ]),
      "    - NetworkInterfaceId: eni-0a0000000000000a2",
      "      VpcId: vpc-0a1b2c3d",
      "      PrivateIpAddress: 10.1.0.11",
      "      Attachment: { InstanceId: i-0a00000000000001 }",
    ),
    expected: [
      "e.yaml:21:19 native.aws.networkInterfaces[1].Attachment.DeviceIndex: i-0a00000000000001 already has its primary network interface at native.aws.networkInterfaces[0]",
    ],
  },
  {
    name: "eniDetached",
    source: text(
      ...E,
      "native:",
      "  aws:",
      "    networkInterfaces:",
      ...eni(["      VpcId: vpc-0a1b2c3d", "      PrivateIpAddress: 10.1.0.11"]),
    ),
    expected: [
      "e.yaml:16:25 native.aws.networkInterfaces[0].PrivateIpAddress: 10.1.0.11 is already used in aws:111111111111:us-east-1:vpc-0a1b2c3d by workloads[0]",
    ],
  },
  {
    name: "eniSecondary",
    source: text(
      ...E,
      "native:",
      "  aws:",
      "    networkInterfaces:",
      ...eni([
        "      VpcId: vpc-0a1b2c3d",
        "      PrivateIpAddress: 10.1.0.11",
        "      PrivateIpAddresses: [{ PrivateIpAddress: 10.1.0.11, Primary: true }, { PrivateIpAddress: 10.1.0.12, Primary: false }]",
        "      Attachment: { InstanceId: i-0a00000000000001 }",
      ]),
    ),
    expected: [
      "e.yaml:17:27 native.aws.networkInterfaces[0].PrivateIpAddresses: the simulated clouds give a network interface one private IP: list only PrivateIpAddress",
    ],
  },
  {
    name: "nsgBadId",
    source: text(
      ...E,
      "native:",
      "  azure:",
      "    networkSecurityGroups:",
      `    - id: ${nsgId("other")}`,
      "      name: nsg-legacy",
      "      resourceGroup: rg-shop",
      "      location: eastus",
    ),
    expected: [
      "e.yaml:14:11 native.azure.networkSecurityGroups[0].id: not the id of networkSecurityGroups nsg-legacy in resource group rg-shop (/subscriptions/<lowercase GUID>/resourceGroups/rg-shop/providers/Microsoft.Network/networkSecurityGroups/nsg-legacy)",
    ],
  },
  {
    name: "nsgDup",
    source: text(...E, "native:", "  azure:", "    networkSecurityGroups:", ...nsg(), ...nsg()),
    expected: [
      "e.yaml:18:11 native.azure.networkSecurityGroups[1].id: /subscriptions/8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f/resourceGroups/rg-shop/providers/Microsoft.Network/networkSecurityGroups/nsg-legacy is already listed at native.azure.networkSecurityGroups[0]",
    ],
  },
  {
    name: "nsgAsgRef",
    source: text(
      ...E,
      "native:",
      "  azure:",
      "    networkSecurityGroups:",
      ...nsg(undefined, undefined, [
        "      securityRules:",
        `        - { name: web, priority: 200, direction: Inbound, access: Allow, protocol: Tcp, sourceApplicationSecurityGroups: [{ id: ${asgId("asg-web")} }], destinationPortRange: "80" }`,
      ]),
    ),
    expected: [
      "e.yaml:19:129 native.azure.networkSecurityGroups[0].securityRules[0].sourceApplicationSecurityGroups[0].id: /subscriptions/8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f/resourceGroups/rg-shop/providers/Microsoft.Network/applicationSecurityGroups/asg-web is not a group of native.azure.applicationSecurityGroups",
    ],
  },
  {
    name: "nicVm",
    source: text(
      ...E,
      "native:",
      "  azure:",
      "    networkInterfaces:",
      ...nic([`      virtualMachine: { id: ${vmId("vm-9")} }`, ...ipc()]),
    ),
    expected: [
      "e.yaml:17:29 native.azure.networkInterfaces[0].virtualMachine.id: /subscriptions/8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f/resourceGroups/rg-shop/providers/Microsoft.Compute/virtualMachines/vm-9 is not a workload of the estate",
    ],
  },
  {
    name: "nicLocation",
    source: text(
      ...E,
      "native:",
      "  azure:",
      "    networkInterfaces:",
      ...nic(["      location: westus", `      virtualMachine: { id: ${vmId("vm-api-1")} }`, ...ipc()]),
    ),
    expected: [
      "e.yaml:17:17 native.azure.networkInterfaces[0].location: is westus, but azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-net:vnet-prod is in eastus",
    ],
  },
  {
    name: "nicPrivate",
    source: text(
      ...E,
      "native:",
      "  azure:",
      "    networkInterfaces:",
      ...nic([
        `      virtualMachine: { id: ${vmId("vm-api-1")} }`,
        ...ipc(["          privateIPAddress: 10.2.0.99"]),
      ]),
    ),
    expected: [
      "e.yaml:20:29 native.azure.networkInterfaces[0].ipConfigurations[0].privateIPAddress: is 10.2.0.99, but workloads[1] has privateIp 10.2.0.11",
    ],
  },
  {
    name: "nicSubnet",
    source: text(
      ...E,
      "native:",
      "  azure:",
      "    networkInterfaces:",
      ...nic([
        `      virtualMachine: { id: ${vmId("vm-api-1")} }`,
        ...ipc([
          `          subnet: { id: /subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-dev/subnets/default }`,
        ]),
      ]),
    ),
    expected: [
      "e.yaml:20:25 native.azure.networkInterfaces[0].ipConfigurations[0].subnet.id: is not a subnet of azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-net:vnet-prod",
    ],
  },
  {
    name: "nicPublic",
    source: text(
      ...E,
      "native:",
      "  azure:",
      "    networkInterfaces:",
      ...nic([
        `      virtualMachine: { id: ${vmId("vm-api-1")} }`,
        ...ipc([
          `          publicIPAddress: { id: /subscriptions/${SUB}/resourceGroups/rg-shop/providers/Microsoft.Network/publicIPAddresses/pip-1 }`,
        ]),
      ]),
    ),
    expected: [
      "e.yaml:20:28 native.azure.networkInterfaces[0].ipConfigurations[0].publicIPAddress: workloads[1] has no publicIp",
    ],
  },
  {
    name: "nicNsg",
    source: text(
      ...E,
      "native:",
      "  azure:",
      "    networkInterfaces:",
      ...nic([
        `      virtualMachine: { id: ${vmId("vm-api-1")} }`,
        `      networkSecurityGroup: { id: ${nsgId("nsg-legacy")} }`,
        ...ipc(),
      ]),
    ),
    expected: [
      "e.yaml:18:35 native.azure.networkInterfaces[0].networkSecurityGroup.id: /subscriptions/8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f/resourceGroups/rg-shop/providers/Microsoft.Network/networkSecurityGroups/nsg-legacy is not a group of native.azure.networkSecurityGroups",
    ],
  },
  {
    name: "nicNsgRegion",
    source: text(
      ...E,
      "native:",
      "  azure:",
      "    networkSecurityGroups:",
      ...nsg(undefined, "westus"),
      "    networkInterfaces:",
      ...nic([
        `      virtualMachine: { id: ${vmId("vm-api-1")} }`,
        `      networkSecurityGroup: { id: ${nsgId("nsg-legacy")} }`,
        ...ipc(),
      ]),
    ),
    expected: [
      "e.yaml:23:35 native.azure.networkInterfaces[0].networkSecurityGroup.id: /subscriptions/8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f/resourceGroups/rg-shop/providers/Microsoft.Network/networkSecurityGroups/nsg-legacy is in westus, but the NIC is in eastus",
    ],
  },
  {
    name: "nicAsg",
    source: text(
      ...E,
      "native:",
      "  azure:",
      "    networkInterfaces:",
      ...nic([
        `      virtualMachine: { id: ${vmId("vm-api-1")} }`,
        ...ipc([`          applicationSecurityGroups: [{ id: ${asgId("asg-api")} }]`]),
      ]),
    ),
    expected: [
      "e.yaml:20:45 native.azure.networkInterfaces[0].ipConfigurations[0].applicationSecurityGroups[0].id: /subscriptions/8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f/resourceGroups/rg-shop/providers/Microsoft.Network/applicationSecurityGroups/asg-api is not a group of native.azure.applicationSecurityGroups",
    ],
  },
  {
    name: "nicDetached",
    source: text(
      ...E,
      "native:",
      "  azure:",
      "    networkInterfaces:",
      ...nic([...ipc(["          privateIPAddress: 10.2.0.50"])]),
    ),
    expected: [
      "e.yaml:14:7 native.azure.networkInterfaces[0].location: a NIC of no VM needs its location",
      "e.yaml:18:11 native.azure.networkInterfaces[0].ipConfigurations[0].subnet: a NIC of no VM needs the subnet of an Azure network in networks",
    ],
  },
  {
    name: "nicTwoConfigs",
    source: text(
      ...E,
      "native:",
      "  azure:",
      "    networkInterfaces:",
      ...nic([
        `      virtualMachine: { id: ${vmId("vm-api-1")} }`,
        ...ipc(["          primary: true"]),
        "        - name: ipconfig2",
        "          primary: true",
      ]),
    ),
    expected: [
      "e.yaml:19:9 native.azure.networkInterfaces[0].ipConfigurations: a NIC has one primary IP configuration",
    ],
  },
  {
    name: "nicTwoPrimaries",
    source: text(
      ...E,
      "native:",
      "  azure:",
      "    networkInterfaces:",
      ...nic([`      virtualMachine: { id: ${vmId("vm-api-1")} }`, ...ipc()]),
      `    - id: ${nicId("vm-api-1-nic2")}`,
      "      name: vm-api-1-nic2",
      "      resourceGroup: rg-shop",
      "      primary: true",
      `      virtualMachine: { id: ${vmId("vm-api-1")} }`,
      ...ipc(),
    ),
    expected: [
      "e.yaml:23:16 native.azure.networkInterfaces[1].primary: the VM already has its primary NIC at native.azure.networkInterfaces[0]: a VM has one (the others say primary: false)",
    ],
  },
  {
    name: "nicSecondary",
    source: text(
      ...E,
      "native:",
      "  azure:",
      "    networkInterfaces:",
      ...nic([
        "      primary: false",
        `      virtualMachine: { id: ${vmId("vm-api-1")} }`,
        ...ipc([
          `          publicIPAddress: { id: /subscriptions/${SUB}/resourceGroups/rg-shop/providers/Microsoft.Network/publicIPAddresses/pip2 }`,
        ]),
      ]),
    ),
    expected: [
      "e.yaml:20:11 native.azure.networkInterfaces[0].ipConfigurations[0].privateIPAddress: a secondary NIC needs its private IP address",
      "e.yaml:21:28 native.azure.networkInterfaces[0].ipConfigurations[0].publicIPAddress: a secondary NIC's public IP is not simulated: the workload's publicIp is its primary NIC's",
    ],
  },
  {
    name: "fwNetwork",
    source: text(
      ...E,
      "native:",
      "  gcp:",
      "    firewalls:",
      '      - { name: allow-ssh, network: https://www.googleapis.com/compute/v1/projects/shop-prod/global/networks/default, allowed: [{ IPProtocol: tcp, ports: ["22"] }] }',
    ),
    expected: [
      "e.yaml:14:37 native.gcp.firewalls[0].network: https://www.googleapis.com/compute/v1/projects/shop-prod/global/networks/default is not a GCP network in networks (https://www.googleapis.com/compute/v1/projects/<project>/global/networks/<network>)",
    ],
  },
  {
    name: "fwDup",
    source: text(
      ...E,
      "native:",
      "  gcp:",
      "    firewalls:",
      "      - { name: allow-ssh, network: projects/shop-prod/global/networks/prod-net, allowed: [{ IPProtocol: tcp }] }",
      "      - { name: allow-ssh, network: projects/shop-prod/global/networks/prod-net, allowed: [{ IPProtocol: udp }] }",
    ),
    expected: [
      'e.yaml:15:17 native.gcp.firewalls[1].name: "allow-ssh" is already the name of native.gcp.firewalls[0] in project shop-prod',
    ],
  },
  {
    name: "fwRefused",
    source: text(
      ...E,
      "native:",
      "  gcp:",
      "    firewalls:",
      "      - { name: allow-ssh, network: projects/shop-prod/global/networks/prod-net, allowed: [{ IPProtocol: tcp }], denied: [{ IPProtocol: udp }] }",
    ),
    expected: [
      "e.yaml:14:7 native.gcp.firewalls: the simulated cloud refuses it: firewall rule allow-ssh: invalid: Invalid value for field 'resource.allowed': '[...]'. A rule has either allowed or denied, not both.",
    ],
  },
  {
    name: "instUnknown",
    source: text(
      ...E,
      "native:",
      "  gcp:",
      "    instances:",
      "      - { name: db-2, zone: us-central1-a, tags: { items: [legacy] } }",
    ),
    expected: [
      "e.yaml:14:17 native.gcp.instances[0].name: no GCP workload of the estate is db-2 in zone us-central1-a",
    ],
  },
  {
    name: "instAmbiguous",
    source: text(
      ...E,
      '  - { id: "gcp:blog-prod-data:us-central1-a:db-1", network: "gcp:shop-prod:prod-net", privateIp: 10.3.0.12, tags: {} }',
      "native:",
      "  gcp:",
      "    instances:",
      "      - { name: db-1, zone: us-central1-a, tags: { items: [legacy] } }",
    ),
    expected: [
      "e.yaml:15:29 native.gcp.instances[0].zone: several estate workloads are db-1 in zone us-central1-a: give the zone's URL (…/projects/<project>/zones/us-central1-a)",
    ],
  },
  {
    name: "instTwice",
    source: text(
      ...E,
      "native:",
      "  gcp:",
      "    instances:",
      "      - { name: db-1, zone: us-central1-a, tags: { items: [legacy] } }",
      "      - { name: db-1, zone: https://www.googleapis.com/compute/v1/projects/shop-prod/zones/us-central1-a, tags: { items: [old] } }",
    ),
    expected: [
      "e.yaml:15:17 native.gcp.instances[1].name: gcp:shop-prod:us-central1-a:db-1 is already given at native.gcp.instances[0]",
    ],
  },
  {
    name: "instNics",
    source: text(
      ...HEADER,
      '  - { id: "gcp:shop-prod:mgmt-net", cidr: 10.4.0.0/16 }',
      ...WORKLOADS,
      "native:",
      "  gcp:",
      "    instances:",
      "      - name: db-1",
      "        zone: us-central1-a",
      "        tags: { items: [] }",
      "        networkInterfaces:",
      `          - { name: nic1, network: "${NET("prod-net")}", networkIP: 10.3.0.12 }`,
      `          - { name: nic0, network: "${NET("mgmt-net")}", networkIP: 10.4.0.11 }`,
      `          - { name: nic2, network: "${NET("mgmt-net")}", networkIP: 10.4.0.12 }`,
      `          - { name: nic3, network: "${NET("other-net")}", networkIP: 10.5.0.12 }`,
    ),
    expected: [
      "e.yaml:19:21 native.gcp.instances[0].networkInterfaces[0].name: is nic1, but Compute names an instance's NICs nic0, nic1, … in order: this one is nic0",
      "e.yaml:19:132 native.gcp.instances[0].networkInterfaces[0].networkIP: is 10.3.0.12, but workloads[2] has privateIp 10.3.0.11",
      "e.yaml:20:21 native.gcp.instances[0].networkInterfaces[1].name: is nic0, but Compute names an instance's NICs nic0, nic1, … in order: this one is nic1",
      `e.yaml:21:36 native.gcp.instances[0].networkInterfaces[2].network: is also the network of networkInterfaces[1]: each NIC of an instance is in a different VPC network (docs/clouds.md, "GCP multiple network interfaces")`,
      "e.yaml:22:36 native.gcp.instances[0].networkInterfaces[3].network: https://www.googleapis.com/compute/v1/projects/shop-prod/global/networks/other-net is not a GCP network in networks (https://www.googleapis.com/compute/v1/projects/<project>/global/networks/<network>)",
    ],
  },
  {
    name: "instSecondaryAddress",
    source: text(
      ...HEADER,
      '  - { id: "gcp:shop-prod:mgmt-net", cidr: 10.4.0.0/16 }',
      ...WORKLOADS,
      "native:",
      "  gcp:",
      "    instances:",
      "      - name: db-1",
      "        zone: us-central1-a",
      "        tags: { items: [] }",
      "        networkInterfaces:",
      `          - { name: nic0, network: "${NET("prod-net")}", networkIP: 10.3.0.11, accessConfigs: [{ natIP: 34.0.0.9 }] }`,
      `          - { name: nic1, network: "${NET("mgmt-net")}", accessConfigs: [{ natIP: 34.0.0.10 }] }`,
    ),
    expected: [
      "e.yaml:19:168 native.gcp.instances[0].networkInterfaces[0].accessConfigs[0].natIP: is 34.0.0.9, but workloads[2] has no publicIp",
      "e.yaml:20:13 native.gcp.instances[0].networkInterfaces[1].networkIP: a secondary NIC needs its networkIP",
    ],
  },
  {
    name: "instBadTag",
    source: text(
      ...E,
      "native:",
      "  gcp:",
      "    instances:",
      "      - { name: db-1, zone: us-central1-a, tags: { items: [Legacy_Web] } }",
    ),
    expected: [
      'e.yaml:14:60 native.gcp.instances[0].tags.items[0]: "Legacy_Web" is not a network tag: 1-63 of a-z, 0-9 and -, starting with a letter and not ending with -',
    ],
  },
  {
    name: "nsgBadPriority",
    source: text(
      ...E,
      "native:",
      "  azure:",
      "    networkSecurityGroups:",
      ...nsg(undefined, undefined, [
        "      securityRules:",
        `        - { name: web, priority: 5000, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "80" }`,
      ]),
    ),
    expected: [
      "e.yaml:13:5 native.azure: the simulated cloud refuses it: the starting state could not exist in Azure: SecurityRuleInvalidPriority: Security rule has invalid Priority. Value provided: 5000 Allowed range 100-4096.",
    ],
  },
];

describe("native objects that do not fit the estate", () => {
  it("has many distinct errors", () => {
    const messages = INVALID.flatMap((c) => c.expected.map((line) => line.slice(line.indexOf(" ") + 1)));
    expect(new Set(messages).size).toBe(messages.length);
  });

  it.each(INVALID.map((c) => [c.name, c] as const))("%s", (_, c) => {
    expect(estateIssues(c.source)).toEqual(c.expected);
  });
});
