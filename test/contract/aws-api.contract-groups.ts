/** The AwsApi contract: creating and deleting security groups (aws-api.contract.ts). */
import { expect } from "vitest";
import {
  AwsDependencyViolationError,
  AwsInvalidRequestError,
  AwsNotFoundError,
} from "../../lib/clouds/aws/errors.js";
import type { ContractCases } from "./aws-api.contract.js";
import {
  expectAwsFailure,
  groupOf,
  newGroup,
  OWNED,
  permission,
  tcp,
  uniqueName,
  vpcRange,
} from "./aws-api.contract-support.js";

const ALL_TRAFFIC_OUT = permission("-1", {}, { IpRanges: [{ CidrIp: "0.0.0.0/0" }] });

export function describeSecurityGroupCases({ world, account, contractCase }: ContractCases): void {
  contractCase(
    ["estate"],
    "a new group has its name, description, tags, no ingress and EC2's allow-all egress",
    async () => {
      const { api, newVpc } = world();
      const vpcId = await newVpc(vpcRange());
      const name = uniqueName("segsync-web");
      const { groupId } = await api.createSecurityGroup({
        vpcId,
        groupName: name,
        description: "segsync: app=web",
        tags: [OWNED],
      });

      expect(groupId).toMatch(/^sg-[0-9a-f]+$/);
      expect(await groupOf(api, groupId)).toEqual({
        GroupId: groupId,
        GroupName: name,
        Description: "segsync: app=web",
        VpcId: vpcId,
        OwnerId: account,
        IpPermissions: [],
        IpPermissionsEgress: [ALL_TRAFFIC_OUT],
        Tags: [OWNED],
      });
    },
  );

  contractCase(
    ["estate", "defaultGroups"],
    "a VPC's default group admits all traffic from itself and sends all traffic out",
    async () => {
      const { api, newVpc } = world();
      const vpcId = await newVpc(vpcRange());
      const [group] = await api.describeSecurityGroups([
        { Name: "vpc-id", Values: [vpcId] },
        { Name: "group-name", Values: ["default"] },
      ]);

      expect(group?.IpPermissions).toEqual([
        permission("-1", {}, { UserIdGroupPairs: [{ GroupId: group?.GroupId ?? "", UserId: account }] }),
      ]);
      expect(group?.IpPermissionsEgress).toEqual([ALL_TRAFFIC_OUT]);
    },
  );

  contractCase(["estate"], "group names are unique per VPC: a second one is an invalid request", async () => {
    const { api, newVpc } = world();
    const vpcId = await newVpc(vpcRange());
    const otherVpcId = await newVpc(vpcRange());
    const input = { vpcId, groupName: uniqueName("segsync-dup"), description: "d", tags: [] };
    await api.createSecurityGroup(input);

    await expectAwsFailure(api.createSecurityGroup(input), AwsInvalidRequestError, "InvalidGroup.Duplicate");
    await expect(api.createSecurityGroup({ ...input, vpcId: otherVpcId })).resolves.toMatchObject({
      groupId: expect.stringMatching(/^sg-/),
    });
  });

  contractCase(
    ["estate", "unknownReferences"],
    "a group in a VPC that does not exist is not found",
    async () => {
      const { api } = world();
      await expectAwsFailure(
        api.createSecurityGroup({
          vpcId: "vpc-0fffffffffffffff0",
          groupName: "x",
          description: "x",
          tags: [],
        }),
        AwsNotFoundError,
        "InvalidVpcID.NotFound",
      );
    },
  );

  contractCase(
    ["estate"],
    "deleting a group twice, or one that never was, succeeds: absence is the goal",
    async () => {
      const { api, newVpc } = world();
      const groupId = await newGroup(api, await newVpc(vpcRange()));

      await api.deleteSecurityGroup(groupId);
      expect(await groupOf(api, groupId)).toBeUndefined();
      await expect(api.deleteSecurityGroup(groupId)).resolves.toBeUndefined();
      await expect(api.deleteSecurityGroup("sg-0000000000000dead")).resolves.toBeUndefined();
    },
  );

  contractCase(
    ["estate", "dependencies"],
    "a group an interface carries cannot be deleted: DependencyViolation",
    async () => {
      const { api, newVpc, launch } = world();
      const vpcId = await newVpc(vpcRange());
      const groupId = await newGroup(api, vpcId);
      const { networkInterfaceId } = await launch(vpcId, {});
      await api.modifyNetworkInterfaceGroups(networkInterfaceId, [groupId]);

      await expectAwsFailure(
        api.deleteSecurityGroup(groupId),
        AwsDependencyViolationError,
        "DependencyViolation",
      );
      expect(await groupOf(api, groupId)).toBeDefined();
    },
  );

  contractCase(
    ["estate", "dependencies"],
    "a group another group's rule references cannot be deleted; its own reference does not hold it",
    async () => {
      const { api, newVpc } = world();
      const vpcId = await newVpc(vpcRange());
      const target = await newGroup(api, vpcId);
      const referrer = await newGroup(api, vpcId);
      const fromTarget = tcp(443, { UserIdGroupPairs: [{ GroupId: target }] });
      await api.authorizeIngress(target, [fromTarget]);
      await api.authorizeIngress(referrer, [fromTarget]);

      await expectAwsFailure(
        api.deleteSecurityGroup(target),
        AwsDependencyViolationError,
        "DependencyViolation",
      );
      await api.revokeIngress(referrer, [fromTarget]);
      await api.deleteSecurityGroup(target);
      expect(await groupOf(api, target)).toBeUndefined();
    },
  );

  contractCase(
    ["estate", "defaultGroups"],
    "a VPC's default group cannot be deleted: an invalid request",
    async () => {
      const { api, newVpc } = world();
      const vpcId = await newVpc(vpcRange());
      const [group] = await api.describeSecurityGroups([
        { Name: "vpc-id", Values: [vpcId] },
        { Name: "group-name", Values: ["default"] },
      ]);

      await expectAwsFailure(
        api.deleteSecurityGroup(group?.GroupId ?? ""),
        AwsInvalidRequestError,
        "CannotDelete",
      );
    },
  );
}
