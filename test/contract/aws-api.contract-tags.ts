/** The AwsApi contract: an interface's groups, and tags (aws-api.contract.ts). */
import { expect } from "vitest";
import {
  AwsInvalidRequestError,
  AwsNotFoundError,
  AwsQuotaExceededError,
} from "../../lib/clouds/aws/errors.js";
import type { ContractCases } from "./aws-api.contract.js";
import {
  expectAwsFailure,
  groupOf,
  interfaceOf,
  newGroup,
  OWNED,
  uniqueName,
  vpcRange,
} from "./aws-api.contract-support.js";

/** EC2's default security groups per interface (docs/clouds.md, "AWS security group quotas"). */
const GROUPS_PER_INTERFACE = 5;
/** User tags per resource (docs/clouds.md, "AWS tags"). */
const TAGS_PER_RESOURCE = 50;

export function describeInterfaceAndTagCases({ world, contractCase }: ContractCases): void {
  contractCase(
    ["estate"],
    "an interface's groups are replaced as a whole list, and its instance shows them",
    async () => {
      const { api, newVpc, launch } = world();
      const vpcId = await newVpc(vpcRange());
      const first = await newGroup(api, vpcId, "segsync-eni-a");
      const second = await newGroup(api, vpcId, "segsync-eni-b");
      const { instanceId, networkInterfaceId } = await launch(vpcId, {});

      await api.modifyNetworkInterfaceGroups(networkInterfaceId, [first, second]);
      expect((await interfaceOf(api, networkInterfaceId))?.Groups.map((g) => g.GroupId).sort()).toEqual(
        [first, second].sort(),
      );
      await api.modifyNetworkInterfaceGroups(networkInterfaceId, [second]);

      const [instance] = await api.describeInstances([{ Name: "instance-id", Values: [instanceId] }]);
      const groups = instance?.NetworkInterfaces[0]?.Groups ?? [];
      expect(groups.map((group) => group.GroupId)).toEqual([second]);
      expect(groups[0]?.GroupName).toMatch(/^segsync-eni-b-/);
    },
  );

  contractCase(
    [],
    "an interface cannot be left without a group: the call is refused before EC2",
    async () => {
      const { api } = world();
      await expectAwsFailure(
        api.modifyNetworkInterfaceGroups("eni-0000000000000dead", []),
        AwsInvalidRequestError,
        "InvalidParameterValue",
        { fromEc2: false },
      );
    },
  );

  contractCase(["estate", "unknownReferences"], "an interface's groups must exist", async () => {
    const { api, newVpc, launch } = world();
    const { networkInterfaceId } = await launch(await newVpc(vpcRange()), {});

    await expectAwsFailure(
      api.modifyNetworkInterfaceGroups(networkInterfaceId, ["sg-0000000000000dead"]),
      AwsNotFoundError,
      "InvalidGroup.NotFound",
    );
  });

  contractCase(["estate"], "the groups of an interface that does not exist are not found", async () => {
    const { api, newVpc } = world();
    const groupId = await newGroup(api, await newVpc(vpcRange()));
    await expectAwsFailure(
      api.modifyNetworkInterfaceGroups("eni-0000000000000dead", [groupId]),
      AwsNotFoundError,
      "InvalidNetworkInterfaceID.NotFound",
    );
  });

  contractCase(
    ["estate", "interfaceQuota"],
    "an interface carries at most 5 groups: a sixth is a quota, and nothing changes",
    async () => {
      const { api, newVpc, launch } = world();
      const vpcId = await newVpc(vpcRange());
      const groups: string[] = [];
      for (let index = 0; index <= GROUPS_PER_INTERFACE; index += 1) groups.push(await newGroup(api, vpcId));
      const { networkInterfaceId } = await launch(vpcId, {});
      await api.modifyNetworkInterfaceGroups(networkInterfaceId, groups.slice(0, GROUPS_PER_INTERFACE));

      await expectAwsFailure(
        api.modifyNetworkInterfaceGroups(networkInterfaceId, groups),
        AwsQuotaExceededError,
        "SecurityGroupsPerInterfaceLimitExceeded",
      );
      expect((await interfaceOf(api, networkInterfaceId))?.Groups).toHaveLength(GROUPS_PER_INTERFACE);
    },
  );

  contractCase(
    ["estate"],
    "tags are added, overwritten and deleted by key on groups, interfaces, instances and prefix lists",
    async () => {
      const { api, newVpc, launch } = world();
      const vpcId = await newVpc(vpcRange());
      const groupId = await newGroup(api, vpcId);
      const { instanceId, networkInterfaceId } = await launch(vpcId, { Name: "web-1" });
      const { prefixListId } = await api.createManagedPrefixList({
        name: uniqueName("segsync-tags"),
        addressFamily: "IPv4",
        maxEntries: 1,
        entries: [],
        tags: [OWNED],
      });
      const resources = [groupId, networkInterfaceId, instanceId, prefixListId];
      const key = "segsync:original-groups";

      await api.createTags(resources, [{ Key: key, Value: "sg-1" }]);
      await api.createTags(resources, [{ Key: key, Value: "sg-2" }]);
      const tagged = await tagsOf();
      expect(tagged.map((tags) => tags.find((tag) => tag.Key === key)?.Value)).toEqual([
        "sg-2",
        "sg-2",
        "sg-2",
        "sg-2",
      ]);

      await api.deleteTags(resources, [key, "absent-key"]);
      expect(await tagsOf()).toEqual([[OWNED], [], [{ Key: "Name", Value: "web-1" }], [OWNED]]);

      async function tagsOf() {
        const [instance] = await api.describeInstances([{ Name: "instance-id", Values: [instanceId] }]);
        const [list] = await api.describeManagedPrefixLists([
          { Name: "prefix-list-id", Values: [prefixListId] },
        ]);
        return [
          (await groupOf(api, groupId))?.Tags ?? [],
          (await interfaceOf(api, networkInterfaceId))?.TagSet ?? [],
          instance?.Tags ?? [],
          list?.Tags ?? [],
        ];
      }
    },
  );

  contractCase(
    ["estate"],
    "tagging nothing, or with nothing, changes nothing: no tag is ever deleted by omission",
    async () => {
      const { api, newVpc } = world();
      const groupId = await newGroup(api, await newVpc(vpcRange()));

      await api.createTags([], [{ Key: "k", Value: "v" }]);
      await api.createTags([groupId], []);
      await api.deleteTags([], ["k"]);
      await api.deleteTags([groupId], []);

      expect((await groupOf(api, groupId))?.Tags).toEqual([OWNED]);
    },
  );

  contractCase(["estate"], "a resource holds at most 50 tags; overwriting one is not one more", async () => {
    const { api, newVpc } = world();
    const groupId = await newGroup(api, await newVpc(vpcRange()));
    const more = Array.from({ length: TAGS_PER_RESOURCE - 1 }, (_, index) => ({
      Key: `k${index}`,
      Value: "v",
    }));
    await api.createTags([groupId], more);

    await expectAwsFailure(
      api.createTags([groupId], [{ Key: "one-more", Value: "v" }]),
      AwsQuotaExceededError,
      "TagLimitExceeded",
    );
    await api.createTags([groupId], [{ Key: "k0", Value: "w" }]);
    expect((await groupOf(api, groupId))?.Tags).toHaveLength(TAGS_PER_RESOURCE);
  });

  contractCase(["estate"], "tagging a resource that does not exist is not found", async () => {
    const { api, newVpc } = world();
    const groupId = await newGroup(api, await newVpc(vpcRange()));

    await expectAwsFailure(
      api.createTags([groupId, "sg-0000000000000dead"], [{ Key: "k", Value: "v" }]),
      AwsNotFoundError,
      "InvalidGroup.NotFound",
    );
    expect((await groupOf(api, groupId))?.Tags).toEqual([OWNED]);
  });
}
