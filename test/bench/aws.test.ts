import { describe, expect, it } from "vitest";
import { awsStateOf } from "../../bench/aws/estate-state.js";
import { minimalWrites, mismatchesWith } from "../../bench/aws/minimal-writes.js";
import { generateEstate } from "../../bench/estate-generator.js";
import { DEFAULT_AWS_QUOTAS } from "../../lib/clouds/aws/config.js";
import type {
  AwsDesired,
  DesiredInterface,
  DesiredRule,
  DesiredSecurityGroup,
} from "../../lib/clouds/aws/desired.js";
import type { IpPermission } from "../../lib/clouds/aws/model.js";
import { SimulatedEc2 } from "../../sim/clouds/aws/api.js";
import { AWS_OWNERSHIP } from "../support/seals.js";

const LOCATION = { account: "111111111111", region: "us-east-1" };
const VPC = "vpc-0a1b2c3d";

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

async function ownedGroup(sim: SimulatedEc2, name: string): Promise<string> {
  const { groupId } = await sim.createSecurityGroup({
    vpcId: VPC,
    groupName: name,
    description: name,
    tags: AWS_OWNERSHIP.groupTags(LOCATION, VPC, name, name),
  });
  return groupId;
}

async function references(sim: SimulatedEc2, from: string, ...to: string[]): Promise<void> {
  await sim.authorizeIngress(from, [tcp(443, { UserIdGroupPairs: to.map((GroupId) => ({ GroupId })) })]);
}

function desiredGroup(name: string, rules: readonly DesiredRule[] = []): DesiredSecurityGroup {
  return { location: LOCATION, vpcId: VPC, name, identity: name, description: name, rules };
}

function desired(parts: Partial<AwsDesired>): AwsDesired {
  return {
    securityGroups: [],
    prefixLists: [],
    interfaces: [],
    findings: [],
    rulesPerSecurityGroup: DEFAULT_AWS_QUOTAS.rulesPerSecurityGroup,
    securityGroupsPerInterface: DEFAULT_AWS_QUOTAS.securityGroupsPerInterface,
    ...parts,
  };
}

function sim(): SimulatedEc2 {
  const ec2 = SimulatedEc2.empty(LOCATION);
  ec2.addVpc(VPC);
  return ec2;
}

describe("awsStateOf", () => {
  it("describes the estate's AWS workloads exactly as SimulatedEc2.state() does once loaded", () => {
    const { inventory } = generateEstate({ workloads: 1_500, rules: 50, seed: 7 });
    const state = awsStateOf(inventory.workloads);
    const aws = inventory.workloads.filter((workload) => workload.id.startsWith("aws:"));
    expect(state.reduce((sum, region) => sum + region.instances.length, 0)).toBe(aws.length);
    for (const region of state) expect(new SimulatedEc2(region).state()).toEqual(region);
  });
});

describe("minimalWrites", () => {
  it("deletes a group that references one that stays without revoking first", async () => {
    const ec2 = sim();
    const kept = await ownedGroup(ec2, "segsync-kept");
    const gone = await ownedGroup(ec2, "segsync-gone");
    await references(ec2, gone, kept, gone);
    const minimal = minimalWrites(
      desired({ securityGroups: [desiredGroup("segsync-kept")] }),
      [ec2.state()],
      "exclusive",
    );
    expect(minimal).toMatchObject({ total: 1, deleteSecurityGroup: 1, revokeIngress: 0 });
  });

  it("needs one revoke per group that breaks a cycle of groups that all go", async () => {
    const ec2 = sim();
    const [a, b, c, d, e] = await Promise.all(
      ["a", "b", "c", "d", "e"].map((n) => ownedGroup(ec2, `segsync-${n}`)),
    );
    // a ⇄ b, and c → d → e → c with c → e: two cycles, broken by one group each.
    await references(ec2, a as string, b as string);
    await references(ec2, b as string, a as string);
    await references(ec2, c as string, d as string, e as string);
    await references(ec2, d as string, e as string);
    await references(ec2, e as string, c as string);
    const minimal = minimalWrites(desired({}), [ec2.state()], "exclusive");
    expect(minimal).toMatchObject({ total: 7, deleteSecurityGroup: 5, revokeIngress: 2 });
  });

  it("keeps a group that an ENI segsync leaves alone still carries, and what it references", async () => {
    const ec2 = sim();
    const stopped = await ownedGroup(ec2, "segsync-stopped");
    const source = await ownedGroup(ec2, "segsync-source");
    await references(ec2, stopped, source);
    ec2.runInstance({
      instanceId: "i-0123456789abcdef0",
      vpcId: VPC,
      privateIp: "10.0.0.5",
      tags: {},
      groupIds: [stopped],
    });
    const minimal = minimalWrites(desired({}), [ec2.state()], "exclusive");
    expect(minimal.total).toBe(0);
  });

  it("counts rule additions and removals of a group that stays as one call each", async () => {
    const ec2 = sim();
    const group = await ownedGroup(ec2, "segsync-web");
    await ec2.authorizeIngress(group, [
      tcp(80, { IpRanges: [{ CidrIp: "10.1.0.0/24" }, { CidrIp: "10.2.0.0/24" }] }),
    ]);
    const rules: DesiredRule[] = [
      { protocol: "tcp", fromPort: 80, toPort: 80, source: { kind: "cidr", cidr: "10.1.0.0/24" } },
      { protocol: "tcp", fromPort: 80, toPort: 80, source: { kind: "cidr", cidr: "10.3.0.0/24" } },
      { protocol: "tcp", fromPort: 443, toPort: 443, source: { kind: "cidr", cidr: "10.3.0.0/24" } },
    ];
    const after = desired({ securityGroups: [desiredGroup("segsync-web", rules)] });
    expect(minimalWrites(after, [ec2.state()], "exclusive")).toMatchObject({
      total: 2,
      authorizeIngress: 1,
      revokeIngress: 1,
    });
    expect(mismatchesWith(after, [ec2.state()])).toBe(1);
  });

  it("creates large prefix lists in calls of 100 entries and modifies them in calls of 100 each way", async () => {
    const ec2 = sim();
    const entries = (count: number, offset = 0) =>
      Array.from({ length: count }, (_, i) => `10.${(offset + i) >> 8}.${(offset + i) & 255}.0/24`);
    const { prefixListId } = await ec2.createManagedPrefixList({
      name: "segsync-old-1000",
      addressFamily: "IPv4",
      maxEntries: 1000,
      entries: entries(100).map((Cidr) => ({ Cidr })),
      tags: AWS_OWNERSHIP.prefixListTags("segsync-old-1000"),
    });
    expect(prefixListId).toMatch(/^pl-/);
    await ec2.createTags([prefixListId], [AWS_OWNERSHIP.prefixListSeal(LOCATION, prefixListId)]);
    const list = (name: string, cidrs: string[]) => ({
      location: LOCATION,
      name,
      identity: name,
      addressFamily: "IPv4" as const,
      maxEntries: 1000,
      entries: cidrs.sort(),
    });
    const after = desired({
      // 30 of the old entries go, 150 new ones come: two calls. The new list: one create, two modifies.
      prefixLists: [list("segsync-old-1000", entries(220, 30)), list("segsync-new-1000", entries(250))],
    });
    expect(minimalWrites(after, [ec2.state()], "exclusive")).toMatchObject({
      total: 5,
      createManagedPrefixList: 1,
      modifyManagedPrefixList: 4,
    });
  });

  it("sets an enforced ENI's groups and records its originals once; a restore removes the record", async () => {
    const ec2 = sim();
    await ownedGroup(ec2, "segsync-web");
    const { networkInterfaceId } = ec2.runInstance({
      instanceId: "i-0123456789abcdef1",
      vpcId: VPC,
      privateIp: "10.0.0.6",
      tags: {},
    });
    const eni = (ownedGroups: string[], customerGroupIds: string[]): DesiredInterface => ({
      location: LOCATION,
      networkInterfaceId,
      vpcId: VPC,
      workload: "aws:111111111111:us-east-1:i-0123456789abcdef1",
      ownedGroups,
      customerGroupIds,
      originalGroupsTag: ownedGroups.length > 0 ? "record" : "remove",
    });
    const enforced = desired({
      securityGroups: [desiredGroup("segsync-web")],
      interfaces: [eni(["segsync-web"], [])],
    });
    expect(minimalWrites(enforced, [ec2.state()], "exclusive")).toMatchObject({
      total: 2,
      modifyNetworkInterfaceGroups: 1,
      createTags: 1,
    });

    const [defaultGroup] = await ec2.describeSecurityGroups([{ Name: "group-name", Values: ["default"] }]);
    const [web] = await ec2.describeSecurityGroups([{ Name: "group-name", Values: ["segsync-web"] }]);
    await ec2.createTags(
      [networkInterfaceId],
      AWS_OWNERSHIP.recordTags(LOCATION, networkInterfaceId, [defaultGroup?.GroupId ?? ""]),
    );
    await ec2.modifyNetworkInterfaceGroups(networkInterfaceId, [web?.GroupId ?? ""]);
    expect(minimalWrites(enforced, [ec2.state()], "exclusive").total).toBe(0);
    const restored = desired({ interfaces: [eni([], [defaultGroup?.GroupId ?? ""])] });
    // Back to the default group, the record removed; segsync-web is then unused and goes.
    expect(minimalWrites(restored, [ec2.state()], "exclusive")).toMatchObject({
      total: 3,
      modifyNetworkInterfaceGroups: 1,
      deleteTags: 1,
      deleteSecurityGroup: 1,
    });
  });
});
