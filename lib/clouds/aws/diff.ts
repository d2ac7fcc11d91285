import { compareText } from "../../util/compare-text.js";
import type { AwsDesired, DesiredRule } from "./desired.js";
import { ruleKey } from "./desired.js";
import { diffGroupEgress } from "./diff-egress.js";
import { isLive } from "./discover.js";
import { type ActualRule, flattenPermissions } from "./flatten.js";
import type { AwsState, IpPermission, ManagedPrefixList, NetworkInterface, SecurityGroup } from "./model.js";
import { locationKey } from "./model.js";
import type { AwsOperation, GroupRef, PrefixListRef, RuleSpec } from "./operations.js";
import { OPERATION_ORDER } from "./operations.js";
import type { AwsOwnership } from "./ownership.js";

/**
 * A list segsync can modify: it has a Version to chain ModifyManagedPrefixList on. Every list of
 * an account has one (sdk-shapes.ts leaves out one without); only AWS-owned lists lack it.
 */
type VersionedPrefixList = ManagedPrefixList & { readonly Version: number };

/**
 * Desired vs actual → the fewest EC2 writes, in make-before-break order. Only owned groups and
 * prefix lists (ownership tag and `segsync-` name) are ever changed or deleted, and ENIs only
 * when the desired state lists them. An owned group that is no longer desired but is still on an
 * ENI that segsync leaves alone (a stopped workload, a destination that does not fit) is kept as
 * it is, with whatever it references. Pure; applying the plan and diffing again gives [].
 */
export function diffAws(desired: AwsDesired, actual: AwsState, ownership: AwsOwnership): AwsOperation[] {
  const operations: AwsOperation[] = [];
  // Only the regions read: materialize plans nothing elsewhere (the CloudProvider contract).
  for (const region of actual) operations.push(...diffRegion(desired, region, ownership));
  // Revokes that make room for new rules go just before the rules they make room for.
  // Entries leaving a prefix list go with the revokes, after every list has taken its new ones.
  const rank = (op: AwsOperation) =>
    op.kind === "revokeIngress" && op.toMakeRoom
      ? OPERATION_ORDER.indexOf("authorizeIngress") - 0.5
      : op.kind === "revokeEgress" && op.toMakeRoom
        ? OPERATION_ORDER.indexOf("authorizeEgress") - 0.5
        : op.kind === "modifyPrefixList" && op.narrowsLater
          ? OPERATION_ORDER.indexOf("revokeIngress") - 0.5
          : OPERATION_ORDER.indexOf(op.kind);
  return operations
    .map((op, position) => ({ op, position }))
    .sort((a, b) => rank(a.op) - rank(b.op) || a.position - b.position)
    .map(({ op }) => op);
}

/** What every step of one region's diff looks things up in: the owned resources and how to name them. */
interface RegionContext {
  readonly location: AwsOperation["location"];
  readonly ownedGroups: readonly SecurityGroup[];
  readonly ownedLists: readonly VersionedPrefixList[];
  readonly groupByName: ReadonlyMap<string, SecurityGroup>;
  readonly listByName: ReadonlyMap<string, VersionedPrefixList>;
  readonly names: { groups: ReadonlyMap<string, string>; prefixLists: ReadonlyMap<string, string> };
  readonly groupRef: (vpcId: string, name: string) => GroupRef;
  readonly listRef: (name: string) => PrefixListRef;
}

/** The part of the desired state that lives in one region. */
interface WantedHere {
  readonly groups: AwsDesired["securityGroups"];
  readonly lists: AwsDesired["prefixLists"];
  readonly interfaces: AwsDesired["interfaces"];
}

function diffRegion(desired: AwsDesired, region: AwsState[number], ownership: AwsOwnership): AwsOperation[] {
  const here = locationKey({ account: region.account, region: region.region });
  const wanted: WantedHere = {
    groups: desired.securityGroups.filter((g) => locationKey(g.location) === here),
    lists: desired.prefixLists.filter((l) => locationKey(l.location) === here),
    interfaces: desired.interfaces.filter((i) => locationKey(i.location) === here),
  };
  const context = regionContext(region, ownership);
  const weights = quotaWeights(region, wanted.lists);
  const { operations: interfaceOperations, interfaceGroupsAfter } = diffInterfaces(
    desired,
    region,
    ownership,
    wanted.interfaces,
    context,
  );
  return [
    ...diffPrefixLists(wanted.lists, context),
    ...wanted.groups.flatMap((group) => [
      ...diffGroupRules(group, context, weights, desired.rulesPerSecurityGroup),
      ...diffGroupEgress(group, context.groupByName.get(`${group.vpcId}|${group.name}`), {
        location: context.location,
        names: context.names,
        groupRef: context.groupRef,
        ruleSpec: (rule, vpcId) => ruleSpec(rule, vpcId, context.groupRef, context.listRef),
        weight: weights,
        rulesPerSecurityGroup: desired.rulesPerSecurityGroup,
      }),
    ]),
    ...interfaceOperations,
    ...deletions(region, context, wanted.groups, wanted.lists, interfaceGroupsAfter),
  ];
}

function regionContext(region: AwsState[number], ownership: AwsOwnership): RegionContext {
  const location = { account: region.account, region: region.region };
  const ownedGroups = region.securityGroups.filter((g) => ownership.ownsGroup(location, g));
  const ownedLists = region.managedPrefixLists.filter(
    (l): l is VersionedPrefixList =>
      ownership.ownsPrefixList(location, l) && isLive(l) && l.Version !== undefined,
  );
  const groupByName = new Map(ownedGroups.map((g) => [`${g.VpcId}|${g.GroupName}`, g]));
  const listByName = new Map(ownedLists.map((l) => [l.PrefixListName, l]));
  return {
    location,
    ownedGroups,
    ownedLists,
    groupByName,
    listByName,
    names: {
      groups: new Map(ownedGroups.map((g) => [g.GroupId, g.GroupName])),
      prefixLists: new Map(ownedLists.map((l) => [l.PrefixListId, l.PrefixListName])),
    },
    groupRef: (vpcId, name) => {
      const existing = groupByName.get(`${vpcId}|${name}`);
      return existing ? { groupId: existing.GroupId } : { create: name, vpcId };
    },
    listRef: (name) => {
      const existing = listByName.get(name);
      return existing ? { prefixListId: existing.PrefixListId } : { create: name };
    },
  };
}

/** How much of a group's rule quota a rule takes, as it is today and as it is wanted. */
interface QuotaWeights {
  readonly actual: (permission: IpPermission) => number;
  readonly desired: (rule: DesiredRule) => number;
}

function quotaWeights(region: AwsState[number], wantedLists: AwsDesired["prefixLists"]): QuotaWeights {
  // Quota weights: a prefix-list reference costs the list's MaxEntries (docs/clouds.md,
  // "AWS security group quotas"). An AWS-owned list has no MaxEntries (model.ts): AWS weighs it by
  // its entries, so count those.
  const maxEntriesById = new Map(
    region.managedPrefixLists.map((l) => [l.PrefixListId, l.MaxEntries ?? l.Entries.length]),
  );
  const maxEntriesByName = new Map(wantedLists.map((l) => [l.name, l.maxEntries]));
  return {
    actual: (permission) =>
      permission.PrefixListIds.reduce((sum, list) => sum + (maxEntriesById.get(list.PrefixListId) ?? 1), 0) +
      permission.IpRanges.length +
      permission.Ipv6Ranges.length +
      permission.UserIdGroupPairs.length,
    desired: (rule) =>
      rule.source.kind === "prefixList" ? (maxEntriesByName.get(rule.source.name) ?? 1) : 1,
  };
}

/** Creates the wanted lists that are missing and brings the entries of the others up to date. */
function diffPrefixLists(wantedLists: AwsDesired["prefixLists"], context: RegionContext): AwsOperation[] {
  const { location } = context;
  const operations: AwsOperation[] = [];
  const changes: EntryChange[] = [];
  for (const list of wantedLists) {
    const existing = context.listByName.get(list.name);
    if (!existing) {
      const { name, identity, addressFamily, maxEntries, entries } = list;
      operations.push({
        location,
        kind: "createPrefixList",
        name,
        identity,
        addressFamily,
        maxEntries,
        entries,
      });
      continue;
    }
    const current = new Set(existing.Entries.map((e) => e.Cidr));
    const wanted = new Set(list.entries);
    const add = list.entries.filter((cidr) => !current.has(cidr));
    const remove = [...current].filter((cidr) => !wanted.has(cidr)).sort(compareText);
    if (add.length > 0 || remove.length > 0) changes.push({ existing, name: list.name, add, remove });
  }
  const added = new Set(changes.flatMap((change) => change.add));
  for (const change of changes) operations.push(...entryWrites(change, added, location));
  return operations;
}

interface EntryChange {
  readonly existing: VersionedPrefixList;
  readonly name: string;
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

/**
 * A list's entry changes, make-before-break across lists: an address moving from one identity's
 * list to another's (a re-tagged source) is added to the new list before it leaves the old.
 * Removals alone wait for the narrowing phase (`narrowsLater`, ranked with the revokes). A list
 * that adds and removes at once does so in one write, unless what it removes another list adds
 * in this plan: then its additions are one write and its removals a second, at the next version,
 * in the narrowing phase (where the list has room for both at once; a full list cannot pass its
 * MaxEntries, so it keeps one write).
 */
function entryWrites(
  change: EntryChange,
  addedElsewhere: ReadonlySet<string>,
  location: AwsOperation["location"],
): AwsOperation[] {
  const { existing, name, add, remove } = change;
  const base = { location, kind: "modifyPrefixList" as const, name, prefixListId: existing.PrefixListId };
  const current = { ...base, currentVersion: existing.Version };
  if (add.length === 0) return [{ ...current, add, remove, narrowsLater: true }];
  const moving = remove.some((cidr) => addedElsewhere.has(cidr));
  const room = existing.Entries.length + add.length <= (existing.MaxEntries ?? existing.Entries.length);
  if (remove.length === 0 || !moving || !room) return [{ ...current, add, remove }];
  return [
    { ...current, add, remove: [] },
    { ...base, currentVersion: existing.Version + 1, add: [], remove, narrowsLater: true },
  ];
}

/** Creates a wanted group if missing, authorizes its missing rules and revokes its stale ones. */
function diffGroupRules(
  group: AwsDesired["securityGroups"][number],
  context: RegionContext,
  weights: QuotaWeights,
  rulesPerSecurityGroup: number,
): AwsOperation[] {
  const { location, groupRef, listRef } = context;
  const operations: AwsOperation[] = [];
  const existing = context.groupByName.get(`${group.vpcId}|${group.name}`);
  if (!existing) {
    const { vpcId, name, identity, description } = group;
    operations.push({ location, kind: "createSecurityGroup", vpcId, name, identity, description });
  }
  const actualRules = existing
    ? flattenPermissions(existing.IpPermissions, context.names)
    : new Map<string, ActualRule>();
  const wantedKeys = new Set(group.rules.map(ruleKey));
  const toAdd = group.rules.filter((rule) => !actualRules.has(ruleKey(rule)));
  const stale = [...actualRules].filter(([key]) => !wantedKeys.has(key)).map(([, rule]) => rule.permission);
  const currentWeight = [...actualRules.values()].reduce(
    (sum, rule) => sum + weights.actual(rule.permission),
    0,
  );
  const addedWeight = toAdd.reduce((sum, rule) => sum + weights.desired(rule), 0);
  const toMakeRoom = currentWeight + addedWeight > rulesPerSecurityGroup;
  if (toAdd.length > 0) {
    operations.push({
      location,
      kind: "authorizeIngress",
      groupName: group.name,
      group: groupRef(group.vpcId, group.name),
      rules: toAdd.map((rule) => ruleSpec(rule, group.vpcId, groupRef, listRef)),
    });
  }
  if (existing && stale.length > 0) {
    operations.push({
      location,
      kind: "revokeIngress",
      groupName: existing.GroupName,
      groupId: existing.GroupId,
      permissions: stale,
      ...(toMakeRoom ? { toMakeRoom: true as const } : {}),
    });
  }
  return operations;
}

/**
 * The ENI writes, and the groups each ENI of the region will carry once they are applied (what
 * keeps an undesired owned group alive, see `deletions`).
 */
function diffInterfaces(
  desired: AwsDesired,
  region: AwsState[number],
  ownership: AwsOwnership,
  wantedInterfaces: AwsDesired["interfaces"],
  context: RegionContext,
): { operations: AwsOperation[]; interfaceGroupsAfter: Map<string, readonly string[]> } {
  const { location, groupRef } = context;
  const interfaceGroupsAfter = new Map<string, readonly string[]>();
  for (const eni of region.networkInterfaces) {
    interfaceGroupsAfter.set(
      eni.NetworkInterfaceId,
      eni.Groups.map((g) => g.GroupId),
    );
  }
  const interfacesById = new Map(region.networkInterfaces.map((eni) => [eni.NetworkInterfaceId, eni]));
  const interfaceOperations: AwsOperation[] = [];
  for (const wanted of wantedInterfaces) {
    const eni = interfacesById.get(wanted.networkInterfaceId);
    if (!eni) continue;
    const recorded = ownership.recordedOriginals(location, eni) !== undefined;
    interfaceOperations.push(
      ...diffInterface(
        wanted,
        eni,
        recorded,
        location,
        context.names.groups,
        groupRef,
        desired.securityGroupsPerInterface,
      ),
    );
    const after = [
      ...wanted.ownedGroups.map((name) => {
        const ref = groupRef(wanted.vpcId, name);
        return "groupId" in ref ? ref.groupId : `new:${name}`;
      }),
      ...wanted.customerGroupIds,
    ];
    interfaceGroupsAfter.set(eni.NetworkInterfaceId, after);
  }
  return { operations: withoutLoneSteps(interfaceOperations, interfacesById), interfaceGroupsAfter };
}

/**
 * A make-before-break step is needed only where the plan moves two or more ENIs of one VPC: an
 * ENI moved alone changes its groups in one call, so an event that moves one workload costs one
 * write (docs/internals.md).
 */
function withoutLoneSteps(
  operations: readonly AwsOperation[],
  interfacesById: ReadonlyMap<string, NetworkInterface>,
): AwsOperation[] {
  const vpcOf = (operation: AwsOperation) =>
    "networkInterfaceId" in operation ? interfacesById.get(operation.networkInterfaceId)?.VpcId : undefined;
  const moves = new Map<string | undefined, number>();
  for (const operation of operations)
    if (operation.kind === "setInterfaceGroups")
      moves.set(vpcOf(operation), (moves.get(vpcOf(operation)) ?? 0) + 1);
  return operations.filter(
    (operation) => operation.kind !== "addInterfaceGroups" || (moves.get(vpcOf(operation)) ?? 0) >= 2,
  );
}

function diffInterface(
  wanted: AwsDesired["interfaces"][number],
  eni: NetworkInterface,
  /** The ENI carries a record segsync sealed (a forged one is no record: it is overwritten). */
  hasTag: boolean,
  location: AwsOperation["location"],
  ownedNames: ReadonlyMap<string, string>,
  groupRef: (vpcId: string, name: string) => GroupRef,
  groupsPerInterface: number,
): AwsOperation[] {
  const operations: AwsOperation[] = [];
  const current = eni.Groups.map((g) => g.GroupId);
  const customer = current.filter((id) => !ownedNames.has(id));
  if (wanted.originalGroupsTag === "record" && !hasTag && customer.length > 0) {
    operations.push({
      location,
      kind: "recordOriginalGroups",
      networkInterfaceId: eni.NetworkInterfaceId,
      groupIds: customer,
    });
  }
  const after = [
    ...wanted.ownedGroups.map((name) => groupRef(wanted.vpcId, name)),
    ...wanted.customerGroupIds.map((groupId) => ({ groupId })),
  ];
  const currentSet = new Set(current);
  const same =
    after.length === currentSet.size && after.every((ref) => "groupId" in ref && currentSet.has(ref.groupId));
  if (!same) {
    // Make before break: while a plan moves ENIs one by one, an ENI keeps its old groups until
    // every ENI carries its new ones, if the ENI can hold both (docs/internals.md).
    const added = after.filter((ref) => !("groupId" in ref) || !currentSet.has(ref.groupId));
    const dropped = current.some((id) => !after.some((ref) => "groupId" in ref && ref.groupId === id));
    if (added.length > 0 && dropped && current.length + added.length <= groupsPerInterface) {
      operations.push({
        location,
        kind: "addInterfaceGroups",
        networkInterfaceId: eni.NetworkInterfaceId,
        workload: wanted.workload,
        before: current,
        after: [...current.map((groupId) => ({ groupId })), ...added],
      });
    }
    operations.push({
      location,
      kind: "setInterfaceGroups",
      networkInterfaceId: eni.NetworkInterfaceId,
      workload: wanted.workload,
      before: current,
      after,
    });
  }
  if (wanted.originalGroupsTag === "remove" && hasTag) {
    operations.push({ location, kind: "forgetOriginalGroups", networkInterfaceId: eni.NetworkInterfaceId });
  }
  return operations;
}

/**
 * Owned groups and lists that nothing will use once the plan is applied. A group still on an ENI
 * is kept with its rules, and so is everything those rules reference.
 */
function deletions(
  region: AwsState[number],
  context: RegionContext,
  wantedGroups: AwsDesired["securityGroups"],
  wantedLists: AwsDesired["prefixLists"],
  interfaceGroupsAfter: ReadonlyMap<string, readonly string[]>,
): AwsOperation[] {
  const { location, ownedGroups, ownedLists, names } = context;
  const wantedGroupKeys = new Set(wantedGroups.map((g) => `${g.vpcId}|${g.name}`));
  const wantedListNames = new Set(wantedLists.map((l) => l.name));
  const inUse = new Set([...interfaceGroupsAfter.values()].flat());
  // What a change read alone read only to look up stays as it is, with what it references.
  const referenceOnly = new Set(region.change?.referenceOnly ?? []);
  const keptGroups = new Set(
    ownedGroups
      .filter(
        (g) =>
          wantedGroupKeys.has(`${g.VpcId}|${g.GroupName}`) ||
          inUse.has(g.GroupId) ||
          referenceOnly.has(g.GroupId),
      )
      .map((g) => g.GroupId),
  );
  const keptLists = new Set<string>();
  keepWhatKeptGroupsReference(ownedGroups, wantedGroupKeys, names, keptGroups, keptLists);
  keepWhatCustomerGroupsReference(region, names, keptGroups, keptLists);
  const operations: AwsOperation[] = [];
  operations.push(
    ...groupDeletions(
      location,
      ownedGroups.filter((g) => !keptGroups.has(g.GroupId)),
      names,
    ),
  );
  for (const list of ownedLists) {
    const kept = keptLists.has(list.PrefixListId) || referenceOnly.has(list.PrefixListId);
    if (!wantedListNames.has(list.PrefixListName) && !kept) {
      operations.push({
        location,
        kind: "deletePrefixList",
        prefixListId: list.PrefixListId,
        name: list.PrefixListName,
      });
    }
  }
  return operations;
}

/** Undesired groups kept for an ENI keep their rules: follow their references to a fixpoint. */
function keepWhatKeptGroupsReference(
  ownedGroups: readonly SecurityGroup[],
  wantedGroupKeys: ReadonlySet<string>,
  names: RegionContext["names"],
  keptGroups: Set<string>,
  keptLists: Set<string>,
): void {
  for (let changed = true; changed; ) {
    changed = false;
    for (const group of ownedGroups) {
      if (!keptGroups.has(group.GroupId) || wantedGroupKeys.has(`${group.VpcId}|${group.GroupName}`))
        continue;
      const rules = [group.IpPermissions, group.IpPermissionsEgress].flatMap((permissions) => [
        ...flattenPermissions(permissions, names).values(),
      ]);
      for (const rule of rules) {
        const pair = rule.permission.UserIdGroupPairs[0]?.GroupId;
        const list = rule.permission.PrefixListIds[0]?.PrefixListId;
        if (pair !== undefined && names.groups.has(pair) && !keptGroups.has(pair)) {
          keptGroups.add(pair);
          changed = true;
        }
        if (list !== undefined) keptLists.add(list);
      }
    }
  }
}

/** Customer groups may reference an owned group or list too: deleting it would fail, so keep it. */
function keepWhatCustomerGroupsReference(
  region: AwsState[number],
  names: RegionContext["names"],
  keptGroups: Set<string>,
  keptLists: Set<string>,
): void {
  for (const group of region.securityGroups) {
    if (names.groups.has(group.GroupId)) continue;
    for (const permission of [...group.IpPermissions, ...group.IpPermissionsEgress]) {
      for (const pair of permission.UserIdGroupPairs)
        if (names.groups.has(pair.GroupId)) keptGroups.add(pair.GroupId);
      for (const list of permission.PrefixListIds)
        if (names.prefixLists.has(list.PrefixListId)) keptLists.add(list.PrefixListId);
    }
  }
}

function ruleSpec(
  rule: DesiredRule,
  vpcId: string,
  groupRef: (vpcId: string, name: string) => GroupRef,
  listRef: (name: string) => PrefixListRef,
): RuleSpec {
  const ports = {
    protocol: rule.protocol,
    ...(rule.fromPort === undefined ? {} : { fromPort: rule.fromPort, toPort: rule.toPort }),
  };
  switch (rule.source.kind) {
    case "cidr":
      return { ...ports, source: { kind: "cidr", cidr: rule.source.cidr } };
    case "group":
      return { ...ports, source: { kind: "group", group: groupRef(vpcId, rule.source.groupName) } };
    case "prefixList":
      return { ...ports, source: { kind: "prefixList", prefixList: listRef(rule.source.name) } };
  }
}

/**
 * Deletes groups so that EC2 accepts each delete: a group still referenced by another group's
 * rule (ingress or egress) cannot go, so referencing groups go first (their rules go with them).
 * Only a loop of references among the groups being deleted needs a revoke, once per loop.
 */
function groupDeletions(
  location: AwsOperation["location"],
  doomed: readonly SecurityGroup[],
  names: { groups: ReadonlyMap<string, string>; prefixLists: ReadonlyMap<string, string> },
): AwsOperation[] {
  const remaining = new Map(
    [...doomed].sort((a, b) => compareText(a.GroupId, b.GroupId)).map((g) => [g.GroupId, g]),
  );
  /** group → the rules in it that reference another group being deleted, per direction. */
  const references = new Map<string, { ingress: IpPermission[]; egress: IpPermission[] }>();
  for (const group of remaining.values()) {
    const referring = (permissions: readonly IpPermission[]) =>
      [...flattenPermissions(permissions, names).values()]
        .map((rule) => rule.permission)
        .filter((p) =>
          p.UserIdGroupPairs.some((pair) => pair.GroupId !== group.GroupId && remaining.has(pair.GroupId)),
        );
    const rules = { ingress: referring(group.IpPermissions), egress: referring(group.IpPermissionsEgress) };
    if (rules.ingress.length + rules.egress.length > 0) references.set(group.GroupId, rules);
  }
  const referencedBy = (id: string) =>
    [...references].some(
      ([from, rules]) =>
        from !== id &&
        remaining.has(from) &&
        [...rules.ingress, ...rules.egress].some((p) =>
          p.UserIdGroupPairs.some((pair) => pair.GroupId === id),
        ),
    );
  const operations: AwsOperation[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining.values()].filter((group) => !referencedBy(group.GroupId));
    for (const group of ready) {
      operations.push({
        location,
        kind: "deleteSecurityGroup",
        groupId: group.GroupId,
        name: group.GroupName,
      });
      remaining.delete(group.GroupId);
    }
    if (ready.length > 0) continue;
    // Every remaining group is referenced: a loop. Break it at its first group.
    const [id, breaker] = [...remaining].find(([candidate]) => references.has(candidate)) as [
      string,
      SecurityGroup,
    ];
    operations.push(...loopBreakers(location, breaker, references.get(id), remaining));
    references.delete(id);
  }
  return operations;
}

/** The revokes that take a group's references to the remaining groups away, per direction. */
function loopBreakers(
  location: AwsOperation["location"],
  breaker: SecurityGroup,
  rules: { ingress: IpPermission[]; egress: IpPermission[] } | undefined,
  remaining: ReadonlyMap<string, SecurityGroup>,
): AwsOperation[] {
  const stale = (permissions: readonly IpPermission[]) =>
    permissions.filter((p) => p.UserIdGroupPairs.some((pair) => remaining.has(pair.GroupId)));
  const ingress = stale(rules?.ingress ?? []);
  const egress = stale(rules?.egress ?? []);
  const { GroupId: groupId, GroupName: groupName } = breaker;
  return [
    ...(ingress.length > 0
      ? [{ location, kind: "revokeIngress" as const, groupName, groupId, permissions: ingress }]
      : []),
    ...(egress.length > 0
      ? [{ location, kind: "revokeEgress" as const, groupName, group: { groupId }, permissions: egress }]
      : []),
  ];
}
