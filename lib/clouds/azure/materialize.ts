import type {
  DestinationIntent,
  EgressIntent,
  Intent,
  PeerSet,
  WorkloadTreatment,
} from "../../compile/model.js";
import { identityHash } from "../../inventory/identity.js";
import { parseNetworkId } from "../../inventory/ids.js";
import type { Attachment } from "../../policy/model.js";
import { compareText } from "../../util/compare-text.js";
import type { AzureQuotas } from "./config.js";
import {
  type CoverageIndex,
  coverageOf,
  enforcedOutside,
  hashOfOwnedName,
  namedSources,
  siblingRules,
} from "./coverage.js";
import type {
  AzureDesired,
  AzureFinding,
  DesiredApplicationSecurityGroup,
  DesiredNetworkInterface,
  DesiredNetworkSecurityGroup,
} from "./desired.js";
import { DENY_ALL_OUTBOUND_RULE, denyAllOutbound, egressRules } from "./egress.js";
import {
  type AzureState,
  type NetworkInterface,
  parseResourceId,
  resourceId,
  type SecurityRule,
} from "./model.js";
import { type AzureOwnership, type RecordedNsg, tagOf } from "./ownership.js";
import { IDENTITY_TAG_KEY } from "./ownership-keys.js";
import { assignPriorities } from "./priorities.js";
import { ruleProtocols } from "./protocols.js";

export interface AzureMaterializeOptions {
  readonly quotas: AzureQuotas;
  readonly attachment: Attachment;
  readonly loadBalancerProbes: "allow" | "deny";
  /** subscription → the resource group where segsync keeps its NSGs and ASGs. */
  readonly resourceGroups: Readonly<Record<string, string>>;
  /** The one ownership predicate: which NSGs and ASGs are segsync's, which records it sealed. */
  readonly ownership: AzureOwnership;
}

/** Where AzureLoadBalancer health probes come from (a fixed platform address). */
export const AZURE_LOAD_BALANCER_TAG = "AzureLoadBalancer";
export const DENY_ALL_RULE = "segsync-deny-all-inbound";
export const LOAD_BALANCER_RULE = "segsync-allow-load-balancer";
const DENY_ALL_PRIORITY = 4096;
const LOAD_BALANCER_PRIORITY = 4095;

export function nsgName(hash: string, region: string): string {
  return `segsync-${hash}-${region}`;
}

/** ASG names must be unique per resource group and stay ≤ 80 characters: the VNet is named by a hash. */
export function asgName(hash: string, network: string): string {
  return `segsync-${hash}-${identityHash(network.toLowerCase()).slice(0, 8)}`;
}

/**
 * Intent → NSGs, ASGs and NIC settings that enforce it in Azure (docs/architecture.md,
 * "How each cloud enforces an identity"): an owned NSG per (identity, region) associated with the
 * identity's NICs, an owned ASG per (identity, VNet) that those NICs join; rules from ASGs (same
 * VNet) or exact prefixes to the destination's ASG, with stable priorities, then an owned deny-all
 * at 4096 ahead of AllowVnetInBound. Pure.
 *
 * Only the subscriptions the state holds are planned (a narrowed read): a destination belongs to
 * its VNet's subscription, where its NSG, ASG and NIC writes go (in that subscription's resource
 * group), and is left out with everything it would yield, findings included, when the state does
 * not hold that subscription. A NIC shares its VNet's subscription, so what a destination gets
 * depends on its own subscription's state only: each subscription read gets exactly what a read of
 * every subscription gives it.
 */
export function materializeAzure(
  intent: Intent,
  state: AzureState,
  options: AzureMaterializeOptions,
): AzureDesired {
  const index = indexAzureState(state, options.ownership);
  const peerSets = new Map(intent.peerSets.map((p) => [p.key, p]));
  const findings: AzureFinding[] = [];
  const read = new Set(state.map((s) => s.subscription.toLowerCase()));
  const destinations = intent.destinations.filter(
    (d) => d.cloud === "azure" && d.enforcement === "enforced" && read.has(subscriptionOf(d.network)),
  );

  // An identity's egress in a network is keyed like its destination there: the same NSG carries both.
  const egress = new Map((intent.egress ?? []).map((e) => [e.key, e]));
  const placed = destinations.map((destination) =>
    placeDestination(destination, egress.get(destination.key), index, options, findings),
  );
  const groups = planFittingGroups(placed, intent, peerSets, index, options);

  const applicationSecurityGroups: DesiredApplicationSecurityGroup[] = [];
  const networkSecurityGroups: DesiredNetworkSecurityGroup[] = [];
  const networkInterfaces: DesiredNetworkInterface[] = [];
  const unfitDestinations = new Set<string>();
  for (const plan of groups.values()) {
    if (!plan.fits) {
      findings.push(plan.finding as AzureFinding);
      for (const member of plan.members) unfitDestinations.add(member.destination.key);
      continue;
    }
    networkSecurityGroups.push(plan.nsg);
    for (const member of plan.members) {
      applicationSecurityGroups.push(member.asg);
      for (const { nic, workload } of member.nics) {
        networkInterfaces.push(enforcedInterface(nic, workload, member, plan.nsg, options, index, findings));
      }
    }
  }
  networkSecurityGroups.push(...siblingsOnly(index, groups, options));
  const enforcedIds = new Set(networkInterfaces.map((n) => n.id.toLowerCase()));
  const treatments = new Map(intent.workloads.map((w) => [w.workload.toLowerCase(), w.treatment]));
  networkInterfaces.push(...restores(index, enforcedIds, treatments, unfitDestinations, intent, findings));

  return {
    applicationSecurityGroups: applicationSecurityGroups.sort((a, b) =>
      compareText(`${a.subscription}|${a.name}`, `${b.subscription}|${b.name}`),
    ),
    networkSecurityGroups: networkSecurityGroups.sort((a, b) =>
      compareText(`${a.subscription}|${a.name}`, `${b.subscription}|${b.name}`),
    ),
    networkInterfaces: networkInterfaces.sort((a, b) => compareText(a.id.toLowerCase(), b.id.toLowerCase())),
    findings,
  };
}

export interface AzureStateIndex {
  readonly nics: Map<string, { nic: NetworkInterface; subscription: string }>;
  readonly nicsByVm: Map<string, NetworkInterface[]>;
  readonly ownedNsgs: Map<string, AzureState[number]["networkSecurityGroups"][number]>;
  readonly ownedAsgIds: Set<string>;
  readonly ownedNsgIds: Set<string>;
  /** Every NSG read (lowercase id): a recorded NSG that is not here no longer exists. */
  readonly nsgIds: Set<string>;
  /** NIC id (lowercase) → its sealed record. */
  readonly recorded: Map<string, RecordedNsg>;
  /** Present when only a change was read (discover-change.ts): what the read covers. */
  readonly coverage: CoverageIndex | undefined;
}

export function indexAzureState(state: AzureState, ownership: AzureOwnership): AzureStateIndex {
  const nics = new Map<string, { nic: NetworkInterface; subscription: string }>();
  const nsgIds = new Set<string>();
  const recorded = new Map<string, RecordedNsg>();
  const nicsByVm = new Map<string, NetworkInterface[]>();
  const ownedNsgs = new Map<string, AzureState[number]["networkSecurityGroups"][number]>();
  const ownedAsgIds = new Set<string>();
  const ownedNsgIds = new Set<string>();
  for (const subscription of state) {
    for (const nic of subscription.networkInterfaces) {
      nics.set(nic.id.toLowerCase(), { nic, subscription: subscription.subscription });
      const record = ownership.recordedNsg(nic);
      if (record !== undefined) recorded.set(nic.id.toLowerCase(), record);
      const vm = nic.virtualMachine?.id.toLowerCase();
      if (vm !== undefined) nicsByVm.set(vm, [...(nicsByVm.get(vm) ?? []), nic]);
    }
    for (const nsg of subscription.networkSecurityGroups) {
      nsgIds.add(nsg.id.toLowerCase());
      if (!ownership.owns(nsg)) continue;
      ownedNsgs.set(nsg.id.toLowerCase(), nsg);
      ownedNsgIds.add(nsg.id.toLowerCase());
    }
    for (const asg of subscription.applicationSecurityGroups)
      if (ownership.owns(asg)) ownedAsgIds.add(asg.id.toLowerCase());
  }
  const coverage = coverageOf(state);
  return { nics, nicsByVm, ownedNsgs, ownedAsgIds, ownedNsgIds, nsgIds, recorded, coverage };
}

/** The network id (`azure:<sub>:<rg>:<vnet>`) of a NIC, from its first IP configuration's subnet. */
export function networkOfNic(nic: NetworkInterface): string | undefined {
  const subnet = nic.ipConfigurations[0]?.subnet.id;
  const parsed = subnet === undefined ? undefined : parseResourceId(subnet);
  if (parsed?.type.toLowerCase() !== "virtualnetworks") return undefined;
  return `azure:${parsed.subscription.toLowerCase()}:${parsed.resourceGroup}:${parsed.name}`;
}

interface PlacedDestination {
  readonly destination: DestinationIntent;
  readonly subscription: string;
  readonly region: string | undefined;
  readonly nics: readonly { readonly nic: NetworkInterface; readonly workload: string }[];
  /** It has NICs: read, or (a change's read) members not re-read, enforced as they were. */
  readonly placed: boolean;
  readonly asg: DesiredApplicationSecurityGroup;
  readonly asgId: string;
  /** What its members may open, when the identity's egress is enforced (v2). */
  readonly egress: EgressIntent | undefined;
}

/** The subscription of an Azure network id, lowercase. */
function subscriptionOf(network: string): string {
  const parts = parseNetworkId(network);
  if (parts.cloud !== "azure") throw new TypeError(`${network} is not an Azure network`);
  return parts.subscription.toLowerCase();
}

function placeDestination(
  destination: DestinationIntent,
  egress: EgressIntent | undefined,
  index: AzureStateIndex,
  options: AzureMaterializeOptions,
  findings: AzureFinding[],
): PlacedDestination {
  const subscription = subscriptionOf(destination.network);
  const resourceGroup = options.resourceGroups[subscription] ?? "";
  const nics: { nic: NetworkInterface; workload: string }[] = [];
  // A change's read holds the re-read members' NICs only; the others' are as they were enforced.
  let unread = false;
  for (const member of destination.members) {
    if (index.coverage !== undefined && !index.coverage.workloads.has(member.workload.toLowerCase())) {
      unread = true;
      continue;
    }
    const [, sub = "", rg = "", vm = ""] = member.workload.split(":");
    const vmId =
      `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${vm}`.toLowerCase();
    const found = (index.nicsByVm.get(vmId) ?? []).filter(
      (nic) => networkOfNic(nic)?.toLowerCase() === destination.network.toLowerCase(),
    );
    if (found.length === 0) {
      findings.push({
        code: "azure-interface-missing",
        severity: "warning",
        subject: member.workload,
        message: `${member.workload}: no NIC in ${destination.network} was read back; it is enforced once discovery sees one`,
      });
    }
    nics.push(...found.map((nic) => ({ nic, workload: member.workload })));
  }
  const region =
    nics[0]?.nic.location ??
    (unread ? index.coverage?.regions.get(destination.network.toLowerCase()) : undefined);
  const name = asgName(destination.hash, destination.network);
  return {
    destination,
    subscription,
    region,
    nics,
    placed: nics.length > 0 || (unread && region !== undefined),
    asg: {
      subscription,
      resourceGroup,
      name,
      location: region ?? "",
      identity: destination.identity,
      network: destination.network,
    },
    asgId: resourceId(subscription, resourceGroup, "applicationSecurityGroups", name),
    egress,
  };
}

/**
 * The NSG of each identity and region. A destination whose NSG does not fit carries no ASG that
 * peers' rules may name: planned again without it as a carrier until every carrier fits.
 */
function planFittingGroups(
  placed: readonly PlacedDestination[],
  intent: Intent,
  peerSets: ReadonlyMap<string, PeerSet>,
  index: AzureStateIndex,
  options: AzureMaterializeOptions,
): Map<string, NsgPlan> {
  const outside = carriersOutside(intent, placed, index, options);
  const carriers = new Set([
    ...placed.filter((p) => p.placed).map((p) => p.destination.key),
    ...outside.keys(),
  ]);
  for (;;) {
    const groups = planGroups(placed, peerSets, carriers, outside, index, options);
    const unfit = [...groups.values()]
      .filter((g) => !g.fits)
      .flatMap((g) => g.members.map((m) => m.destination.key));
    const dropped = unfit.filter((key) => carriers.has(key));
    if (dropped.length === 0) return groups;
    for (const key of dropped) carriers.delete(key);
  }
}

/**
 * A change's read only: the peer sets outside the change's destinations whose owned ASG was read
 * (key → ASG id). A peer carries an ASG that rules may name when its destination is placed; one
 * outside the change is as the last plan left it, which its ASG's existence tells.
 */
function carriersOutside(
  intent: Intent,
  placed: readonly PlacedDestination[],
  index: AzureStateIndex,
  options: AzureMaterializeOptions,
): Map<string, string> {
  const outside = new Map<string, string>();
  if (index.coverage === undefined) return outside;
  const inside = new Set(placed.map((p) => p.destination.key));
  // A peer ASG an owned NSG's rules name was a carrier at the last plan (discover-change.ts).
  const named = new Set(
    namedSources(index.ownedNsgs.values(), { owns: () => true }).map((id) => id.toLowerCase()),
  );
  for (const peerSet of intent.peerSets) {
    if (inside.has(peerSet.key) || !peerSet.network.startsWith("azure:")) continue;
    const subscription = subscriptionOf(peerSet.network);
    const resourceGroup = options.resourceGroups[subscription];
    if (resourceGroup === undefined) continue;
    const name = asgName(peerSet.hash, peerSet.network);
    const id = resourceId(subscription, resourceGroup, "applicationSecurityGroups", name);
    if (index.ownedAsgIds.has(id.toLowerCase()) || named.has(id.toLowerCase())) outside.set(peerSet.key, id);
  }
  return outside;
}

/**
 * A change's read only: the owned NSGs of the change that no destination of it keeps but that
 * hold rules of destinations in other VNets (siblingRules): rewritten with those alone, as a plan
 * of the whole subscription would from those destinations.
 */
function siblingsOnly(
  index: AzureStateIndex,
  groups: ReadonlyMap<string, NsgPlan>,
  options: AzureMaterializeOptions,
): DesiredNetworkSecurityGroup[] {
  const coverage = index.coverage;
  if (coverage === undefined) return [];
  const planned = new Set(
    [...groups.values()].map(({ nsg }) =>
      resourceId(nsg.subscription, nsg.resourceGroup, "networkSecurityGroups", nsg.name).toLowerCase(),
    ),
  );
  return [...index.ownedNsgs].flatMap(([id, nsg]) => {
    if (planned.has(id) || coverage.referenceOnly.has(id)) return [];
    const siblings = siblingRules(nsg, hashOfOwnedName(nsg.name), coverage);
    const prioritized = assignPriorities(siblings, nsg.securityRules);
    if (siblings.length === 0 || prioritized === undefined) return [];
    const enforcesEgress = nsg.securityRules.some((rule) => rule.name === DENY_ALL_OUTBOUND_RULE);
    const securityRules = [...prioritized, ...platformRules(options, enforcesEgress)].sort((a, b) =>
      compareText(a.name, b.name),
    );
    return [
      {
        subscription: (parseResourceId(nsg.id)?.subscription ?? "").toLowerCase(),
        resourceGroup: nsg.resourceGroup,
        name: nsg.name,
        location: nsg.location,
        identity: tagOf(nsg.tags, IDENTITY_TAG_KEY) ?? "",
        flushConnection: options.quotas.flushConnection,
        securityRules,
      },
    ];
  });
}

interface NsgPlan {
  readonly fits: boolean;
  readonly nsg: DesiredNetworkSecurityGroup;
  readonly members: readonly PlacedDestination[];
  readonly finding?: AzureFinding;
}

function planGroups(
  placed: readonly PlacedDestination[],
  peerSets: ReadonlyMap<string, PeerSet>,
  carriers: ReadonlySet<string>,
  outside: ReadonlyMap<string, string>,
  index: AzureStateIndex,
  options: AzureMaterializeOptions,
): Map<string, NsgPlan> {
  const byGroup = new Map<string, PlacedDestination[]>();
  for (const member of placed) {
    if (member.region === undefined) continue;
    const key = `${member.subscription}|${member.region}|${member.destination.hash}`;
    byGroup.set(key, [...(byGroup.get(key) ?? []), member]);
  }
  const asgIds = new Map([...outside, ...placed.map((p) => [p.destination.key, p.asgId] as const)]);
  const asgIdOf = (key: string): string | undefined => asgIds.get(key);
  const plans = new Map<string, NsgPlan>();
  for (const [key, members] of byGroup) {
    plans.set(key, planNsg(members, peerSets, carriers, asgIdOf, index, options));
  }
  return plans;
}

/** One NSG for the members that share it (one identity in one subscription and region), or why not. */
function planNsg(
  members: PlacedDestination[],
  peerSets: ReadonlyMap<string, PeerSet>,
  carriers: ReadonlySet<string>,
  asgIdOf: (key: string) => string | undefined,
  index: AzureStateIndex,
  options: AzureMaterializeOptions,
): NsgPlan {
  const first = members[0] as PlacedDestination;
  const resourceGroup = options.resourceGroups[first.subscription];
  const name = nsgName(first.destination.hash, first.region as string);
  const base: Omit<DesiredNetworkSecurityGroup, "securityRules"> = {
    subscription: first.subscription,
    resourceGroup: resourceGroup ?? "",
    name,
    location: first.region as string,
    identity: first.destination.identity,
    flushConnection: options.quotas.flushConnection,
  };
  const fail = (message: string): NsgPlan => ({
    fits: false,
    nsg: { ...base, securityRules: [] },
    members,
    finding: { code: "azure-quota", severity: "error", subject: `${first.subscription}/${name}`, message },
  });
  if (resourceGroup === undefined) {
    return fail(
      `${first.destination.identity}: no resource group is configured for subscription ${first.subscription}; not applied`,
    );
  }
  const existing = index.ownedNsgs.get(
    resourceId(first.subscription, resourceGroup, "networkSecurityGroups", name).toLowerCase(),
  );
  // A change's read: the rules of this identity's destinations in other VNets of the region stay.
  const siblings =
    index.coverage && existing ? siblingRules(existing, first.destination.hash, index.coverage) : [];
  const rulesOf = (useSourceAsgs: boolean) => [
    ...members.flatMap((m) => destinationRules(m, peerSets, carriers, asgIdOf, options, useSourceAsgs)),
    ...members.flatMap((m) => outboundRules(m, options)),
    ...siblings,
  ];
  let rules = rulesOf(true);
  if (countAsgs(rules) > options.quotas.applicationSecurityGroupsPerNetworkSecurityGroup)
    rules = rulesOf(false);
  const platform = platformRules(options, enforcesEgress(members, siblings));
  const prioritized = assignPriorities(rules, existing?.securityRules ?? []);
  const total = rules.length + platform.length;
  if (!prioritized || total > options.quotas.rulesPerNetworkSecurityGroup) {
    return fail(
      `${first.destination.identity} in ${first.region}: ${total} rules do not fit in one NSG (${options.quotas.rulesPerNetworkSecurityGroup} rules); not applied, its current enforcement stays`,
    );
  }
  if (countAsgs(prioritized) > options.quotas.applicationSecurityGroupsPerNetworkSecurityGroup) {
    return fail(
      `${first.destination.identity} in ${first.region}: more than ${options.quotas.applicationSecurityGroupsPerNetworkSecurityGroup} ASGs in one NSG; not applied`,
    );
  }
  const securityRules = [...prioritized, ...platform].sort((a, b) => compareText(a.name, b.name));
  return { fits: true, nsg: { ...base, securityRules }, members };
}

function countAsgs(rules: readonly SecurityRule[]): number {
  const ids = new Set<string>();
  for (const rule of rules) {
    for (const asg of [
      ...(rule.sourceApplicationSecurityGroups ?? []),
      ...(rule.destinationApplicationSecurityGroups ?? []),
    ]) {
      ids.add(asg.id.toLowerCase());
    }
  }
  return ids.size;
}

/** Whether an NSG's members (or, in a change's read, its siblings' kept rules) have enforced egress. */
function enforcesEgress(members: readonly PlacedDestination[], siblings: readonly SecurityRule[]): boolean {
  return members.some((m) => m.egress !== undefined) || siblings.some((r) => r.direction === "Outbound");
}

/** The outbound rules of a destination whose identity's egress is enforced. */
function outboundRules(member: PlacedDestination, options: AzureMaterializeOptions): SecurityRule[] {
  if (member.egress === undefined) return [];
  return egressRules(
    member.egress,
    { id: member.asgId, name: member.asg.name },
    options.quotas.prefixesPerRule,
  );
}

function platformRules(options: AzureMaterializeOptions, enforcesEgress: boolean): SecurityRule[] {
  const rules: SecurityRule[] = [
    {
      name: DENY_ALL_RULE,
      priority: DENY_ALL_PRIORITY,
      direction: "Inbound",
      access: "Deny",
      protocol: "*",
      description: "segsync: default deny, ahead of AllowVnetInBound",
      sourcePortRange: "*",
      sourceAddressPrefix: "*",
      destinationAddressPrefix: "*",
      destinationPortRange: "*",
    },
  ];
  if (options.loadBalancerProbes === "allow") {
    rules.push({
      name: LOAD_BALANCER_RULE,
      priority: LOAD_BALANCER_PRIORITY,
      direction: "Inbound",
      access: "Allow",
      protocol: "*",
      description: "segsync: Azure load balancer health probes (policy platform.azureLoadBalancerProbes)",
      sourcePortRange: "*",
      sourceAddressPrefix: AZURE_LOAD_BALANCER_TAG,
      destinationAddressPrefix: "*",
      destinationPortRange: "*",
    });
  }
  if (enforcesEgress) rules.push(denyAllOutbound());
  return rules;
}

/**
 * Whom a grant admits: a source ASG for same-VNet peers that carry one (when ASGs are used),
 * address prefixes for the rest, and the label its rules' descriptions give.
 */
function grantSources(
  grant: PlacedDestination["destination"]["grants"][number],
  member: PlacedDestination,
  peerSets: ReadonlyMap<string, PeerSet>,
  carriers: ReadonlySet<string>,
  asgIdOf: (key: string) => string | undefined,
  useSourceAsgs: boolean,
): { prefixes: string[]; sourceAsg: string | undefined; label: string } {
  const { destination } = member;
  let prefixes: string[] = [];
  let sourceAsg: string | undefined;
  let label: string;
  if (grant.source.kind === "ipList") {
    prefixes = [...grant.source.cidrs];
    label = `ipList ${grant.source.name}`;
  } else if (grant.source.kind === "addresses") {
    // A source that deny rules split: by address, never by ASG.
    prefixes = [...grant.source.cidrs];
    label = grant.source.label;
  } else {
    const peerSet = peerSets.get(grant.source.key);
    if (!peerSet) throw new TypeError(`intent names peer set ${grant.source.key} but does not hold it`);
    label = peerSet.identity;
    const carrierKey = `${peerSet.hash}@${destination.network}`;
    if (peerSet.local.length > 0) {
      if (useSourceAsgs && carriers.has(carrierKey)) sourceAsg = asgIdOf(carrierKey);
      else prefixes.push(...peerSet.localCidrs);
    }
    prefixes.push(...peerSet.remoteCidrs);
  }
  return { prefixes, sourceAsg, label };
}

/** Allow rules (priority unassigned: 0) for one destination identity in one VNet. */
function destinationRules(
  member: PlacedDestination,
  peerSets: ReadonlyMap<string, PeerSet>,
  carriers: ReadonlySet<string>,
  asgIdOf: (key: string) => string | undefined,
  options: AzureMaterializeOptions,
  useSourceAsgs: boolean,
): SecurityRule[] {
  const { destination } = member;
  const rules: SecurityRule[] = [];
  for (const grant of destination.grants) {
    const { prefixes, sourceAsg, label } = grantSources(
      grant,
      member,
      peerSets,
      carriers,
      asgIdOf,
      useSourceAsgs,
    );
    for (const { protocol, ports } of ruleProtocols(grant.services)) {
      const common = {
        direction: "Inbound" as const,
        access: "Allow" as const,
        protocol,
        description: `segsync: from ${label}`.slice(0, 140),
        sourcePortRange: "*",
        destinationApplicationSecurityGroups: [{ id: member.asgId }],
        ...(ports.length === 1
          ? { destinationPortRange: ports[0] as string }
          : { destinationPortRanges: ports }),
      };
      const nameOf = (part: string) =>
        `segsync-${identityHash(`${member.asg.name}|${grant.sourceKey}|${protocol}|${part}`).slice(0, 12)}`;
      if (sourceAsg !== undefined) {
        rules.push({
          ...common,
          name: nameOf("asg"),
          priority: 0,
          sourceApplicationSecurityGroups: [{ id: sourceAsg }],
        });
      }
      for (let start = 0; start < prefixes.length; start += options.quotas.prefixesPerRule) {
        const chunk = prefixes.slice(start, start + options.quotas.prefixesPerRule);
        rules.push({
          ...common,
          name: nameOf(`prefixes-${start / options.quotas.prefixesPerRule}`),
          priority: 0,
          ...(chunk.length === 1
            ? { sourceAddressPrefix: chunk[0] as string }
            : { sourceAddressPrefixes: chunk }),
        });
      }
    }
  }
  return rules;
}

function enforcedInterface(
  nic: NetworkInterface,
  workload: string,
  member: PlacedDestination,
  nsg: DesiredNetworkSecurityGroup,
  options: AzureMaterializeOptions,
  index: AzureStateIndex,
  findings: AzureFinding[],
): DesiredNetworkInterface {
  const current = nic.networkSecurityGroup?.id;
  const record = index.recorded.get(nic.id.toLowerCase());
  const hasTag = record !== undefined;
  const customerNsg = current !== undefined && !index.ownedNsgIds.has(current.toLowerCase());
  const recordedCustomer = record?.original !== undefined && index.nsgIds.has(record.original.toLowerCase());
  const ownedAsgs: Record<string, readonly string[]> = {};
  for (const configuration of nic.ipConfigurations) ownedAsgs[configuration.name] = [member.asgId];
  if (options.attachment === "additive" && (customerNsg || recordedCustomer)) {
    findings.push({
      code: "azure-additive-conflict",
      severity: "warning",
      subject: nic.id,
      message: `${nic.id} has its own NSG; a NIC holds one NSG, so additive enforcement of ${member.destination.identity} is not applied to it`,
    });
    if (member.egress !== undefined) {
      findings.push({
        code: "azure-additive-egress",
        severity: "warning",
        subject: nic.id,
        message: `${nic.id}: the enforced egress of ${member.destination.identity} is not applied either; its own NSG's outbound rules decide what it may open`,
      });
    }
    // Its NSG stays, but it still joins its identity's ASG: peers' rules must see it as a source.
    return {
      subscription: member.subscription,
      id: nic.id,
      workload,
      networkSecurityGroupId: recordedCustomer ? record?.original : current,
      ownedApplicationSecurityGroupIds: ownedAsgs,
      originalNsgTag: hasTag ? "remove" : "keep",
    };
  }
  return {
    subscription: member.subscription,
    id: nic.id,
    workload,
    networkSecurityGroupId: resourceId(
      nsg.subscription,
      nsg.resourceGroup,
      "networkSecurityGroups",
      nsg.name,
    ),
    ownedApplicationSecurityGroupIds: ownedAsgs,
    originalNsgTag: options.attachment === "exclusive" && !hasTag ? "record" : "keep",
  };
}

/** NICs that carry segsync's NSG, ASGs or record but are no longer enforced: they get their NSG back. */
function restores(
  index: AzureStateIndex,
  enforced: ReadonlySet<string>,
  treatments: ReadonlyMap<string, WorkloadTreatment>,
  unfitDestinations: ReadonlySet<string>,
  intent: Intent,
  findings: AzureFinding[],
): DesiredNetworkInterface[] {
  const unfitWorkloads = new Set(
    intent.destinations
      .filter((d) => unfitDestinations.has(d.key))
      .flatMap((d) => d.members.map((m) => m.workload.toLowerCase())),
  );
  const result: DesiredNetworkInterface[] = [];
  for (const { nic, subscription } of index.nics.values()) {
    if (enforced.has(nic.id.toLowerCase())) continue;
    const record = index.recorded.get(nic.id.toLowerCase());
    const ownedNsg =
      nic.networkSecurityGroup !== undefined &&
      index.ownedNsgIds.has(nic.networkSecurityGroup.id.toLowerCase());
    const ownedAsg = nic.ipConfigurations.some((c) =>
      c.applicationSecurityGroups.some((a) => index.ownedAsgIds.has(a.id.toLowerCase())),
    );
    // Only NICs segsync enforced: its NSG or ASGs on them, or its sealed record.
    if (record === undefined && !ownedNsg && !ownedAsg) continue;
    const vm = nic.virtualMachine === undefined ? undefined : parseResourceId(nic.virtualMachine.id);
    const workload =
      vm === undefined ? nic.id : `azure:${vm.subscription.toLowerCase()}:${vm.resourceGroup}:${vm.name}`;
    if (treatments.get(workload.toLowerCase()) === "inactive" || unfitWorkloads.has(workload.toLowerCase()))
      continue;
    if (index.coverage !== undefined && enforcedOutside(intent, workload, networkOfNic(nic))) continue;
    if (record?.original !== undefined && !index.nsgIds.has(record.original.toLowerCase())) {
      // Restoring it would fail every write to the NIC, and no NSG at all would open it wide.
      findings.push({
        code: "azure-original-nsg-missing",
        severity: "warning",
        subject: nic.id,
        message: `${nic.id}: its recorded original NSG ${record.original} no longer exists; the NIC keeps what it has until it is given an NSG by hand`,
      });
      continue;
    }
    const original =
      record === undefined ? (ownedNsg ? undefined : nic.networkSecurityGroup?.id) : record.original;
    result.push({
      subscription,
      id: nic.id,
      workload,
      networkSecurityGroupId: original,
      ownedApplicationSecurityGroupIds: {},
      originalNsgTag: record === undefined ? "keep" : "remove",
    });
  }
  return result;
}
