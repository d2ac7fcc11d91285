/** The AwsApi contract: authorizing and revoking ingress rules (aws-api.contract.ts). */
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
  uniqueName,
  vpcRange,
} from "./aws-api.contract-support.js";

/** EC2's default rules-per-group quota (docs/clouds.md, "AWS security group quotas"). */
const RULES_PER_GROUP = 60;

export function describeRuleCases({ world, account, contractCase }: ContractCases): void {
  contractCase(
    ["estate"],
    "rules from CIDRs, groups and prefix lists are described grouped by protocol and ports",
    async () => {
      const { api, newVpc } = world();
      const vpcId = await newVpc(vpcRange());
      const groupId = await newGroup(api, vpcId);
      const peerId = await newGroup(api, vpcId);
      const { prefixListId } = await api.createManagedPrefixList({
        name: uniqueName("segsync-peers"),
        addressFamily: "IPv4",
        maxEntries: 5,
        entries: [{ Cidr: "192.0.2.0/24" }],
        tags: [],
      });
      await api.authorizeIngress(groupId, [
        tcp(5432, {
          IpRanges: [{ CidrIp: "10.2.0.7/32", Description: "segsync" }, { CidrIp: "10.2.0.5/32" }],
          Ipv6Ranges: [{ CidrIpv6: "2001:db8::/64", Description: "segsync" }],
          UserIdGroupPairs: [{ GroupId: peerId, Description: "segsync" }],
        }),
        tcp(443, { PrefixListIds: [{ PrefixListId: prefixListId }] }),
        permission("icmp", { from: -1, to: -1 }, { IpRanges: [{ CidrIp: "10.0.0.0/8" }] }),
        permission("-1", {}, { IpRanges: [{ CidrIp: "10.9.0.0/16" }] }),
      ]);

      const ingress = (await groupOf(api, groupId))?.IpPermissions ?? [];

      expect(ingress.map((p) => [p.IpProtocol, p.FromPort, p.ToPort]).sort()).toEqual(
        [
          ["-1", undefined, undefined],
          ["icmp", -1, -1],
          ["tcp", 443, 443],
          ["tcp", 5432, 5432],
        ].sort(),
      );
      const postgres = ingress.find((p) => p.FromPort === 5432);
      expect(postgres?.UserIdGroupPairs).toEqual([
        { GroupId: peerId, UserId: account, Description: "segsync" },
      ]);
      expect(ruleLines(ingress)).toEqual(
        [
          "-1 - 10.9.0.0/16",
          "icmp -1--1 10.0.0.0/8",
          `tcp 443-443 ${prefixListId}`,
          "tcp 5432-5432 10.2.0.5/32",
          "tcp 5432-5432 10.2.0.7/32 segsync",
          "tcp 5432-5432 2001:db8::/64 segsync",
          `tcp 5432-5432 ${peerId} segsync`,
        ].sort(),
      );
    },
  );

  contractCase(
    ["estate"],
    "authorizing what exists and revoking what does not succeed: the calls are idempotent",
    async () => {
      const { api, newVpc } = world();
      const groupId = await newGroup(api, await newVpc(vpcRange()));
      const existing = tcp(22, { IpRanges: [{ CidrIp: "198.51.100.0/24", Description: "segsync" }] });
      const added = tcp(22, { IpRanges: [{ CidrIp: "203.0.113.0/24", Description: "segsync" }] });

      await api.authorizeIngress(groupId, [existing]);
      await api.authorizeIngress(groupId, [existing]);
      // A batch whose other rules exist still adds the missing one.
      await api.authorizeIngress(groupId, [existing, added]);
      expect(ruleLines((await groupOf(api, groupId))?.IpPermissions ?? [])).toEqual([
        "tcp 22-22 198.51.100.0/24 segsync",
        "tcp 22-22 203.0.113.0/24 segsync",
      ]);

      await api.revokeIngress(groupId, [existing]);
      await api.revokeIngress(groupId, [existing]);
      await api.revokeIngress(groupId, [existing, added]);
      expect((await groupOf(api, groupId))?.IpPermissions).toEqual([]);
    },
  );

  contractCase(["estate"], "rules read back can be revoked as read, group references included", async () => {
    const { api, newVpc } = world();
    const vpcId = await newVpc(vpcRange());
    const groupId = await newGroup(api, vpcId);
    const peerId = await newGroup(api, vpcId);
    await api.authorizeIngress(groupId, [
      tcp(8443, { UserIdGroupPairs: [{ GroupId: peerId, Description: "segsync" }], IpRanges: cidrs(2) }),
    ]);

    await api.revokeIngress(groupId, (await groupOf(api, groupId))?.IpPermissions ?? []);

    expect((await groupOf(api, groupId))?.IpPermissions).toEqual([]);
  });

  contractCase(["estate"], "rules of a group that does not exist, or naming one, are not found", async () => {
    const { api, newVpc } = world();
    const groupId = await newGroup(api, await newVpc(vpcRange()));
    const rule = tcp(443, { IpRanges: [{ CidrIp: "203.0.113.0/24" }] });
    const absent = "sg-0000000000000dead";

    await expectAwsFailure(api.authorizeIngress(absent, [rule]), AwsNotFoundError, "InvalidGroup.NotFound");
    await expectAwsFailure(api.revokeIngress(absent, [rule]), AwsNotFoundError, "InvalidGroup.NotFound");
    await expectAwsFailure(
      api.authorizeIngress(groupId, [tcp(1, { UserIdGroupPairs: [{ GroupId: absent }] })]),
      AwsNotFoundError,
      "InvalidGroup.NotFound",
    );
  });

  contractCase(
    ["estate", "unknownReferences"],
    "a rule naming a prefix list that does not exist is not found",
    async () => {
      const { api, newVpc } = world();
      const groupId = await newGroup(api, await newVpc(vpcRange()));
      await expectAwsFailure(
        api.authorizeIngress(groupId, [
          tcp(1, { PrefixListIds: [{ PrefixListId: "pl-0000000000000dead" }] }),
        ]),
        AwsNotFoundError,
        "InvalidPrefixListID.NotFound",
      );
    },
  );

  contractCase(
    ["estate"],
    "a group holds 60 rules; a batch that would pass that fails as a quota and adds nothing",
    async () => {
      const { api, newVpc } = world();
      const groupId = await newGroup(api, await newVpc(vpcRange()));
      await api.authorizeIngress(groupId, [tcp(443, { IpRanges: cidrs(RULES_PER_GROUP - 1) })]);

      await expectAwsFailure(
        api.authorizeIngress(groupId, [tcp(443, { IpRanges: cidrs(2, 100) })]),
        AwsQuotaExceededError,
        "RulesPerSecurityGroupLimitExceeded",
      );
      expect(ruleLines((await groupOf(api, groupId))?.IpPermissions ?? [])).toHaveLength(RULES_PER_GROUP - 1);
      await api.authorizeIngress(groupId, [tcp(443, { IpRanges: cidrs(1, 100) })]);
      expect(ruleLines((await groupOf(api, groupId))?.IpPermissions ?? [])).toHaveLength(RULES_PER_GROUP);
    },
  );

  contractCase(
    ["estate"],
    "a rule is the same rule whatever its description: authorizing it again adds nothing",
    async () => {
      const { api, newVpc } = world();
      const groupId = await newGroup(api, await newVpc(vpcRange()));
      await api.authorizeIngress(groupId, [
        tcp(443, { IpRanges: [{ CidrIp: "203.0.113.0/24", Description: "first" }] }),
      ]);

      await api.authorizeIngress(groupId, [
        tcp(443, { IpRanges: [{ CidrIp: "203.0.113.0/24", Description: "second" }] }),
      ]);

      expect(ruleLines((await groupOf(api, groupId))?.IpPermissions ?? [])).toEqual([
        "tcp 443-443 203.0.113.0/24 first",
      ]);
    },
  );

  contractCase(
    ["estate", "ruleWeights"],
    "a prefix-list reference costs the list's MaxEntries, not its entries",
    async () => {
      const { api, newVpc } = world();
      const groupId = await newGroup(api, await newVpc(vpcRange()));
      const { prefixListId } = await api.createManagedPrefixList({
        name: uniqueName("segsync-weight"),
        addressFamily: "IPv4",
        maxEntries: 20,
        entries: [{ Cidr: "198.51.100.0/24" }],
        tags: [],
      });
      await api.authorizeIngress(groupId, [tcp(443, { IpRanges: cidrs(RULES_PER_GROUP - 20) })]);
      await api.authorizeIngress(groupId, [tcp(443, { PrefixListIds: [{ PrefixListId: prefixListId }] })]);

      await expectAwsFailure(
        api.authorizeIngress(groupId, [tcp(80, { IpRanges: cidrs(1, 100) })]),
        AwsQuotaExceededError,
        "RulesPerSecurityGroupLimitExceeded",
      );
    },
  );

  contractCase(
    ["estate", "ruleWeights"],
    "IPv4 and IPv6 rules are counted apart, and a group reference in both",
    async () => {
      const { api, newVpc } = world();
      const vpcId = await newVpc(vpcRange());
      const groupId = await newGroup(api, vpcId);
      const peerId = await newGroup(api, vpcId);
      const v6 = Array.from({ length: RULES_PER_GROUP }, (_, index) => ({
        CidrIpv6: `2001:db8:${index}::/48`,
      }));
      await api.authorizeIngress(groupId, [
        tcp(443, { IpRanges: cidrs(RULES_PER_GROUP - 1), Ipv6Ranges: v6.slice(1) }),
      ]);
      await api.authorizeIngress(groupId, [tcp(22, { UserIdGroupPairs: [{ GroupId: peerId }] })]);

      await expectAwsFailure(
        api.authorizeIngress(groupId, [tcp(23, { Ipv6Ranges: v6.slice(0, 1) })]),
        AwsQuotaExceededError,
        "RulesPerSecurityGroupLimitExceeded",
      );
    },
  );
}
