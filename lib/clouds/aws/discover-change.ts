/**
 * A change read alone in one location (docs/architecture.md, "Targeted reads (AWS)"): the
 * re-read instances and their ENIs; the owned groups of the change's destinations and the owned
 * prefix lists of its peer sets, by name; the owned groups of its sources, by name (a source that
 * has its own group is referenced by group, as a whole plan references it); what those groups'
 * rules reference, by id; the ENIs a changed group set moves; the groups that still reference an
 * owned object the change may delete; and the customer and default groups of every ENI read.
 * Every describe is filtered by id, name or reference, so that what it reads does not grow with
 * the location.
 */
import type { Intent } from "../../compile/model.js";
import { parseWorkloadId } from "../../inventory/ids.js";
import type { AwsApi } from "./api.js";
import { ChangeRead } from "./change-read.js";
import type { LocationChange } from "./change-scope.js";
import type { AwsQuotas } from "./config.js";
import type { AwsDesired } from "./desired.js";
import {
  type AwsDiscovery,
  describeCustomerGroups,
  describeInChunks,
  discoveryOf,
  forgedRecord,
  inConfiguredVpcs,
  isLive,
  LIVE_STATE_FILTER,
  unique,
  withEntries,
} from "./discover.js";
import { groupName, PREFIX_LIST_SIZES } from "./materialize.js";
import type { AwsState } from "./model.js";
import type { AwsOwnership } from "./ownership.js";
import { ORIGINAL_GROUPS_TAG_KEY } from "./ownership-keys.js";

export interface AwsChangeSettings {
  readonly ownership: AwsOwnership;
  readonly quotas: AwsQuotas;
  /** The VPCs the configuration limits segsync to; undefined: every VPC. */
  readonly vpcs?: readonly string[];
  /**
   * The change's slice after it, materialized on a first read: which destinations change their
   * group set (and so move every member's ENI) and which owned objects may go. Without it every
   * destination of the change is read as if it did.
   */
  readonly planning?: {
    readonly after: Intent;
    readonly additive: boolean;
    readonly materialize: (state: AwsState) => AwsDesired;
  };
}

export async function discoverAwsChange(
  api: AwsApi,
  part: LocationChange,
  settings: AwsChangeSettings,
): Promise<AwsDiscovery> {
  const read = new ChangeRead(api.location, settings.ownership, settings.vpcs);
  await readInstances(api, part.instanceIds, read, settings.vpcs);
  await readNamed(api, part, settings.quotas, read);
  await readReferenced(api, read);
  await readGroupsOfInterfaces(api, read, settings.ownership);
  const carriers = carriersOutside(part, read, settings.planning?.after);
  await readTargetMembers(api, part, carriers, read, settings.planning?.after);
  const planned = plannedMoves(part, read, carriers, settings);
  await readMoving(api, planned.moving, read);
  await readReferrers(api, planned.mayGo, read);
  await readGroupsOfInterfaces(api, read, settings.ownership);
  return discoveryOf(api, read.state(carriers, part.instanceIds), settings.vpcs, read.findings);
}

/** The groups the ENIs read carry or recorded, and their VPCs' default groups, not read yet. */
async function readGroupsOfInterfaces(api: AwsApi, read: ChangeRead, ownership: AwsOwnership): Promise<void> {
  const groups = await describeCustomerGroups(
    api,
    [...read.interfaces.values()],
    [...read.groups.values()],
    (eni) => ownership.recordedOriginals(api.location, eni),
  );
  read.addGroups(
    groups.filter((group) => !read.groups.has(group.GroupId)),
    { scoped: false, customer: true },
  );
}

/** The re-read instances that are live (in the configured VPCs), and their ENIs; forged records are findings. */
async function readInstances(
  api: AwsApi,
  instanceIds: readonly string[],
  read: ChangeRead,
  vpcs: readonly string[] | undefined,
): Promise<void> {
  const found = await describeInChunks([...instanceIds], (ids) =>
    api.describeInstances([{ Name: "instance-id", Values: ids }, LIVE_STATE_FILTER]),
  );
  const live = inConfiguredVpcs(found, vpcs, api.location, read.findings);
  read.addInstances(live);
  const interfaces = await describeInChunks(
    live.map((instance) => instance.InstanceId),
    (ids) => api.describeNetworkInterfaces([{ Name: "attachment.instance-id", Values: ids }]),
  );
  read.addInterfaces(interfaces);
  for (const eni of read.interfaces.values()) {
    const tagged = eni.TagSet.some((tag) => tag.Key === ORIGINAL_GROUPS_TAG_KEY);
    // Through the read's own ownership check: `recordedOriginals` verifies the seal.
    if (tagged && !read.hasRecord(eni)) read.findings.push(forgedRecord(eni));
  }
}

/**
 * By name: each destination's groups (every shard it may have), each source's own group, and the
 * prefix lists each peer set may have in its viewing VPC (every size, both families).
 */
async function readNamed(
  api: AwsApi,
  part: LocationChange,
  quotas: AwsQuotas,
  read: ChangeRead,
): Promise<void> {
  const scopedNames = new Set<string>();
  const names = new Set<string>();
  for (const destination of part.destinations) {
    for (let shard = 1; shard <= quotas.securityGroupsPerInterface; shard += 1) {
      scopedNames.add(`${destination.vpcId}|${groupName(destination.hash, shard)}`);
      names.add(groupName(destination.hash, shard));
    }
  }
  // A source, or an egress target, that carries its own group is named by it.
  const named = [...part.peerSets, ...part.egressTargets];
  for (const key of named) names.add(groupName(key.hash, 1));
  const vpcIds = unique([...part.destinations, ...named].map((key) => key.vpcId));
  const wanted = new Set([...scopedNames, ...named.map((p) => `${p.vpcId}|${groupName(p.hash, 1)}`)]);
  const groups = (
    await describeInChunks([...names], (chunk) =>
      api.describeSecurityGroups([
        { Name: "group-name", Values: chunk },
        { Name: "vpc-id", Values: vpcIds },
      ]),
    )
  ).filter((group) => wanted.has(`${group.VpcId}|${group.GroupName}`));
  for (const group of groups)
    read.addGroups([group], {
      scoped: scopedNames.has(`${group.VpcId}|${group.GroupName}`),
      customer: false,
    });
  const listNames = part.peerSets.flatMap(({ hash, vpcId }) =>
    ["", "v6-"].flatMap((family) =>
      PREFIX_LIST_SIZES.map((size) => `segsync-${hash}-${vpcId}-${family}${size}`),
    ),
  );
  const lists = await describeInChunks(listNames, (chunk) =>
    api.describeManagedPrefixLists([
      { Name: "prefix-list-name", Values: chunk },
      { Name: "owner-id", Values: [api.location.account] },
    ]),
  );
  // DeleteManagedPrefixList is asynchronous: a list on its way out is not one segsync has.
  read.addLists(await withEntries(api, lists.filter(isLive)), { scoped: true });
}

/**
 * The groups and prefix lists the scoped groups' rules reference (inbound and outbound), by id:
 * looked up, never written.
 */
async function readReferenced(api: AwsApi, read: ChangeRead): Promise<void> {
  const scopedGroups = [...read.groups.values()].filter((group) => read.scoped.has(group.GroupId));
  const permissions = scopedGroups.flatMap((group) => [...group.IpPermissions, ...group.IpPermissionsEgress]);
  const groupIds = unique(permissions.flatMap((p) => p.UserIdGroupPairs.map((pair) => pair.GroupId))).filter(
    (id) => !read.groups.has(id),
  );
  const listIds = unique(permissions.flatMap((p) => p.PrefixListIds.map((ref) => ref.PrefixListId))).filter(
    (id) => !read.lists.has(id),
  );
  read.addGroups(
    await describeInChunks(groupIds, (ids) =>
      api.describeSecurityGroups([{ Name: "group-id", Values: ids }]),
    ),
    { scoped: false, customer: false },
  );
  const lists = await describeInChunks(listIds, (ids) =>
    api.describeManagedPrefixLists([{ Name: "prefix-list-id", Values: ids }]),
  );
  read.addLists(await withEntries(api, lists.filter(isLive)), { scoped: false });
}

/**
 * The change's sources, and egress targets, outside it that carry their own group: a whole plan
 * references those by group (materialize.ts, carriers); a destination of the change decides it
 * itself. An egress target counts only with the change's slice, which names its members, whose
 * addresses the group stands for (readTargetMembers).
 */
function carriersOutside(part: LocationChange, read: ChangeRead, after: Intent | undefined): string[] {
  const inChange = new Set(part.destinations.map((destination) => destination.key));
  const keys = [...part.peerSets, ...(after === undefined ? [] : part.egressTargets)];
  const carrying = keys
    .filter((key) => !inChange.has(key.key))
    .filter((key) => read.ownedGroup(key.vpcId, groupName(key.hash, 1)) !== undefined)
    .map((key) => key.key);
  return unique(carrying);
}

/**
 * The ENIs of the members in the source's VPC of each egress target outside the change that
 * carries its own group: an egress rule that names the group writes no CIDR for their private
 * addresses (materialize-egress.ts), as a whole plan, which reads them, does not.
 */
async function readTargetMembers(
  api: AwsApi,
  part: LocationChange,
  carriers: readonly string[],
  read: ChangeRead,
  after: Intent | undefined,
): Promise<void> {
  const targets = new Set(
    part.egressTargets.map((target) => target.key).filter((key) => carriers.includes(key)),
  );
  const members = (after?.egress ?? []).flatMap((entry) =>
    entry.opens.flatMap(({ target }) =>
      target.kind === "identity" && targets.has(target.key) ? target.local : [],
    ),
  );
  const instanceIds = members.flatMap((id) => {
    const workload = parseWorkloadId(id);
    return workload.cloud === "aws" ? [workload.instanceId] : [];
  });
  read.addInterfaces(
    await describeInChunks(unread(instanceIds, read), (ids) =>
      api.describeNetworkInterfaces([{ Name: "attachment.instance-id", Values: ids }]),
    ),
  );
}

/** What the plan of the first read moves and may delete. */
interface PlannedMoves {
  /** The group ids whose ENIs move, and the member instances (not yet read) that get new groups. */
  readonly moving: { readonly groupIds: string[]; readonly instanceIds: string[] };
  /** Scoped owned objects the plan may delete: who else references them must be read. */
  readonly mayGo: { readonly groupIds: string[]; readonly listIds: string[] };
}

/**
 * A destination whose group set changes (created, deleted, a shard added or removed) moves every
 * ENI of its members and every ENI that carries its groups; in additive mode, where how many
 * shards fit depends on every member's kept groups, every destination of the change does.
 */
function plannedMoves(
  part: LocationChange,
  read: ChangeRead,
  carriers: readonly string[],
  settings: AwsChangeSettings,
): PlannedMoves {
  const scopedGroups = [...read.groups.values()].filter((group) => read.scoped.has(group.GroupId));
  const scopedLists = [...read.lists.values()].filter((list) => read.scoped.has(list.PrefixListId));
  const { planning } = settings;
  const desired = planning?.materialize([read.state(carriers, part.instanceIds)]);
  const dropped = droppedGroups(part, read, desired);
  if (planning === undefined || desired === undefined || planning.additive) {
    const members =
      planning === undefined ? [] : part.destinations.flatMap((d) => membersOf(planning.after, d.key));
    const groupIds = [...scopedGroups.map((g) => g.GroupId), ...dropped];
    return {
      moving: { groupIds, instanceIds: unread(members, read) },
      mayGo: { groupIds, listIds: scopedLists.map((l) => l.PrefixListId) },
    };
  }
  const wantedGroups = new Set(desired.securityGroups.map((g) => `${g.vpcId}|${g.name}`));
  const wantedLists = new Set(desired.prefixLists.map((l) => l.name));
  const groupIds: string[] = [];
  const instanceIds: string[] = [];
  for (const destination of part.destinations) {
    const names = Array.from(
      { length: settings.quotas.securityGroupsPerInterface },
      (_, i) => `${destination.vpcId}|${groupName(destination.hash, i + 1)}`,
    );
    const existing = scopedGroups.filter((g) => names.includes(`${g.VpcId}|${g.GroupName}`));
    const wanted = names.filter((name) => wantedGroups.has(name));
    const same =
      existing.length === wanted.length &&
      existing.every((g) => wantedGroups.has(`${g.VpcId}|${g.GroupName}`));
    if (same) continue;
    groupIds.push(...existing.map((g) => g.GroupId));
    if (wanted.length > 0) instanceIds.push(...membersOf(planning.after, destination.key));
  }
  return {
    moving: { groupIds: [...groupIds, ...dropped], instanceIds: unread(instanceIds, read) },
    mayGo: {
      groupIds: [
        ...scopedGroups.filter((g) => !wantedGroups.has(`${g.VpcId}|${g.GroupName}`)).map((g) => g.GroupId),
        ...dropped,
      ],
      listIds: scopedLists.filter((l) => !wantedLists.has(l.PrefixListName)).map((l) => l.PrefixListId),
    },
  };
}

/**
 * Owned groups outside the change that a re-read ENI leaves (it is restored, or enforced by
 * other groups): a whole plan deletes such a group once nothing carries or references it (a
 * stopped workload's group, say, whose destination has no running member), so the change may
 * too. Without a plan, every owned group a re-read ENI carries. Marked scoped.
 */
function droppedGroups(part: LocationChange, read: ChangeRead, desired: AwsDesired | undefined): string[] {
  const reread = new Set(part.instanceIds);
  const wanted = new Map((desired?.interfaces ?? []).map((eni) => [eni.networkInterfaceId, eni]));
  const dropped = new Set<string>();
  for (const eni of read.interfaces.values()) {
    if (!reread.has(eni.Attachment?.InstanceId ?? "")) continue;
    const after = wanted.get(eni.NetworkInterfaceId);
    if (desired !== undefined && after === undefined) continue;
    for (const { GroupId } of eni.Groups) {
      const group = read.groups.get(GroupId);
      if (group === undefined || read.scoped.has(GroupId) || !read.ownsGroup(group)) continue;
      if (after?.ownedGroups.includes(group.GroupName) || after?.customerGroupIds.includes(GroupId)) continue;
      dropped.add(GroupId);
    }
  }
  for (const id of dropped) read.scoped.add(id);
  return [...dropped];
}

/** The instance ids of a destination's members in the slice. */
function membersOf(after: Intent, key: string): string[] {
  const destination = after.destinations.find((d) => d.key === key);
  return (destination?.members ?? []).flatMap((member) => {
    const id = parseWorkloadId(member.workload);
    return id.cloud === "aws" ? [id.instanceId] : [];
  });
}

/** Those whose ENIs the read does not hold yet. */
function unread(instanceIds: readonly string[], read: ChangeRead): string[] {
  const held = new Set([...read.interfaces.values()].map((eni) => eni.Attachment?.InstanceId));
  return unique(instanceIds).filter((id) => !held.has(id) && !read.instances.has(id));
}

/** The ENIs that carry the moving groups, and those of the members that get new ones. */
async function readMoving(api: AwsApi, moving: PlannedMoves["moving"], read: ChangeRead): Promise<void> {
  read.addInterfaces(
    await describeInChunks(moving.groupIds, (ids) =>
      api.describeNetworkInterfaces([{ Name: "group-id", Values: ids }]),
    ),
  );
  read.addInterfaces(
    await describeInChunks(moving.instanceIds, (ids) =>
      api.describeNetworkInterfaces([{ Name: "attachment.instance-id", Values: ids }]),
    ),
  );
}

/**
 * The groups whose rules reference an owned object the plan may delete: an owned one outside the
 * change keeps it (diff.ts keeps what read-only groups reference), a customer one too.
 */
async function readReferrers(api: AwsApi, mayGo: PlannedMoves["mayGo"], read: ChangeRead): Promise<void> {
  const byGroup = await describeInChunks(mayGo.groupIds, (ids) =>
    api.describeSecurityGroups([{ Name: "ip-permission.group-id", Values: ids }]),
  );
  // Egress rules (v2) reference groups too, and EC2 filters them apart.
  const byEgress = await describeInChunks(mayGo.groupIds, (ids) =>
    api.describeSecurityGroups([{ Name: "egress.ip-permission.group-id", Values: ids }]),
  );
  const byList = await describeInChunks(mayGo.listIds, (ids) =>
    api.describeSecurityGroups([{ Name: "ip-permission.prefix-list-id", Values: ids }]),
  );
  const found = new Map([...byGroup, ...byEgress, ...byList].map((group) => [group.GroupId, group]));
  const fresh = [...found.values()].filter((group) => !read.groups.has(group.GroupId));
  read.addGroups(fresh, { scoped: false, customer: true });
}
