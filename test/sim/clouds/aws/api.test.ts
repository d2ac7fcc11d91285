import { beforeEach, describe, expect, it } from "vitest";
import type { Ec2Filter } from "../../../../lib/clouds/aws/api.js";
import {
  AwsDependencyViolationError,
  AwsInvalidRequestError,
  AwsNotFoundError,
  AwsQuotaExceededError,
  AwsThrottledError,
} from "../../../../lib/clouds/aws/errors.js";
import type { AwsRegionState, IpPermission } from "../../../../lib/clouds/aws/model.js";
import { AWS_WRITE_METHODS, SimulatedEc2, SimulationInputError } from "../../../../sim/clouds/aws/api.js";

const LOCATION = { account: "111111111111", region: "us-east-1" };
const VPC_A = "vpc-0a1b2c3d";
const VPC_B = "vpc-0b2c3d4e";
const OWNED_TAGS = [{ Key: "segsync:managed", Value: "true" }];

function tcp(port: number, sources: Partial<Omit<IpPermission, "IpProtocol">>): IpPermission {
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

function cidrs(count: number, offset = 0): { CidrIp: string }[] {
  return Array.from({ length: count }, (_, index) => ({ CidrIp: `10.9.${offset + index}.0/24` }));
}

async function newGroup(sim: SimulatedEc2, name: string, vpcId = VPC_A): Promise<string> {
  const { groupId } = await sim.createSecurityGroup({
    vpcId,
    groupName: name,
    description: name,
    tags: OWNED_TAGS,
  });
  return groupId;
}

async function ingressOf(sim: SimulatedEc2, groupId: string): Promise<readonly IpPermission[]> {
  const [group] = await sim.describeSecurityGroups([{ Name: "group-id", Values: [groupId] }]);
  return group?.IpPermissions ?? [];
}

/** Rejects with an error of `type` whose code is `code`. */
async function expectFailure(promise: Promise<unknown>, type: new (...args: never[]) => Error, code: string) {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(type);
  expect((error as { code?: string }).code).toBe(code);
  return error as Error & { code: string };
}

let sim: SimulatedEc2;

beforeEach(() => {
  sim = SimulatedEc2.empty(LOCATION);
  sim.addVpc(VPC_A);
  sim.addVpc(VPC_B);
});

describe("ids", () => {
  it("are EC2-shaped, deterministic and distinct per location", async () => {
    const again = SimulatedEc2.empty(LOCATION);
    again.addVpc(VPC_A);
    const elsewhere = SimulatedEc2.empty({ ...LOCATION, region: "eu-west-1" });
    elsewhere.addVpc(VPC_A);

    const first = await newGroup(sim, "one");
    expect(first).toMatch(/^sg-[0-9a-f]{17}$/);
    expect(await newGroup(again, "one")).toBe(first);
    expect(await newGroup(elsewhere, "one")).not.toBe(first);

    const launched = sim.runInstance({ vpcId: VPC_A, privateIp: "10.1.0.10", tags: {} });
    expect(launched.instanceId).toMatch(/^i-[0-9a-f]{17}$/);
    expect(launched.networkInterfaceId).toMatch(/^eni-[0-9a-f]{17}$/);
    const list = await sim.createManagedPrefixList({
      name: "list",
      addressFamily: "IPv4",
      maxEntries: 5,
      entries: [],
      tags: [],
    });
    expect(list.prefixListId).toMatch(/^pl-[0-9a-f]{17}$/);
  });

  it("skip the ids that the starting state already uses", async () => {
    const probe = SimulatedEc2.empty(LOCATION);
    probe.addVpc(VPC_A);
    const firstId = await newGroup(probe, "probe");
    const seeded = new SimulatedEc2(probe.state());
    seeded.addVpc(VPC_A);
    expect(await newGroup(seeded, "next")).not.toBe(firstId);
  });
});

describe("describe filters", () => {
  let web: { instanceId: string; networkInterfaceId: string };
  let db: { instanceId: string; networkInterfaceId: string };
  let groupId: string;
  let prefixListId: string;

  beforeEach(async () => {
    groupId = await newGroup(sim, "segsync-web");
    web = sim.runInstance({
      vpcId: VPC_A,
      privateIp: "10.1.0.11",
      publicIp: "54.0.0.11",
      tags: { "seg-app": "shop", "seg-role": "web", Name: "web-1" },
      groupIds: [groupId],
    });
    db = sim.runInstance({
      vpcId: VPC_B,
      privateIp: "10.2.0.12",
      tags: { "seg-app": "shop", "seg-role": "db" },
    });
    sim.setInstanceState(db.instanceId, "stopped");
    ({ prefixListId } = await sim.createManagedPrefixList({
      name: "segsync-list",
      addressFamily: "IPv4",
      maxEntries: 4,
      entries: [{ Cidr: "192.0.2.0/24" }],
      tags: OWNED_TAGS,
    }));
  });

  const instanceIds = async (filters: Ec2Filter[]) =>
    (await sim.describeInstances(filters)).map((i) => i.InstanceId);

  it("select instances by id, state, tag key, tag value and VPC, ANDing filters and ORing values", async () => {
    expect(await instanceIds([{ Name: "instance-id", Values: [web.instanceId] }])).toEqual([web.instanceId]);
    expect(await instanceIds([{ Name: "instance-state-name", Values: ["stopped"] }])).toEqual([
      db.instanceId,
    ]);
    expect(await instanceIds([{ Name: "tag-key", Values: ["seg-app", "seg-env"] }])).toHaveLength(2);
    expect(await instanceIds([{ Name: "tag:seg-role", Values: ["db"] }])).toEqual([db.instanceId]);
    expect(await instanceIds([{ Name: "vpc-id", Values: [VPC_A] }])).toEqual([web.instanceId]);
    expect(
      await instanceIds([
        { Name: "tag-key", Values: ["seg-app"] },
        { Name: "instance-state-name", Values: ["pending", "running"] },
      ]),
    ).toEqual([web.instanceId]);
    expect(await instanceIds([{ Name: "tag:seg-role", Values: ["w*"] }])).toEqual([web.instanceId]);
    expect(await instanceIds([{ Name: "tag:seg-role", Values: ["d?"] }])).toEqual([db.instanceId]);
    expect(await instanceIds([{ Name: "tag:Name", Values: ["db-1"] }])).toEqual([]);
  });

  it("select network interfaces by id, attachment, group, VPC and owner", async () => {
    const eniIds = async (filters: Ec2Filter[]) =>
      (await sim.describeNetworkInterfaces(filters)).map((eni) => eni.NetworkInterfaceId);
    expect(await eniIds([{ Name: "network-interface-id", Values: [web.networkInterfaceId] }])).toEqual([
      web.networkInterfaceId,
    ]);
    expect(await eniIds([{ Name: "attachment.instance-id", Values: [db.instanceId] }])).toEqual([
      db.networkInterfaceId,
    ]);
    expect(await eniIds([{ Name: "group-id", Values: [groupId] }])).toEqual([web.networkInterfaceId]);
    expect(await eniIds([{ Name: "group-name", Values: ["default"] }])).toEqual([db.networkInterfaceId]);
    expect(await eniIds([{ Name: "vpc-id", Values: [VPC_B] }])).toEqual([db.networkInterfaceId]);
    expect(await eniIds([{ Name: "owner-id", Values: [LOCATION.account] }])).toHaveLength(2);
  });

  it("select security groups by id, name, VPC, owner and tag", async () => {
    const groupIds = async (filters: Ec2Filter[]) =>
      (await sim.describeSecurityGroups(filters)).map((g) => g.GroupId);
    expect(await groupIds([{ Name: "group-id", Values: [groupId] }])).toEqual([groupId]);
    expect(await groupIds([{ Name: "group-name", Values: ["segsync-*"] }])).toEqual([groupId]);
    expect(await groupIds([{ Name: "tag:segsync:managed", Values: ["true"] }])).toEqual([groupId]);
    expect(await groupIds([{ Name: "vpc-id", Values: [VPC_B] }])).toHaveLength(1);
    // segsync-web, and VPC B's default group (db launched without groups).
    expect(await groupIds([{ Name: "owner-id", Values: [LOCATION.account] }])).toHaveLength(2);
  });

  it("select prefix lists by id, name and owner, without entries", async () => {
    const lists = await sim.describeManagedPrefixLists([
      { Name: "prefix-list-name", Values: ["segsync-list"] },
    ]);
    expect(lists.map((list) => list.PrefixListId)).toEqual([prefixListId]);
    expect(lists[0]).not.toHaveProperty("Entries");
    expect(
      await sim.describeManagedPrefixLists([{ Name: "prefix-list-id", Values: [prefixListId] }]),
    ).toHaveLength(1);
    expect(await sim.describeManagedPrefixLists([{ Name: "owner-id", Values: ["222222222222"] }])).toEqual(
      [],
    );
  });

  it("refuse a call without filters, an unknown filter name, and a filter without values", async () => {
    await expectFailure(sim.describeInstances([]), AwsInvalidRequestError, "MissingParameter");
    await expectFailure(sim.describeSecurityGroups([]), AwsInvalidRequestError, "MissingParameter");
    const unknown = await expectFailure(
      sim.describeInstances([{ Name: "instance-state", Values: ["running"] }]),
      AwsInvalidRequestError,
      "InvalidParameterValue",
    );
    expect(unknown.message).toContain("'instance-state'");
    await expectFailure(
      sim.describeNetworkInterfaces([{ Name: "instance-id", Values: [web.instanceId] }]),
      AwsInvalidRequestError,
      "InvalidParameterValue",
    );
    // DescribeManagedPrefixLists has no tag filters in EC2.
    await expectFailure(
      sim.describeManagedPrefixLists([{ Name: "tag:segsync:managed", Values: ["true"] }]),
      AwsInvalidRequestError,
      "InvalidParameterValue",
    );
    await expectFailure(
      sim.describeInstances([{ Name: "instance-id", Values: [] }]),
      AwsInvalidRequestError,
      "InvalidParameterValue",
    );
  });
});

describe("security groups", () => {
  it("are refused in an unknown VPC, with a name EC2 rejects, or with an aws: tag", async () => {
    await expectFailure(newGroup(sim, "x", "vpc-0fffffff"), AwsNotFoundError, "InvalidVpcID.NotFound");
    await expectFailure(
      newGroup(sim, "sg-looks-like-an-id"),
      AwsInvalidRequestError,
      "InvalidParameterValue",
    );
    await expectFailure(newGroup(sim, "naïve"), AwsInvalidRequestError, "InvalidParameterValue");
    await expectFailure(
      sim.createSecurityGroup({
        vpcId: VPC_A,
        groupName: "t",
        description: "t",
        tags: [{ Key: "aws:x", Value: "1" }],
      }),
      AwsInvalidRequestError,
      "InvalidParameterValue",
    );
  });

  it("cannot be deleted while an ENI uses them or another group's rule references them", async () => {
    const target = await newGroup(sim, "target");
    const referrer = await newGroup(sim, "referrer");
    await sim.authorizeIngress(target, [tcp(22, { UserIdGroupPairs: [{ GroupId: target }] })]);
    await sim.authorizeIngress(referrer, [tcp(443, { UserIdGroupPairs: [{ GroupId: target }] })]);
    const { networkInterfaceId } = sim.runInstance({
      vpcId: VPC_A,
      privateIp: "10.1.0.5",
      tags: {},
      groupIds: [target],
    });

    const inUse = await expectFailure(
      sim.deleteSecurityGroup(target),
      AwsDependencyViolationError,
      "DependencyViolation",
    );
    expect(inUse.message).toContain(networkInterfaceId);
    await sim.modifyNetworkInterfaceGroups(networkInterfaceId, [referrer]);
    const referenced = await expectFailure(
      sim.deleteSecurityGroup(target),
      AwsDependencyViolationError,
      "DependencyViolation",
    );
    expect(referenced.message).toContain(referrer);
    await sim.revokeIngress(referrer, [tcp(443, { UserIdGroupPairs: [{ GroupId: target }] })]);
    // Its own self-reference does not hold it.
    await sim.deleteSecurityGroup(target);
    expect(await sim.describeSecurityGroups([{ Name: "group-id", Values: [target] }])).toEqual([]);
  });
});

describe("ingress rules", () => {
  let groupId: string;
  let peerId: string;

  beforeEach(async () => {
    groupId = await newGroup(sim, "segsync-db");
    peerId = await newGroup(sim, "segsync-api");
  });

  it("are stored one per source and described grouped by protocol and ports, sorted", async () => {
    await sim.authorizeIngress(groupId, [
      tcp(5432, { IpRanges: [{ CidrIp: "10.2.0.7/32" }, { CidrIp: "10.2.0.5/32", Description: "api-2" }] }),
      tcp(5432, { UserIdGroupPairs: [{ GroupId: peerId }] }),
      { ...tcp(0, {}), IpProtocol: "icmp", FromPort: -1, ToPort: -1, IpRanges: [{ CidrIp: "10.0.0.0/8" }] },
    ]);
    expect(await ingressOf(sim, groupId)).toEqual([
      {
        IpProtocol: "icmp",
        FromPort: -1,
        ToPort: -1,
        IpRanges: [{ CidrIp: "10.0.0.0/8" }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
      {
        IpProtocol: "tcp",
        FromPort: 5432,
        ToPort: 5432,
        IpRanges: [{ CidrIp: "10.2.0.5/32", Description: "api-2" }, { CidrIp: "10.2.0.7/32" }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [{ GroupId: peerId, UserId: LOCATION.account }],
      },
    ]);
  });

  it("normalize protocol numbers and drop the ports of all-traffic rules", async () => {
    await sim.authorizeIngress(groupId, [
      { ...tcp(80, { IpRanges: [{ CidrIp: "10.0.0.0/8" }] }), IpProtocol: "6" },
      { ...tcp(1, { IpRanges: [{ CidrIp: "10.0.0.0/8" }] }), IpProtocol: "-1" },
    ]);
    const permissions = await ingressOf(sim, groupId);
    expect(permissions.map((p) => [p.IpProtocol, p.FromPort, p.ToPort])).toEqual([
      ["-1", undefined, undefined],
      ["tcp", 80, 80],
    ]);
    // The same rule written with the protocol's name is a duplicate.
    await sim.authorizeIngress(groupId, [tcp(80, { IpRanges: [{ CidrIp: "10.0.0.0/8" }] })]);
    expect(await ingressOf(sim, groupId)).toEqual(permissions);
  });

  it("are idempotent: authorizing an existing rule and revoking a missing one succeed", async () => {
    const rule = tcp(443, { IpRanges: [{ CidrIp: "203.0.113.0/24" }] });
    await sim.authorizeIngress(groupId, [rule]);
    // A new description does not make a new rule.
    await sim.authorizeIngress(groupId, [
      tcp(443, { IpRanges: [{ CidrIp: "203.0.113.0/24", Description: "x" }] }),
    ]);
    expect((await ingressOf(sim, groupId))[0]?.IpRanges).toEqual([{ CidrIp: "203.0.113.0/24" }]);
    await sim.revokeIngress(groupId, [rule]);
    await sim.revokeIngress(groupId, [rule]);
    expect(await ingressOf(sim, groupId)).toEqual([]);
  });

  it("must reference an existing group in the same VPC and an existing prefix list", async () => {
    const otherVpc = await newGroup(sim, "other", VPC_B);
    await expectFailure(
      sim.authorizeIngress(groupId, [tcp(1, { UserIdGroupPairs: [{ GroupId: "sg-0000000000000dead" }] })]),
      AwsNotFoundError,
      "InvalidGroup.NotFound",
    );
    await expectFailure(
      sim.authorizeIngress(groupId, [tcp(1, { UserIdGroupPairs: [{ GroupId: otherVpc }] })]),
      AwsInvalidRequestError,
      "InvalidParameterValue",
    );
    await expectFailure(
      sim.authorizeIngress(groupId, [tcp(1, { PrefixListIds: [{ PrefixListId: "pl-0000000000000dead" }] })]),
      AwsNotFoundError,
      "InvalidPrefixListID.NotFound",
    );
  });

  it.each([
    ["a CIDR with host bits", tcp(22, { IpRanges: [{ CidrIp: "10.0.0.1/8" }] })],
    ["a bare address", tcp(22, { IpRanges: [{ CidrIp: "10.0.0.1" }] })],
    ["an IPv6 CIDR in IpRanges", tcp(22, { IpRanges: [{ CidrIp: "2001:db8::/32" }] })],
    ["reversed ports", { ...tcp(22, { IpRanges: [{ CidrIp: "10.0.0.0/8" }] }), FromPort: 30, ToPort: 20 }],
    ["a port over 65535", tcp(70000, { IpRanges: [{ CidrIp: "10.0.0.0/8" }] })],
    ["an unknown protocol", { ...tcp(22, { IpRanges: [{ CidrIp: "10.0.0.0/8" }] }), IpProtocol: "sctp-ish" }],
    ["no source", tcp(22, {})],
  ])("refuse %s as InvalidPermission.Malformed, changing nothing", async (_, permission) => {
    const good = tcp(80, { IpRanges: [{ CidrIp: "10.0.0.0/8" }] });
    await expectFailure(
      sim.authorizeIngress(groupId, [good, permission]),
      AwsInvalidRequestError,
      "InvalidPermission.Malformed",
    );
    expect(await ingressOf(sim, groupId)).toEqual([]);
  });
});

describe("the rules-per-group quota", () => {
  let groupId: string;

  beforeEach(async () => {
    groupId = await newGroup(sim, "segsync-web");
  });

  async function prefixList(maxEntries: number, entries = 3, family: "IPv4" | "IPv6" = "IPv4") {
    const cidr = (index: number) => (family === "IPv4" ? `198.51.${index}.0/24` : `2001:db8:${index}::/48`);
    const { prefixListId } = await sim.createManagedPrefixList({
      name: `list-${maxEntries}-${family}`,
      addressFamily: family,
      maxEntries,
      entries: Array.from({ length: entries }, (_, index) => ({ Cidr: cidr(index) })),
      tags: OWNED_TAGS,
    });
    return prefixListId;
  }

  it("counts a prefix-list reference as the list's MaxEntries, not its entries", async () => {
    const listId = await prefixList(20, 3);
    await sim.authorizeIngress(groupId, [tcp(443, { IpRanges: cidrs(41) })]);
    await expectFailure(
      sim.authorizeIngress(groupId, [tcp(443, { PrefixListIds: [{ PrefixListId: listId }] })]),
      AwsQuotaExceededError,
      "RulesPerSecurityGroupLimitExceeded",
    );
    await sim.revokeIngress(groupId, [tcp(443, { IpRanges: cidrs(1) })]);
    await sim.authorizeIngress(groupId, [tcp(443, { PrefixListIds: [{ PrefixListId: listId }] })]);
    // 40 CIDRs + 20 for the list: full, even though the list holds 3 entries.
    await expectFailure(
      sim.authorizeIngress(groupId, [tcp(80, { IpRanges: cidrs(1) })]),
      AwsQuotaExceededError,
      "RulesPerSecurityGroupLimitExceeded",
    );
  });

  it("counts IPv4 and IPv6 separately, and a group reference in both", async () => {
    const v6 = Array.from({ length: 60 }, (_, index) => ({ CidrIpv6: `2001:db8:${index}::/48` }));
    await sim.authorizeIngress(groupId, [tcp(443, { IpRanges: cidrs(59), Ipv6Ranges: v6.slice(0, 59) })]);
    const v6List = await prefixList(1, 1, "IPv6");
    await expectFailure(
      sim.authorizeIngress(groupId, [
        tcp(22, { Ipv6Ranges: v6.slice(59), PrefixListIds: [{ PrefixListId: v6List }] }),
      ]),
      AwsQuotaExceededError,
      "RulesPerSecurityGroupLimitExceeded",
    );
    await sim.authorizeIngress(groupId, [tcp(22, { UserIdGroupPairs: [{ GroupId: groupId }] })]);
    await expectFailure(
      sim.authorizeIngress(groupId, [tcp(23, { Ipv6Ranges: v6.slice(59) })]),
      AwsQuotaExceededError,
      "RulesPerSecurityGroupLimitExceeded",
    );
  });

  it("follows the configured quota", async () => {
    const small = SimulatedEc2.empty(LOCATION, {
      quotas: { rulesPerSecurityGroup: 3, securityGroupsPerInterface: 5 },
    });
    small.addVpc(VPC_A);
    const id = await newGroup(small, "small");
    await small.authorizeIngress(id, [tcp(443, { IpRanges: cidrs(3) })]);
    await expectFailure(
      small.authorizeIngress(id, [tcp(80, { IpRanges: cidrs(1) })]),
      AwsQuotaExceededError,
      "RulesPerSecurityGroupLimitExceeded",
    );
  });
});

describe("network interface groups", () => {
  let eni: string;
  let groups: string[];

  beforeEach(async () => {
    groups = [];
    for (const name of ["g1", "g2", "g3", "g4", "g5", "g6"]) groups.push(await newGroup(sim, name));
    eni = sim.runInstance({ vpcId: VPC_A, privateIp: "10.1.0.20", tags: {} }).networkInterfaceId;
  });

  const groupsOf = async (networkInterfaceId: string) =>
    (
      await sim.describeNetworkInterfaces([{ Name: "network-interface-id", Values: [networkInterfaceId] }])
    )[0]?.Groups.map((group) => group.GroupId);

  it("are replaced as a whole list, in the order given", async () => {
    await sim.modifyNetworkInterfaceGroups(eni, [groups[1] as string, groups[0] as string]);
    expect(await groupsOf(eni)).toEqual([groups[1], groups[0]]);
    await sim.modifyNetworkInterfaceGroups(eni, [groups[2] as string]);
    expect(await groupsOf(eni)).toEqual([groups[2]]);
  });

  it("are at least one, each once, existing, in the ENI's VPC", async () => {
    await expectFailure(
      sim.modifyNetworkInterfaceGroups(eni, []),
      AwsInvalidRequestError,
      "InvalidParameterValue",
    );
    await expectFailure(
      sim.modifyNetworkInterfaceGroups(eni, [groups[0] as string, groups[0] as string]),
      AwsInvalidRequestError,
      "InvalidParameterValue",
    );
    await expectFailure(
      sim.modifyNetworkInterfaceGroups(eni, ["sg-0000000000000dead"]),
      AwsNotFoundError,
      "InvalidGroup.NotFound",
    );
    const elsewhere = await newGroup(sim, "elsewhere", VPC_B);
    const error = await expectFailure(
      sim.modifyNetworkInterfaceGroups(eni, [elsewhere]),
      AwsInvalidRequestError,
      "InvalidParameterValue",
    );
    expect(error.message).toContain(VPC_B);
    await expectFailure(
      sim.modifyNetworkInterfaceGroups("eni-0000000000000dead", [groups[0] as string]),
      AwsNotFoundError,
      "InvalidNetworkInterfaceID.NotFound",
    );
  });
});

describe("managed prefix lists", () => {
  async function createList(maxEntries = 5, entries = ["10.0.0.0/24", "10.0.1.0/24"]) {
    return sim.createManagedPrefixList({
      name: "segsync-peers",
      addressFamily: "IPv4",
      maxEntries,
      entries: entries.map((Cidr) => ({ Cidr })),
      tags: OWNED_TAGS,
    });
  }

  it("start at version 1 and get a new version per modification, MaxEntries unchanged", async () => {
    const { prefixListId, version } = await createList();
    expect(version).toBe(1);
    const next = await sim.modifyManagedPrefixList({
      prefixListId,
      currentVersion: 1,
      addEntries: [{ Cidr: "10.0.2.0/24" }, { Cidr: "10.0.3.0/24" }],
      removeCidrs: ["10.0.0.0/24"],
    });
    expect(next.version).toBe(2);
    expect(await sim.getManagedPrefixListEntries(prefixListId)).toEqual([
      { Cidr: "10.0.1.0/24" },
      { Cidr: "10.0.2.0/24" },
      { Cidr: "10.0.3.0/24" },
    ]);
    const [summary] = await sim.describeManagedPrefixLists([
      { Name: "prefix-list-id", Values: [prefixListId] },
    ]);
    // The name stays (moto clears it on a modification without one: the moto tests cannot check this).
    expect(summary).toMatchObject({
      PrefixListName: "segsync-peers",
      Version: 2,
      MaxEntries: 5,
      State: "modify-complete",
      OwnerId: LOCATION.account,
    });
  });

  it("refuse growing past MaxEntries, applying nothing", async () => {
    const { prefixListId } = await createList(3);
    await expectFailure(
      sim.modifyManagedPrefixList({
        prefixListId,
        currentVersion: 1,
        addEntries: [{ Cidr: "10.0.2.0/24" }, { Cidr: "10.0.3.0/24" }],
        removeCidrs: [],
      }),
      AwsQuotaExceededError,
      "PrefixListMaxEntriesExceeded",
    );
    const [summary] = await sim.describeManagedPrefixLists([
      { Name: "prefix-list-id", Values: [prefixListId] },
    ]);
    expect(summary).toMatchObject({ Version: 1, MaxEntries: 3 });
    await expectFailure(createList(1), AwsQuotaExceededError, "PrefixListMaxEntriesExceeded");
  });

  it("refuse removing an absent entry, an entry of the other family, and a MaxEntries over 1000", async () => {
    const { prefixListId } = await createList();
    await expectFailure(
      sim.modifyManagedPrefixList({
        prefixListId,
        currentVersion: 1,
        addEntries: [],
        removeCidrs: ["10.7.0.0/24"],
      }),
      AwsInvalidRequestError,
      "InvalidParameterValue",
    );
    await expectFailure(
      sim.modifyManagedPrefixList({
        prefixListId,
        currentVersion: 1,
        addEntries: [{ Cidr: "2001:db8::/32" }],
        removeCidrs: [],
      }),
      AwsInvalidRequestError,
      "InvalidParameterValue",
    );
    await expectFailure(createList(1001, []), AwsInvalidRequestError, "InvalidParameterValue");
  });
});

describe("throttling", () => {
  async function throttledPattern(seed: number, calls: number): Promise<boolean[]> {
    const throttled = SimulatedEc2.empty(LOCATION, { throttle: { throttleRate: 0.2, seed } });
    const pattern: boolean[] = [];
    for (let index = 0; index < calls; index += 1) {
      pattern.push(
        await throttled.describeInstances([{ Name: "instance-state-name", Values: ["running"] }]).then(
          () => false,
          (error: unknown) => error instanceof AwsThrottledError && error.code === "RequestLimitExceeded",
        ),
      );
    }
    return pattern;
  }

  it("fails about the chosen fraction of calls with RequestLimitExceeded, the same calls for the same seed", async () => {
    const pattern = await throttledPattern(7, 2000);
    const rate = pattern.filter(Boolean).length / pattern.length;
    expect(rate).toBeGreaterThan(0.17);
    expect(rate).toBeLessThan(0.23);
    expect(await throttledPattern(7, 2000)).toEqual(pattern);
    expect(await throttledPattern(8, 2000)).not.toEqual(pattern);
  });

  it("leaves no trace of a throttled write but its log entry, and can be switched off", async () => {
    sim.setThrottle({ throttleRate: 1, seed: 1 });
    await expectFailure(newGroup(sim, "never"), AwsThrottledError, "RequestLimitExceeded");
    sim.setThrottle(undefined);
    expect(await sim.describeSecurityGroups([{ Name: "group-name", Values: ["never"] }])).toEqual([]);
    expect(sim.calls.map((call) => [call.method, call.outcome])).toEqual([
      ["createSecurityGroup", "RequestLimitExceeded"],
      ["describeSecurityGroups", "ok"],
    ]);
  });

  it("refuses a rate outside 0..1", () => {
    expect(() => sim.setThrottle({ throttleRate: 1.5, seed: 1 })).toThrow(SimulationInputError);
  });
});

describe("the call log", () => {
  it("records every API call with a copy of its arguments and its outcome, so that writes can be counted", async () => {
    const groupId = await newGroup(sim, "g");
    const permission = tcp(80, { IpRanges: [{ CidrIp: "10.0.0.0/8" }] });
    const permissions = [permission];
    await sim.authorizeIngress(groupId, permissions);
    permissions.push(tcp(81, {}));
    await sim.describeSecurityGroups([{ Name: "group-id", Values: [groupId] }]);
    await sim.revokeIngress("sg-0000000000000dead", [permission]).catch(() => undefined);

    expect(sim.calls.map((call) => call.method)).toEqual([
      "createSecurityGroup",
      "authorizeIngress",
      "describeSecurityGroups",
      "revokeIngress",
    ]);
    expect(sim.calls[1]?.args).toEqual([groupId, [permission]]);
    expect(sim.calls[3]?.outcome).toBe("InvalidGroup.NotFound");
    expect(sim.calls.filter((call) => AWS_WRITE_METHODS.has(call.method))).toHaveLength(3);
    sim.clearCalls();
    expect(sim.calls).toEqual([]);
  });

  it("does not record simulation controls", () => {
    sim.runInstance({ vpcId: VPC_A, privateIp: "10.1.0.40", tags: {} });
    expect(sim.calls).toEqual([]);
  });
});

describe("simulation controls", () => {
  it("launch an instance with its primary ENI, on the VPC's default group created once", () => {
    const first = sim.runInstance({
      vpcId: VPC_A,
      privateIp: "10.1.0.11",
      publicIp: "54.0.0.11",
      tags: { Name: "a" },
    });
    const second = sim.runInstance({
      instanceId: "i-0a00000000000002",
      vpcId: VPC_A,
      privateIp: "10.1.0.12",
      tags: {},
    });
    expect(second.instanceId).toBe("i-0a00000000000002");
    const state = sim.state();
    const defaults = state.securityGroups.filter((group) => group.GroupName === "default");
    expect(defaults).toHaveLength(1);
    expect(defaults[0]).toMatchObject({
      VpcId: VPC_A,
      IpPermissions: [{ IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: defaults[0]?.GroupId }] }],
    });
    const instance = state.instances.find((i) => i.InstanceId === first.instanceId);
    expect(instance).toMatchObject({
      State: { Name: "running" },
      VpcId: VPC_A,
      PrivateIpAddress: "10.1.0.11",
      PublicIpAddress: "54.0.0.11",
      Tags: [{ Key: "Name", Value: "a" }],
      NetworkInterfaces: [
        {
          NetworkInterfaceId: first.networkInterfaceId,
          Attachment: { DeviceIndex: 0 },
          Groups: [{ GroupId: defaults[0]?.GroupId, GroupName: "default" }],
        },
      ],
    });
  });

  it("refuse a duplicate instance id, a private IP in use in the VPC, and a public IP in use", () => {
    sim.runInstance({
      instanceId: "i-0a00000000000001",
      vpcId: VPC_A,
      privateIp: "10.1.0.11",
      publicIp: "54.0.0.11",
      tags: {},
    });
    expect(() =>
      sim.runInstance({ instanceId: "i-0a00000000000001", vpcId: VPC_A, privateIp: "10.1.0.99", tags: {} }),
    ).toThrow(SimulationInputError);
    expect(() => sim.runInstance({ vpcId: VPC_A, privateIp: "10.1.0.11", tags: {} })).toThrow(/already used/);
    expect(() =>
      sim.runInstance({ vpcId: VPC_B, privateIp: "10.1.0.11", publicIp: "54.0.0.11", tags: {} }),
    ).toThrow(/already used/);
    expect(() => sim.runInstance({ vpcId: VPC_B, privateIp: "10.1.0.11", tags: {} })).not.toThrow();
  });

  it("release public IPs on stop and assign one on start only when given", () => {
    const { instanceId } = sim.runInstance({
      vpcId: VPC_A,
      privateIp: "10.1.0.11",
      publicIp: "54.0.0.11",
      tags: {},
    });
    const instance = () => sim.state().instances.find((i) => i.InstanceId === instanceId);
    sim.setInstanceState(instanceId, "stopping");
    expect(instance()).toMatchObject({ State: { Name: "stopping" } });
    expect(instance()?.PublicIpAddress).toBeUndefined();
    sim.setInstanceState(instanceId, "stopped");
    sim.setInstanceState(instanceId, "running");
    expect(instance()?.PublicIpAddress).toBeUndefined();
    sim.setInstanceState(instanceId, "stopped");
    sim.setInstanceState(instanceId, "pending", { publicIp: "54.0.0.99" });
    expect(instance()).toMatchObject({ State: { Name: "pending" }, PublicIpAddress: "54.0.0.99" });
    expect(() => sim.setInstanceState(instanceId, "stopped", { publicIp: "54.0.0.98" })).toThrow(
      SimulationInputError,
    );
  });

  it("terminate an instance with its ENIs, and replace tags with a complete new map", async () => {
    const kept = sim.runInstance({ vpcId: VPC_A, privateIp: "10.1.0.11", tags: { a: "1", b: "2" } });
    const gone = sim.runInstance({ vpcId: VPC_A, privateIp: "10.1.0.12", tags: {} });
    sim.attachNetworkInterface(gone.instanceId, { privateIp: "10.1.0.13" });
    sim.terminateInstance(gone.instanceId);
    sim.setInstanceTags(kept.instanceId, { b: "3", c: "4" });
    const state = sim.state();
    expect(state.instances.map((i) => i.InstanceId)).toEqual([kept.instanceId]);
    expect(state.networkInterfaces.map((eni) => eni.NetworkInterfaceId)).toEqual([kept.networkInterfaceId]);
    expect(state.instances[0]?.Tags).toEqual([
      { Key: "b", Value: "3" },
      { Key: "c", Value: "4" },
    ]);
    expect(await sim.describeInstances([{ Name: "instance-id", Values: [gone.instanceId] }])).toEqual([]);
    expect(() => sim.terminateInstance(gone.instanceId)).toThrow(AwsNotFoundError);
  });

  it("attach further ENIs at the next device index, possibly in another VPC", () => {
    const { instanceId } = sim.runInstance({ vpcId: VPC_A, privateIp: "10.1.0.11", tags: {} });
    const second = sim.attachNetworkInterface(instanceId, {
      vpcId: VPC_B,
      privateIp: "10.2.0.11",
      publicIp: "54.0.0.2",
    });
    const summaries = sim.state().instances[0]?.NetworkInterfaces ?? [];
    expect(summaries.map((eni) => [eni.VpcId, eni.Attachment?.DeviceIndex])).toEqual([
      [VPC_A, 0],
      [VPC_B, 1],
    ]);
    expect(summaries[1]).toMatchObject({
      NetworkInterfaceId: second.networkInterfaceId,
      Association: { PublicIp: "54.0.0.2" },
    });
  });
});

describe("attaching an existing ENI (an estate's secondary ENI)", () => {
  const available = (id: string, privateIp: string): AwsRegionState["networkInterfaces"][number] => ({
    NetworkInterfaceId: id,
    VpcId: VPC_A,
    Status: "available",
    PrivateIpAddress: privateIp,
    Groups: [],
    TagSet: [],
  });

  it("keeps its id and the given attachment id, at the given device index", () => {
    const ec2 = new SimulatedEc2({
      ...LOCATION,
      securityGroups: [],
      managedPrefixLists: [],
      instances: [],
      networkInterfaces: [available("eni-0e0000000000000a1", "10.1.0.21")],
    });
    const { instanceId } = ec2.runInstance({ vpcId: VPC_A, privateIp: "10.1.0.11", tags: {} });
    ec2.attachExistingInterface("eni-0e0000000000000a1", instanceId, 2, "eni-attach-0e000001");
    const summaries = ec2.state().instances[0]?.NetworkInterfaces ?? [];
    expect(summaries.map((eni) => [eni.PrivateIpAddress, eni.Attachment?.DeviceIndex])).toEqual([
      ["10.1.0.11", 0],
      ["10.1.0.21", 2],
    ]);
    const eni = ec2.state().networkInterfaces.find((n) => n.NetworkInterfaceId === "eni-0e0000000000000a1");
    expect(eni).toMatchObject({
      Status: "in-use",
      Attachment: { InstanceId: instanceId, DeviceIndex: 2, AttachmentId: "eni-attach-0e000001" },
    });
  });

  it("refuses an ENI in use, device index 0 or a taken one, and an unknown ENI or instance", () => {
    const ec2 = new SimulatedEc2({
      ...LOCATION,
      securityGroups: [],
      managedPrefixLists: [],
      instances: [],
      networkInterfaces: [
        available("eni-0e0000000000000a1", "10.1.0.21"),
        available("eni-0e0000000000000a2", "10.1.0.22"),
      ],
    });
    const { instanceId } = ec2.runInstance({ vpcId: VPC_A, privateIp: "10.1.0.11", tags: {} });
    expect(() => ec2.attachExistingInterface("eni-0e0000000000000a1", instanceId, 0)).toThrow(
      "Invalid value '0' for deviceIndex.",
    );
    ec2.attachExistingInterface("eni-0e0000000000000a1", instanceId, 1);
    expect(() => ec2.attachExistingInterface("eni-0e0000000000000a1", instanceId, 3)).toThrow(
      "InvalidNetworkInterface.InUse",
    );
    expect(() => ec2.attachExistingInterface("eni-0e0000000000000a2", instanceId, 1)).toThrow(
      "already has an interface attached at device index '1'",
    );
    expect(() => ec2.attachExistingInterface("eni-0e0000000000000ff", instanceId, 2)).toThrow(
      AwsNotFoundError,
    );
    expect(() => ec2.attachExistingInterface("eni-0e0000000000000a2", "i-0e00000000000009", 2)).toThrow(
      AwsNotFoundError,
    );
  });
});

describe("state", () => {
  async function populated(): Promise<SimulatedEc2> {
    const groupId = await newGroup(sim, "segsync-web");
    const { prefixListId } = await sim.createManagedPrefixList({
      name: "segsync-peers",
      addressFamily: "IPv4",
      maxEntries: 10,
      entries: [{ Cidr: "10.3.0.4/32", Description: "peer" }],
      tags: OWNED_TAGS,
    });
    await sim.authorizeIngress(groupId, [
      tcp(443, { PrefixListIds: [{ PrefixListId: prefixListId }], UserIdGroupPairs: [{ GroupId: groupId }] }),
    ]);
    const web = sim.runInstance({
      vpcId: VPC_A,
      privateIp: "10.1.0.11",
      publicIp: "54.0.0.11",
      tags: { "seg-app": "shop" },
    });
    sim.attachNetworkInterface(web.instanceId, { privateIp: "10.1.0.12", groupIds: [groupId] });
    const db = sim.runInstance({ vpcId: VPC_B, privateIp: "10.2.0.11", tags: { "seg-role": "db" } });
    sim.setInstanceState(db.instanceId, "stopped");
    return sim;
  }

  it("is sorted by id, and a deep copy", async () => {
    const populatedSim = await populated();
    const state = populatedSim.state();
    for (const [list, key] of [
      [state.instances, "InstanceId"],
      [state.networkInterfaces, "NetworkInterfaceId"],
      [state.securityGroups, "GroupId"],
      [state.managedPrefixLists, "PrefixListId"],
    ] as const) {
      const ids = list.map((item) => (item as unknown as Record<string, string>)[key]);
      expect(ids).toEqual([...ids].sort());
    }
    const tags = state.instances[0]?.Tags as { Key: string; Value: string }[];
    tags.push({ Key: "mutated", Value: "yes" });
    expect(populatedSim.state().instances[0]?.Tags).not.toContainEqual({ Key: "mutated", Value: "yes" });
  });

  it("round-trips: a simulator built from a state describes the same state", async () => {
    const state = (await populated()).state();
    expect(new SimulatedEc2(state).state()).toEqual(state);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it("refuses a starting state that EC2 could not hold", () => {
    const base: AwsRegionState = {
      ...LOCATION,
      instances: [],
      networkInterfaces: [],
      securityGroups: [],
      managedPrefixLists: [],
    };
    const eni = {
      NetworkInterfaceId: "eni-0a000000000000001",
      VpcId: VPC_A,
      Status: "in-use",
      PrivateIpAddress: "10.1.0.5",
      Groups: [{ GroupId: "sg-0000000000000dead", GroupName: "gone" }],
      TagSet: [],
    };
    expect(() => new SimulatedEc2({ ...base, networkInterfaces: [eni] })).toThrow(SimulationInputError);
    expect(
      () =>
        new SimulatedEc2({
          ...base,
          networkInterfaces: [
            { ...eni, Groups: [], Attachment: { InstanceId: "i-0a000000000000009", DeviceIndex: 0 } },
          ],
        }),
    ).toThrow(/not in the state/);
  });

  it("gives an ENI listed without groups its VPC's default group", () => {
    const base: AwsRegionState = {
      ...LOCATION,
      instances: [],
      networkInterfaces: [],
      securityGroups: [],
      managedPrefixLists: [],
    };
    const loaded = new SimulatedEc2({
      ...base,
      networkInterfaces: [
        {
          NetworkInterfaceId: "eni-0a000000000000001",
          VpcId: VPC_A,
          Status: "available",
          PrivateIpAddress: "10.1.0.5",
          Groups: [],
          TagSet: [],
        },
      ],
    });
    expect(loaded.state().networkInterfaces[0]?.Groups.map((group) => group.GroupName)).toEqual(["default"]);
  });
});

describe("lookups kept true under every change (the region's indexes)", () => {
  it("a public IP released by a stop is free, one given back on start is taken", () => {
    const first = sim.runInstance({ vpcId: VPC_A, privateIp: "10.1.0.11", publicIp: "54.0.0.11", tags: {} });
    sim.setInstanceState(first.instanceId, "stopped");
    const second = sim.runInstance({ vpcId: VPC_A, privateIp: "10.1.0.12", publicIp: "54.0.0.11", tags: {} });
    sim.setInstanceState(first.instanceId, "running", { publicIp: "54.0.0.21" });
    expect(() =>
      sim.runInstance({ vpcId: VPC_A, privateIp: "10.1.0.13", publicIp: "54.0.0.21", tags: {} }),
    ).toThrow(`public IP 54.0.0.21 is already used by ${first.networkInterfaceId}`);
    sim.terminateInstance(second.instanceId);
    // Its ENI is gone with its addresses.
    expect(() =>
      sim.runInstance({ vpcId: VPC_A, privateIp: "10.1.0.12", publicIp: "54.0.0.11", tags: {} }),
    ).not.toThrow();
  });

  it("describes by group and by attachment what the ENIs hold now", async () => {
    const web = await newGroup(sim, "web");
    const api = await newGroup(sim, "api");
    const { instanceId, networkInterfaceId } = sim.runInstance({
      vpcId: VPC_A,
      privateIp: "10.1.0.11",
      tags: {},
      groupIds: [web],
    });
    await sim.modifyNetworkInterfaceGroups(networkInterfaceId, [api]);
    const ids = (enis: { NetworkInterfaceId: string }[]) => enis.map((eni) => eni.NetworkInterfaceId);
    expect(ids(await sim.describeNetworkInterfaces([{ Name: "group-id", Values: [web] }]))).toEqual([]);
    expect(ids(await sim.describeNetworkInterfaces([{ Name: "group-id", Values: [api, web] }]))).toEqual([
      networkInterfaceId,
    ]);
    await sim.deleteSecurityGroup(web);
    sim.terminateInstance(instanceId);
    const attached = [{ Name: "attachment.instance-id", Values: [instanceId] }];
    expect(await sim.describeNetworkInterfaces(attached)).toEqual([]);
    expect(await sim.describeNetworkInterfaces([{ Name: "group-id", Values: [api] }])).toEqual([]);
  });

  it("looks exact ids up, and still applies every filter and wildcard to what it found", async () => {
    const one = sim.runInstance({ vpcId: VPC_A, privateIp: "10.1.0.11", tags: { Name: "one" } });
    const two = sim.runInstance({ vpcId: VPC_B, privateIp: "10.2.0.11", tags: { Name: "two" } });
    const ids = (instances: { InstanceId: string }[]) => instances.map((i) => i.InstanceId);
    const both = { Name: "instance-id", Values: [two.instanceId, one.instanceId, "i-0fffffffffffffff"] };
    expect(ids(await sim.describeInstances([both]))).toEqual([one.instanceId, two.instanceId].sort());
    expect(ids(await sim.describeInstances([both, { Name: "vpc-id", Values: [VPC_B] }]))).toEqual([
      two.instanceId,
    ]);
    const pattern = { Name: "instance-id", Values: [`${one.instanceId.slice(0, -1)}?`] };
    expect(ids(await sim.describeInstances([pattern, { Name: "tag:Name", Values: ["o*"] }]))).toEqual([
      one.instanceId,
    ]);
  });
});
