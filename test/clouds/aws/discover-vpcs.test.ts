import { describe, expect, it } from "vitest";
import { discoverAws, discoverAwsWorkload } from "../../../lib/clouds/aws/discover.js";
import { SimulatedEc2 } from "../../../sim/clouds/aws/api.js";
import { AWS_OWNERSHIP } from "../../support/seals.js";

const LOCATION = { account: "111111111111", region: "us-east-1" };
const LABELS = { tagPrefix: "seg-", dimensions: ["app"] };

/** A labelled instance in each of two VPCs; the second one also has an ENI in the first. */
function estate() {
  const sim = SimulatedEc2.empty(LOCATION);
  sim.addVpc("vpc-0a1b2c3d");
  sim.addVpc("vpc-0b2c3d4e");
  const listed = sim.runInstance({
    vpcId: "vpc-0a1b2c3d",
    privateIp: "10.1.0.11",
    tags: { "seg-app": "shop" },
  });
  const other = sim.runInstance({
    vpcId: "vpc-0b2c3d4e",
    privateIp: "10.2.0.11",
    tags: { "seg-app": "shop" },
  });
  const dual = sim.runInstance({
    vpcId: "vpc-0a1b2c3d",
    privateIp: "10.1.0.12",
    tags: { "seg-app": "shop" },
  });
  sim.attachNetworkInterface(dual.instanceId, {
    vpcId: "vpc-0b2c3d4e",
    privateIp: "10.2.0.12",
  });
  return { sim, listed, other, dual };
}

describe("discovery within the configured VPCs", () => {
  it("leaves out, and reports, labelled instances and ENIs in VPCs the configuration does not list", async () => {
    const { sim, listed, other, dual } = estate();
    const discovery = await discoverAws(sim, LABELS, AWS_OWNERSHIP, ["vpc-0a1b2c3d"]);
    expect(discovery.workloads.map((w) => w.id).sort()).toEqual(
      [listed.instanceId, dual.instanceId].map((id) => `aws:111111111111:us-east-1:${id}`).sort(),
    );
    const dualNics = discovery.workloads.find((w) => w.id.endsWith(dual.instanceId))?.nics ?? [];
    expect(dualNics.map((nic) => nic.network)).toEqual(["aws:111111111111:us-east-1:vpc-0a1b2c3d"]);
    expect(discovery.state.networkInterfaces.every((eni) => eni.VpcId === "vpc-0a1b2c3d")).toBe(true);
    expect(discovery.findings).toContainEqual(
      expect.objectContaining({
        code: "aws-vpc-not-configured",
        subject: `aws:111111111111:us-east-1:${other.instanceId}`,
      }),
    );
    expect(await discoverAwsWorkload(sim, other.instanceId, ["vpc-0a1b2c3d"])).toBeUndefined();
  });

  it("reads every VPC when the configuration lists none", async () => {
    const { sim } = estate();
    const discovery = await discoverAws(sim, LABELS, AWS_OWNERSHIP);
    expect(discovery.workloads).toHaveLength(3);
    expect(discovery.findings.filter((f) => f.code === "aws-vpc-not-configured")).toEqual([]);
  });
});
