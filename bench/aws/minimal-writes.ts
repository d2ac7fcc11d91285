/**
 * The fewest EC2 write calls that take EC2 from what it holds to what segsync wants, counted
 * without diff.ts: the yardstick for the writes the real pipeline issues per change.
 *
 * Before: the owned groups and prefix lists EC2 holds (the state materialize and diff read),
 * which after a converged apply are desired-before's, plus owned groups kept on ENIs that segsync
 * leaves alone (a stopped workload's, a destination that does not fit): `checkBefore` compares
 * them with desired-before. After: desired-after, plus what must stay — an owned group that an
 * ENI left alone still carries (EC2 refuses to delete a group in use), everything such a group's
 * rules reference, and whatever a customer group references.
 *
 * One call each (the calls EC2 offers, AwsApi's granularity):
 * - owned SG: create 1 (+1 authorize when it has rules); kept: +1 authorize if any rule is added,
 *   +1 revoke if any rule is removed (a call takes any number of rules); gone: delete 1;
 * - prefix list: create with at most 100 entries, the rest by modifies of 100; changed: one modify
 *   per 100 additions and 100 removals (a call takes up to 100 of each); gone: delete 1;
 * - listed ENI: set groups 1 if its group set changes; +1 tag when its original groups must be
 *   recorded (exclusive attachment, no record yet, customer groups on it); +1 when a restore
 *   removes that record;
 * - deleting groups that reference each other: deleting a group removes its own rules, so groups
 *   that reference one another can go in an order where the referrer goes first, and a rule that
 *   references its own group never blocks. Only a cycle of references among groups that all go
 *   needs revokes first: as many revoke calls as the smallest set of groups whose removal breaks
 *   every cycle (minimum feedback vertex set, exact up to 16 groups in one cycle; a cycle through
 *   a group that stays is impossible, since a kept group keeps what it references). A reference
 *   from a group that stays to one that goes is a removed rule of the group that stays, counted
 *   above.
 */
import type { AwsDesired, DesiredInterface, DesiredRule } from "../../lib/clouds/aws/desired.js";
import { ruleKey } from "../../lib/clouds/aws/desired.js";
import type { AwsRegionState, AwsState, IpPermission } from "../../lib/clouds/aws/model.js";
import { locationKey } from "../../lib/clouds/aws/model.js";
import { groupBy } from "../common/collections.js";
import { AWS_OWNERSHIP } from "../common/seals.js";

/**
 * EC2 takes at most this many prefix-list additions (and as many removals) per call
 * (docs/clouds.md, "AWS managed prefix lists").
 */
const PREFIX_LIST_ENTRIES_PER_CALL = 100;
/** Largest cycle of references whose minimum feedback vertex set is searched exactly. */
const EXACT_CYCLE_LIMIT = 16;

export interface MinimalWrites {
  readonly total: number;
  readonly createSecurityGroup: number;
  readonly authorizeIngress: number;
  /** Rules removed from groups that stay, and revokes that break reference cycles of groups that go. */
  readonly revokeIngress: number;
  readonly deleteSecurityGroup: number;
  readonly createManagedPrefixList: number;
  readonly modifyManagedPrefixList: number;
  readonly deleteManagedPrefixList: number;
  readonly modifyNetworkInterfaceGroups: number;
  /** Original groups recorded (tags on the ENI: the record and its seal, one call). */
  readonly createTags: number;
  /** Original-groups records removed by restores. */
  readonly deleteTags: number;
  /** A reference cycle too large to solve exactly was counted by an upper bound. */
  readonly approximate: boolean;
}

type Counts = { -readonly [K in keyof MinimalWrites]: MinimalWrites[K] };

interface OwnedGroup {
  readonly id: string;
  readonly vpcId: string;
  readonly name: string;
  /** ruleKey → the owned group ids and prefix-list ids the rule references. */
  readonly rules: ReadonlyMap<string, { readonly group?: string; readonly prefixList?: string }>;
}

/** Owned objects of one location as EC2 holds them, named as desired objects name them. */
interface Holdings {
  readonly groups: ReadonlyMap<string, OwnedGroup>;
  readonly groupsByKey: ReadonlyMap<string, OwnedGroup>;
  readonly lists: ReadonlyMap<
    string,
    { readonly id: string; readonly name: string; readonly entries: ReadonlySet<string> }
  >;
  readonly listsByName: ReadonlyMap<string, { readonly id: string; readonly entries: ReadonlySet<string> }>;
}

export function minimalWrites(after: AwsDesired, state: AwsState, attachment: "exclusive"): MinimalWrites {
  const counts: Counts = {
    total: 0,
    createSecurityGroup: 0,
    authorizeIngress: 0,
    revokeIngress: 0,
    deleteSecurityGroup: 0,
    createManagedPrefixList: 0,
    modifyManagedPrefixList: 0,
    deleteManagedPrefixList: 0,
    modifyNetworkInterfaceGroups: 0,
    createTags: 0,
    deleteTags: 0,
    approximate: false,
  };
  const regions = new Map(state.map((region) => [locationKey(region), region]));
  const here = <T extends { readonly location: { account: string; region: string } }>(items: readonly T[]) =>
    groupBy(items, (item) => locationKey(item.location));
  const groups = here(after.securityGroups);
  const lists = here(after.prefixLists);
  const interfaces = here(after.interfaces);
  const locations = new Set([...regions.keys(), ...groups.keys(), ...lists.keys(), ...interfaces.keys()]);
  for (const key of locations) {
    countLocation(
      counts,
      regions.get(key),
      { groups: groups.get(key) ?? [], lists: lists.get(key) ?? [], interfaces: interfaces.get(key) ?? [] },
      attachment,
    );
  }
  counts.total =
    counts.createSecurityGroup +
    counts.authorizeIngress +
    counts.revokeIngress +
    counts.deleteSecurityGroup +
    counts.createManagedPrefixList +
    counts.modifyManagedPrefixList +
    counts.deleteManagedPrefixList +
    counts.modifyNetworkInterfaceGroups +
    counts.createTags +
    counts.deleteTags;
  return counts;
}

function countLocation(
  counts: Counts,
  region: AwsRegionState | undefined,
  wanted: {
    readonly groups: AwsDesired["securityGroups"];
    readonly lists: AwsDesired["prefixLists"];
    readonly interfaces: AwsDesired["interfaces"];
  },
  attachment: "exclusive",
): void {
  const held = holdings(region);
  const wantedGroupKeys = new Set(wanted.groups.map((group) => `${group.vpcId}|${group.name}`));
  const wantedListNames = new Set(wanted.lists.map((list) => list.name));

  // Groups.
  for (const group of wanted.groups) {
    const existing = held.groupsByKey.get(`${group.vpcId}|${group.name}`);
    if (!existing) {
      counts.createSecurityGroup += 1;
      if (group.rules.length > 0) counts.authorizeIngress += 1;
      continue;
    }
    const keys = new Set(group.rules.map(ruleKey));
    if (group.rules.some((rule) => !existing.rules.has(ruleKey(rule)))) counts.authorizeIngress += 1;
    if ([...existing.rules.keys()].some((key) => !keys.has(key))) counts.revokeIngress += 1;
  }

  // What must stay although it is not wanted.
  const listed = new Set(wanted.interfaces.map((eni) => eni.networkInterfaceId));
  const keptGroups = new Set<string>();
  const keptLists = new Set<string>();
  for (const eni of region?.networkInterfaces ?? []) {
    if (listed.has(eni.NetworkInterfaceId)) continue;
    for (const { GroupId } of eni.Groups) if (held.groups.has(GroupId)) keptGroups.add(GroupId);
  }
  for (const group of region?.securityGroups ?? []) {
    if (held.groups.has(group.GroupId)) continue;
    for (const permission of group.IpPermissions) {
      for (const pair of permission.UserIdGroupPairs)
        if (held.groups.has(pair.GroupId)) keptGroups.add(pair.GroupId);
      for (const reference of permission.PrefixListIds)
        if (held.lists.has(reference.PrefixListId)) keptLists.add(reference.PrefixListId);
    }
  }
  const undesiredKept = [...keptGroups];
  while (undesiredKept.length > 0) {
    const group = held.groups.get(undesiredKept.pop() as string) as OwnedGroup;
    if (wantedGroupKeys.has(`${group.vpcId}|${group.name}`)) continue;
    for (const rule of group.rules.values()) {
      if (rule.group !== undefined && !keptGroups.has(rule.group)) {
        keptGroups.add(rule.group);
        undesiredKept.push(rule.group);
      }
      if (rule.prefixList !== undefined) keptLists.add(rule.prefixList);
    }
  }
  const deleted = [...held.groups.values()].filter(
    (group) => !wantedGroupKeys.has(`${group.vpcId}|${group.name}`) && !keptGroups.has(group.id),
  );
  counts.deleteSecurityGroup += deleted.length;
  const cycles = cycleRevokes(deleted);
  counts.revokeIngress += cycles.revokes;
  counts.approximate ||= cycles.approximate;

  // Prefix lists.
  for (const list of wanted.lists) {
    const existing = held.listsByName.get(list.name);
    if (!existing) {
      counts.createManagedPrefixList += 1;
      counts.modifyManagedPrefixList += Math.ceil(
        Math.max(0, list.entries.length - PREFIX_LIST_ENTRIES_PER_CALL) / PREFIX_LIST_ENTRIES_PER_CALL,
      );
      continue;
    }
    const entries = new Set(list.entries);
    const added = list.entries.filter((cidr) => !existing.entries.has(cidr)).length;
    const removed = [...existing.entries].filter((cidr) => !entries.has(cidr)).length;
    counts.modifyManagedPrefixList += Math.ceil(Math.max(added, removed) / PREFIX_LIST_ENTRIES_PER_CALL);
  }
  for (const list of held.lists.values()) {
    if (!wantedListNames.has(list.name) && !keptLists.has(list.id)) counts.deleteManagedPrefixList += 1;
  }

  // ENIs.
  const enis = new Map((region?.networkInterfaces ?? []).map((eni) => [eni.NetworkInterfaceId, eni]));
  for (const wantedEni of wanted.interfaces) {
    const eni = enis.get(wantedEni.networkInterfaceId);
    if (!eni) continue;
    const current = new Set(
      eni.Groups.map(({ GroupId }) => {
        const owned = held.groups.get(GroupId);
        return owned === undefined ? GroupId : `owned:${owned.vpcId}|${owned.name}`;
      }),
    );
    const target = targetGroups(wantedEni);
    if (target.size !== current.size || [...target].some((group) => !current.has(group))) {
      counts.modifyNetworkInterfaceGroups += 1;
    }
    // Only a record segsync sealed is one (diff.ts overwrites any other).
    const recorded = region !== undefined && AWS_OWNERSHIP.recordedOriginals(region, eni) !== undefined;
    const customer = eni.Groups.some(({ GroupId }) => !held.groups.has(GroupId));
    if (attachment === "exclusive" && wantedEni.ownedGroups.length > 0 && !recorded && customer) {
      counts.createTags += 1;
    }
    if (wantedEni.ownedGroups.length === 0 && recorded) counts.deleteTags += 1;
  }
}

function targetGroups(eni: DesiredInterface): Set<string> {
  return new Set([...eni.ownedGroups.map((name) => `owned:${eni.vpcId}|${name}`), ...eni.customerGroupIds]);
}

/** Owned groups and prefix lists (ownership tag, `segsync-` name and seal), their rules keyed as desired rules are. */
function holdings(region: AwsRegionState | undefined): Holdings {
  const ownedGroups =
    region === undefined
      ? []
      : region.securityGroups.filter((group) => AWS_OWNERSHIP.ownsGroup(region, group));
  // A list being deleted (EC2 deletes asynchronously) is one segsync no longer has.
  const ownedLists =
    region === undefined
      ? []
      : region.managedPrefixLists.filter(
          (list) => AWS_OWNERSHIP.ownsPrefixList(region, list) && !list.State.startsWith("delete-"),
        );
  const groupNames = new Map(ownedGroups.map((group) => [group.GroupId, group.GroupName]));
  const listNames = new Map(ownedLists.map((list) => [list.PrefixListId, list.PrefixListName]));
  const groups = new Map<string, OwnedGroup>();
  const groupsByKey = new Map<string, OwnedGroup>();
  for (const group of ownedGroups) {
    const owned: OwnedGroup = {
      id: group.GroupId,
      vpcId: group.VpcId,
      name: group.GroupName,
      rules: rulesOf(group.IpPermissions, groupNames, listNames),
    };
    groups.set(owned.id, owned);
    groupsByKey.set(`${owned.vpcId}|${owned.name}`, owned);
  }
  const lists = new Map(
    ownedLists.map((list) => [
      list.PrefixListId,
      { id: list.PrefixListId, name: list.PrefixListName, entries: new Set(list.Entries.map((e) => e.Cidr)) },
    ]),
  );
  const listsByName = new Map([...lists.values()].map((list) => [list.name, list]));
  return { groups, groupsByKey, lists, listsByName };
}

const PROTOCOLS: Readonly<Record<string, DesiredRule["protocol"]>> = {
  tcp: "tcp",
  "6": "tcp",
  udp: "udp",
  "17": "udp",
  icmp: "icmp",
  "1": "icmp",
  "58": "58",
  icmpv6: "58",
  "-1": "-1",
};

/** One entry per (protocol, ports, source), keyed by ruleKey; sources segsync does not own get keys no desired rule has. */
function rulesOf(
  permissions: readonly IpPermission[],
  groupNames: ReadonlyMap<string, string>,
  listNames: ReadonlyMap<string, string>,
): Map<string, { group?: string; prefixList?: string }> {
  const rules = new Map<string, { group?: string; prefixList?: string }>();
  for (const permission of permissions) {
    const protocol = PROTOCOLS[permission.IpProtocol] ?? (permission.IpProtocol as DesiredRule["protocol"]);
    const ports = protocol === "-1" ? {} : { fromPort: permission.FromPort, toPort: permission.ToPort };
    const key = (source: DesiredRule["source"]) => ruleKey({ protocol, ...ports, source });
    for (const range of permission.IpRanges) rules.set(key({ kind: "cidr", cidr: range.CidrIp }), {});
    for (const range of permission.Ipv6Ranges) rules.set(key({ kind: "cidr", cidr: range.CidrIpv6 }), {});
    for (const reference of permission.PrefixListIds) {
      const name = listNames.get(reference.PrefixListId);
      rules.set(
        key(
          name === undefined ? { kind: "cidr", cidr: reference.PrefixListId } : { kind: "prefixList", name },
        ),
        { prefixList: reference.PrefixListId },
      );
    }
    for (const pair of permission.UserIdGroupPairs) {
      const name = groupNames.get(pair.GroupId);
      rules.set(
        key(name === undefined ? { kind: "cidr", cidr: pair.GroupId } : { kind: "group", groupName: name }),
        name === undefined ? {} : { group: pair.GroupId },
      );
    }
  }
  return rules;
}

/** Revoke calls needed before deleting `deleted`: a minimum feedback vertex set of their references. */
function cycleRevokes(deleted: readonly OwnedGroup[]): { revokes: number; approximate: boolean } {
  const ids = new Set(deleted.map((group) => group.id));
  const edges = new Map<string, string[]>();
  for (const group of deleted) {
    const targets = new Set<string>();
    for (const rule of group.rules.values()) {
      if (rule.group !== undefined && rule.group !== group.id && ids.has(rule.group)) targets.add(rule.group);
    }
    edges.set(group.id, [...targets]);
  }
  let revokes = 0;
  let approximate = false;
  for (const component of stronglyConnected([...ids], edges)) {
    if (component.length < 2) continue;
    if (component.length > EXACT_CYCLE_LIMIT) {
      // Keeping one group breaks nothing in general: every group but one is an upper bound.
      revokes += component.length - 1;
      approximate = true;
      continue;
    }
    revokes += minimumFeedbackVertexSet(component, edges);
  }
  return { revokes, approximate };
}

function minimumFeedbackVertexSet(
  component: readonly string[],
  edges: ReadonlyMap<string, string[]>,
): number {
  const inside = new Set(component);
  for (let size = 1; size < component.length; size++) {
    for (const removed of subsets(component, size)) {
      const remaining = component.filter((id) => !removed.has(id) && inside.has(id));
      if (isAcyclic(remaining, edges)) return size;
    }
  }
  return component.length - 1;
}

function* subsets(
  items: readonly string[],
  size: number,
  start = 0,
  chosen: string[] = [],
): Generator<Set<string>> {
  if (chosen.length === size) {
    yield new Set(chosen);
    return;
  }
  for (let index = start; index <= items.length - (size - chosen.length); index++) {
    chosen.push(items[index] as string);
    yield* subsets(items, size, index + 1, chosen);
    chosen.pop();
  }
}

function isAcyclic(nodes: readonly string[], edges: ReadonlyMap<string, string[]>): boolean {
  return stronglyConnected(nodes, edges).every((component) => component.length < 2);
}

/** Tarjan's strongly connected components of the subgraph induced by `nodes`. */
function stronglyConnected(nodes: readonly string[], edges: ReadonlyMap<string, string[]>): string[][] {
  const inside = new Set(nodes);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!inside.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component);
    }
  };
  for (const node of nodes) if (!index.has(node)) visit(node);
  return components;
}

/**
 * Desired objects that EC2 does not hold exactly as desired (a group missing or with other rules,
 * a prefix list missing or with other entries): 0 after a converged apply, which is what makes
 * EC2's holdings stand for desired-before in minimalWrites.
 */
export function mismatchesWith(desired: AwsDesired, state: AwsState): number {
  const held = new Map(state.map((region) => [locationKey(region), holdings(region)]));
  let mismatches = 0;
  for (const group of desired.securityGroups) {
    const existing = held.get(locationKey(group.location))?.groupsByKey.get(`${group.vpcId}|${group.name}`);
    const keys = new Set(group.rules.map(ruleKey));
    if (!existing || existing.rules.size !== keys.size || [...keys].some((key) => !existing.rules.has(key))) {
      mismatches += 1;
    }
  }
  for (const list of desired.prefixLists) {
    const existing = held.get(locationKey(list.location))?.listsByName.get(list.name);
    if (
      !existing ||
      existing.entries.size !== list.entries.length ||
      list.entries.some((cidr) => !existing.entries.has(cidr))
    ) {
      mismatches += 1;
    }
  }
  return mismatches;
}
