import "aws-sdk-client-mock-vitest/extend";
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  DescribeManagedPrefixListsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  GetManagedPrefixListEntriesCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import type { AwsApi, Ec2Filter } from "../../../../lib/clouds/aws/api.js";
import { AwsQuotaExceededError } from "../../../../lib/clouds/aws/errors.js";
import type { IpPermission } from "../../../../lib/clouds/aws/model.js";
import { ACCOUNT, ec2Error, LOCATION, sdkApi, sdkApiFactory } from "./api-fixtures.js";

const ec2Mock = mockClient(EC2Client);
beforeEach(() => {
  ec2Mock.reset();
});

const FILTERS: Ec2Filter[] = [
  { Name: "vpc-id", Values: ["vpc-1"] },
  { Name: "tag:segsync:managed", Values: ["true"] },
];
const SDK_FILTERS = FILTERS.map((filter) => ({ Name: filter.Name, Values: [...filter.Values] }));

interface DescribeCase {
  readonly name: string;
  // biome-ignore lint/suspicious/noExplicitAny: each case pairs one command class with its own pages
  readonly command: any;
  readonly maxResults: number;
  readonly describe: (api: AwsApi, filters: readonly Ec2Filter[]) => Promise<readonly unknown[]>;
  /** One page of the SDK's output holding objects with these ids. */
  readonly page: (ids: readonly string[]) => object;
  readonly idOf: (item: unknown) => string;
}

const DESCRIBE_CASES: DescribeCase[] = [
  {
    name: "describeInstances",
    command: DescribeInstancesCommand,
    maxResults: 1000,
    describe: (api, filters) => api.describeInstances(filters),
    // Two reservations per page: results are flattened across reservations and pages.
    page: (ids) => ({
      Reservations: [ids.slice(0, 1), ids.slice(1)].map((part) => ({
        Instances: part.map((id) => ({ InstanceId: id, State: { Name: "running" } })),
      })),
    }),
    idOf: (item) => (item as { InstanceId: string }).InstanceId,
  },
  {
    name: "describeNetworkInterfaces",
    command: DescribeNetworkInterfacesCommand,
    maxResults: 1000,
    describe: (api, filters) => api.describeNetworkInterfaces(filters),
    page: (ids) => ({ NetworkInterfaces: ids.map((id) => ({ NetworkInterfaceId: id, VpcId: "vpc-1" })) }),
    idOf: (item) => (item as { NetworkInterfaceId: string }).NetworkInterfaceId,
  },
  {
    name: "describeSecurityGroups",
    command: DescribeSecurityGroupsCommand,
    maxResults: 1000,
    describe: (api, filters) => api.describeSecurityGroups(filters),
    page: (ids) => ({ SecurityGroups: ids.map((id) => ({ GroupId: id, VpcId: "vpc-1" })) }),
    idOf: (item) => (item as { GroupId: string }).GroupId,
  },
  {
    name: "describeManagedPrefixLists",
    command: DescribeManagedPrefixListsCommand,
    maxResults: 100,
    describe: (api, filters) => api.describeManagedPrefixLists(filters),
    page: (ids) => ({
      PrefixLists: ids.map((id) => ({ PrefixListId: id, AddressFamily: "IPv4", MaxEntries: 10, Version: 1 })),
    }),
    idOf: (item) => (item as { PrefixListId: string }).PrefixListId,
  },
];

describe("describe calls", () => {
  it.each(DESCRIBE_CASES)(
    "$name pages through every NextToken, with MaxResults and the filters",
    async (testCase) => {
      const pages = [
        { ...testCase.page(["a1", "a2", "a3"]), NextToken: "page-2" },
        { ...testCase.page(["b1", "b2"]), NextToken: "page-3" },
        testCase.page(["c1", "c2"]),
      ];
      // Copies: the SDK's paginator reuses one input object for every page.
      const inputs: unknown[] = [];
      ec2Mock.on(testCase.command).callsFake((input: object) => {
        inputs.push(structuredClone(input));
        return pages[inputs.length - 1];
      });

      const items = await testCase.describe(sdkApi(), FILTERS);

      expect(items.map(testCase.idOf)).toEqual(["a1", "a2", "a3", "b1", "b2", "c1", "c2"]);
      const expected = { Filters: SDK_FILTERS, MaxResults: testCase.maxResults };
      expect(inputs).toEqual([
        expected,
        { ...expected, NextToken: "page-2" },
        { ...expected, NextToken: "page-3" },
      ]);
    },
  );

  // Unfiltered describes fall into a smaller throttle bucket (docs/clouds.md, "AWS API throttling").
  it.each(DESCRIBE_CASES)("$name refuses to run without a filter", async (testCase) => {
    await expect(testCase.describe(sdkApi(), [])).rejects.toThrow(/at least one filter/);
    expect(ec2Mock).not.toHaveReceivedCommand(testCase.command);
  });

  it("getManagedPrefixListEntries pages through every NextToken", async () => {
    const pages = [
      { Entries: [{ Cidr: "10.0.0.0/24", Description: "a" }], NextToken: "next" },
      { Entries: [{ Cidr: "10.0.1.0/24" }] },
    ];
    const inputs: unknown[] = [];
    ec2Mock.on(GetManagedPrefixListEntriesCommand).callsFake((input: object) => {
      inputs.push(structuredClone(input));
      return pages[inputs.length - 1];
    });

    await expect(sdkApi().getManagedPrefixListEntries("pl-1")).resolves.toStrictEqual([
      { Cidr: "10.0.0.0/24", Description: "a" },
      { Cidr: "10.0.1.0/24" },
    ]);
    expect(inputs).toEqual([
      { PrefixListId: "pl-1", MaxResults: 100 },
      { PrefixListId: "pl-1", MaxResults: 100, NextToken: "next" },
    ]);
  });

  it("keeps MaxResults within each call's bounds", async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({}).on(DescribeManagedPrefixListsCommand).resolves({});
    await sdkApi({ pageSize: 2 }).describeInstances(FILTERS);
    await sdkApi({ pageSize: 2 }).describeManagedPrefixLists(FILTERS);
    await sdkApi({ pageSize: 5000 }).describeManagedPrefixLists(FILTERS);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, { MaxResults: 5 });
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeManagedPrefixListsCommand, 1, { MaxResults: 2 });
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeManagedPrefixListsCommand, 2, { MaxResults: 100 });
  });
});

describe("shape mapping", () => {
  it("maps an instance with its network interfaces and groups, leaving out what EC2 left out", async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: "i-1",
              State: { Name: "running", Code: 16 },
              VpcId: "vpc-1",
              PrivateIpAddress: "10.0.0.5",
              PublicIpAddress: "203.0.113.5",
              InstanceType: "t3.micro",
              Tags: [{ Key: "app", Value: "web" }],
              NetworkInterfaces: [
                {
                  NetworkInterfaceId: "eni-1",
                  VpcId: "vpc-1",
                  PrivateIpAddress: "10.0.0.5",
                  Association: { PublicIp: "203.0.113.5", IpOwnerId: "amazon" },
                  Attachment: { DeviceIndex: 0, AttachmentId: "eni-attach-1", Status: "attached" },
                  Groups: [{ GroupId: "sg-1", GroupName: "segsync-web" }],
                },
              ],
            },
            { InstanceId: "i-2", State: { Name: "stopped" } },
          ],
        },
      ],
    });

    await expect(sdkApi().describeInstances(FILTERS)).resolves.toStrictEqual([
      {
        InstanceId: "i-1",
        State: { Name: "running" },
        VpcId: "vpc-1",
        PrivateIpAddress: "10.0.0.5",
        PublicIpAddress: "203.0.113.5",
        Tags: [{ Key: "app", Value: "web" }],
        NetworkInterfaces: [
          {
            NetworkInterfaceId: "eni-1",
            VpcId: "vpc-1",
            PrivateIpAddress: "10.0.0.5",
            Association: { PublicIp: "203.0.113.5" },
            Attachment: { DeviceIndex: 0 },
            Groups: [{ GroupId: "sg-1", GroupName: "segsync-web" }],
          },
        ],
      },
      { InstanceId: "i-2", State: { Name: "stopped" }, Tags: [], NetworkInterfaces: [] },
    ]);
  });

  it("maps a network interface, with an empty TagSet when EC2 sends none", async () => {
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        {
          NetworkInterfaceId: "eni-1",
          VpcId: "vpc-1",
          SubnetId: "subnet-1",
          OwnerId: ACCOUNT,
          Status: "in-use",
          PrivateIpAddress: "10.0.0.5",
          PrivateIpAddresses: [
            { PrivateIpAddress: "10.0.0.5", Primary: true, Association: { PublicIp: "203.0.113.5" } },
            { PrivateIpAddress: "10.0.0.6", Primary: false },
          ],
          Association: { PublicIp: "203.0.113.5" },
          Groups: [{ GroupId: "sg-1", GroupName: "default" }],
          Attachment: { InstanceId: "i-1", DeviceIndex: 0, AttachmentId: "eni-attach-1" },
        },
      ],
    });

    await expect(sdkApi().describeNetworkInterfaces(FILTERS)).resolves.toStrictEqual([
      {
        NetworkInterfaceId: "eni-1",
        VpcId: "vpc-1",
        SubnetId: "subnet-1",
        OwnerId: ACCOUNT,
        Status: "in-use",
        PrivateIpAddress: "10.0.0.5",
        PrivateIpAddresses: [
          { PrivateIpAddress: "10.0.0.5", Primary: true, Association: { PublicIp: "203.0.113.5" } },
          { PrivateIpAddress: "10.0.0.6", Primary: false },
        ],
        Association: { PublicIp: "203.0.113.5" },
        Groups: [{ GroupId: "sg-1", GroupName: "default" }],
        Attachment: { InstanceId: "i-1", DeviceIndex: 0, AttachmentId: "eni-attach-1" },
        TagSet: [],
      },
    ]);
  });

  it("maps a security group's rules, defaulting every absent source list to []", async () => {
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        {
          GroupId: "sg-1",
          GroupName: "segsync-web",
          Description: "segsync",
          VpcId: "vpc-1",
          OwnerId: ACCOUNT,
          IpPermissions: [
            {
              IpProtocol: "tcp",
              FromPort: 443,
              ToPort: 443,
              UserIdGroupPairs: [
                { GroupId: "sg-2", UserId: ACCOUNT, Description: "segsync", VpcId: "vpc-1" },
              ],
            },
            {
              IpProtocol: "-1",
              IpRanges: [{ CidrIp: "10.1.0.0/16" }],
              PrefixListIds: [{ PrefixListId: "pl-1" }],
            },
          ],
        },
      ],
    });

    await expect(sdkApi().describeSecurityGroups(FILTERS)).resolves.toStrictEqual([
      {
        GroupId: "sg-1",
        GroupName: "segsync-web",
        Description: "segsync",
        VpcId: "vpc-1",
        OwnerId: ACCOUNT,
        IpPermissions: [
          {
            IpProtocol: "tcp",
            FromPort: 443,
            ToPort: 443,
            IpRanges: [],
            Ipv6Ranges: [],
            PrefixListIds: [],
            UserIdGroupPairs: [{ GroupId: "sg-2", UserId: ACCOUNT, Description: "segsync" }],
          },
          {
            IpProtocol: "-1",
            IpRanges: [{ CidrIp: "10.1.0.0/16" }],
            Ipv6Ranges: [],
            PrefixListIds: [{ PrefixListId: "pl-1" }],
            UserIdGroupPairs: [],
          },
        ],
        IpPermissionsEgress: [],
        Tags: [],
      },
    ]);
  });

  it("maps a prefix list to its summary: entries come from getManagedPrefixListEntries only", async () => {
    ec2Mock.on(DescribeManagedPrefixListsCommand).resolves({
      PrefixLists: [
        {
          PrefixListId: "pl-1",
          PrefixListName: "segsync-db",
          AddressFamily: "IPv4",
          MaxEntries: 20,
          Version: 3,
          OwnerId: ACCOUNT,
          State: "modify-complete",
          PrefixListArn: "arn:aws:ec2:eu-west-1:111111111111:prefix-list/pl-1",
          Tags: [{ Key: "segsync:managed", Value: "true" }],
        },
      ],
    });

    await expect(sdkApi().describeManagedPrefixLists(FILTERS)).resolves.toStrictEqual([
      {
        PrefixListId: "pl-1",
        PrefixListName: "segsync-db",
        AddressFamily: "IPv4",
        MaxEntries: 20,
        Version: 3,
        OwnerId: ACCOUNT,
        State: "modify-complete",
        Tags: [{ Key: "segsync:managed", Value: "true" }],
      },
    ]);
  });

  it("leaves out an object without the ids segsync keys on, and reports it", async () => {
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [{ State: { Name: "running" } }] }] });
    const api = sdkApi();
    await expect(api.describeInstances(FILTERS)).resolves.toEqual([]);
    expect(api.takeUnreadable()).toEqual([
      expect.objectContaining({
        code: "aws-unreadable-object",
        subject: "EC2 instance (no id) in 111111111111/eu-west-1",
        message: expect.stringContaining("EC2 returned no instance id"),
      }),
    ]);
  });
});

const WEB_FROM_APP = {
  IpProtocol: "tcp",
  FromPort: 443,
  ToPort: 443,
  IpRanges: [{ CidrIp: "10.1.0.0/16", Description: "segsync" }],
  Ipv6Ranges: [],
  PrefixListIds: [],
  UserIdGroupPairs: [{ GroupId: "sg-app", Description: "segsync" }],
} satisfies IpPermission;

describe("security groups, rules, tags and ENIs", () => {
  it("creates a group with its tags in TagSpecifications", async () => {
    ec2Mock.on(CreateSecurityGroupCommand).resolves({ GroupId: "sg-new" });
    const tags = [{ Key: "segsync:managed", Value: "true" }];

    await expect(
      sdkApi().createSecurityGroup({ vpcId: "vpc-1", groupName: "segsync-web", description: "d", tags }),
    ).resolves.toEqual({ groupId: "sg-new" });
    expect(ec2Mock).toHaveReceivedCommandExactlyOnceWith(CreateSecurityGroupCommand, {
      VpcId: "vpc-1",
      GroupName: "segsync-web",
      Description: "d",
      TagSpecifications: [{ ResourceType: "security-group", Tags: tags }],
    });
  });

  it("authorizes the permissions as given", async () => {
    ec2Mock.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
    await sdkApi().authorizeIngress("sg-web", [WEB_FROM_APP]);
    expect(ec2Mock).toHaveReceivedCommandExactlyOnceWith(AuthorizeSecurityGroupIngressCommand, {
      GroupId: "sg-web",
      IpPermissions: [WEB_FROM_APP],
    });
  });

  it("writes egress rules with the egress calls, Duplicate and NotFound being success as for ingress", async () => {
    ec2Mock.on(AuthorizeSecurityGroupEgressCommand).rejects(ec2Error("InvalidPermission.Duplicate"));
    ec2Mock.on(RevokeSecurityGroupEgressCommand).rejects(ec2Error("InvalidPermission.NotFound"));
    const single = { ...WEB_FROM_APP, IpRanges: [] };
    await expect(sdkApi().authorizeEgress("sg-web", [single])).resolves.toBeUndefined();
    await expect(sdkApi().revokeEgress("sg-web", [single])).resolves.toBeUndefined();
    expect(ec2Mock).toHaveReceivedCommandExactlyOnceWith(AuthorizeSecurityGroupEgressCommand, {
      GroupId: "sg-web",
      IpPermissions: [single],
    });
    expect(ec2Mock).toHaveReceivedCommandExactlyOnceWith(RevokeSecurityGroupEgressCommand, {
      GroupId: "sg-web",
      IpPermissions: [single],
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 0);
  });

  it("treats InvalidPermission.Duplicate on authorize as success", async () => {
    ec2Mock.on(AuthorizeSecurityGroupIngressCommand).rejects(ec2Error("InvalidPermission.Duplicate"));
    const single = { ...WEB_FROM_APP, IpRanges: [] };
    await expect(sdkApi().authorizeIngress("sg-web", [single])).resolves.toBeUndefined();
    expect(ec2Mock).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 1);
  });

  it("retries a batch that hit one existing rule rule by rule, so that the new rules still get in", async () => {
    ec2Mock
      .on(AuthorizeSecurityGroupIngressCommand)
      .rejectsOnce(ec2Error("InvalidPermission.Duplicate"))
      .rejectsOnce(ec2Error("InvalidPermission.Duplicate"))
      .resolves({ Return: true });

    await sdkApi().authorizeIngress("sg-web", [WEB_FROM_APP]);

    expect(ec2Mock).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 3);
    expect(ec2Mock).toHaveReceivedNthCommandWith(AuthorizeSecurityGroupIngressCommand, 2, {
      IpPermissions: [{ ...WEB_FROM_APP, UserIdGroupPairs: [] }],
    });
    expect(ec2Mock).toHaveReceivedNthCommandWith(AuthorizeSecurityGroupIngressCommand, 3, {
      IpPermissions: [{ ...WEB_FROM_APP, IpRanges: [] }],
    });
  });

  it("still fails on any other error while retrying rule by rule", async () => {
    ec2Mock
      .on(AuthorizeSecurityGroupIngressCommand)
      .rejectsOnce(ec2Error("InvalidPermission.Duplicate"))
      .rejectsOnce(ec2Error("RulesPerSecurityGroupLimitExceeded"));
    await expect(sdkApi().authorizeIngress("sg-web", [WEB_FROM_APP])).rejects.toBeInstanceOf(
      AwsQuotaExceededError,
    );
  });

  it("treats InvalidPermission.NotFound on revoke as success", async () => {
    ec2Mock
      .on(RevokeSecurityGroupIngressCommand)
      .rejectsOnce(ec2Error("InvalidPermission.NotFound"))
      .rejectsOnce(ec2Error("InvalidPermission.NotFound"))
      .resolves({ Return: true });
    await expect(sdkApi().revokeIngress("sg-web", [WEB_FROM_APP])).resolves.toBeUndefined();
    expect(ec2Mock).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 3);
  });

  it("sends nothing for no permissions, no tags or no tag keys", async () => {
    const api = sdkApi();
    await api.authorizeIngress("sg-web", []);
    await api.revokeIngress("sg-web", []);
    await api.createTags(["sg-web"], []);
    // DeleteTags without tags would delete every tag of the resource.
    await api.deleteTags(["sg-web"], []);
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it("creates tags and deletes tags by key", async () => {
    ec2Mock.on(CreateTagsCommand).resolves({}).on(DeleteTagsCommand).resolves({});
    const api = sdkApi();
    await api.createTags(["eni-1", "eni-2"], [{ Key: "segsync:original-groups", Value: "sg-1 sg-2" }]);
    await api.deleteTags(["eni-1"], ["segsync:original-groups"]);
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, {
      Resources: ["eni-1", "eni-2"],
      Tags: [{ Key: "segsync:original-groups", Value: "sg-1 sg-2" }],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteTagsCommand, {
      Resources: ["eni-1"],
      Tags: [{ Key: "segsync:original-groups" }],
    });
  });

  it("replaces an ENI's groups, and refuses an empty list (EC2 needs at least one)", async () => {
    ec2Mock.on(ModifyNetworkInterfaceAttributeCommand).resolves({});
    const api = sdkApi();
    await api.modifyNetworkInterfaceGroups("eni-1", ["sg-1", "sg-2"]);
    await expect(api.modifyNetworkInterfaceGroups("eni-1", [])).rejects.toThrow(/at least one group/);
    expect(ec2Mock).toHaveReceivedCommandExactlyOnceWith(ModifyNetworkInterfaceAttributeCommand, {
      NetworkInterfaceId: "eni-1",
      Groups: ["sg-1", "sg-2"],
    });
  });
});

describe("clients", () => {
  it("configures the SDK's adaptive retry with 5 attempts by default, or as configured", async () => {
    const byDefault = sdkApi().client.config;
    expect(byDefault.retryMode).toBe("adaptive");
    expect(((await byDefault.retryStrategy()) as { mode?: string }).mode).toBe("adaptive");
    expect(await byDefault.maxAttempts()).toBe(5);
    expect(await sdkApi({ maxAttempts: 2 }).client.config.maxAttempts()).toBe(2);
  });

  it("points the client at the configured endpoint and region", async () => {
    const config = sdkApi({ endpoint: "http://127.0.0.1:5000" }).client.config;
    expect(await config.region()).toBe(LOCATION.region);
    expect(await config.endpoint?.()).toMatchObject({ hostname: "127.0.0.1", port: 5000, protocol: "http:" });
  });

  it("builds one client per (account, region) and reuses it", () => {
    const factory = sdkApiFactory({
      accounts: [{ account: ACCOUNT, regions: ["eu-west-1", "us-east-1"] }],
    });
    const first = factory(LOCATION);
    expect(factory({ ...LOCATION })).toBe(first);
    expect(factory({ account: ACCOUNT, region: "us-east-1" })).not.toBe(first);
  });

  it("refuses an account that is not configured", () => {
    expect(() => sdkApiFactory()({ account: "222222222222", region: "eu-west-1" })).toThrow(/not among/);
  });
});
