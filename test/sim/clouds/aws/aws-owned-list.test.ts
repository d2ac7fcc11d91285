import { describe, expect, it } from "vitest";
import { AwsInvalidRequestError, AwsQuotaExceededError } from "../../../../lib/clouds/aws/errors.js";
import type { AwsRegionState, IpPermission, ManagedPrefixList } from "../../../../lib/clouds/aws/model.js";
import { SimulatedEc2 } from "../../../../sim/clouds/aws/api.js";

/**
 * The simulator holds an AWS-managed prefix list as EC2 shows it (docs/real-data.md, "AWS"): no
 * MaxEntries, no Version, read-only, and weighing its entries in a group's rule quota.
 */
const LOCATION = { account: "123456789012", region: "us-east-1" };

/** com.amazonaws.us-east-1.s3 as DescribeManagedPrefixLists returns it, with three entries. */
const S3_LIST: ManagedPrefixList = {
  PrefixListId: "pl-63a5400a",
  PrefixListName: "com.amazonaws.us-east-1.s3",
  AddressFamily: "IPv4",
  OwnerId: "AWS",
  State: "create-complete",
  Tags: [],
  Entries: [{ Cidr: "3.5.0.0/19" }, { Cidr: "52.216.0.0/15" }, { Cidr: "54.231.0.0/16" }],
};

const STATE: AwsRegionState = {
  ...LOCATION,
  instances: [],
  networkInterfaces: [],
  securityGroups: [
    {
      GroupId: "sg-0web",
      GroupName: "web",
      Description: "web servers",
      VpcId: "vpc-1",
      OwnerId: LOCATION.account,
      IpPermissions: [],
      IpPermissionsEgress: [],
      Tags: [],
    },
  ],
  managedPrefixLists: [S3_LIST],
};

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

describe("an AWS-managed prefix list in the simulator", () => {
  it("is described without MaxEntries and Version, as EC2 describes it", async () => {
    const sim = new SimulatedEc2(STATE);

    const [list] = await sim.describeManagedPrefixLists([
      { Name: "prefix-list-id", Values: ["pl-63a5400a"] },
    ]);

    expect(list).toStrictEqual({
      PrefixListId: "pl-63a5400a",
      PrefixListName: "com.amazonaws.us-east-1.s3",
      AddressFamily: "IPv4",
      OwnerId: "AWS",
      State: "create-complete",
      Tags: [],
    });
    expect(sim.state().managedPrefixLists).toEqual([S3_LIST]);
  });

  it("weighs its entries in a group's rule quota", async () => {
    const sim = new SimulatedEc2(STATE, {
      quotas: { rulesPerSecurityGroup: 3, securityGroupsPerInterface: 5 },
    });
    const groupId = "sg-0web";
    await sim.authorizeIngress(groupId, [https({ PrefixListIds: [{ PrefixListId: "pl-63a5400a" }] })]);

    const failure = await sim
      .authorizeIngress(groupId, [https({ IpRanges: [{ CidrIp: "10.0.0.0/16" }] })])
      .then(
        () => undefined,
        (error: unknown) => error,
      );

    expect(failure).toBeInstanceOf(AwsQuotaExceededError);
  });

  it("cannot be deleted", async () => {
    const sim = new SimulatedEc2(STATE);

    await expect(sim.deleteManagedPrefixList("pl-63a5400a")).rejects.toBeInstanceOf(AwsInvalidRequestError);
    expect(sim.state().managedPrefixLists).toEqual([S3_LIST]);
  });

  it("cannot be modified", async () => {
    const sim = new SimulatedEc2(STATE);

    await expect(
      sim.modifyManagedPrefixList({
        prefixListId: "pl-63a5400a",
        currentVersion: 1,
        addEntries: [{ Cidr: "10.0.0.0/8" }],
        removeCidrs: [],
      }),
    ).rejects.toBeInstanceOf(AwsInvalidRequestError);
  });
});
