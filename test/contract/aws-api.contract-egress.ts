/** The AwsApi contract: authorizing and revoking egress rules (v2; aws-api.contract.ts). */
import { expect } from "vitest";
import { AwsNotFoundError, AwsQuotaExceededError } from "../../lib/clouds/aws/errors.js";
import type { ContractCases } from "./aws-api.contract.js";
import {
  cidrs,
  expectAwsFailure,
  groupOf,
  newGroup,
  permission,
  ruleLines,
  tcp,
  vpcRange,
} from "./aws-api.contract-support.js";

/** EC2's default rules-per-group quota, per direction (docs/clouds.md, "AWS security group quotas"). */
const RULES_PER_GROUP = 60;
const ALL_TRAFFIC_OUT = permission("-1", {}, { IpRanges: [{ CidrIp: "0.0.0.0/0" }] });

export function describeEgressCases({ world, account, contractCase }: ContractCases): void {
  contractCase(
    ["estate"],
    "egress rules are their own: EC2's allow-all revoked, rules to CIDRs and groups added, ingress untouched",
    async () => {
      const { api, newVpc } = world();
      const vpcId = await newVpc(vpcRange());
      const groupId = await newGroup(api, vpcId);
      const peerId = await newGroup(api, vpcId);

      await api.revokeEgress(groupId, [ALL_TRAFFIC_OUT]);
      await api.authorizeEgress(groupId, [
        tcp(5432, {
          IpRanges: [{ CidrIp: "10.2.0.7/32", Description: "segsync" }],
          UserIdGroupPairs: [{ GroupId: peerId, Description: "segsync" }],
        }),
      ]);

      const group = await groupOf(api, groupId);
      expect(group?.IpPermissions).toEqual([]);
      expect(ruleLines(group?.IpPermissionsEgress ?? [])).toEqual(
        ["tcp 5432-5432 10.2.0.7/32 segsync", `tcp 5432-5432 ${peerId} segsync`].sort(),
      );
      expect(
        group?.IpPermissionsEgress.flatMap((p) => p.UserIdGroupPairs.map((pair) => pair.UserId)),
      ).toEqual([account]);
    },
  );

  contractCase(
    ["estate"],
    "authorizing egress that exists and revoking egress that does not succeed; the allow-all comes back",
    async () => {
      const { api, newVpc } = world();
      const groupId = await newGroup(api, await newVpc(vpcRange()));
      const rule = tcp(443, { IpRanges: [{ CidrIp: "198.51.100.0/24", Description: "segsync" }] });

      await api.revokeEgress(groupId, [ALL_TRAFFIC_OUT]);
      await api.revokeEgress(groupId, [ALL_TRAFFIC_OUT]);
      await api.authorizeEgress(groupId, [rule]);
      await api.authorizeEgress(groupId, [rule]);
      expect(ruleLines((await groupOf(api, groupId))?.IpPermissionsEgress ?? [])).toEqual([
        "tcp 443-443 198.51.100.0/24 segsync",
      ]);

      await api.revokeEgress(groupId, [rule, rule]);
      await api.authorizeEgress(groupId, [ALL_TRAFFIC_OUT]);
      expect((await groupOf(api, groupId))?.IpPermissionsEgress).toEqual([ALL_TRAFFIC_OUT]);
    },
  );

  contractCase(["estate"], "egress rules of a group that does not exist are not found", async () => {
    const { api } = world();
    const rule = tcp(443, { IpRanges: [{ CidrIp: "203.0.113.0/24" }] });
    const absent = "sg-0000000000000dead";

    await expectAwsFailure(api.authorizeEgress(absent, [rule]), AwsNotFoundError, "InvalidGroup.NotFound");
    await expectAwsFailure(api.revokeEgress(absent, [rule]), AwsNotFoundError, "InvalidGroup.NotFound");
  });

  contractCase(
    ["estate", "ruleWeights"],
    "the 60-rule quota is per direction: a group holds 60 egress rules beside 60 ingress rules, not 61",
    async () => {
      const { api, newVpc } = world();
      const groupId = await newGroup(api, await newVpc(vpcRange()));
      await api.revokeEgress(groupId, [ALL_TRAFFIC_OUT]);
      await api.authorizeIngress(groupId, [tcp(443, { IpRanges: cidrs(RULES_PER_GROUP) })]);
      await api.authorizeEgress(groupId, [tcp(443, { IpRanges: cidrs(RULES_PER_GROUP) })]);

      await expectAwsFailure(
        api.authorizeEgress(groupId, [tcp(443, { IpRanges: cidrs(1, 100) })]),
        AwsQuotaExceededError,
        "RulesPerSecurityGroupLimitExceeded",
      );
      expect(ruleLines((await groupOf(api, groupId))?.IpPermissionsEgress ?? [])).toHaveLength(
        RULES_PER_GROUP,
      );
    },
  );

  contractCase(
    ["estate"],
    "security groups are selected by the groups their egress rules reference (egress.ip-permission.group-id)",
    async () => {
      const { api, newVpc } = world();
      const vpcId = await newVpc(vpcRange());
      const target = await newGroup(api, vpcId);
      const sender = await newGroup(api, vpcId);
      const receiver = await newGroup(api, vpcId);
      const toTarget = tcp(5432, { UserIdGroupPairs: [{ GroupId: target }] });
      await api.authorizeEgress(sender, [toTarget]);
      await api.authorizeIngress(receiver, [toTarget]);

      const found = await api.describeSecurityGroups([
        { Name: "egress.ip-permission.group-id", Values: [target] },
      ]);
      expect(found.map((group) => group.GroupId)).toEqual([sender]);
      await api.revokeEgress(sender, [toTarget]);
      expect(
        await api.describeSecurityGroups([{ Name: "egress.ip-permission.group-id", Values: [target] }]),
      ).toEqual([]);
    },
  );
}
