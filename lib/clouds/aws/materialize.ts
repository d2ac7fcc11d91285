import type {
  DestinationIntent,
  EgressIntent,
  Intent,
  PeerSet,
  WorkloadTreatment,
} from "../../compile/model.js";
import { parseNetworkId } from "../../inventory/ids.js";
import type { Attachment } from "../../policy/model.js";
import { compareText } from "../../util/compare-text.js";
import { additiveFindings, DEFAULT_GROUP_NAME } from "./additive.js";
import type { AwsQuotas } from "./config.js";
import type {
  AwsDesired,
  AwsFinding,
  DesiredInterface,
  DesiredPrefixList,
  DesiredRule,
  DesiredSecurityGroup,
} from "./desired.js";
import { ruleKey } from "./desired.js";
import { type EgressLookup, egressUnits } from "./materialize-egress.js";
import {
  type AwsLocation,
  type AwsState,
  locationKey,
  type NetworkInterface,
  type SecurityGroup,
} from "./model.js";
import type { AwsOwnership } from "./ownership.js";
import { isIpv6, portSpec } from "./port-specs.js";
import { packShards } from "./shards.js";

export interface AwsMaterializeOptions {
  readonly quotas: AwsQuotas;
  readonly attachment: Attachment;
  /** The one ownership predicate: which groups are segsync's, which records it sealed. */
  readonly ownership: AwsOwnership;
}

/** Prefix-list sizes: a reference costs MaxEntries rules, so lists grow in steps rather than to fit. */
export const PREFIX_LIST_SIZES = [5, 10, 20, 50, 100, 200, 500, 1000] as const;

export function groupName(hash: string, shard: number): string {
  return shard === 1 ? `segsync-${hash}` : `segsync-${hash}-${shard}`;
}

/**
 * Intent → the security groups, prefix lists and ENI group lists that enforce it in EC2
 * (docs/architecture.md, "How each cloud enforces an identity"): one owned SG per (identity, VPC),
 * sharded when the rule quota demands it; same-VPC sources by SG reference where the source carries
 * its own owned SG, other sources by exact CIDRs or, where the quota allows, an owned prefix list
 * per (source identity, viewing VPC). A destination that cannot fit is not applied (its ENIs and
 * groups stay as they are) and a finding says why. Only the locations `state` holds are planned:
 * destinations elsewhere get no objects and no findings, so that a narrowed read never plans the
 * locations it did not read. Pure: `state` is only read, for ENI ids, current groups and recorded
 * originals.
 */
export function materializeAws(intent: Intent, state: AwsState, options: AwsMaterializeOptions): AwsDesired {
  const index = indexState(state, options.ownership);
  const peerSets = new Map(intent.peerSets.map((peerSet) => [peerSet.key, peerSet]));
  // Only the locations the state holds: a narrowed read plans its own locations and no other. What
  // is computed across destinations (carriers, prefix lists) is per network, so each read location
  // gets exactly what a full read gives it.
  const read = new Set(state.map(locationKey));
  const destinations = intent.destinations.filter(
    (d) => d.cloud === "aws" && d.enforcement === "enforced" && read.has(locationKey(awsNetwork(d.network))),
  );
  const findings: AwsFinding[] = [];

  // A source can be referenced by SG only if it carries its own owned SG (a change read alone names
  // those outside it); one that does not fit carries none, which turns references to it into CIDRs.
  const carriers = new Set([...destinations.map((d) => d.key), ...index.carriersOutside]);
  const plans = planUntilFit(
    destinations,
    { peerSets, carriers, egress: egressContext(intent, index) },
    index,
    options,
  );

  const securityGroups: DesiredSecurityGroup[] = [];
  const prefixLists = new Map<string, DesiredPrefixList>();
  const interfaces: DesiredInterface[] = [];
  for (const destination of destinations) {
    const plan = plans.get(destination.key) as DestinationPlan;
    findings.push(...plan.findings);
    if (!plan.fits) continue;
    securityGroups.push(...plan.groups);
    for (const list of plan.prefixLists) prefixLists.set(`${locationKey(list.location)}|${list.name}`, list);
    interfaces.push(...plan.interfaces);
  }
  const enforced = new Set(interfaces.map((i) => i.networkInterfaceId));
  const unfitKeys = new Set(destinations.filter((d) => !plans.get(d.key)?.fits).map((d) => d.key));
  const treatments = new Map(intent.workloads.map((w) => [w.workload, w]));
  for (const restore of restores(index, enforced, treatments, unfitKeys, intent, findings))
    interfaces.push(restore);

  return {
    securityGroups: securityGroups.sort(
      (a, b) =>
        compareText(locationKey(a.location), locationKey(b.location)) ||
        compareText(a.vpcId, b.vpcId) ||
        compareText(a.name, b.name),
    ),
    prefixLists: [...prefixLists.values()].sort(
      (a, b) => compareText(locationKey(a.location), locationKey(b.location)) || compareText(a.name, b.name),
    ),
    interfaces: interfaces.sort(
      (a, b) =>
        compareText(locationKey(a.location), locationKey(b.location)) ||
        compareText(a.networkInterfaceId, b.networkInterfaceId),
    ),
    findings,
    rulesPerSecurityGroup: options.quotas.rulesPerSecurityGroup,
    securityGroupsPerInterface: options.quotas.securityGroupsPerInterface,
  };
}

/**
 * Every destination planned; one that does not fit carries no group, so references to it become
 * CIDRs, and the others are planned again until every carrier fits.
 */
function planUntilFit(
  destinations: readonly DestinationIntent[],
  peers: PeerContext & { readonly carriers: Set<string> },
  index: StateIndex,
  options: AwsMaterializeOptions,
): Map<string, DestinationPlan> {
  for (;;) {
    const plans = new Map(destinations.map((d) => [d.key, planDestination(d, peers, index, options)]));
    const unfit = [...plans].filter(([key, plan]) => !plan.fits && peers.carriers.has(key));
    if (unfit.length === 0) return plans;
    for (const [key] of unfit) peers.carriers.delete(key);
  }
}

function awsNetwork(id: string): { account: string; region: string; vpcId: string } {
  const network = parseNetworkId(id);
  if (network.cloud !== "aws") throw new TypeError(`${id} is not an AWS network`);
  return network;
}

interface StateIndex {
  /** `<location>|<instanceId>` → its ENIs. */
  readonly interfacesByInstance: Map<string, NetworkInterface[]>;
  readonly ownedGroupIds: Set<string>;
  /** Every group read (owned and customer): a recorded group that is not here no longer exists. */
  readonly groupIds: Set<string>;
  /** Every group read, by id: what a kept customer group admits (attachment: additive). */
  readonly groups: Map<string, SecurityGroup>;
  /** ENI id → its original groups as segsync recorded and sealed them. */
  readonly recorded: Map<string, string[]>;
  /** `<location>|<vpcId>` → the VPC's default group id. */
  readonly defaultGroups: Map<string, string>;
  readonly regions: AwsState;
  /** Sources outside a change read alone that carry their own group (model.ts, AwsChangeRead). */
  readonly carriersOutside: readonly string[];
  /**
   * `<location>|<instanceId>` of the instances a change read alone re-read; undefined for a read of
   * whole places. Only these are restored or reported missing: the rest were not read.
   */
  readonly reread: ReadonlySet<string> | undefined;
}

function indexState(state: AwsState, ownership: AwsOwnership): StateIndex {
  const interfacesByInstance = new Map<string, NetworkInterface[]>();
  const ownedGroupIds = new Set<string>();
  const groupIds = new Set<string>();
  const groups = new Map<string, SecurityGroup>();
  const recorded = new Map<string, string[]>();
  const defaultGroups = new Map<string, string>();
  for (const region of state) {
    const location = locationKey(region);
    for (const eni of region.networkInterfaces) {
      const originals = ownership.recordedOriginals(region, eni);
      if (originals !== undefined) recorded.set(eni.NetworkInterfaceId, originals);
      const instance = eni.Attachment?.InstanceId;
      if (instance === undefined) continue;
      const key = `${location}|${instance}`;
      interfacesByInstance.set(key, [...(interfacesByInstance.get(key) ?? []), eni]);
    }
    for (const group of region.securityGroups) {
      groupIds.add(group.GroupId);
      groups.set(group.GroupId, group);
      if (ownership.ownsGroup(region, group)) ownedGroupIds.add(group.GroupId);
      if (group.GroupName === DEFAULT_GROUP_NAME)
        defaultGroups.set(`${location}|${group.VpcId}`, group.GroupId);
    }
  }
  return {
    interfacesByInstance,
    ownedGroupIds,
    groupIds,
    groups,
    recorded,
    defaultGroups,
    regions: state,
    ...changeIndex(state),
  };
}

/** What a read of a change alone covers (model.ts, AwsChangeRead); nothing for whole places. */
function changeIndex(state: AwsState): Pick<StateIndex, "carriersOutside" | "reread"> {
  if (!state.some((region) => region.change !== undefined)) return { carriersOutside: [], reread: undefined };
  return {
    carriersOutside: state.flatMap((region) => region.change?.carriers ?? []),
    reread: new Set(
      state.flatMap((region) => (region.change?.instances ?? []).map((id) => `${locationKey(region)}|${id}`)),
    ),
  };
}

interface DestinationPlan {
  readonly fits: boolean;
  readonly groups: readonly DesiredSecurityGroup[];
  readonly prefixLists: readonly DesiredPrefixList[];
  readonly interfaces: readonly DesiredInterface[];
  readonly findings: readonly AwsFinding[];
}

interface RuleUnit {
  readonly rule: DesiredRule;
  /** Quota cost: 1, or a prefix list's MaxEntries. */
  readonly weight: number;
}

/** What a destination's rules look their peers up in: peer sets, carriers, egress intents. */
interface PeerContext {
  readonly peerSets: ReadonlyMap<string, PeerSet>;
  readonly carriers: ReadonlySet<string>;
  readonly egress: EgressContext;
}

/** The intent's egress (v2), by the key of the destination whose groups carry it. */
interface EgressContext {
  readonly byKey: ReadonlyMap<string, EgressIntent>;
  readonly destinations: ReadonlyMap<string, DestinationIntent>;
  readonly index: StateIndex;
}

function egressContext(intent: Intent, index: StateIndex): EgressContext {
  return {
    byKey: new Map((intent.egress ?? []).filter((e) => e.cloud === "aws").map((e) => [e.key, e])),
    destinations: new Map(intent.destinations.map((d) => [d.key, d])),
    index,
  };
}

function planDestination(
  destination: DestinationIntent,
  peers: PeerContext,
  index: StateIndex,
  options: AwsMaterializeOptions,
): DestinationPlan {
  const network = awsNetwork(destination.network);
  const location: AwsLocation = { account: network.account, region: network.region };
  const { vpcId } = network;
  const findings: AwsFinding[] = [];

  const memberInterfaces = interfacesOfMembers(destination, index, location, vpcId, findings);
  const customerGroups = (eni: NetworkInterface) =>
    eni.Groups.map((g) => g.GroupId).filter((id) => !index.ownedGroupIds.has(id));
  // Only what segsync recorded and sealed, and only groups that still exist (a deleted one would
  // fail every write to the ENI).
  const recordedOriginals = (eni: NetworkInterface) =>
    existingOriginals(index, eni, `${location.account}:${location.region}`, findings);
  const keptGroups = (eni: NetworkInterface) =>
    options.attachment === "additive" ? unique([...recordedOriginals(eni), ...customerGroups(eni)]) : [];
  // A reduce, not Math.min(...spread): an identity can have more ENIs than a call takes arguments.
  const maxShards = memberInterfaces.reduce(
    (least, eni) => Math.min(least, options.quotas.securityGroupsPerInterface - keptGroups(eni).length),
    options.quotas.securityGroupsPerInterface,
  );

  const { peerSets, carriers } = peers;
  const { chosen, shards } = packRules(destination, peerSets, carriers, vpcId, location, options, maxShards);
  const egress = egressOf(destination, peers, vpcId, memberInterfaces.flatMap(keptGroups), findings);
  const egressShards = egress && packShards(egress, options.quotas.rulesPerSecurityGroup, maxShards);
  if (!shards || (egress && !egressShards)) {
    findings.push(quotaFinding(destination, shards ? (egress ?? []) : chosen.units, maxShards, options));
    return { fits: false, groups: [], prefixLists: [], interfaces: [], findings };
  }
  const groups = securityGroups(shards, egressShards, destination, location, vpcId);
  const interfaces = memberInterfaces.map(
    (eni): DesiredInterface => ({
      location,
      networkInterfaceId: eni.NetworkInterfaceId,
      vpcId,
      workload: `aws:${location.account}:${location.region}:${eni.Attachment?.InstanceId}`,
      ownedGroups: groups.map((g) => g.name),
      customerGroupIds: keptGroups(eni),
      originalGroupsTag: originalGroupsTag(options.attachment, index.recorded.has(eni.NetworkInterfaceId)),
    }),
  );
  findings.push(
    ...additiveFindings(
      destination,
      vpcId,
      interfaces.flatMap((eni) => eni.customerGroupIds),
      index.groups,
    ),
  );
  return { fits: true, groups, prefixLists: chosen.prefixLists, interfaces, findings };
}

/**
 * The destination's rules packed into at most `maxShards` groups: with prefix lists if they fit,
 * else with every range spelled out; `shards` is undefined when neither fits.
 */
function packRules(
  destination: DestinationIntent,
  peerSets: ReadonlyMap<string, PeerSet>,
  carriers: ReadonlySet<string>,
  vpcId: string,
  location: AwsLocation,
  options: AwsMaterializeOptions,
  maxShards: number,
): { chosen: ReturnType<typeof ruleUnits>; shards: ReturnType<typeof packShards> } {
  const withPrefixLists = ruleUnits(destination, peerSets, carriers, vpcId, location, true);
  let chosen = withPrefixLists;
  let shards = packShards(withPrefixLists.units, options.quotas.rulesPerSecurityGroup, maxShards);
  if (!shards) {
    chosen = ruleUnits(destination, peerSets, carriers, vpcId, location, false);
    shards = packShards(chosen.units, options.quotas.rulesPerSecurityGroup, maxShards);
  }
  return { chosen, shards };
}

function quotaFinding(
  destination: DestinationIntent,
  units: readonly RuleUnit[],
  maxShards: number,
  options: AwsMaterializeOptions,
): AwsFinding {
  const weight = units.reduce((sum, unit) => sum + unit.weight, 0);
  return {
    code: "aws-quota",
    severity: "error",
    subject: destination.key,
    message: `${destination.identity} in ${destination.network}: ${weight} rules do not fit in ${Math.max(maxShards, 0)} security groups of ${options.quotas.rulesPerSecurityGroup} rules; not applied, its current enforcement stays`,
  };
}

/**
 * One owned group per shard of rules, named by the destination and its position. Ingress and
 * egress are packed apart (EC2's quota is per direction): group n holds the n-th shard of each,
 * and where egress is enforced every group holds egress rules (none at all: it sends nothing).
 */
function securityGroups(
  shards: DesiredRule[][],
  egressShards: DesiredRule[][] | undefined,
  destination: DestinationIntent,
  location: AwsLocation,
  vpcId: string,
): DesiredSecurityGroup[] {
  const count = Math.max(shards.length, egressShards?.length ?? 0);
  return Array.from({ length: count }, (_, position) => ({
    location,
    vpcId,
    name: groupName(destination.hash, position + 1),
    identity: destination.identity,
    description: `segsync: ${destination.identity}`.slice(0, 255),
    rules: sortedRules(shards[position] ?? []),
    ...(egressShards === undefined ? {} : { egress: sortedRules(egressShards[position] ?? []) }),
  }));
}

function sortedRules(rules: readonly DesiredRule[]): DesiredRule[] {
  return [...rules].sort((a, b) => compareText(ruleKey(a), ruleKey(b)));
}

/**
 * The destination identity's egress rules where its egress is enforced here, undefined where it
 * is open. A kept customer group with egress rules (attachment: additive) lets the members send
 * what it allows whatever segsync writes: egress is then not enforced, and a finding says so.
 */
function egressOf(
  destination: DestinationIntent,
  peers: PeerContext,
  vpcId: string,
  keptGroupIds: readonly string[],
  findings: AwsFinding[],
): { rule: DesiredRule; weight: number }[] | undefined {
  const egress = peers.egress.byKey.get(destination.key);
  if (egress === undefined) return undefined;
  const { index } = peers.egress;
  const open = [...new Set(keptGroupIds)]
    .sort(compareText)
    .filter((id) => (index.groups.get(id)?.IpPermissionsEgress.length ?? 0) > 0);
  if (open.length > 0) {
    findings.push({
      code: "aws-additive-egress-not-enforced",
      severity: "warning",
      subject: destination.key,
      message: `${destination.identity} in ${vpcId}: egress is not enforced (attachment: additive): customer group(s) ${open.join(" ")} stay on its interfaces and allow egress that segsync cannot narrow; its egress stays open`,
    });
    return undefined;
  }
  const location = locationKey(awsNetwork(destination.network));
  const lookup: EgressLookup = {
    carriers: peers.carriers,
    destinations: peers.egress.destinations,
    interfacesOf: (workload) =>
      (
        index.interfacesByInstance.get(`${location}|${workload.slice(workload.lastIndexOf(":") + 1)}`) ?? []
      ).filter((eni) => eni.VpcId === vpcId),
    groupOf: (hash) => groupName(hash, 1),
  };
  return egressUnits(egress, lookup);
}

/** The destination's members' ENIs in its VPC; a member with none read is a finding. */
function interfacesOfMembers(
  destination: DestinationIntent,
  index: StateIndex,
  location: AwsLocation,
  vpcId: string,
  findings: AwsFinding[],
): NetworkInterface[] {
  const memberInterfaces: NetworkInterface[] = [];
  for (const member of destination.members) {
    const instanceId = member.workload.slice(member.workload.lastIndexOf(":") + 1);
    const key = `${locationKey(location)}|${instanceId}`;
    const found = (index.interfacesByInstance.get(key) ?? []).filter((eni) => eni.VpcId === vpcId);
    // A change read alone reads the members it re-read, and others only where it moves them.
    if (found.length === 0 && (index.reread === undefined || index.reread.has(key))) {
      findings.push({
        code: "aws-interface-missing",
        severity: "warning",
        subject: member.workload,
        message: `${member.workload}: no network interface in ${vpcId} was read back; it is enforced once discovery sees one`,
      });
    }
    memberInterfaces.push(...found);
  }
  return memberInterfaces;
}

/**
 * What to do with an ENI's record of its original groups: replacing them records them first;
 * additive mode, which keeps them on the ENI, needs no record and removes one left behind.
 */
function originalGroupsTag(
  attachment: AwsMaterializeOptions["attachment"],
  recorded: boolean,
): DesiredInterface["originalGroupsTag"] {
  if (attachment === "additive") return recorded ? "remove" : "keep";
  return recorded ? "keep" : "record";
}

function ruleUnits(
  destination: DestinationIntent,
  peerSets: ReadonlyMap<string, PeerSet>,
  carriers: ReadonlySet<string>,
  vpcId: string,
  location: AwsLocation,
  usePrefixLists: boolean,
): { units: RuleUnit[]; prefixLists: DesiredPrefixList[] } {
  const units = new Map<string, RuleUnit>();
  const prefixLists: DesiredPrefixList[] = [];
  const add = (rule: DesiredRule, weight: number) => units.set(ruleKey(rule), { rule, weight });
  for (const grant of destination.grants) {
    const cidrSources: string[] = [];
    const otherSources: { source: DesiredRule["source"]; weight: number; ipv6: boolean }[] = [];
    // An ipList, or the addresses of a source that deny rules split (never a group reference).
    if (grant.source.kind !== "peerSet") cidrSources.push(...grant.source.cidrs);
    else {
      const peerSet = peerSets.get(grant.source.key);
      if (!peerSet) throw new TypeError(`intent names peer set ${grant.source.key} but does not hold it`);
      if (peerSet.local.length > 0) {
        if (carriers.has(`${peerSet.hash}@${destination.network}`)) {
          otherSources.push({
            source: { kind: "group", groupName: groupName(peerSet.hash, 1) },
            weight: 1,
            ipv6: false,
          });
        } else cidrSources.push(...peerSet.localCidrs);
      }
      for (const ipv6 of [false, true]) {
        const cidrs = peerSet.remoteCidrs.filter((cidr) => isIpv6(cidr) === ipv6);
        const size = PREFIX_LIST_SIZES.find((candidate) => candidate >= cidrs.length);
        if (cidrs.length === 0) continue;
        if (!usePrefixLists || size === undefined) {
          cidrSources.push(...cidrs);
          continue;
        }
        const name = `segsync-${peerSet.hash}-${vpcId}-${ipv6 ? "v6-" : ""}${size}`;
        prefixLists.push({
          location,
          name,
          identity: peerSet.identity,
          addressFamily: ipv6 ? "IPv6" : "IPv4",
          maxEntries: size,
          entries: cidrs,
        });
        otherSources.push({ source: { kind: "prefixList", name }, weight: size, ipv6 });
      }
    }
    for (const service of grant.services) {
      for (const cidr of cidrSources)
        add({ ...portSpec(service, isIpv6(cidr)), source: { kind: "cidr", cidr } }, 1);
      for (const { source, weight, ipv6 } of otherSources)
        add({ ...portSpec(service, ipv6), source }, weight);
    }
  }
  return { units: [...units.values()], prefixLists };
}

/**
 * The ENI's recorded original groups that still exist; each one gone is reported, once per ENI.
 */
function existingOriginals(
  index: StateIndex,
  eni: NetworkInterface,
  where: string,
  findings: AwsFinding[],
): string[] {
  const originals = index.recorded.get(eni.NetworkInterfaceId) ?? [];
  const gone = originals.filter((id) => !index.groupIds.has(id));
  if (
    gone.length > 0 &&
    !findings.some((f) => f.code === "aws-original-group-missing" && f.subject === eni.NetworkInterfaceId)
  ) {
    findings.push({
      code: "aws-original-group-missing",
      severity: "warning",
      subject: eni.NetworkInterfaceId,
      message: `${eni.NetworkInterfaceId} (${where}): its recorded original group(s) ${gone.join(" ")} no longer exist; left out of what it gets back`,
    });
  }
  return originals.filter((id) => index.groupIds.has(id));
}

/**
 * ENIs that carry segsync's groups or its sealed record of their original groups (the interfaces
 * segsync enforced, and no other), but whose workload is no longer enforced here: they get their
 * groups back, in the same plan that deletes the groups they no longer need (EC2 refuses to delete
 * a group an ENI carries). An ENI attached to no instance that carries segsync's group gets its
 * groups back too. Stopped workloads and destinations that do not fit are left as they are.
 */
function restores(
  index: StateIndex,
  enforced: ReadonlySet<string>,
  treatments: ReadonlyMap<string, { treatment: WorkloadTreatment; identity: string }>,
  unfitKeys: ReadonlySet<string>,
  intent: Intent,
  findings: AwsFinding[],
): DesiredInterface[] {
  const hashes = new Map(intent.destinations.map((d) => [d.identity, d.hash]));
  const result: DesiredInterface[] = [];
  for (const region of index.regions) {
    const location: AwsLocation = { account: region.account, region: region.region };
    for (const eni of region.networkInterfaces) {
      const instanceId = eni.Attachment?.InstanceId;
      if (enforced.has(eni.NetworkInterfaceId)) continue;
      const hasOwned = eni.Groups.some((g) => index.ownedGroupIds.has(g.GroupId));
      const tagged = index.recorded.has(eni.NetworkInterfaceId);
      if (!hasOwned && !tagged) continue;
      const originals = existingOriginals(index, eni, locationKey(location), findings);
      const workload = instanceId === undefined ? "" : `aws:${region.account}:${region.region}:${instanceId}`;
      const report = treatments.get(workload);
      if (report?.treatment === "inactive") continue;
      if (index.reread !== undefined && !restoredInChange(index.reread, location, instanceId, report))
        continue;
      const network = `aws:${region.account}:${region.region}:${eni.VpcId}`;
      const hash = report ? hashes.get(report.identity) : undefined;
      if (hash !== undefined && unfitKeys.has(`${hash}@${network}`)) continue;
      const customer = eni.Groups.map((g) => g.GroupId).filter((id) => !index.ownedGroupIds.has(id));
      let groups = unique([...originals, ...customer]);
      if (groups.length === 0) {
        const fallback = index.defaultGroups.get(`${locationKey(location)}|${eni.VpcId}`);
        if (fallback === undefined) {
          findings.push({
            code: "aws-restore-group-missing",
            severity: "warning",
            subject: eni.NetworkInterfaceId,
            message: `${eni.NetworkInterfaceId} (${workload}) is no longer enforced but has no original group and its VPC's default group was not read; left as it is`,
          });
          continue;
        }
        groups = [fallback];
      }
      result.push({
        location,
        networkInterfaceId: eni.NetworkInterfaceId,
        vpcId: eni.VpcId,
        workload,
        ownedGroups: [],
        customerGroupIds: groups,
        originalGroupsTag: tagged ? "remove" : "keep",
      });
    }
  }
  return result;
}

/**
 * Whether a change read alone may restore this ENI: only one it re-read (or one attached to no
 * instance), and not one of an enforced workload, whose destination is either in the change (and
 * enforces it, or does not fit) or unchanged (and still enforces it).
 */
function restoredInChange(
  reread: ReadonlySet<string>,
  location: AwsLocation,
  instanceId: string | undefined,
  report: { readonly treatment: WorkloadTreatment } | undefined,
): boolean {
  if (instanceId !== undefined && !reread.has(`${locationKey(location)}|${instanceId}`)) return false;
  return report?.treatment !== "enforced";
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
