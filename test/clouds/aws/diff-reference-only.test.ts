/**
 * A read of a change alone (lib/clouds/aws/discover-change.ts) holds owned objects it read only to
 * look them up (model.ts, AwsChangeRead.referenceOnly): the diff never deletes them, and keeps what
 * they reference, where it deletes the same objects unwanted in a read of whole places.
 */
import { describe, expect, it } from "vitest";
import type { AwsDesired } from "../../../lib/clouds/aws/desired.js";
import { diffAws } from "../../../lib/clouds/aws/diff.js";
import type { AwsRegionState, ManagedPrefixList, SecurityGroup } from "../../../lib/clouds/aws/model.js";
import { AWS_OWNERSHIP } from "../../support/seals.js";

const LOCATION = { account: "111111111111", region: "us-east-1" };
const VPC = "vpc-0a1b2c3d";

function ownedGroup(id: string, name: string, references?: string): SecurityGroup {
  return {
    GroupId: id,
    GroupName: name,
    Description: name,
    VpcId: VPC,
    OwnerId: LOCATION.account,
    IpPermissions:
      references === undefined
        ? []
        : [
            {
              IpProtocol: "tcp",
              FromPort: 443,
              ToPort: 443,
              IpRanges: [],
              Ipv6Ranges: [],
              PrefixListIds: references.startsWith("pl-") ? [{ PrefixListId: references }] : [],
              UserIdGroupPairs: references.startsWith("sg-") ? [{ GroupId: references }] : [],
            },
          ],
    IpPermissionsEgress: [],
    Tags: AWS_OWNERSHIP.groupTags(LOCATION, VPC, name, "app=shop"),
  };
}

const LIST: ManagedPrefixList = {
  PrefixListId: "pl-0000000000000c001",
  PrefixListName: `segsync-abc-${VPC}-5`,
  AddressFamily: "IPv4",
  MaxEntries: 5,
  Version: 1,
  OwnerId: LOCATION.account,
  State: "create-complete",
  Tags: [
    ...AWS_OWNERSHIP.prefixListTags("app=shop"),
    AWS_OWNERSHIP.prefixListSeal(LOCATION, "pl-0000000000000c001"),
  ],
  Entries: [{ Cidr: "192.0.2.1/32" }],
};

/** Nothing is wanted: a whole read deletes every owned object it holds. */
const NOTHING: AwsDesired = {
  securityGroups: [],
  prefixLists: [],
  interfaces: [],
  findings: [],
  rulesPerSecurityGroup: 60,
  securityGroupsPerInterface: 5,
};

function region(groups: SecurityGroup[], change?: AwsRegionState["change"]): AwsRegionState {
  return {
    ...LOCATION,
    instances: [],
    networkInterfaces: [],
    securityGroups: groups,
    managedPrefixLists: [LIST],
    ...(change === undefined ? {} : { change }),
  };
}

const kinds = (state: AwsRegionState) =>
  diffAws(NOTHING, [state], AWS_OWNERSHIP).map((op) => `${op.kind} ${"name" in op ? op.name : ""}`);

describe("diff of a change read alone", () => {
  const source = ownedGroup("sg-0000000000000a001", "segsync-src");
  const gone = ownedGroup("sg-0000000000000a002", "segsync-gone", LIST.PrefixListId);
  const looked = ownedGroup("sg-0000000000000a003", "segsync-looked", source.GroupId);

  it("deletes every unwanted owned object of a whole read", () => {
    expect(kinds(region([source, gone, looked]))).toEqual([
      "deleteSecurityGroup segsync-gone",
      "deleteSecurityGroup segsync-looked",
      "deleteSecurityGroup segsync-src",
      `deletePrefixList ${LIST.PrefixListName}`,
    ]);
  });

  it("never deletes what it read only to look up, nor what that references", () => {
    const change = { referenceOnly: [looked.GroupId], carriers: [], instances: [] };
    // `looked` references `source`: both stay; `gone` and its list go.
    expect(kinds(region([source, gone, looked], change))).toEqual([
      "deleteSecurityGroup segsync-gone",
      `deletePrefixList ${LIST.PrefixListName}`,
    ]);
    expect(kinds(region([gone], { ...change, referenceOnly: [LIST.PrefixListId] }))).toEqual([
      "deleteSecurityGroup segsync-gone",
    ]);
  });
});
