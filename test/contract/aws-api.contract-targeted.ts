/**
 * The AwsApi contract: the targeted reads of a change read alone (lib/clouds/aws/discover-change.ts,
 * docs/architecture.md "Targeted reads (AWS)"): groups by name in any VPC, groups by the groups and
 * prefix lists their rules reference, prefix lists by name. The simulator answers each from an
 * index (sim/clouds/aws/api.ts); both implementations must answer the same.
 */
import { expect } from "vitest";
import type { AwsApi } from "../../lib/clouds/aws/api.js";
import type { ContractCases } from "./aws-api.contract.js";
import { OWNED, tcp, uniqueName, vpcRange } from "./aws-api.contract-support.js";

async function named(api: AwsApi, vpcId: string, groupName: string): Promise<string> {
  const { groupId } = await api.createSecurityGroup({
    vpcId,
    groupName,
    description: groupName,
    tags: [OWNED],
  });
  return groupId;
}

export function describeTargetedReadCases({ world, account, contractCase }: ContractCases): void {
  contractCase(
    ["estate"],
    "security groups are selected by name alone, in every VPC that has one",
    async () => {
      const { api, newVpc } = world();
      const [a, b] = [await newVpc(vpcRange()), await newVpc(vpcRange())];
      const name = uniqueName("segsync-byname");
      const inA = await named(api, a, name);
      const inB = await named(api, b, name);
      await named(api, a, uniqueName("segsync-other"));
      const ids = async (filters: Parameters<AwsApi["describeSecurityGroups"]>[0]) =>
        (await api.describeSecurityGroups(filters)).map((group) => group.GroupId).sort();

      expect(await ids([{ Name: "group-name", Values: [name, uniqueName("segsync-absent")] }])).toEqual(
        [inA, inB].sort(),
      );
      expect(
        await ids([
          { Name: "group-name", Values: [name] },
          { Name: "vpc-id", Values: [b] },
        ]),
      ).toEqual([inB]);
    },
  );

  contractCase(
    ["estate"],
    "security groups are selected by the groups their ingress rules reference, as the rules are now",
    async () => {
      const { api, newVpc } = world();
      const vpcId = await newVpc(vpcRange());
      const source = await named(api, vpcId, uniqueName("segsync-source"));
      const referring = await named(api, vpcId, uniqueName("segsync-referring"));
      await named(api, vpcId, uniqueName("segsync-bystander"));
      const rule = tcp(443, { UserIdGroupPairs: [{ GroupId: source }] });
      await api.authorizeIngress(referring, [rule]);
      const ids = async () =>
        (await api.describeSecurityGroups([{ Name: "ip-permission.group-id", Values: [source] }])).map(
          (group) => group.GroupId,
        );

      expect(await ids()).toEqual([referring]);
      await api.revokeIngress(referring, [rule]);
      expect(await ids()).toEqual([]);
    },
  );

  contractCase(
    ["estate", "listReferenceFilter"],
    "security groups are selected by the prefix lists their ingress rules reference",
    async () => {
      const { api, newVpc } = world();
      const vpcId = await newVpc(vpcRange());
      const referring = await named(api, vpcId, uniqueName("segsync-referring"));
      await named(api, vpcId, uniqueName("segsync-bystander"));
      const { prefixListId } = await api.createManagedPrefixList({
        name: uniqueName("segsync-list"),
        addressFamily: "IPv4",
        maxEntries: 5,
        entries: [{ Cidr: "192.0.2.0/24" }],
        tags: [OWNED],
      });
      await api.authorizeIngress(referring, [tcp(80, { PrefixListIds: [{ PrefixListId: prefixListId }] })]);
      const found = await api.describeSecurityGroups([
        { Name: "ip-permission.prefix-list-id", Values: [prefixListId] },
      ]);

      expect(found.map((group) => group.GroupId)).toEqual([referring]);
    },
  );

  contractCase(["estate"], "prefix lists are selected by name and owner", async () => {
    const { api } = world();
    const name = uniqueName("segsync-named");
    const { prefixListId } = await api.createManagedPrefixList({
      name,
      addressFamily: "IPv4",
      maxEntries: 5,
      entries: [],
      tags: [OWNED],
    });
    const found = await api.describeManagedPrefixLists([
      { Name: "prefix-list-name", Values: [name, uniqueName("segsync-absent")] },
      { Name: "owner-id", Values: [account] },
    ]);

    expect(found.map((list) => [list.PrefixListId, list.PrefixListName])).toEqual([[prefixListId, name]]);
  });
}
