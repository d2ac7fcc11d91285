import {
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsApi } from "../../lib/clouds/aws/api.js";
import type { PrefixListEntry } from "../../lib/clouds/aws/model.js";
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

/**
 * What only the SDK adapter does, against moto: how many pages it asks for, how many calls a long
 * prefix-list change takes, and STS AssumeRole. The port's contract runs against moto in
 * test/contract/aws-api.test.ts.
 */
describe.skipIf(skipWithoutMoto("the AwsApi integration tests against moto"))(
  "SdkAwsApi against moto",
  () => {
    let moto: MotoServer | undefined;
    let api: AwsApi;
    let describeInstancesRequests = 0;
    let vpcId = "";
    const instanceIds: string[] = [];

    // Starts moto_server and launches 7 instances: slow on a busy machine.
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
    }, 60_000);

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
