import type {
  DestinationIntent,
  EgressIntent,
  Intent,
  PeerSet,
  WorkloadTreatment,
} from "../../compile/model.js";
import { identityHash } from "../../inventory/identity.js";
import { parseNetworkId, parseWorkloadId } from "../../inventory/ids.js";
import type { WorkloadId } from "../../inventory/model.js";
import type { Attachment, Service } from "../../policy/model.js";
import { formatService } from "../../policy/services.js";
import { compareText } from "../../util/compare-text.js";
import { additiveEgressFindings, additiveFindings } from "./additive.js";
import type { GcpPriorities, GcpQuotas } from "./config.js";
import { egressRules } from "./materialize-egress.js";
import {
  type FirewallProtocol,
  type GcpFinding,
  type GcpFirewall,
  type GcpInstance,
  type GcpState,
  networkUrl,
  parseNetworkUrl,
  zoneName,
} from "./model.js";
import { DESCRIPTION_MARKER, type GcpOwnership, isOwnedTag, OWNED_PREFIX } from "./ownership.js";
import { destinationStem } from "./rule-names.js";

export interface GcpMaterializeOptions {
  readonly quotas: GcpQuotas;
  readonly priorities: GcpPriorities;
  readonly attachment: Attachment;
  /** The one ownership predicate, and the seals of what segsync writes. */
  readonly ownership: GcpOwnership;
}

export interface DesiredInstanceTags {
  readonly project: string;
  readonly zone: string;
  readonly name: string;
  readonly workload: string;
  /** The complete tag list: the instance's own tags, then segsync's. */
  readonly items: readonly string[];
}

export interface GcpDesired {
  /** Owned firewall rules per project, sorted by project and name. */
  readonly firewalls: readonly (GcpFirewall & { readonly project: string })[];
  /** Instances whose tags segsync sets (enforced ones, and ones it cleans up). Others are left alone. */
  readonly instances: readonly DesiredInstanceTags[];
  readonly findings: readonly GcpFinding[];
  /** Per project: the firewall-rule quota and how many rules segsync does not own count against it. */
  readonly ruleBudget: Readonly<Record<string, { readonly quota: number; readonly others: number }>>;
  /** The most source tags a rule may hold: a plan widening a rule to both tags stays within it (diff.ts). */
  readonly sourceTagsPerRule: number;
}

/** The owned network tag of an identity: valid as a GCP tag (letter first, [a-z0-9-], ≤ 63). */
export function ownedTag(hash: string): string {
  return `${OWNED_PREFIX}${hash}`;
}

/**
 * Intent → GCP firewall rules and network tags (docs/architecture.md,
 * "How each cloud enforces an identity"): an owned tag per identity on its instances; per (network,
 * destination identity, service set) an allow rule with the tags of same-network sources that carry
 * one and rules with their exact ranges (split at the per-rule limit, one address family each);
 * then a deny-all for the tag, in the configured priority band. Pure.
 *
 * Only the projects the state holds are planned (a narrowed read plans its own projects): rules
 * of destinations whose network is in them, and tags of their instances. Everything computed
 * across destinations (which fit the quota, which peers carry a tag) stays within one project,
 * so each project gets what a read of every project gives it. The one exception is Shared VPC:
 * whether a destination in a host project's network fits is known only from the host's state, so
 * an instance such a destination enforces, when the state does not hold the host and no
 * destination of its own projects enforces it, is left as it is (an instance has one identity,
 * so one owned tag whichever destination enforces it).
 */
export function materializeGcp(intent: Intent, state: GcpState, options: GcpMaterializeOptions): GcpDesired {
  const band = options.priorities[options.attachment];
  const instances = indexInstances(state);
  const read = new Set(state.map((p) => p.project));
  const enforced = intent.destinations
    .filter((d) => d.cloud === "gcp" && d.enforcement === "enforced")
    .sort((a, b) => compareText(a.key, b.key));
  const destinations = enforced.filter((d) => read.has(networkProject(d.network)));
  // Instances enforced from a project the state does not hold (a Shared VPC host's network), or
  // (a change read alone) by a destination outside the change.
  const enforcedElsewhere = new Set([
    ...enforced
      .filter((d) => !read.has(networkProject(d.network)))
      .flatMap((d) => d.members.map((m) => m.workload)),
    ...enforcedOutsideChange(intent, state),
  ]);
  const { planned, unfit, findings } = planWithinQuota(intent, destinations, state, options);
  const firewalls = planned.filter((p) => !unfit.has(p.destination.key)).flatMap((p) => p.firewalls);
  const readWhole = new Set(state.filter((p) => p.change === undefined).map((p) => p.project));
  const tagsByInstance = ownedTagsByInstance(planned, unfit, instances, readWhole, findings);
  findings.push(...precedingRules(state, firewalls, band.allow, options.ownership));
  if (options.attachment === "additive")
    findings.push(...extraFlows(intent, planned, unfit, instances, state, band, options.ownership));
  const desiredInstances = [
    ...instanceTagLists(tagsByInstance, options, findings),
    ...cleanups(instances, tagsByInstance, intent, unfit, enforcedElsewhere, options.ownership, findings),
  ];
  return {
    ruleBudget: ruleBudgetOf(state, options),
    sourceTagsPerRule: options.quotas.sourceTagsPerRule,
    firewalls: firewalls.sort((a, b) => compareText(`${a.project}|${a.name}`, `${b.project}|${b.name}`)),
    instances: desiredInstances.sort((a, b) => compareText(a.workload, b.workload)),
    findings,
  };
}

type PlannedDestination = {
  destination: DestinationIntent;
  firewalls: (GcpFirewall & { project: string })[];
};

/** An instance to tag: what was read of it, and the owned tags of the destinations that enforce it. */
type InstanceTagging = { instance: GcpInstance; project: string; workload: string; owned: Set<string> };

/**
 * Each destination's rules, and which do not fit the quota. A destination that does not fit
 * stops carrying a tag, so its peers' rules name its ranges instead: plan again until none drops.
 */
function planWithinQuota(
  intent: Intent,
  destinations: readonly DestinationIntent[],
  state: GcpState,
  options: GcpMaterializeOptions,
): { planned: PlannedDestination[]; unfit: Set<string>; findings: GcpFinding[] } {
  const band = options.priorities[options.attachment];
  const peerSets = new Map(intent.peerSets.map((p) => [p.key, p]));
  // Egress (v2) is keyed like the destination of its identity and network, whose rules carry it.
  const egressByKey = new Map((intent.egress ?? []).map((e) => [e.key, e]));
  const findings: GcpFinding[] = [];
  // A change read alone learnt which destinations outside the change carry their tag.
  const carriers = new Set([
    ...destinations.map((d) => d.key),
    ...state.flatMap((p) => p.change?.carriers ?? []),
  ]);
  for (;;) {
    const planned = destinations.map((destination) => ({
      destination,
      firewalls: destinationRules(
        destination,
        egressByKey.get(destination.key),
        peerSets,
        carriers,
        options.quotas,
        band,
      ).map((rule) => ({
        ...rule,
        description: options.ownership.describe(
          rule.project,
          rule.name,
          (rule.description ?? "").slice(DESCRIPTION_MARKER.length + 1),
        ),
      })),
    }));
    const unfit = overQuota(planned, state, options.quotas, findings, options.ownership);
    const dropped = [...unfit].filter((key) => carriers.has(key));
    if (dropped.length === 0) return { planned, unfit, findings };
    for (const key of dropped) carriers.delete(key);
    findings.length = 0;
  }
}

/**
 * The owned tags each read instance gets from the destinations that fit; a member not read, of a
 * project read whole, is a finding (a project read for a change holds only the change's instances).
 */
function ownedTagsByInstance(
  planned: readonly PlannedDestination[],
  unfit: ReadonlySet<string>,
  instances: ReadonlyMap<string, { instance: GcpInstance; project: string }>,
  readWhole: ReadonlySet<string>,
  findings: GcpFinding[],
): Map<string, InstanceTagging> {
  const tagsByInstance = new Map<string, InstanceTagging>();
  for (const { destination } of planned) {
    if (unfit.has(destination.key)) continue;
    for (const member of destination.members) {
      const found = instances.get(member.workload);
      // An instance of a project the state does not hold (Shared VPC) is that project's to plan;
      // one outside a change read alone is as the last plan left it.
      const project = workloadProject(member.workload);
      if (!found && project !== undefined && !readWhole.has(project)) continue;
      if (!found) {
        findings.push({
          code: "gcp-instance-missing",
          severity: "warning",
          subject: member.workload,
          message: `${member.workload} was not read back; it is enforced once discovery sees it`,
        });
        continue;
      }
      const entry = tagsByInstance.get(member.workload) ?? {
        ...found,
        workload: member.workload,
        owned: new Set<string>(),
      };
      entry.owned.add(ownedTag(destination.hash));
      tagsByInstance.set(member.workload, entry);
    }
  }
  return tagsByInstance;
}

/** Each tagged instance's complete tag list (its own, segsync's, the seal); one over the limit is a finding. */
function instanceTagLists(
  tagsByInstance: ReadonlyMap<string, InstanceTagging>,
  options: GcpMaterializeOptions,
  findings: GcpFinding[],
): DesiredInstanceTags[] {
  const desiredInstances: DesiredInstanceTags[] = [];
  for (const { instance, project, workload, owned } of tagsByInstance.values()) {
    const own = (instance.tags.items ?? []).filter((tag) => !isOwnedTag(tag));
    const ownedTags = [...owned].sort(compareText);
    const zone = zoneName(instance.zone);
    const seal = options.ownership.sealTag(project, zone, instance.name, ownedTags);
    const items = [...own, ...ownedTags, seal];
    if (items.length > options.quotas.networkTagsPerInstance) {
      findings.push({
        code: "gcp-quota",
        severity: "error",
        subject: workload,
        message: `${workload} would carry ${items.length} network tags (limit ${options.quotas.networkTagsPerInstance}); not enforced`,
      });
      continue;
    }
    desiredInstances.push({ project, zone: zoneName(instance.zone), name: instance.name, workload, items });
  }
  return desiredInstances;
}

function ruleBudgetOf(state: GcpState, options: GcpMaterializeOptions): GcpDesired["ruleBudget"] {
  const ruleBudget: Record<string, { quota: number; others: number }> = {};
  for (const project of state) {
    ruleBudget[project.project] = {
      quota: options.quotas.firewallRulesPerProject,
      others: customerRules(project, options.ownership),
    };
  }
  return ruleBudget;
}

/**
 * The re-read workloads of a change read alone that are enforced (their report says so): when no
 * destination of the change enforces one, a destination outside the change does, and its tags stay.
 */
function enforcedOutsideChange(intent: Intent, state: GcpState): WorkloadId[] {
  const changeRead = new Set(state.filter((p) => p.change !== undefined).map((p) => p.project));
  if (changeRead.size === 0) return [];
  return intent.workloads
    .filter((w) => w.treatment === "enforced" && changeRead.has(workloadProject(w.workload) ?? ""))
    .map((w) => w.workload);
}

/** The project of a GCP network id: where its firewall rules live. */
function networkProject(id: string): string {
  const network = parseNetworkId(id);
  if (network.cloud !== "gcp") throw new TypeError(`${id} is not a GCP network`);
  return network.project;
}

/** The project of a GCP workload id (its instance's); undefined for another cloud's. */
function workloadProject(id: string): string | undefined {
  const workload = parseWorkloadId(id);
  return workload.cloud === "gcp" ? workload.project : undefined;
}

function indexInstances(state: GcpState): Map<string, { instance: GcpInstance; project: string }> {
  const index = new Map<string, { instance: GcpInstance; project: string }>();
  for (const project of state) {
    for (const instance of project.instances) {
      index.set(`gcp:${project.project}:${zoneName(instance.zone)}:${instance.name}`, {
        instance,
        project: project.project,
      });
    }
  }
  return index;
}

function destinationRules(
  destination: DestinationIntent,
  egress: EgressIntent | undefined,
  peerSets: ReadonlyMap<string, PeerSet>,
  carriers: ReadonlySet<string>,
  quotas: GcpQuotas,
  band: { allow: number; deny: number },
): (GcpFirewall & { project: string })[] {
  const network = parseNetworkId(destination.network);
  if (network.cloud !== "gcp") throw new TypeError(`${destination.network} is not a GCP network`);
  const stem = destinationStem(destination.hash, destination.network);
  const base: RuleBase = {
    project: network.project,
    network: networkUrl(network.project, network.networkName),
    direction: "INGRESS" as const,
    targetTags: [ownedTag(destination.hash)],
  };
  const bySet = sourcesByServiceSet(destination, peerSets, carriers);
  return [
    ...[...bySet]
      .sort(([a], [b]) => compareText(a, b))
      .flatMap(([key, sources]) =>
        allowRules(
          `${stem}-${identityHash(key).slice(0, 6)}`,
          sources,
          destination,
          base,
          quotas,
          band.allow,
        ),
      ),
    ...denyRules(stem, destination, base, band.deny),
    ...(egress === undefined
      ? []
      : egressRules(
          egress,
          stem,
          { project: network.project, network: base.network, tag: ownedTag(destination.hash) },
          quotas,
          band,
          firewallProtocols,
        )),
  ];
}

/** What every rule of one destination shares. */
type RuleBase = Pick<GcpFirewall, "network" | "direction" | "targetTags"> & { readonly project: string };

/** The sources a destination admits for one service set: tags of peers that carry one, ranges otherwise. */
interface ServiceSetSources {
  readonly services: readonly Service[];
  readonly tags: Set<string>;
  readonly ranges: Set<string>;
  /** What the grants name, for the rules' description. */
  readonly sources: string[];
}

/** The destination's grants gathered by service set (one allow rule family per set). */
function sourcesByServiceSet(
  destination: DestinationIntent,
  peerSets: ReadonlyMap<string, PeerSet>,
  carriers: ReadonlySet<string>,
): Map<string, ServiceSetSources> {
  const bySet = new Map<string, ServiceSetSources>();
  for (const grant of destination.grants) {
    const key = grant.services.map(formatService).join(",");
    const entry = bySet.get(key) ?? {
      services: grant.services,
      tags: new Set(),
      ranges: new Set(),
      sources: [],
    };
    if (grant.source.kind === "ipList") {
      for (const cidr of grant.source.cidrs) entry.ranges.add(cidr);
      entry.sources.push(`ipList ${grant.source.name}`);
    } else if (grant.source.kind === "addresses") {
      // A source that deny rules split: by range, never by network tag.
      for (const cidr of grant.source.cidrs) entry.ranges.add(cidr);
      entry.sources.push(grant.source.label);
    } else {
      const peerSet = peerSets.get(grant.source.key);
      if (!peerSet) throw new TypeError(`intent names peer set ${grant.source.key} but does not hold it`);
      entry.sources.push(peerSet.identity);
      if (peerSet.local.length > 0) {
        if (carriers.has(`${peerSet.hash}@${destination.network}`)) entry.tags.add(ownedTag(peerSet.hash));
        else for (const cidr of peerSet.localCidrs) entry.ranges.add(cidr);
      }
      for (const cidr of peerSet.remoteCidrs) entry.ranges.add(cidr);
    }
    bySet.set(key, entry);
  }
  return bySet;
}

/** One service set's allow rules: tags, then ranges per address family, split at the per-rule limits. */
function allowRules(
  setStem: string,
  entry: ServiceSetSources,
  destination: DestinationIntent,
  base: RuleBase,
  quotas: GcpQuotas,
  priority: number,
): (GcpFirewall & { project: string })[] {
  const rules: (GcpFirewall & { project: string })[] = [];
  const allowed = firewallProtocols(entry.services);
  const description =
    `${DESCRIPTION_MARKER} ${destination.identity} from ${entry.sources.sort(compareText).join("; ")}`.slice(
      0,
      2048,
    );
  const tags = [...entry.tags].sort(compareText);
  for (let i = 0; i < tags.length; i += quotas.sourceTagsPerRule) {
    rules.push({
      ...base,
      name: `${setStem}-t${i / quotas.sourceTagsPerRule}`,
      priority,
      description,
      sourceTags: tags.slice(i, i + quotas.sourceTagsPerRule),
      allowed,
    });
  }
  for (const [family, ranges] of [
    ["4", [...entry.ranges].filter((r) => !r.includes(":")).sort(compareText)],
    ["6", [...entry.ranges].filter((r) => r.includes(":")).sort(compareText)],
  ] as const) {
    for (let i = 0; i < ranges.length; i += quotas.sourceRangesPerRule) {
      rules.push({
        ...base,
        name: `${setStem}-r${family}-${i / quotas.sourceRangesPerRule}`,
        priority,
        description,
        sourceRanges: ranges.slice(i, i + quotas.sourceRangesPerRule),
        allowed,
      });
    }
  }
  return rules;
}

/** The deny-all behind the allow rules, one per address family. */
function denyRules(
  stem: string,
  destination: DestinationIntent,
  base: RuleBase,
  priority: number,
): (GcpFirewall & { project: string })[] {
  return (
    [
      ["deny", "0.0.0.0/0"],
      ["deny6", "::/0"],
    ] as const
  ).map(([suffix, range]) => ({
    ...base,
    name: `${stem}-${suffix}`,
    priority,
    description: `${DESCRIPTION_MARKER} ${destination.identity}: deny everything else`.slice(0, 2048),
    sourceRanges: [range],
    denied: [{ IPProtocol: "all" }],
  }));
}

/** A canonical service set as firewall protocols: ports as `80` / `8000-8100`, none for every port. */
export function firewallProtocols(services: readonly Service[]): FirewallProtocol[] {
  if (services.some((s) => s.protocol === "all")) return [{ IPProtocol: "all" }];
  const result: FirewallProtocol[] = [];
  for (const protocol of ["tcp", "udp"] as const) {
    const ports = services.flatMap((s) =>
      s.protocol === protocol
        ? [s.fromPort === s.toPort ? `${s.fromPort}` : `${s.fromPort}-${s.toPort}`]
        : [],
    );
    if (ports.length > 0) result.push({ IPProtocol: protocol, ports });
  }
  if (services.some((s) => s.protocol === "icmp")) result.push({ IPProtocol: "icmp" });
  return result;
}

/** The project's rules that are not segsync's, listed or not: they use up its quota too. */
function customerRules(project: GcpState[number], ownership: GcpOwnership): number {
  const listed = project.firewalls.filter((f) => !ownership.ownsFirewall(project.project, f));
  return listed.length + (project.unlistedRules ?? 0);
}

/** Destinations whose rules would take the project past its firewall-rule quota, last ones first. */
function overQuota(
  planned: readonly {
    destination: DestinationIntent;
    firewalls: readonly (GcpFirewall & { project: string })[];
  }[],
  state: GcpState,
  quotas: GcpQuotas,
  findings: GcpFinding[],
  ownership: GcpOwnership,
): Set<string> {
  const unfit = new Set<string>();
  const used = new Map<string, number>();
  for (const project of state) {
    used.set(project.project, customerRules(project, ownership));
  }
  for (const { destination, firewalls } of planned) {
    const project = firewalls[0]?.project ?? "";
    const total = (used.get(project) ?? 0) + firewalls.length;
    if (total > quotas.firewallRulesPerProject) {
      unfit.add(destination.key);
      findings.push({
        code: "gcp-quota",
        severity: "error",
        subject: destination.key,
        message: `${destination.identity} in ${destination.network}: ${firewalls.length} more firewall rules would pass project ${project}'s quota of ${quotas.firewallRulesPerProject}; not applied, its current enforcement stays`,
      });
      continue;
    }
    used.set(project, total);
  }
  return unfit;
}

/** Customer rules that decide before segsync's band for the same instances: reported, never changed. */
function precedingRules(
  state: GcpState,
  owned: readonly GcpFirewall[],
  allowPriority: number,
  ownership: GcpOwnership,
): GcpFinding[] {
  const networkOf = (rule: GcpFirewall) => {
    const ref = parseNetworkUrl(rule.network);
    return ref === undefined ? undefined : `${ref.project}/${ref.name}`;
  };
  // By project and name: a network's rules live in its own project, so projects stay apart.
  // Per direction: egress rules matter only where segsync writes egress rules (v2).
  const ownedNetworks = new Set(owned.map((rule) => `${rule.direction}|${networkOf(rule)}`));
  const findings: GcpFinding[] = [];
  for (const project of state) {
    for (const rule of project.firewalls) {
      if (ownership.ownsFirewall(project.project, rule) || rule.disabled) continue;
      if (rule.priority >= allowPriority || !ownedNetworks.has(`${rule.direction}|${networkOf(rule)}`))
        continue;
      const which = rule.direction === "EGRESS" ? "egress rules" : "rules";
      findings.push({
        code: "gcp-rule-precedes",
        severity: "warning",
        subject: `${project.project}/${rule.name}`,
        message: `${rule.direction === "EGRESS" ? "egress " : ""}firewall rule ${rule.name} (priority ${rule.priority}) decides before segsync's ${which} (${allowPriority}) for the instances it targets`,
      });
    }
  }
  return findings;
}

/** attachment: additive: the customer rules that admit flows to each applied destination beyond the policy. */
function extraFlows(
  intent: Intent,
  planned: readonly { destination: DestinationIntent }[],
  unfit: ReadonlySet<string>,
  instances: ReadonlyMap<string, { instance: GcpInstance; project: string }>,
  state: GcpState,
  band: { readonly allow: number; readonly deny: number },
  ownership: GcpOwnership,
): GcpFinding[] {
  const rulesByProject = new Map(
    state.map((project) => [
      project.project,
      project.firewalls.filter((rule) => !ownership.ownsFirewall(project.project, rule)),
    ]),
  );
  const egressKeys = new Set((intent.egress ?? []).map((e) => e.key));
  return planned
    .filter(({ destination }) => !unfit.has(destination.key))
    .flatMap(({ destination }) => {
      const input = {
        destination,
        instances: destination.members.flatMap((m) => instances.get(m.workload)?.instance ?? []),
        customerRules: rulesByProject.get(networkProject(destination.network)) ?? [],
        band,
      };
      return [
        ...additiveFindings(input),
        ...(egressKeys.has(destination.key) ? additiveEgressFindings(input) : []),
      ];
    });
}

/**
 * Instances that carry an owned tag but are no longer enforced (nor stopped, nor unfit, nor
 * enforced from a project the state does not hold): the tag goes.
 */
function cleanups(
  instances: ReadonlyMap<string, { instance: GcpInstance; project: string }>,
  enforced: ReadonlyMap<string, unknown>,
  intent: Intent,
  unfit: ReadonlySet<string>,
  enforcedElsewhere: ReadonlySet<string>,
  ownership: GcpOwnership,
  findings: GcpFinding[],
): DesiredInstanceTags[] {
  const treatments = new Map<string, WorkloadTreatment>(
    intent.workloads.map((w) => [w.workload, w.treatment]),
  );
  const unfitWorkloads = new Set(
    intent.destinations.filter((d) => unfit.has(d.key)).flatMap((d) => d.members.map((m) => m.workload)),
  );
  const result: DesiredInstanceTags[] = [];
  for (const [workload, { instance, project }] of instances) {
    if (enforced.has(workload) || !(instance.tags.items ?? []).some(isOwnedTag)) continue;
    if (treatments.get(workload) === "inactive" || unfitWorkloads.has(workload)) continue;
    if (enforcedElsewhere.has(workload)) continue;
    const id = parseWorkloadId(workload);
    if (id.cloud !== "gcp") continue;
    // Only tags segsync set: tags in its namespace that it did not seal are someone else's doing.
    if (!ownership.sealedTags(project, id.zone, id.instanceName, instance.tags.items ?? [])) {
      findings.push({
        code: "gcp-unsealed-tags",
        severity: "warning",
        subject: workload,
        message: `${workload} carries segsync-… network tags that segsync did not set (no valid seal tag); left as they are`,
      });
      continue;
    }
    result.push({
      project,
      zone: id.zone,
      name: id.instanceName,
      workload,
      items: (instance.tags.items ?? []).filter((t) => !isOwnedTag(t)),
    });
  }
  return result;
}
