/**
 * What `native.aws` must satisfy with the rest of the estate: every object in an estate VPC of
 * its account, ids listed once, group names unique per VPC, references (rules to groups and
 * prefix lists, ENIs to groups) resolving in the same place, prefix-list entries that fit, and
 * an ENI attached to an estate instance agreeing with that workload (its primary ENI, or a
 * secondary one at a higher device index: docs/formats.md, "Estate").
 */
import { parseCidr } from "../../../lib/net/cidr.js";
import type { DraftIssue, PathSegment } from "../../../lib/util/source-issues.js";
import type { AddressBook } from "../../address-book.js";
import type { EstateIndex } from "../../estate-index.js";
import { checkAwsInterfaces } from "./native-eni-check.js";
import { locationKey, ownerIssues, prefixListLocation, vpcLocation } from "./native-place.js";
import type { NativeAws, NativePrefixList, NativeSecurityGroup } from "./native-schema.js";

const BASE = ["native", "aws"] as const;
/** A list whose place is unknown (already reported): references to it are not reported again. */
const UNPLACED = "?";

export function checkNativeAws(native: NativeAws, index: EstateIndex, addresses: AddressBook): DraftIssue[] {
  const groups = native.securityGroups ?? [];
  const issues = groupIssues(groups, index);
  const listPlaces = new Map<string, string>();
  (native.managedPrefixLists ?? []).forEach((list, at) => {
    issues.push(...prefixListIssues(list, [...BASE, "managedPrefixLists", at], native, index, listPlaces));
  });
  groups.forEach((group, at) => {
    issues.push(...referenceIssues(group, [...BASE, "securityGroups", at], index, groups, listPlaces));
  });
  issues.push(...checkAwsInterfaces(native, index, addresses));
  return issues;
}

/** Each group's owner and place, and its id and its name in its VPC listed once. */
function groupIssues(groups: readonly NativeSecurityGroup[], index: EstateIndex): DraftIssue[] {
  const issues: DraftIssue[] = [];
  const groupIds = new Map<string, number>();
  const groupNames = new Map<string, number>();
  groups.forEach((group, at) => {
    const path = [...BASE, "securityGroups", at];
    issues.push(...ownerIssues(index, group.VpcId, group.OwnerId, path));
    const first = groupIds.get(group.GroupId);
    if (first !== undefined) {
      issues.push({
        path: [...path, "GroupId"],
        message: `${group.GroupId} is already listed at native.aws.securityGroups[${first}]`,
      });
    } else groupIds.set(group.GroupId, at);
    const nameKey = `${group.VpcId} ${group.GroupName}`;
    const named = groupNames.get(nameKey);
    if (named !== undefined) {
      issues.push({
        path: [...path, "GroupName"],
        message: `"${group.GroupName}" is already the name of native.aws.securityGroups[${named}] in ${group.VpcId}`,
      });
    } else groupNames.set(nameKey, at);
  });
  return issues;
}

/**
 * One prefix list: listed once, placed in an estate location of its owner, its entries within
 * MaxEntries and canonical CIDRs of its family. Records its place (or UNPLACED) in `listPlaces`.
 */
function prefixListIssues(
  list: NativePrefixList,
  path: readonly PathSegment[],
  native: NativeAws,
  index: EstateIndex,
  listPlaces: Map<string, string>,
): DraftIssue[] {
  if (listPlaces.has(list.PrefixListId))
    return [{ path: [...path, "PrefixListId"], message: `${list.PrefixListId} is listed twice` }];
  const issues: DraftIssue[] = [];
  const place = prefixListLocation(list, native, index);
  listPlaces.set(list.PrefixListId, place.ok ? locationKey(place.location) : UNPLACED);
  if (!place.ok) issues.push({ path: [...path, place.field], message: place.message });
  else if (list.OwnerId !== undefined && list.OwnerId !== "AWS" && list.OwnerId !== place.location.account) {
    issues.push({
      path: [...path, "OwnerId"],
      message: `is ${list.OwnerId}, but the list is in ${locationKey(place.location)}`,
    });
  }
  if (list.MaxEntries !== undefined && list.Entries.length > list.MaxEntries) {
    issues.push({
      path: [...path, "Entries"],
      message: `${list.Entries.length} entries, but MaxEntries is ${list.MaxEntries}`,
    });
  }
  const family = list.AddressFamily === "IPv4" ? 4 : 6;
  list.Entries.forEach((entry, k) => {
    const parsed = parseCidr(entry.Cidr);
    if (!parsed.ok || parsed.cidr.family !== family || parsed.cidr.text !== entry.Cidr) {
      issues.push({
        path: [...path, "Entries", k, "Cidr"],
        message: `"${entry.Cidr}" is not a canonical ${list.AddressFamily} CIDR block`,
      });
    }
  });
  return issues;
}

function referenceIssues(
  group: NativeSecurityGroup,
  path: readonly PathSegment[],
  index: EstateIndex,
  groups: readonly NativeSecurityGroup[],
  listPlaces: ReadonlyMap<string, string>,
): DraftIssue[] {
  const location = vpcLocation(index, group.VpcId);
  if (location === undefined) return [];
  const here = locationKey(location);
  const issues: DraftIssue[] = [];
  for (const field of ["IpPermissions", "IpPermissionsEgress"] as const) {
    group[field].forEach((rule, k) => {
      rule.UserIdGroupPairs.forEach((pair, m) => {
        const target = groups.find((other) => other.GroupId === pair.GroupId);
        const there = target === undefined ? undefined : vpcLocation(index, target.VpcId);
        if (there === undefined || locationKey(there) !== here) {
          issues.push({
            path: [...path, field, k, "UserIdGroupPairs", m, "GroupId"],
            message: `${pair.GroupId} is not a group of native.aws.securityGroups in ${here}`,
          });
        }
      });
      rule.PrefixListIds.forEach((ref, m) => {
        const there = listPlaces.get(ref.PrefixListId);
        if (there !== here && there !== UNPLACED) {
          issues.push({
            path: [...path, field, k, "PrefixListIds", m, "PrefixListId"],
            message: `${ref.PrefixListId} is not a list of native.aws.managedPrefixLists in ${here}`,
          });
        }
      });
    });
  }
  return issues;
}
