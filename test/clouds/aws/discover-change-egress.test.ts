/**
 * A change read alone (lib/clouds/aws/discover-change.ts) looks up what its groups' rules
 * reference, egress rules (v2) included: a group named only by a scoped group's egress rule must
 * be read, or the plan would not know it and would write that rule again under another name.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_AWS_QUOTAS } from "../../../lib/clouds/aws/config.js";
import { discoverAwsChange } from "../../../lib/clouds/aws/discover-change.js";
import { groupName } from "../../../lib/clouds/aws/materialize.js";
import type { Intent } from "../../../lib/compile/model.js";
import { SimulatedEc2 } from "../../../sim/clouds/aws/api.js";
import { AWS_OWNERSHIP } from "../../support/seals.js";

const LOCATION = { account: "111111111111", region: "us-east-1" };
const VPC_ID = "vpc-0a1b2c3d";

/** Two owned groups in one VPC; web's egress rule names db's group. */
async function webSendsToDb(): Promise<{ ec2: SimulatedEc2; web: string; db: string }> {
  const ec2 = SimulatedEc2.empty(LOCATION);
  ec2.createVpc(VPC_ID, "10.1.0.0/16");
  const owned = async (hash: string, identity: string) =>
    (
      await ec2.createSecurityGroup({
        vpcId: VPC_ID,
        groupName: groupName(hash, 1),
        description: `segsync: ${identity}`,
        tags: AWS_OWNERSHIP.groupTags(LOCATION, VPC_ID, groupName(hash, 1), identity),
      })
    ).groupId;
  const web = await owned("aaaaaaaaaa", "app=shop,role=web");
  const db = await owned("bbbbbbbbbb", "app=shop,role=db");
  await ec2.authorizeEgress(web, [
    {
      IpProtocol: "tcp",
      FromPort: 5432,
      ToPort: 5432,
      IpRanges: [],
      Ipv6Ranges: [],
      PrefixListIds: [],
      UserIdGroupPairs: [{ GroupId: db, Description: "segsync" }],
    },
  ]);
  return { ec2, web, db };
}

function changeOf(hash: string) {
  return {
    instanceIds: [],
    destinations: [{ key: `${hash}@aws:111111111111:us-east-1:${VPC_ID}`, hash, vpcId: VPC_ID }],
    peerSets: [],
    egressTargets: [],
  };
}

const SETTINGS = { ownership: AWS_OWNERSHIP, quotas: DEFAULT_AWS_QUOTAS };

describe("a change read alone, with egress rules", () => {
  it("reads the owned group that a scoped group's egress rule references, by id", async () => {
    const { ec2, web, db } = await webSendsToDb();
    const discovery = await discoverAwsChange(ec2, changeOf("aaaaaaaaaa"), SETTINGS);
    const read = discovery.state.securityGroups.map((g) => g.GroupId);
    expect(read).toContain(web);
    expect(read).toContain(db);
    expect(discovery.state.change?.referenceOnly).toContain(db);
  });

  it("reads the groups whose egress rules reference a group the change may delete", async () => {
    const { ec2, web, db } = await webSendsToDb();
    const discovery = await discoverAwsChange(ec2, changeOf("bbbbbbbbbb"), SETTINGS);
    const read = discovery.state.securityGroups.map((g) => g.GroupId);
    expect(read).toContain(db);
    // Without web, a plan would delete db while web's egress still names it (DependencyViolation).
    expect(read).toContain(web);
  });

  it("reads the group of an egress target outside the change, which the source's rule names, with the change's slice", async () => {
    const { ec2, db } = await webSendsToDb();
    const network = `aws:111111111111:us-east-1:${VPC_ID}`;
    const target = `bbbbbbbbbb@${network}`;
    const after: Intent = {
      destinations: [],
      peerSets: [],
      workloads: [],
      findings: [],
      egress: [
        {
          key: `aaaaaaaaaa@${network}`,
          identity: "app=shop,role=web",
          hash: "aaaaaaaaaa",
          network,
          cloud: "aws",
          labels: { app: "shop", role: "web" },
          members: [],
          opens: [
            {
              targetKey: target,
              target: {
                kind: "identity",
                key: target,
                identity: "app=shop,role=db",
                local: ["aws:111111111111:us-east-1:i-0db0000000000001"],
                cidrs: ["10.1.0.9/32"],
              },
              services: [{ protocol: "tcp", fromPort: 5432, toPort: 5432 }],
              rules: ["shop/0"],
            },
          ],
        },
      ],
    };
    const nothing = {
      securityGroups: [],
      prefixLists: [],
      interfaces: [],
      findings: [],
      rulesPerSecurityGroup: DEFAULT_AWS_QUOTAS.rulesPerSecurityGroup,
      securityGroupsPerInterface: DEFAULT_AWS_QUOTAS.securityGroupsPerInterface,
    };
    const part = {
      ...changeOf("cccccccccc"),
      egressTargets: [{ key: target, hash: "bbbbbbbbbb", vpcId: VPC_ID }],
    };
    const planning = { after, additive: false, materialize: () => nothing };
    const discovery = await discoverAwsChange(ec2, part, { ...SETTINGS, planning });
    expect(discovery.state.securityGroups.map((g) => g.GroupId)).toContain(db);
    expect(discovery.state.change?.referenceOnly).toContain(db);
    expect(discovery.state.change?.carriers).toEqual([target]);
    // Without the slice, which names the target's members, the target is not named by its group.
    const alone = await discoverAwsChange(ec2, part, SETTINGS);
    expect(alone.state.change?.carriers).toEqual([]);
  });
});
