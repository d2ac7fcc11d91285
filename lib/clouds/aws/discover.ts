/**
 * Native EC2 → inventory: the instances segsync cares about as Workloads, their VPCs as Networks,
 * and the EC2 objects that materialize, diff and evaluate read back (docs/architecture.md,
 * "Layout"). Every describe call is filtered (docs/clouds.md, "AWS API throttling"); nothing here
 * writes.
 */

import { formatNetworkId, formatWorkloadId } from "../../inventory/ids.js";
import type { LabelConfig } from "../../inventory/labels.js";
import type { Network, Nic, Workload, WorkloadState } from "../../inventory/model.js";
import { compareText } from "../../util/compare-text.js";
import type { CloudFinding } from "../provider.js";
import type { AwsApi, Ec2Filter } from "./api.js";
import type {
  AwsInstanceStateName,
  AwsLocation,
  AwsRegionState,
  Instance,
  ManagedPrefixList,
  NetworkInterface,
  SecurityGroup,
} from "./model.js";
import { type AwsOwnership, hasOwnershipTag } from "./ownership.js";
import { ORIGINAL_GROUPS_TAG_KEY, OWNERSHIP_TAG } from "./ownership-keys.js";

export interface AwsDiscovery {
  /** Sorted by id. */
  readonly workloads: Workload[];
  /** The VPCs of the workloads' ENIs, sorted by id. */
  readonly networks: Network[];
  /**
   * The discovered instances and their ENIs; every owned security group and prefix list; the
   * customer groups those ENIs carry or recorded in their original-groups tag; and the prefix
   * lists those customer groups' rules reference, so that evaluate sees what they allow.
   */
  readonly state: AwsRegionState;
  /** Objects the reads left out (segsync cannot model them), each reported. */
  readonly findings: CloudFinding[];
}

/** Instance states that make a workload: shutting-down and terminated instances are gone. */
const WORKLOAD_STATES: Readonly<Partial<Record<AwsInstanceStateName, WorkloadState>>> = {
  pending: "running",
  running: "running",
  stopping: "stopped",
  stopped: "stopped",
};
export const LIVE_STATE_FILTER: Ec2Filter = {
  Name: "instance-state-name",
  Values: Object.keys(WORKLOAD_STATES),
};

/** EC2 takes at most 200 values per filter. */
const FILTER_VALUES_PER_CALL = 200;

export async function discoverAws(
  api: AwsApi,
  labels: LabelConfig,
  ownership: AwsOwnership,
  /** The VPCs the configuration limits segsync to; undefined: every VPC. */
  vpcs?: readonly string[],
): Promise<AwsDiscovery> {
  const { location } = api;
  const findings: CloudFinding[] = [];
  const instances = inConfiguredVpcs(await describeLabeledInstances(api, labels), vpcs, location, findings);
  const instanceIds = new Set(instances.map((instance) => instance.InstanceId));

  const ownedGroups = await describeOwnedGroups(api, ownership, findings);

  // An ENI whose instance lost every label still carries segsync's groups or its sealed record of
  // the originals: find it to restore it. Only what segsync sealed counts: a tag alone never makes
  // segsync adopt an instance (docs/trust-model.md).
  const recorded = await describeRecordedInterfaces(api, ownership, findings);
  const carrying = await describeInChunks(
    ownedGroups.map((group) => group.GroupId),
    (ids) => api.describeNetworkInterfaces([{ Name: "group-id", Values: ids }]),
  );
  const unlabeledIds = unique([...recorded, ...carrying].map((eni) => eni.Attachment?.InstanceId)).filter(
    (id) => !instanceIds.has(id),
  );
  const unlabeled = await describeInChunks(unlabeledIds, (ids) =>
    api.describeInstances([{ Name: "instance-id", Values: ids }, LIVE_STATE_FILTER]),
  );
  for (const instance of inConfiguredVpcs(unlabeled, vpcs, location, findings)) {
    instances.push(instance);
    instanceIds.add(instance.InstanceId);
  }

  const allInterfaces = await describeInChunks([...instanceIds], (ids) =>
    api.describeNetworkInterfaces([{ Name: "attachment.instance-id", Values: ids }]),
  );
  // An ENI left attached to no instance (kept after a termination, or detached) that still
  // carries segsync's group: it is read too, so that segsync detaches its group before deleting it
  // (EC2 refuses to delete a group an ENI carries).
  const detached = carrying.filter((eni) => eni.Attachment?.InstanceId === undefined);
  // A secondary ENI in a VPC outside the configuration is neither read back nor written.
  const interfaces = [...allInterfaces, ...detached].filter(
    (eni) => vpcs === undefined || vpcs.includes(eni.VpcId),
  );
  const customerGroups = await describeCustomerGroups(api, interfaces, ownedGroups, (eni) =>
    ownership.recordedOriginals(location, eni),
  );
  const ownedLists = await describeOwnedPrefixLists(api, ownership, findings);
  const referencedLists = await describeReferencedPrefixLists(api, customerGroups, ownedLists);

  const state: AwsRegionState = {
    account: api.location.account,
    region: api.location.region,
    instances: sortBy(instances, (instance) => instance.InstanceId),
    networkInterfaces: sortBy(interfaces, (eni) => eni.NetworkInterfaceId),
    securityGroups: sortBy([...ownedGroups, ...customerGroups], (group) => group.GroupId),
    managedPrefixLists: sortBy([...ownedLists, ...referencedLists], (list) => list.PrefixListId),
  };
  return discoveryOf(api, state, vpcs, findings);
}

/** The groups segsync sealed; one with the ownership tag but no valid seal is a finding, not owned. */
async function describeOwnedGroups(
  api: AwsApi,
  ownership: AwsOwnership,
  findings: CloudFinding[],
): Promise<SecurityGroup[]> {
  const tagOwned = await api.describeSecurityGroups([
    { Name: `tag:${OWNERSHIP_TAG.Key}`, Values: [OWNERSHIP_TAG.Value] },
  ]);
  const ownedGroups = tagOwned.filter((group) => ownership.ownsGroup(api.location, group));
  for (const group of tagOwned) {
    if (!ownedGroups.includes(group))
      findings.push(unsealed("security group", group.GroupId, group.GroupName));
  }
  return ownedGroups;
}

/** The ENIs carrying segsync's sealed record of their original groups; a forged record is a finding. */
async function describeRecordedInterfaces(
  api: AwsApi,
  ownership: AwsOwnership,
  findings: CloudFinding[],
): Promise<NetworkInterface[]> {
  const tagged = await api.describeNetworkInterfaces([
    { Name: "tag-key", Values: [ORIGINAL_GROUPS_TAG_KEY] },
  ]);
  const recorded = tagged.filter((eni) => ownership.recordedOriginals(api.location, eni) !== undefined);
  for (const eni of tagged) {
    if (!recorded.includes(eni)) findings.push(forgedRecord(eni));
  }
  return recorded;
}

/** The region's workloads and networks from its state, with the findings and the unreadable objects. */
export function discoveryOf(
  api: AwsApi,
  state: AwsRegionState,
  vpcs: readonly string[] | undefined,
  findings: readonly CloudFinding[],
): AwsDiscovery {
  const workloads = state.instances.flatMap((instance) => {
    const workload = toWorkload(api.location, instance, vpcs);
    return workload === undefined ? [] : [workload];
  });
  const networkIds = unique(workloads.flatMap((workload) => workload.nics.map((nic) => nic.network)));
  return {
    workloads: sortBy(workloads, (workload) => workload.id),
    networks: networkIds.sort(compareText).map((id) => ({ id })),
    state,
    findings: [...findings, ...api.takeUnreadable()],
  };
}

/**
 * One instance, for the event path: undefined when it is terminated, shutting down or gone, or
 * in a VPC outside the configuration.
 */
export async function discoverAwsWorkload(
  api: AwsApi,
  instanceId: string,
  vpcs?: readonly string[],
): Promise<Workload | undefined> {
  const [instance] = await api.describeInstances([{ Name: "instance-id", Values: [instanceId] }]);
  if (instance === undefined || inConfiguredVpcs([instance], vpcs, api.location, []).length === 0)
    return undefined;
  return toWorkload(api.location, instance, vpcs);
}

/**
 * The instances whose VPC the configuration lists (all of them without a list); each other
 * labelled instance is reported: segsync's role may not write there (docs/iam.md).
 */
export function inConfiguredVpcs(
  instances: readonly Instance[],
  vpcs: readonly string[] | undefined,
  location: AwsLocation,
  findings: CloudFinding[],
): Instance[] {
  if (vpcs === undefined) return [...instances];
  return instances.filter((instance) => {
    const vpc = instance.VpcId ?? instance.NetworkInterfaces[0]?.VpcId;
    if (vpc !== undefined && vpcs.includes(vpc)) return true;
    findings.push({
      code: "aws-vpc-not-configured",
      severity: "warning",
      subject: `aws:${location.account}:${location.region}:${instance.InstanceId}`,
      message: `${instance.InstanceId} is in ${vpc ?? "no VPC"}, which the configuration's vpcs for ${location.account} do not list; not managed`,
    });
    return false;
  });
}

/**
 * The EC2 instance as a cloud-neutral workload; undefined when it is not one (only live instances:
 * docs/policy.md).
 */
export function toWorkload(
  location: AwsLocation,
  instance: Instance,
  /** The configured VPCs: an ENI in another is not one of its NICs for segsync. */
  vpcs?: readonly string[],
): Workload | undefined {
  const state = WORKLOAD_STATES[instance.State.Name];
  const enis = instance.NetworkInterfaces.filter((eni) => vpcs === undefined || vpcs.includes(eni.VpcId));
  // A VPC instance always has a primary ENI; without one it has nowhere to be reached.
  if (state === undefined || enis.length === 0) return undefined;
  const nics: Nic[] = [...enis]
    .sort((a, b) => (a.Attachment?.DeviceIndex ?? 0) - (b.Attachment?.DeviceIndex ?? 0))
    .map((eni) => ({
      id: eni.NetworkInterfaceId,
      network: formatNetworkId({ cloud: "aws", ...location, vpcId: eni.VpcId }),
      privateIp: eni.PrivateIpAddress,
      ...(eni.Association?.PublicIp === undefined ? {} : { publicIp: eni.Association.PublicIp }),
    }));
  const tags = Object.fromEntries(
    [...instance.Tags].sort((a, b) => compareText(a.Key, b.Key)).map((tag) => [tag.Key, tag.Value]),
  );
  return {
    id: formatWorkloadId({ cloud: "aws", ...location, instanceId: instance.InstanceId }),
    state,
    nics,
    tags,
  };
}

async function describeLabeledInstances(api: AwsApi, labels: LabelConfig): Promise<Instance[]> {
  const tagKeys = labels.dimensions.map((dimension) => `${labels.tagPrefix}${dimension}`);
  if (tagKeys.length === 0) return [];
  const values = [...new Set(tagKeys.flatMap(caseVariants))];
  return api.describeInstances([{ Name: "tag-key", Values: values }, LIVE_STATE_FILTER]);
}

/**
 * EC2's tag-key filter is case-sensitive: an instance tagged only `Seg-App` would never be read,
 * and would drop out without a word. Reading the usual miscasings too (`Seg-App`, `SEG-APP`)
 * lets the compiler report them as non-portable labels. Each key adds at most 3 filter values.
 */
export function caseVariants(key: string): string[] {
  const capitalized = key.replace(
    /(^|[-_.:/])([a-z])/g,
    (_, separator: string, letter: string) => separator + letter.toUpperCase(),
  );
  const first = key.charAt(0).toUpperCase() + key.slice(1);
  return [...new Set([key, first, capitalized, key.toUpperCase()])];
}

/** Customer groups on the ENIs, and those recorded for restore (so that a deleted one can be reported). */
export async function describeCustomerGroups(
  api: AwsApi,
  interfaces: readonly NetworkInterface[],
  ownedGroups: readonly SecurityGroup[],
  recordedOriginals: (eni: NetworkInterface) => string[] | undefined,
): Promise<SecurityGroup[]> {
  const owned = new Set(ownedGroups.map((group) => group.GroupId));
  const attached = interfaces.flatMap((eni) => eni.Groups.map((group) => group.GroupId));
  const recorded = interfaces.flatMap((eni) => recordedOriginals(eni) ?? []);
  const customerIds = unique([...attached, ...recorded]).filter((groupId) => !owned.has(groupId));
  const groups = await describeInChunks(customerIds, (ids) =>
    api.describeSecurityGroups([{ Name: "group-id", Values: ids }]),
  );
  // Each VPC's default group: what an ENI with nothing recorded gets back when segsync lets it go.
  const known = new Set(groups.map((group) => group.GroupId));
  const defaults = await describeInChunks(unique(interfaces.map((eni) => eni.VpcId)), (vpcIds) =>
    api.describeSecurityGroups([
      { Name: "vpc-id", Values: vpcIds },
      { Name: "group-name", Values: ["default"] },
    ]),
  );
  return [...groups, ...defaults.filter((group) => !known.has(group.GroupId))];
}

/** A record tag without segsync's seal: someone else wrote or changed it; segsync ignores it. */
export function forgedRecord(eni: NetworkInterface): CloudFinding {
  return {
    code: "aws-unsealed-record",
    severity: "warning",
    subject: eni.NetworkInterfaceId,
    message: `${eni.NetworkInterfaceId}: its ${ORIGINAL_GROUPS_TAG_KEY} tag does not carry segsync's seal (segsync did not write it, or it was changed); ignored, and the ENI is not restored from it`,
  };
}

/** An object with segsync's ownership tag but not its seal: not segsync's, never changed by it. */
export function unsealed(kind: string, id: string, name: string): CloudFinding {
  return {
    code: "aws-unsealed-object",
    severity: "warning",
    subject: id,
    message: `${kind} ${name} (${id}) carries segsync's ownership tag without its seal: segsync did not create it (or its record key changed); treated as a customer object and never changed`,
  };
}

/** A prefix list that exists or is being created or modified; not one being deleted or failed to be. */
export function isLive(list: { readonly State: string }): boolean {
  return !list.State.startsWith("delete-");
}

/** DescribeManagedPrefixLists has no tag filter: list the account's own lists, keep the owned ones. */
async function describeOwnedPrefixLists(
  api: AwsApi,
  ownership: AwsOwnership,
  findings: CloudFinding[],
): Promise<ManagedPrefixList[]> {
  const lists = await api.describeManagedPrefixLists([{ Name: "owner-id", Values: [api.location.account] }]);
  // DeleteManagedPrefixList is asynchronous: a list on its way out is not one segsync has.
  const live = lists.filter((list) => hasOwnershipTag(list.Tags) && isLive(list));
  const owned = live.filter((list) => ownership.ownsPrefixList(api.location, list));
  for (const list of live) {
    if (!owned.includes(list)) findings.push(unsealed("prefix list", list.PrefixListId, list.PrefixListName));
  }
  return withEntries(api, owned);
}

async function describeReferencedPrefixLists(
  api: AwsApi,
  groups: readonly SecurityGroup[],
  known: readonly ManagedPrefixList[],
): Promise<ManagedPrefixList[]> {
  const knownIds = new Set(known.map((list) => list.PrefixListId));
  const referenced = unique(
    groups.flatMap((group) =>
      group.IpPermissions.flatMap((permission) => permission.PrefixListIds.map((ref) => ref.PrefixListId)),
    ),
  ).filter((prefixListId) => !knownIds.has(prefixListId));
  const lists = await describeInChunks(referenced, (ids) =>
    api.describeManagedPrefixLists([{ Name: "prefix-list-id", Values: ids }]),
  );
  return withEntries(api, lists);
}

export async function withEntries(
  api: AwsApi,
  lists: readonly Omit<ManagedPrefixList, "Entries">[],
): Promise<ManagedPrefixList[]> {
  const result: ManagedPrefixList[] = [];
  for (const list of lists) {
    result.push({ ...list, Entries: await api.getManagedPrefixListEntries(list.PrefixListId) });
  }
  return result;
}

export async function describeInChunks<T>(
  values: readonly string[],
  describe: (chunk: string[]) => Promise<T[]>,
): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < values.length; start += FILTER_VALUES_PER_CALL) {
    results.push(...(await describe(values.slice(start, start + FILTER_VALUES_PER_CALL))));
  }
  return results;
}

export function unique(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((value): value is string => value !== undefined))];
}

export function sortBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => compareText(key(a), key(b)));
}
