/**
 * Prefix-list entries, make-before-break across lists (lib/clouds/aws/diff.ts, entryWrites): a
 * remote source re-tagged from one identity to another that the same rule admits moves from one
 * list to the other, and must be in the new list before it leaves the old.
 */
import { describe, expect, it } from "vitest";
import type { AwsDesired } from "../../../lib/clouds/aws/desired.js";
import { diffAws } from "../../../lib/clouds/aws/diff.js";
import type { AwsRegionState, ManagedPrefixList } from "../../../lib/clouds/aws/model.js";
import type { AwsOperation } from "../../../lib/clouds/aws/operations.js";
import { AWS_OWNERSHIP } from "../../support/seals.js";

const location = { account: "123456789012", region: "us-east-1" };
const MOVING = "34.0.0.7/32";

function ownedList(id: string, identity: string, entries: string[], maxEntries = 5): ManagedPrefixList {
  return {
    PrefixListId: id,
    PrefixListName: `segsync-${identity}-vpc-1-${maxEntries}`,
    AddressFamily: "IPv4",
    OwnerId: location.account,
    State: "modify-complete",
    MaxEntries: maxEntries,
    Version: 3,
    Tags: [...AWS_OWNERSHIP.prefixListTags(identity), AWS_OWNERSHIP.prefixListSeal(location, id)],
    Entries: entries.map((Cidr) => ({ Cidr })),
  };
}

function plan(lists: ManagedPrefixList[], wanted: Record<string, string[]>): AwsOperation[] {
  const desired: AwsDesired = {
    securityGroups: [],
    prefixLists: lists.map((list) => ({
      location,
      name: list.PrefixListName,
      identity: list.PrefixListName,
      addressFamily: "IPv4",
      maxEntries: list.MaxEntries ?? 5,
      entries: wanted[list.PrefixListId] ?? [],
    })),
    interfaces: [],
    findings: [],
    rulesPerSecurityGroup: 60,
    securityGroupsPerInterface: 5,
  };
  const region: AwsRegionState = {
    ...location,
    instances: [],
    networkInterfaces: [],
    securityGroups: [],
    managedPrefixLists: lists,
  };
  return diffAws(desired, [region], AWS_OWNERSHIP);
}

/** Each write as `<list> +added -removed @version`, in plan order. */
function writes(operations: AwsOperation[]): string[] {
  return operations.map((op) =>
    op.kind === "modifyPrefixList"
      ? `${op.prefixListId} +${op.add.join(",")} -${op.remove.join(",")} @${op.currentVersion}`
      : op.kind,
  );
}

describe("prefix-list entries moving between lists", () => {
  it("are added to the new list before they leave the old, each list's other changes kept", () => {
    const old = ownedList("pl-old", "web", [MOVING, "34.0.0.8/32"]);
    const next = ownedList("pl-new", "api", ["34.0.0.9/32"]);
    const operations = plan([old, next], {
      "pl-old": ["34.0.0.8/32", "34.0.0.10/32"],
      "pl-new": [MOVING],
    });
    // The old list takes its newcomer first and lets the moving address go at the next version,
    // after the new list took it; the new list's own removal goes with its addition, in one write.
    expect(writes(operations)).toEqual([
      "pl-old +34.0.0.10/32 - @3",
      "pl-new +34.0.0.7/32 -34.0.0.9/32 @3",
      "pl-old + -34.0.0.7/32 @4",
    ]);
  });

  it("stay one write per list where nothing moves, removals alone after every addition", () => {
    const changed = ownedList("pl-a", "web", ["34.0.0.1/32"]);
    const shrunk = ownedList("pl-b", "api", ["34.0.0.2/32", "34.0.0.3/32"]);
    expect(writes(plan([shrunk, changed], { "pl-a": ["34.0.0.4/32"], "pl-b": ["34.0.0.2/32"] }))).toEqual([
      "pl-a +34.0.0.4/32 -34.0.0.1/32 @3",
      "pl-b + -34.0.0.3/32 @3",
    ]);
  });

  it("take one write on a list without room for both, so that it never passes its MaxEntries", () => {
    const full = ownedList("pl-full", "web", [MOVING, "34.0.0.8/32"], 2);
    const next = ownedList("pl-new", "api", []);
    const operations = plan([full, next], { "pl-full": ["34.0.0.8/32", "34.0.0.10/32"], "pl-new": [MOVING] });
    expect(writes(operations)).toEqual(["pl-full +34.0.0.10/32 -34.0.0.7/32 @3", "pl-new +34.0.0.7/32 - @3"]);
  });
});
