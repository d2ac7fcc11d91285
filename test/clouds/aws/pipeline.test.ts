import { describe, expect, it } from "vitest";
import { DEFAULT_AWS_QUOTAS } from "../../../lib/clouds/aws/config.js";
import { diffAws } from "../../../lib/clouds/aws/diff.js";
import { evaluateAws } from "../../../lib/clouds/aws/evaluate.js";
import { materializeAws } from "../../../lib/clouds/aws/materialize.js";
import { OPERATION_ORDER } from "../../../lib/clouds/aws/operations.js";
import { ORIGINAL_GROUPS_TAG_KEY } from "../../../lib/clouds/aws/ownership-keys.js";
import { createAwsProvider } from "../../../lib/clouds/aws/provider.js";
import type { Workload } from "../../../lib/inventory/model.js";
import { AWS_VPC, designPolicy, GCP_NET, workload } from "../../compile/fixtures.js";
import { AWS_OWNERSHIP, SEALER } from "../../support/seals.js";
import { AwsTestbed } from "./harness.js";

const LOCATION = { account: "111111111111", region: "us-east-1" };
const shop = { app: "shop", env: "prod" };
const web = workload(
  "aws:111111111111:us-east-1:i-0a00000000000001",
  { network: AWS_VPC, privateIp: "10.1.0.11" },
  { ...shop, role: "web" },
);
const api = workload(
  "aws:111111111111:us-east-1:i-0a00000000000002",
  { network: AWS_VPC, privateIp: "10.1.0.12" },
  { ...shop, role: "api" },
);
const db = workload(
  "aws:111111111111:us-east-1:i-0a00000000000003",
  { network: AWS_VPC, privateIp: "10.1.0.13" },
  { ...shop, role: "db" },
);
const prometheus = workload(
  "gcp:shop-prod:us-central1-b:prom-1",
  { network: GCP_NET, privateIp: "10.3.0.9", publicIp: "34.1.1.1" },
  { app: "monitoring", role: "prometheus" },
);
const policy = designPolicy();

function eniOf(bed: AwsTestbed, w: Workload) {
  const instanceId = w.id.split(":").at(-1);
  const eni = bed.state()[0]?.networkInterfaces.find((n) => n.Attachment?.InstanceId === instanceId);
  if (!eni) throw new Error(`no ENI for ${w.id}`);
  return eni;
}

async function withCustomerGroup(bed: AwsTestbed) {
  const sim = bed.sim(LOCATION);
  const { groupId } = await sim.createSecurityGroup({
    vpcId: "vpc-0a1b2c3d",
    groupName: "legacy-ssh",
    description: "ssh",
    tags: [],
  });
  await sim.authorizeIngress(groupId, [
    {
      IpProtocol: "tcp",
      FromPort: 22,
      ToPort: 22,
      IpRanges: [{ CidrIp: "0.0.0.0/0" }],
      Ipv6Ranges: [],
      PrefixListIds: [],
      UserIdGroupPairs: [],
    },
  ]);
  await sim.modifyNetworkInterfaceGroups(eniOf(bed, db).NetworkInterfaceId, [groupId]);
  return groupId;
}

describe("AWS pipeline on the simulator", () => {
  it("references same-VPC sources by group, remote ones by prefix list, ipLists by CIDR", async () => {
    const bed = new AwsTestbed([web, api, db], DEFAULT_AWS_QUOTAS);
    const { desired } = await bed.reconcile(policy, [prometheus], "exclusive");
    const dbGroup = desired.securityGroups.find((g) => g.identity.endsWith("role=db"));
    expect(dbGroup?.rules.map((r) => [r.protocol, r.fromPort, r.source.kind])).toEqual(
      expect.arrayContaining([
        ["tcp", 5432, "group"],
        ["tcp", 9100, "prefixList"],
      ]),
    );
    const webGroup = desired.securityGroups.find((g) => g.identity.endsWith("role=web"));
    expect(webGroup?.rules.filter((r) => r.source.kind === "cidr").map((r) => r.source)).toEqual(
      expect.arrayContaining([
        { kind: "cidr", cidr: "10.8.0.0/16" },
        { kind: "cidr", cidr: "192.168.50.0/24" },
      ]),
    );
    expect(desired.prefixLists.map((l) => l.entries)).toEqual([["34.1.1.1/32"]]);

    const reach = evaluateAws(bed.state());
    const dbEni = eniOf(bed, db).NetworkInterfaceId;
    expect(reach.accepts(dbEni, "10.1.0.12", "tcp", 5432)).toBe(true);
    expect(reach.accepts(dbEni, "10.1.0.11", "tcp", 5432)).toBe(false);
    expect(reach.accepts(dbEni, "34.1.1.1", "tcp", 9100)).toBe(true);
    expect(reach.accepts(dbEni, "34.1.1.1", "tcp", 5432)).toBe(false);
  });

  it("leaves customer groups alone, records them, and gives them back when enforcement ends", async () => {
    const bed = new AwsTestbed([web, api, db], DEFAULT_AWS_QUOTAS);
    const customer = await withCustomerGroup(bed);
    const customerBefore = bed.state()[0]?.securityGroups.find((g) => g.GroupId === customer);
    await bed.reconcile(policy, [], "exclusive");
    const enforced = eniOf(bed, db);
    expect(enforced.Groups.map((g) => g.GroupName)).toEqual([expect.stringMatching(/^segsync-/)]);
    expect(enforced.TagSet).toContainEqual({ Key: ORIGINAL_GROUPS_TAG_KEY, Value: customer });
    expect(bed.state()[0]?.securityGroups.find((g) => g.GroupId === customer)).toEqual(customerBefore);

    const off = {
      ...policy,
      rulesets: policy.rulesets.map((rs) => ({ ...rs, enforcement: "visibility" as const })),
    };
    await bed.reconcile(off, [], "exclusive");
    const restored = eniOf(bed, db);
    expect(restored.Groups.map((g) => g.GroupId)).toEqual([customer]);
    expect(restored.TagSet.map((t) => t.Key)).not.toContain(ORIGINAL_GROUPS_TAG_KEY);
    expect(
      bed
        .state()[0]
        ?.securityGroups.map((g) => g.GroupName)
        .filter((n) => n.startsWith("segsync-")),
    ).toEqual([]);
    expect(bed.state()[0]?.securityGroups.find((g) => g.GroupId === customer)).toEqual(customerBefore);
  });

  it("keeps customer groups beside its own in additive mode", async () => {
    const bed = new AwsTestbed([web, api, db], DEFAULT_AWS_QUOTAS);
    const customer = await withCustomerGroup(bed);
    await bed.reconcile(policy, [], "additive");
    const eni = eniOf(bed, db);
    expect(eni.Groups.map((g) => g.GroupId)).toContain(customer);
    expect(eni.Groups).toHaveLength(2);
    expect(evaluateAws(bed.state()).explain(eni.NetworkInterfaceId, "203.0.113.99", "tcp", 22)?.groupId).toBe(
      customer,
    );
  });

  it("applies nothing for a destination that cannot fit, and says why", async () => {
    const bed = new AwsTestbed([web, api, db], { rulesPerSecurityGroup: 1, securityGroupsPerInterface: 1 });
    const before = eniOf(bed, web).Groups;
    const { desired } = await bed.reconcile(policy, [prometheus], "exclusive");
    expect(
      desired.findings.find((f) => f.code === "aws-quota" && f.message.includes("role=web"))?.message,
    ).toMatch(/role=web.*do not fit in 1 security groups of 1 rules; not applied/);
    expect(eniOf(bed, web).Groups).toEqual(before);
  });

  it("shards a destination whose rules exceed one group", async () => {
    const bed = new AwsTestbed([web, api, db], { rulesPerSecurityGroup: 2, securityGroupsPerInterface: 5 });
    const { desired } = await bed.reconcile(policy, [], "exclusive");
    const webGroups = desired.securityGroups.filter((g) => g.identity.endsWith("role=web"));
    expect(webGroups.map((g) => g.name)).toHaveLength(2);
    expect(eniOf(bed, web).Groups).toHaveLength(2);
  });

  it("leaves a stopped workload's interface and its groups as they are", async () => {
    const bed = new AwsTestbed([web, api, db], DEFAULT_AWS_QUOTAS);
    await bed.reconcile(policy, [], "exclusive");
    const groups = eniOf(bed, db).Groups;
    bed.sim(LOCATION).setInstanceState("i-0a00000000000003", "stopped");
    const { plan } = await bed.reconcile(policy, [], "exclusive");
    expect(plan.filter((op) => op.kind === "deleteSecurityGroup")).toEqual([]);
    expect(eniOf(bed, db).Groups).toEqual(groups);
  });

  it("never deletes a group without the ownership tag, whatever its name", async () => {
    const bed = new AwsTestbed([web], DEFAULT_AWS_QUOTAS);
    const { groupId } = await bed.sim(LOCATION).createSecurityGroup({
      vpcId: "vpc-0a1b2c3d",
      groupName: "segsync-lookalike",
      description: "not ours",
      tags: [],
    });
    const { plan } = await bed.reconcile(policy, [], "exclusive");
    expect(plan.some((op) => "groupId" in op && op.groupId === groupId)).toBe(false);
    expect(bed.state()[0]?.securityGroups.some((g) => g.GroupId === groupId)).toBe(true);
  });

  it("orders a plan make-before-break and issues no writes the second time", async () => {
    const bed = new AwsTestbed([web, api, db], DEFAULT_AWS_QUOTAS);
    await withCustomerGroup(bed);
    const { plan } = await bed.reconcile(policy, [prometheus], "exclusive");
    const ranks = plan.map((op) => OPERATION_ORDER.indexOf(op.kind));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(plan.map((op) => op.kind)).toContain("setInterfaceGroups");
    const writes = bed.writes();
    const again = await bed.reconcile(policy, [prometheus], "exclusive");
    expect(again.plan).toEqual([]);
    expect(bed.writes()).toBe(writes);
  });

  it("revokes only what changed when a source moves", async () => {
    const bed = new AwsTestbed([web, api, db], DEFAULT_AWS_QUOTAS);
    await bed.reconcile(policy, [prometheus], "exclusive");
    const moved = {
      ...prometheus,
      nics: [{ ...prometheus.nics[0], network: GCP_NET, privateIp: "10.3.0.9", publicIp: "34.1.1.2" }],
    } as Workload;
    const { plan } = await bed.reconcile(policy, [moved], "exclusive");
    expect(plan.map((op) => op.kind)).toEqual(["modifyPrefixList"]);
  });

  it("deletes groups that reference each other with one revoke per loop, others in reference order", async () => {
    const bed = new AwsTestbed([web, api, db], DEFAULT_AWS_QUOTAS);
    await bed.reconcile(policy, [], "exclusive");
    // web → api and api → db are one-way references; add a loop: db → web.
    const loop = {
      ...policy,
      rulesets: policy.rulesets.map((rs) => ({
        ...rs,
        rules: [
          ...rs.rules,
          {
            ...(rs.rules[0] as (typeof rs.rules)[number]),
            id: "shop-prod#9",
            index: 9,
            from: {
              kind: "labels" as const,
              selector: { app: ["shop"], env: ["prod"], role: ["db"] },
              extraScope: false,
            },
            to: { kind: "labels" as const, selector: { app: ["shop"], env: ["prod"], role: ["web"] } },
          },
        ],
      })),
    };
    await bed.reconcile(loop, [], "exclusive");
    const off = {
      ...loop,
      rulesets: loop.rulesets.map((rs) => ({ ...rs, enforcement: "visibility" as const })),
    };
    const { plan } = await bed.reconcile(off, [], "exclusive");
    const deletes = plan.filter((op) => op.kind === "deleteSecurityGroup");
    const loopRevokes = plan.filter((op) => op.kind === "revokeIngress");
    expect(deletes).toHaveLength(3);
    expect(loopRevokes).toHaveLength(1);
    expect(bed.state()[0]?.securityGroups.filter((g) => g.GroupName.startsWith("segsync-"))).toEqual([]);
  });

  it("is exposed through the CloudProvider port", async () => {
    const bed = new AwsTestbed([web, api, db], DEFAULT_AWS_QUOTAS);
    await bed.reconcile(policy, [], "exclusive");
    const provider = createAwsProvider({ quotas: DEFAULT_AWS_QUOTAS, sealer: SEALER });
    const connection = { apiFor: () => bed.sim(LOCATION), locations: [LOCATION] };
    const discovery = await provider.discover(connection, policy.labels);
    expect(discovery.workloads.map((w) => w.id)).toEqual([web.id, api.id, db.id]);
    expect(await provider.discoverWorkload(connection, db.id, policy.labels)).toMatchObject({
      id: db.id,
      state: "running",
    });
    const verdict = provider.evaluate(discovery.state).explain({
      workload: db.id,
      network: AWS_VPC,
      sourceAddress: "10.1.0.12",
      protocol: "tcp",
      port: 5432,
    });
    expect(verdict?.object).toMatch(/^segsync-\w+ \(sg-/);
    expect(verdict?.rule).toMatch(/^tcp\/5432 from sg-/);
    const plan = diffAws(
      materializeAws(await compileIntent(discovery.workloads), discovery.state, {
        quotas: DEFAULT_AWS_QUOTAS,
        attachment: "exclusive",
        ownership: AWS_OWNERSHIP,
      }),
      discovery.state,
      AWS_OWNERSHIP,
    );
    expect(plan).toEqual([]);
  });
});

async function compileIntent(workloads: readonly Workload[]) {
  const { compile } = await import("../../../lib/compile/compile.js");
  return compile(policy, { workloads, networks: [] });
}
