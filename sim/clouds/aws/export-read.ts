/**
 * The reads of `estate export` in one EC2 location, all describes: what a full sync discovers,
 * then what an estate needs beyond it so that its references resolve (the groups and prefix lists
 * that the discovered groups' rules name, in both directions) and the VPCs' ranges.
 */

import type { AwsApi } from "../../../lib/clouds/aws/api.js";
import { describeInChunks, discoverAws, unique } from "../../../lib/clouds/aws/discover.js";
import type { ManagedPrefixList, SecurityGroup } from "../../../lib/clouds/aws/model.js";
import type { AwsOwnership } from "../../../lib/clouds/aws/ownership.js";
import type { LabelConfig } from "../../../lib/inventory/labels.js";
import type { AwsExportRead } from "./export.js";

export async function readAwsForExport(
  api: AwsApi,
  labels: LabelConfig,
  ownership: AwsOwnership,
  configuredVpcs?: readonly string[],
): Promise<AwsExportRead & { readonly findings: AwsExportFindings }> {
  const discovery = await discoverAws(api, labels, ownership, configuredVpcs);
  const groups = [...discovery.state.securityGroups];
  // Referenced groups may reference more: read until nothing new is named (or found).
  for (;;) {
    const known = new Set(groups.map((group) => group.GroupId));
    const missing = unique(groups.flatMap(referencedGroups)).filter((id) => !known.has(id));
    if (missing.length === 0) break;
    const found = await describeInChunks(missing, (ids) =>
      api.describeSecurityGroups([{ Name: "group-id", Values: ids }]),
    );
    const fresh = found.filter((group) => !known.has(group.GroupId));
    if (fresh.length === 0) break;
    groups.push(...fresh);
  }
  const lists: ManagedPrefixList[] = [...discovery.state.managedPrefixLists];
  const knownLists = new Set(lists.map((list) => list.PrefixListId));
  const missingLists = unique(groups.flatMap(referencedLists)).filter((id) => !knownLists.has(id));
  const summaries = await describeInChunks(missingLists, (ids) =>
    api.describeManagedPrefixLists([{ Name: "prefix-list-id", Values: ids }]),
  );
  for (const summary of summaries) {
    lists.push({ ...summary, Entries: await api.getManagedPrefixListEntries(summary.PrefixListId) });
  }
  const vpcIds = unique([
    ...discovery.state.instances.flatMap((instance) => instance.NetworkInterfaces.map((eni) => eni.VpcId)),
    ...discovery.state.networkInterfaces.map((eni) => eni.VpcId),
    ...groups.map((group) => group.VpcId),
  ]).filter((vpcId) => configuredVpcs === undefined || configuredVpcs.includes(vpcId));
  const vpcs = await describeInChunks(vpcIds, (ids) => api.describeVpcs([{ Name: "vpc-id", Values: ids }]));
  return {
    state: { ...discovery.state, securityGroups: groups, managedPrefixLists: lists },
    vpcs,
    ...(configuredVpcs === undefined ? {} : { configuredVpcs }),
    findings: [...discovery.findings, ...api.takeUnreadable()],
  };
}

type AwsExportFindings = Awaited<ReturnType<typeof discoverAws>>["findings"];

function referencedGroups(group: SecurityGroup): string[] {
  return [...group.IpPermissions, ...group.IpPermissionsEgress].flatMap((rule) =>
    rule.UserIdGroupPairs.map((pair) => pair.GroupId),
  );
}

function referencedLists(group: SecurityGroup): string[] {
  return [...group.IpPermissions, ...group.IpPermissionsEgress].flatMap((rule) =>
    rule.PrefixListIds.map((ref) => ref.PrefixListId),
  );
}
