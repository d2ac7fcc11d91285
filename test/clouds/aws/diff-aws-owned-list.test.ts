import { describe, expect, it } from "vitest";
import type { AwsDesired } from "../../../lib/clouds/aws/desired.js";
import { diffAws } from "../../../lib/clouds/aws/diff.js";
import type { AwsRegionState, ManagedPrefixList, SecurityGroup } from "../../../lib/clouds/aws/model.js";
import { AWS_OWNERSHIP } from "../../support/seals.js";

/**
 * An AWS-owned prefix list has no MaxEntries (docs/real-data.md, "AWS"): a rule that references
 * it weighs the list's entries in the rule quota, as AWS counts it.
 */
const location = { account: "123456789012", region: "us-east-1" };

/** com.amazonaws.us-east-1.s3 as DescribeManagedPrefixLists returns it, with five entries. */
const S3_LIST: ManagedPrefixList = {
  PrefixListId: "pl-63a5400a",
  PrefixListName: "com.amazonaws.us-east-1.s3",
  AddressFamily: "IPv4",
  OwnerId: "AWS",
  State: "create-complete",
  Tags: [],
  Entries: ["3.5.0.0/19", "16.182.0.0/16", "18.34.0.0/19", "52.216.0.0/15", "54.231.0.0/16"].map((Cidr) => ({
    Cidr,
  })),
};

/** An owned group whose only rule, no longer wanted, allows the S3 list. */
const OWNED_GROUP: SecurityGroup = {
  GroupId: "sg-0owned",
  GroupName: "segsync-web",
  Description: "segsync",
  VpcId: "vpc-1",
  OwnerId: location.account,
  IpPermissions: [
    {
      IpProtocol: "tcp",
      FromPort: 443,
      ToPort: 443,
      IpRanges: [],
      Ipv6Ranges: [],
      PrefixListIds: [{ PrefixListId: S3_LIST.PrefixListId }],
      UserIdGroupPairs: [],
    },
  ],
  IpPermissionsEgress: [],
  Tags: AWS_OWNERSHIP.groupTags(location, "vpc-1", "segsync-web", "app=web"),
};

function desired(rulesPerSecurityGroup: number): AwsDesired {
  return {
    securityGroups: [
      {
        location,
        vpcId: "vpc-1",
        name: "segsync-web",
        identity: "web",
        description: "segsync",
        rules: [
          { protocol: "tcp", fromPort: 443, toPort: 443, source: { kind: "cidr", cidr: "10.0.0.0/16" } },
        ],
      },
    ],
    prefixLists: [],
    interfaces: [],
    findings: [],
    rulesPerSecurityGroup,
    securityGroupsPerInterface: 5,
  };
}

const region: AwsRegionState = {
  ...location,
  instances: [],
  networkInterfaces: [],
  securityGroups: [OWNED_GROUP],
  managedPrefixLists: [S3_LIST],
};

function revoke(rulesPerSecurityGroup: number) {
  return diffAws(desired(rulesPerSecurityGroup), [region], AWS_OWNERSHIP).find(
    (op) => op.kind === "revokeIngress",
  );
}

describe("an AWS-owned prefix list in the rule quota", () => {
  it("weighs its five entries: with the new rule, 6 rules do not fit in 5, so the old goes first", () => {
    expect(revoke(5)).toMatchObject({ groupId: "sg-0owned", toMakeRoom: true });
  });

  it("fits when the quota holds its entries and the new rule", () => {
    expect(revoke(6)).toMatchObject({ groupId: "sg-0owned" });
    expect(revoke(6)).not.toHaveProperty("toMakeRoom");
  });
});
