import {
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsApi } from "../../lib/clouds/aws/api.js";
import type { IpPermission, PrefixListEntry } from "../../lib/clouds/aws/model.js";
import { createSdkAwsApiFactory, SdkAwsApi } from "../../lib/clouds/aws/sdk/api.js";
import { type MotoServer, skipWithoutMoto, startMotoServer } from "../support/moto-server.js";

/** moto's default account; the credentials are dummies that moto accepts. */
const ACCOUNT = "123456789012";
const ROLE_ACCOUNT = "210987654321";
const REGION = "eu-west-1";
const CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };
const OWNED = { Key: "segsync:managed", Value: "true" };
/** Instances are launched one per reservation: moto pages DescribeInstances by reservation. */
const INSTANCE_COUNT = 7;
const PAGE_SIZE = 5;

function entries(count: number, secondOctet: number): PrefixListEntry[] {
  return Array.from({ length: count }, (_, index) => ({
    Cidr: `10.${secondOctet}.${Math.floor(index / 256)}.${index % 256}/32`,
    Description: "segsync",
  }));
}

function tcp(port: number, sources: Partial<IpPermission>): IpPermission {
  return {
    IpProtocol: "tcp",
    FromPort: port,
    ToPort: port,
    IpRanges: [],
    Ipv6Ranges: [],
    PrefixListIds: [],
    UserIdGroupPairs: [],
    ...sources,
  };
}

describe.skipIf(skipWithoutMoto("the AwsApi integration tests against moto"))(
  "SdkAwsApi against moto",
  () => {
    let moto: MotoServer | undefined;
    let api: AwsApi;
    let describeInstancesRequests = 0;
    let vpcId = "";
    const instanceIds: string[] = [];

    beforeAll(async () => {
      moto = await startMotoServer();
      const setup = new EC2Client({
        region: REGION,
        endpoint: moto.endpoint,
        credentials: CREDENTIALS,
        maxAttempts: 1,
      });
      const vpc = await setup.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
      vpcId = vpc.Vpc?.VpcId ?? "";
      const subnets = await Promise.all(
        ["10.0.1.0/24", "10.0.2.0/24"].map((cidr) =>
          setup.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr })),
        ),
      );
      const imageId = (await setup.send(new DescribeImagesCommand({}))).Images?.[0]?.ImageId;
      for (let index = 0; index < INSTANCE_COUNT; index += 1) {
        const launched = await setup.send(
          new RunInstancesCommand({
            ImageId: imageId,
            MinCount: 1,
            MaxCount: 1,
            SubnetId: subnets[index % 2]?.Subnet?.SubnetId,
            TagSpecifications: [
              { ResourceType: "instance", Tags: [{ Key: "app", Value: index < 5 ? "web" : "db" }] },
            ],
          }),
        );
        instanceIds.push(...(launched.Instances ?? []).map((instance) => instance.InstanceId ?? ""));
      }
      setup.destroy();

      const factory = createSdkAwsApiFactory({
        accounts: [{ account: ACCOUNT, regions: [REGION] }],
        endpoint: moto.endpoint,
        credentials: CREDENTIALS,
        maxAttempts: 1,
        pageSize: PAGE_SIZE,
        prefixListSettle: { pollIntervalMs: 10, timeoutMs: 2_000 },
      });
      api = factory({ account: ACCOUNT, region: REGION });
      if (!(api instanceof SdkAwsApi)) throw new Error("not an SdkAwsApi");
      api.client.middlewareStack.add(
        (next, context) => (args) => {
          if (context.commandName === "DescribeInstancesCommand") describeInstancesRequests += 1;
          return next(args);
        },
        { step: "initialize", name: "countDescribeInstances" },
      );
    });

    afterAll(async () => {
      await moto?.stop();
    });

    it("describes instances across pages, flattened from reservations, filtered by tag", async () => {
      const all = await api.describeInstances([{ Name: "vpc-id", Values: [vpcId] }]);
      expect(all.map((instance) => instance.InstanceId).sort()).toEqual([...instanceIds].sort());
      expect(describeInstancesRequests).toBe(Math.ceil(INSTANCE_COUNT / PAGE_SIZE));

      const web = await api.describeInstances([{ Name: "tag:app", Values: ["web"] }]);
      expect(web).toHaveLength(5);
      expect(web[0]).toMatchObject({
        State: { Name: "running" },
        VpcId: vpcId,
        Tags: [{ Key: "app", Value: "web" }],
      });
      expect(web[0]?.NetworkInterfaces[0]?.Groups[0]?.GroupName).toBe("default");
    });

    it("describes the instances' network interfaces", async () => {
      const enis = await api.describeNetworkInterfaces([{ Name: "vpc-id", Values: [vpcId] }]);
      expect(enis.map((eni) => eni.Attachment?.InstanceId).sort()).toEqual([...instanceIds].sort());
      expect(enis[0]).toMatchObject({ VpcId: vpcId, Status: "in-use", TagSet: [] });
    });

    it("creates, tags, finds and deletes security groups", async () => {
      const { groupId } = await api.createSecurityGroup({
        vpcId,
        groupName: "segsync-tagging",
        description: "segsync test",
        tags: [OWNED],
      });
      await api.createTags([groupId], [{ Key: "segsync:identity", Value: "app=web" }]);
      const [group] = await api.describeSecurityGroups([{ Name: "group-id", Values: [groupId] }]);
      expect(group).toMatchObject({
        GroupName: "segsync-tagging",
        VpcId: vpcId,
        OwnerId: ACCOUNT,
        IpPermissions: [],
      });
      expect(group?.Tags).toEqual(
        expect.arrayContaining([OWNED, { Key: "segsync:identity", Value: "app=web" }]),
      );

      await api.deleteTags([groupId], ["segsync:identity"]);
      const [untagged] = await api.describeSecurityGroups([
        { Name: "tag:segsync:managed", Values: ["true"] },
      ]);
      expect(untagged?.Tags).toEqual([OWNED]);

      await api.deleteSecurityGroup(groupId);
      await expect(api.describeSecurityGroups([{ Name: "group-id", Values: [groupId] }])).resolves.toEqual(
        [],
      );
      // Deleting it again succeeds: absence is the goal (the AwsApi contract).
      await expect(api.deleteSecurityGroup(groupId)).resolves.toBeUndefined();
    });

    it("authorizes and revokes ingress by CIDR, by group and by prefix list, idempotently", async () => {
      const tags = [OWNED];
      const web = await api.createSecurityGroup({
        vpcId,
        groupName: "segsync-web",
        description: "web",
        tags,
      });
      const app = await api.createSecurityGroup({
        vpcId,
        groupName: "segsync-app",
        description: "app",
        tags,
      });
      const list = await api.createManagedPrefixList({
        name: "segsync-partners",
        addressFamily: "IPv4",
        maxEntries: 10,
        entries: entries(2, 50),
        tags,
      });
      const rules = [
        tcp(443, { IpRanges: [{ CidrIp: "192.0.2.0/24", Description: "segsync" }] }),
        tcp(8443, { UserIdGroupPairs: [{ GroupId: app.groupId, Description: "segsync" }] }),
        tcp(5432, { PrefixListIds: [{ PrefixListId: list.prefixListId, Description: "segsync" }] }),
      ];

      await api.authorizeIngress(web.groupId, rules);
      await api.authorizeIngress(web.groupId, rules);
      const [authorized] = await api.describeSecurityGroups([{ Name: "group-id", Values: [web.groupId] }]);
      expect(authorized?.IpPermissions).toHaveLength(3);
      expect(authorized?.IpPermissions).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            FromPort: 443,
            IpRanges: [{ CidrIp: "192.0.2.0/24", Description: "segsync" }],
          }),
          expect.objectContaining({
            FromPort: 8443,
            UserIdGroupPairs: [expect.objectContaining({ GroupId: app.groupId, Description: "segsync" })],
          }),
          // moto reads a prefix-list reference back without its description.
          expect.objectContaining({
            FromPort: 5432,
            PrefixListIds: [expect.objectContaining({ PrefixListId: list.prefixListId })],
          }),
        ]),
      );

      // Revoked as read back (moto matches a group reference only with its description).
      await api.revokeIngress(web.groupId, authorized?.IpPermissions ?? []);
      await api.revokeIngress(web.groupId, authorized?.IpPermissions ?? []);
      const [revoked] = await api.describeSecurityGroups([{ Name: "group-id", Values: [web.groupId] }]);
      expect(revoked?.IpPermissions).toEqual([]);
    });

    it("adds the missing rules of a batch whose other rules already exist", async () => {
      const { groupId } = await api.createSecurityGroup({
        vpcId,
        groupName: "segsync-batch",
        description: "b",
        tags: [],
      });
      const existing = tcp(22, { IpRanges: [{ CidrIp: "198.51.100.0/24", Description: "segsync" }] });
      const added = tcp(22, { IpRanges: [{ CidrIp: "203.0.113.0/24", Description: "segsync" }] });
      await api.authorizeIngress(groupId, [existing]);

      await api.authorizeIngress(groupId, [tcp(22, { IpRanges: [...existing.IpRanges, ...added.IpRanges] })]);

      const [group] = await api.describeSecurityGroups([{ Name: "group-id", Values: [groupId] }]);
      const cidrs = group?.IpPermissions.flatMap((permission) =>
        permission.IpRanges.map((range) => range.CidrIp),
      );
      expect(cidrs?.sort()).toEqual(["198.51.100.0/24", "203.0.113.0/24"]);
    });

    it("replaces an ENI's groups", async () => {
      const tags = [OWNED];
      const first = await api.createSecurityGroup({
        vpcId,
        groupName: "segsync-eni-1",
        description: "1",
        tags,
      });
      const second = await api.createSecurityGroup({
        vpcId,
        groupName: "segsync-eni-2",
        description: "2",
        tags,
      });
      const [eni] = await api.describeNetworkInterfaces([
        { Name: "attachment.instance-id", Values: [instanceIds[0] ?? ""] },
      ]);

      await api.modifyNetworkInterfaceGroups(eni?.NetworkInterfaceId ?? "", [first.groupId, second.groupId]);

      const [after] = await api.describeNetworkInterfaces([
        { Name: "network-interface-id", Values: [eni?.NetworkInterfaceId ?? ""] },
      ]);
      expect(after?.Groups.map((group) => group.GroupId).sort()).toEqual(
        [first.groupId, second.groupId].sort(),
      );
      const [instance] = await api.describeInstances([
        { Name: "instance-id", Values: [instanceIds[0] ?? ""] },
      ]);
      expect(instance?.NetworkInterfaces[0]?.Groups.map((group) => group.GroupName).sort()).toEqual([
        "segsync-eni-1",
        "segsync-eni-2",
      ]);
    });

    it("creates, modifies in chunks, reads and deletes a managed prefix list", async () => {
      const initial = entries(150, 60);
      const created = await api.createManagedPrefixList({
        name: "segsync-big",
        addressFamily: "IPv4",
        maxEntries: 400,
        entries: initial,
        tags: [OWNED],
      });
      // 100 entries at creation, the other 50 in one modification.
      expect(created.version).toBe(2);
      await expect(api.getManagedPrefixListEntries(created.prefixListId)).resolves.toHaveLength(150);

      const removed = initial.slice(0, 10).map((entry) => entry.Cidr);
      const modified = await api.modifyManagedPrefixList({
        prefixListId: created.prefixListId,
        currentVersion: created.version,
        addEntries: entries(120, 61),
        removeCidrs: removed,
      });
      expect(modified.version).toBe(created.version + 2);
      const current = await api.getManagedPrefixListEntries(created.prefixListId);
      expect(current).toHaveLength(260);
      expect(current.map((entry) => entry.Cidr)).not.toContain(removed[0]);

      const [summary] = await api.describeManagedPrefixLists([
        { Name: "prefix-list-id", Values: [created.prefixListId] },
      ]);
      expect(summary).toMatchObject({
        AddressFamily: "IPv4",
        MaxEntries: 400,
        Version: modified.version,
        Tags: [OWNED],
      });
      expect(summary).not.toHaveProperty("Entries");

      await api.deleteManagedPrefixList(created.prefixListId);
      const [deleted] = await api.describeManagedPrefixLists([
        { Name: "prefix-list-id", Values: [created.prefixListId] },
      ]);
      expect(deleted?.State ?? "delete-complete").toBe("delete-complete");
    });

    it("reaches the role's account through STS AssumeRole", async () => {
      const factory = createSdkAwsApiFactory({
        accounts: [
          { account: ROLE_ACCOUNT, regions: [REGION], roleArn: `arn:aws:iam::${ROLE_ACCOUNT}:role/segsync` },
        ],
        endpoint: moto?.endpoint,
        credentials: CREDENTIALS,
        maxAttempts: 1,
      });
      const assumed = factory({ account: ROLE_ACCOUNT, region: REGION });
      // moto keeps one estate per account: the role's account has only its default VPC's group.
      const groups = await assumed.describeSecurityGroups([{ Name: "group-name", Values: ["default"] }]);
      expect(groups.map((group) => group.OwnerId)).toEqual([ROLE_ACCOUNT]);
    });
  },
);
