import { beforeAll, describe, expect, it } from "vitest";
import type { Ec2Filter } from "../../../lib/clouds/aws/api.js";
import { caseVariants, discoverAws, discoverAwsWorkload } from "../../../lib/clouds/aws/discover.js";
import type { AwsTag, IpPermission } from "../../../lib/clouds/aws/model.js";
import { AWS_WRITE_METHODS, SimulatedEc2 } from "../../../sim/clouds/aws/api.js";
import { AWS_OWNERSHIP } from "../../support/seals.js";

const LOCATION = { account: "111111111111", region: "us-east-1" };
const VPC_A = "vpc-0a1b2c3d";
const VPC_B = "vpc-0b2c3d4e";
const NETWORK_A = `aws:111111111111:us-east-1:${VPC_A}`;
const NETWORK_B = `aws:111111111111:us-east-1:${VPC_B}`;
const LABELS = { tagPrefix: "seg-", dimensions: ["app", "env", "role"] };

const workloadId = (instanceId: string) => `aws:111111111111:us-east-1:${instanceId}`;

function https(sources: Partial<IpPermission>): IpPermission {
  return {
    IpProtocol: "tcp",
    FromPort: 443,
    ToPort: 443,
    IpRanges: [],
    Ipv6Ranges: [],
    PrefixListIds: [],
    UserIdGroupPairs: [],
    ...sources,
  };
}

/**
 * Two VPCs; a web instance with a second ENI in the other VPC, on a customer and an owned group;
 * a stopped db, a pending instance, one shutting down, a terminated one, unlabeled ones, and one
 * that lost its labels but still carries the original-groups tag from an exclusive attachment.
 */
async function buildEstate() {
  const sim = SimulatedEc2.empty(LOCATION);
  sim.addVpc(VPC_A);
  sim.addVpc(VPC_B);
  const group = async (vpcId: string, groupName: string, tags: AwsTag[] = []) =>
    (await sim.createSecurityGroup({ vpcId, groupName, description: groupName, tags })).groupId;
  /** A group segsync created: its ownership tags, sealed. */
  const ownedGroup = (vpcId: string, groupName: string, identity: string) =>
    group(vpcId, groupName, AWS_OWNERSHIP.groupTags(LOCATION, vpcId, groupName, identity));
  const list = async (name: string, cidrs: string[], tags: AwsTag[] = []) =>
    (
      await sim.createManagedPrefixList({
        name,
        addressFamily: "IPv4",
        maxEntries: 10,
        entries: cidrs.map((Cidr) => ({ Cidr })),
        tags,
      })
    ).prefixListId;
  /** A prefix list segsync created: its ownership tags, then its seal once it has an id. */
  const ownedList = async (name: string, cidrs: string[], identity: string) => {
    const id = await list(name, cidrs, AWS_OWNERSHIP.prefixListTags(identity));
    await sim.createTags([id], [AWS_OWNERSHIP.prefixListSeal(LOCATION, id)]);
    return id;
  };

  const ids = {
    legacyWeb: await group(VPC_A, "legacy-web"),
    legacyDb: await group(VPC_B, "legacy-db"),
    recordedOnly: await group(VPC_A, "legacy-restore"),
    unused: await group(VPC_A, "unused"),
    owned: await ownedGroup(VPC_A, "segsync-0123abcd", "app=shop"),
    ownedElsewhere: await ownedGroup(VPC_B, "segsync-4567ef01", "app=blog"),
    officeList: await list("office", ["192.0.2.0/24"]),
    partnerList: await list("partner", ["198.51.100.0/24"]),
    ownedList: await ownedList(
      "segsync-0123abcd-vpc-0b2c3d4e-10",
      ["10.2.0.11/32", "10.2.0.21/32"],
      "app=shop",
    ),
  };
  await sim.authorizeIngress(ids.legacyWeb, [https({ PrefixListIds: [{ PrefixListId: ids.officeList }] })]);
  await sim.authorizeIngress(ids.owned, [https({ PrefixListIds: [{ PrefixListId: ids.ownedList }] })]);

  const web = sim.runInstance({
    vpcId: VPC_A,
    privateIp: "10.1.0.11",
    publicIp: "54.0.0.11",
    tags: { "seg-app": "shop", "seg-env": "prod", "seg-role": "web", Name: "web-1" },
    groupIds: [ids.legacyWeb, ids.owned],
  });
  const webSecond = sim.attachNetworkInterface(web.instanceId, {
    vpcId: VPC_B,
    privateIp: "10.2.0.11",
    groupIds: [ids.legacyDb],
  });
  const db = sim.runInstance({
    vpcId: VPC_B,
    privateIp: "10.2.0.21",
    publicIp: "54.0.0.21",
    tags: { "seg-role": "db" },
    groupIds: [ids.legacyDb],
  });
  sim.setInstanceState(db.instanceId, "stopped");
  const starting = sim.runInstance({ vpcId: VPC_A, privateIp: "10.1.0.31", tags: { "seg-app": "shop" } });
  sim.setInstanceState(starting.instanceId, "pending");
  const leaving = sim.runInstance({ vpcId: VPC_A, privateIp: "10.1.0.41", tags: { "seg-app": "shop" } });
  sim.setInstanceState(leaving.instanceId, "shutting-down");
  const terminated = sim.runInstance({ vpcId: VPC_A, privateIp: "10.1.0.51", tags: { "seg-app": "shop" } });
  sim.terminateInstance(terminated.instanceId);
  const plain = sim.runInstance({ vpcId: VPC_A, privateIp: "10.1.0.61", tags: { Name: "plain" } });
  const undeclared = sim.runInstance({ vpcId: VPC_A, privateIp: "10.1.0.62", tags: { "seg-owner": "ops" } });
  const unlabeled = sim.runInstance({
    vpcId: VPC_A,
    privateIp: "10.1.0.71",
    tags: { Name: "was-shop" },
    groupIds: [ids.owned],
  });
  await sim.createTags(
    [unlabeled.networkInterfaceId],
    AWS_OWNERSHIP.recordTags(LOCATION, unlabeled.networkInterfaceId, [ids.recordedOnly]),
  );
  sim.clearCalls();
  return { sim, ids, web, webSecond, db, starting, leaving, terminated, plain, undeclared, unlabeled };
}

describe("discoverAws", () => {
  let estate: Awaited<ReturnType<typeof buildEstate>>;
  let discovery: Awaited<ReturnType<typeof discoverAws>>;

  beforeAll(async () => {
    estate = await buildEstate();
    discovery = await discoverAws(estate.sim, LABELS, AWS_OWNERSHIP);
  });

  it("finds the live labeled instances and those with recorded original groups", () => {
    const { web, db, starting, unlabeled } = estate;
    expect(discovery.workloads.map((workload) => workload.id)).toEqual(
      [web, db, starting, unlabeled].map((instance) => workloadId(instance.instanceId)).sort(),
    );
  });

  it("maps an instance to a workload: every ENI as a NIC, primary first, with addresses and tags", () => {
    const { web, webSecond } = estate;
    expect(discovery.workloads.find((workload) => workload.id === workloadId(web.instanceId))).toEqual({
      id: workloadId(web.instanceId),
      state: "running",
      nics: [
        { id: web.networkInterfaceId, network: NETWORK_A, privateIp: "10.1.0.11", publicIp: "54.0.0.11" },
        { id: webSecond.networkInterfaceId, network: NETWORK_B, privateIp: "10.2.0.11" },
      ],
      tags: { Name: "web-1", "seg-app": "shop", "seg-env": "prod", "seg-role": "web" },
    });
  });

  it("maps pending to running and stopped to stopped (which has lost its public IP)", () => {
    const byId = new Map(discovery.workloads.map((workload) => [workload.id, workload]));
    expect(byId.get(workloadId(estate.starting.instanceId))?.state).toBe("running");
    expect(byId.get(workloadId(estate.db.instanceId))).toEqual({
      id: workloadId(estate.db.instanceId),
      state: "stopped",
      nics: [{ id: estate.db.networkInterfaceId, network: NETWORK_B, privateIp: "10.2.0.21" }],
      tags: { "seg-role": "db" },
    });
    expect(byId.get(workloadId(estate.unlabeled.instanceId))?.tags).toEqual({ Name: "was-shop" });
  });

  it("reports the workloads' VPCs as networks", () => {
    expect(discovery.networks).toEqual([{ id: NETWORK_A }, { id: NETWORK_B }]);
  });

  it("returns the instances and their ENIs in the state", () => {
    const { web, webSecond, db, starting, unlabeled } = estate;
    const state = discovery.state;
    expect(state).toMatchObject(LOCATION);
    expect(state.instances.map((instance) => instance.InstanceId)).toEqual(
      [web, db, starting, unlabeled].map((instance) => instance.instanceId).sort(),
    );
    expect(state.networkInterfaces.map((eni) => eni.NetworkInterfaceId)).toEqual(
      [web, webSecond, db, starting, unlabeled].map((eni) => eni.networkInterfaceId).sort(),
    );
    const recorded = state.networkInterfaces.find(
      (eni) => eni.NetworkInterfaceId === unlabeled.networkInterfaceId,
    );
    expect(recorded?.TagSet).toEqual(
      AWS_OWNERSHIP.recordTags(LOCATION, unlabeled.networkInterfaceId, [estate.ids.recordedOnly]),
    );
  });

  it("returns every owned group, and the customer groups the ENIs carry or recorded, not others", () => {
    const { ids, sim, starting } = estate;
    const defaultA = sim
      .state()
      .networkInterfaces.find((eni) => eni.NetworkInterfaceId === starting.networkInterfaceId)
      ?.Groups[0]?.GroupId;
    expect(discovery.state.securityGroups.map((group) => group.GroupId)).toEqual(
      [ids.legacyWeb, ids.legacyDb, ids.recordedOnly, ids.owned, ids.ownedElsewhere, defaultA].sort(),
    );
    expect(discovery.state.securityGroups.map((group) => group.GroupId)).not.toContain(ids.unused);
  });

  it("returns owned prefix lists and those customer groups reference, with their entries", () => {
    const { ids } = estate;
    const lists = discovery.state.managedPrefixLists;
    expect(lists.map((list) => list.PrefixListId)).toEqual([ids.officeList, ids.ownedList].sort());
    expect(lists.find((list) => list.PrefixListId === ids.ownedList)?.Entries).toEqual([
      { Cidr: "10.2.0.11/32" },
      { Cidr: "10.2.0.21/32" },
    ]);
    expect(lists.find((list) => list.PrefixListId === ids.officeList)?.Entries).toEqual([
      { Cidr: "192.0.2.0/24" },
    ]);
  });

  it("only reads, and filters every describe call", () => {
    const calls = estate.sim.calls;
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((call) => AWS_WRITE_METHODS.has(call.method))).toEqual([]);
    for (const call of calls.filter((entry) => entry.method.startsWith("describe"))) {
      const filters = call.args[0] as Ec2Filter[];
      expect(filters.length, call.method).toBeGreaterThan(0);
      for (const filter of filters) expect(filter.Values.length, call.method).toBeGreaterThan(0);
    }
    expect(calls[0]?.args[0]).toEqual([
      {
        Name: "tag-key",
        // Miscased keys too (EC2 compares case), so that the compiler can report them.
        Values: [
          ...["seg-app", "Seg-app", "Seg-App", "SEG-APP"],
          ...["seg-env", "Seg-env", "Seg-Env", "SEG-ENV"],
          ...["seg-role", "Seg-role", "Seg-Role", "SEG-ROLE"],
        ],
      },
      { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] },
    ]);
  });

  it("reads the usual miscasings of a label key: EC2's tag-key filter compares case", () => {
    expect(caseVariants("seg-app")).toEqual(["seg-app", "Seg-app", "Seg-App", "SEG-APP"]);
    expect(caseVariants("Seg-App")).toEqual(["Seg-App", "SEG-APP"]);
    expect(caseVariants("team_x-role")).toEqual(["team_x-role", "Team_x-role", "Team_X-Role", "TEAM_X-ROLE"]);
  });

  it("is the same on a second run", async () => {
    expect(await discoverAws(estate.sim, LABELS, AWS_OWNERSHIP)).toEqual(discovery);
  });
});

describe("discoverAws at scale", () => {
  it("splits long id lists into filters of at most 200 values", async () => {
    const sim = SimulatedEc2.empty(LOCATION);
    for (let index = 0; index < 205; index += 1) {
      const { networkInterfaceId } = sim.runInstance({
        vpcId: VPC_A,
        privateIp: `10.1.${Math.floor(index / 200)}.${(index % 200) + 1}`,
        tags: {},
      });
      await sim.createTags([networkInterfaceId], AWS_OWNERSHIP.recordTags(LOCATION, networkInterfaceId, []));
    }
    sim.clearCalls();
    const { workloads } = await discoverAws(sim, { tagPrefix: "seg-", dimensions: [] }, AWS_OWNERSHIP);
    expect(workloads).toHaveLength(205);
    const chunked = sim.calls.filter((call) =>
      (call.args[0] as Ec2Filter[]).some((filter) =>
        ["instance-id", "attachment.instance-id"].includes(filter.Name),
      ),
    );
    expect(chunked.map((call) => (call.args[0] as Ec2Filter[])[0]?.Values.length)).toEqual([200, 5, 200, 5]);
  });
});

describe("discoverAwsWorkload", () => {
  let estate: Awaited<ReturnType<typeof buildEstate>>;

  beforeAll(async () => {
    estate = await buildEstate();
  });

  it("reads one instance with the same mapping as discoverAws", async () => {
    const discovery = await discoverAws(estate.sim, LABELS, AWS_OWNERSHIP);
    for (const instance of [estate.web, estate.db, estate.starting]) {
      const workload = await discoverAwsWorkload(estate.sim, instance.instanceId);
      expect(workload).toEqual(
        discovery.workloads.find((each) => each.id === workloadId(instance.instanceId)),
      );
    }
  });

  it("returns an unlabeled instance too: the reconciler decides that it is unmanaged", async () => {
    expect((await discoverAwsWorkload(estate.sim, estate.plain.instanceId))?.tags).toEqual({ Name: "plain" });
  });

  it("returns undefined for an instance shutting down, terminated or unknown", async () => {
    expect(await discoverAwsWorkload(estate.sim, estate.leaving.instanceId)).toBeUndefined();
    expect(await discoverAwsWorkload(estate.sim, estate.terminated.instanceId)).toBeUndefined();
    expect(await discoverAwsWorkload(estate.sim, "i-0fffffffffffffff0")).toBeUndefined();
  });

  it("uses one filtered describe call", async () => {
    estate.sim.clearCalls();
    await discoverAwsWorkload(estate.sim, estate.web.instanceId);
    expect(estate.sim.calls.map((call) => [call.method, call.args])).toEqual([
      ["describeInstances", [[{ Name: "instance-id", Values: [estate.web.instanceId] }]]],
    ]);
  });
});
