/** The AwsApi contract: describe calls, their filters and paging (aws-api.contract.ts). */
import { expect } from "vitest";
import { AwsInvalidRequestError } from "../../lib/clouds/aws/errors.js";
import type { ContractCases } from "./aws-api.contract.js";
import { expectAwsFailure, newGroup, OWNED, uniqueName, vpcRange } from "./aws-api.contract-support.js";

/** More than one page of the SDK adapter's describe calls in aws-api.test.ts (pageSize 5). */
const MORE_THAN_A_PAGE = 7;

export function describeReadCases({ world, account, contractCase }: ContractCases): void {
  contractCase(
    [],
    "every describe call refuses to run without a filter (docs/clouds.md, AWS API throttling)",
    async () => {
      const { api } = world();
      for (const call of [
        () => api.describeInstances([]),
        () => api.describeNetworkInterfaces([]),
        () => api.describeSecurityGroups([]),
        () => api.describeManagedPrefixLists([]),
        () => api.describeVpcs([]),
      ]) {
        await expectAwsFailure(call(), AwsInvalidRequestError, "MissingParameter", { fromEc2: false });
      }
    },
  );

  contractCase(
    ["estate"],
    "an instance launched without a group: running, in its VPC, on the VPC's default group",
    async () => {
      const { api, newVpc, launch } = world();
      const vpcId = await newVpc(vpcRange());
      const launched = await launch(vpcId, { "seg-app": "shop" });

      const [instance] = await api.describeInstances([
        { Name: "instance-id", Values: [launched.instanceId] },
      ]);

      expect(instance).toMatchObject({
        InstanceId: launched.instanceId,
        State: { Name: "running" },
        VpcId: vpcId,
        Tags: [{ Key: "seg-app", Value: "shop" }],
      });
      expect(instance?.PrivateIpAddress).toMatch(/^10\./);
      expect(instance?.NetworkInterfaces).toEqual([
        expect.objectContaining({
          NetworkInterfaceId: launched.networkInterfaceId,
          VpcId: vpcId,
          PrivateIpAddress: instance?.PrivateIpAddress,
          Attachment: { DeviceIndex: 0 },
          Groups: [{ GroupId: expect.stringMatching(/^sg-/), GroupName: "default" }],
        }),
      ]);
    },
  );

  contractCase(
    ["estate"],
    "instances are selected by tag key (case-sensitive) and state, filters ANDed, values ORed",
    async () => {
      const { api, newVpc, launch } = world();
      const vpcId = await newVpc(vpcRange());
      const key = uniqueName("seg-app");
      const tagged = await launch(vpcId, { [key]: "shop" });
      await launch(vpcId, { [key.toUpperCase()]: "shop" });
      const ids = async (filters: Parameters<typeof api.describeInstances>[0]) =>
        (await api.describeInstances(filters)).map((instance) => instance.InstanceId);

      expect(await ids([{ Name: "tag-key", Values: [key] }])).toEqual([tagged.instanceId]);
      expect(
        await ids([
          { Name: "tag-key", Values: [key, "absent-key"] },
          { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] },
        ]),
      ).toEqual([tagged.instanceId]);
      expect(
        await ids([
          { Name: "tag-key", Values: [key] },
          { Name: "instance-state-name", Values: ["stopped"] },
        ]),
      ).toEqual([]);
    },
  );

  contractCase(
    ["estate"],
    "network interfaces are selected by id, attachment, group and tag key; in use, owned by the account",
    async () => {
      const { api, newVpc, launch } = world();
      const vpcId = await newVpc(vpcRange());
      const launched = await launch(vpcId, {});
      const [eni] = await api.describeNetworkInterfaces([
        { Name: "attachment.instance-id", Values: [launched.instanceId] },
      ]);
      expect(eni).toMatchObject({
        NetworkInterfaceId: launched.networkInterfaceId,
        VpcId: vpcId,
        OwnerId: account,
        Status: "in-use",
        Attachment: { InstanceId: launched.instanceId, DeviceIndex: 0 },
        TagSet: [],
      });
      const defaultGroup = eni?.Groups[0]?.GroupId ?? "";
      const byGroup = await api.describeNetworkInterfaces([{ Name: "group-id", Values: [defaultGroup] }]);
      expect(byGroup.map((found) => found.NetworkInterfaceId)).toEqual([launched.networkInterfaceId]);
      const key = uniqueName("segsync:original-groups");
      await api.createTags([launched.networkInterfaceId], [{ Key: key, Value: defaultGroup }]);
      const byTag = await api.describeNetworkInterfaces([{ Name: "tag-key", Values: [key] }]);
      expect(byTag.map((found) => [found.NetworkInterfaceId, found.TagSet])).toEqual([
        [launched.networkInterfaceId, [{ Key: key, Value: defaultGroup }]],
      ]);
    },
  );

  contractCase(
    ["estate"],
    "security groups are selected by id, by tag:<key>=<value>, and by VPC and name",
    async () => {
      const { api, newVpc } = world();
      const vpcId = await newVpc(vpcRange());
      const groupId = await newGroup(api, vpcId);
      const ids = async (filters: Parameters<typeof api.describeSecurityGroups>[0]) =>
        (await api.describeSecurityGroups(filters)).map((group) => group.GroupId);

      expect(await ids([{ Name: "group-id", Values: [groupId, "sg-0000000000000dead"] }])).toEqual([groupId]);
      expect(await ids([{ Name: `tag:${OWNED.Key}`, Values: [OWNED.Value] }])).toContain(groupId);
      expect(await ids([{ Name: `tag:${OWNED.Key}`, Values: ["false"] }])).not.toContain(groupId);
      const defaults = await api.describeSecurityGroups([
        { Name: "vpc-id", Values: [vpcId] },
        { Name: "group-name", Values: ["default"] },
      ]);
      expect(defaults.map((group) => [group.GroupName, group.VpcId, group.OwnerId])).toEqual([
        ["default", vpcId, account],
      ]);
    },
  );

  contractCase(
    ["estate"],
    "a describe returns every match, however many pages the cloud splits it into",
    async () => {
      const { api, newVpc, launch } = world();
      const vpcId = await newVpc(vpcRange());
      const key = uniqueName("seg-page");
      const groups: string[] = [];
      const instances: string[] = [];
      for (let index = 0; index < MORE_THAN_A_PAGE; index += 1) {
        const groupId = await newGroup(api, vpcId);
        await api.createTags([groupId], [{ Key: key, Value: "yes" }]);
        groups.push(groupId);
        instances.push((await launch(vpcId, { [key]: "yes" })).instanceId);
      }

      const foundGroups = await api.describeSecurityGroups([{ Name: `tag:${key}`, Values: ["yes"] }]);
      const foundInstances = await api.describeInstances([{ Name: "tag-key", Values: [key] }]);
      const foundEnis = await api.describeNetworkInterfaces([{ Name: "vpc-id", Values: [vpcId] }]);

      expect(foundGroups.map((group) => group.GroupId).sort()).toEqual(groups.sort());
      expect(foundInstances.map((instance) => instance.InstanceId).sort()).toEqual(instances.sort());
      expect(foundEnis).toHaveLength(MORE_THAN_A_PAGE);
    },
  );

  contractCase(["estate"], "a VPC is described with its IPv4 range", async () => {
    const { api, newVpc } = world();
    const range = vpcRange();
    const vpcId = await newVpc(range);

    expect(await api.describeVpcs([{ Name: "vpc-id", Values: [vpcId] }])).toEqual([
      { VpcId: vpcId, CidrBlock: range },
    ]);
  });
}
