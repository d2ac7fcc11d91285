import { cloudOfId } from "../inventory/ids.js";
import type { NetworkId, Workload, WorkloadId } from "../inventory/model.js";
import { type AddressRanges, exactCidrs } from "../net/cidr.js";
import type { Policy, Rule, Service } from "../policy/model.js";
import { normalizeServices } from "../policy/services.js";
import { compareText } from "../util/compare-text.js";
import { type NetworkTopology, viewFrom } from "./address-view.js";
import {
  type AllowTemplate,
  type DenyContext,
  type DenyTemplate,
  denySource,
  type SeenRanges,
  type SourceContributions,
} from "./deny.js";
import type {
  DestinationIntent,
  DestinationMember,
  Finding,
  Grant,
  IdentityRef,
  PeerMember,
  PeerSet,
} from "./model.js";
import type { IdentityState, RuleState } from "./state.js";

/** What an identity accepts from one source, independent of the network it is seen in. */
export type SourceTemplate = AllowTemplate & {
  readonly rules: readonly string[];
  readonly contributions: SourceContributions;
};

/** What an identity accepts (allow rules, per source) and what deny rules take away (v2). */
export interface GrantTemplate {
  readonly allows: readonly SourceTemplate[];
  /** Empty when no deny rule's `to` matches the identity: then grants are the allows as they are. */
  readonly denies: readonly DenyTemplate[];
}

/** Union, per source, of every rule whose destination matches this identity (docs/policy.md). */
export function computeTemplate(
  state: IdentityState,
  identities: ReadonlyMap<string, IdentityState>,
  policy: Policy,
): GrantTemplate {
  const allowRules = state.toRules.filter((rule) => rule.rule.action === "allow");
  const denyRules = state.toRules.filter((rule) => rule.rule.action === "deny");
  return {
    allows: sourceTemplates(allowRules, identities, policy, "from"),
    denies: denyTemplates(denyRules, policy, "from"),
  };
}

/** One template per deny rule, with the live set of identities its `side` matches, or its ipList. */
export function denyTemplates(
  rules: readonly RuleState[],
  policy: Policy,
  side: "from" | "to",
): DenyTemplate[] {
  return rules.map(({ rule, fromIdentities, toIdentities }): DenyTemplate => {
    const end = rule[side];
    const regionKey = regionKeyOf(end);
    if (end.kind === "ipList")
      return {
        kind: "ipList",
        rule: rule.id,
        regionKey,
        name: end.name,
        cidrs: policy.ipLists[end.name] ?? [],
        services: rule.services,
      };
    const identities = side === "from" ? fromIdentities : toIdentities;
    return { kind: "identities", rule: rule.id, regionKey, identities, services: rule.services };
  });
}

const regionKeys = new WeakMap<object, string>();

/** The same ipList, or the same resolved selector (so the same identities), on any rule's side. */
export function regionKeyOf(end: Rule["from"] | Rule["to"]): string {
  let key = regionKeys.get(end);
  if (key === undefined) {
    key = end.kind === "ipList" ? `ipList:${end.name}` : `labels:${JSON.stringify(end.selector)}`;
    regionKeys.set(end, key);
  }
  return key;
}

/**
 * Per source (side `from`, at a destination's ingress) or per target (side `to`, at a source's
 * egress): the union of the rules' services, with the rules.
 */
export function sourceTemplates(
  rules: readonly RuleState[],
  identities: ReadonlyMap<string, IdentityState>,
  policy: Policy,
  side: "from" | "to",
): SourceTemplate[] {
  const bySource = new Map<string, { services: Service[]; rules: RuleState[]; ipList?: string }>();
  const add = (key: string, rule: RuleState, ipList?: string) => {
    let entry = bySource.get(key);
    if (!entry) {
      entry = { services: [], rules: [], ...(ipList === undefined ? {} : { ipList }) };
      bySource.set(key, entry);
    }
    entry.services.push(...rule.rule.services);
    entry.rules.push(rule);
  };
  for (const rule of rules) {
    const end = rule.rule[side];
    if (end.kind === "ipList") add(`ipList:${end.name}`, rule, end.name);
    else {
      const matched = side === "from" ? rule.fromIdentities : rule.toIdentities;
      for (const identity of matched) if (identities.has(identity)) add(identity, rule);
    }
  }
  const template: SourceTemplate[] = [];
  for (const [key, entry] of bySource) {
    const services = normalizeServices(entry.services);
    const sorted = entry.rules.sort((a, b) => a.order - b.order);
    const unique = sorted.filter((rule, index) => sorted[index - 1] !== rule);
    const uniqueRules = unique.map((rule) => rule.rule.id);
    const contributions = unique.map((rule) => ({ rule: rule.rule.id, services: rule.rule.services }));
    if (entry.ipList === undefined)
      template.push({ kind: "identity", identity: key, services, rules: uniqueRules, contributions });
    else {
      const cidrs = policy.ipLists[entry.ipList] ?? [];
      template.push({
        kind: "ipList",
        name: entry.ipList,
        cidrs,
        services,
        rules: uniqueRules,
        contributions,
      });
    }
  }
  return template;
}

/** A destination's intent, the identities whose peer sets its grants name, and its findings. */
export interface ComputedDestination {
  readonly intent: DestinationIntent;
  readonly peerSources: string[];
  /** Identities whose addresses its grants were cut with (deny rules): their changes concern it. */
  readonly addressSources: string[];
  readonly findings: Finding[];
  /** Allow rules that matched here but that deny rules left in no grant, with those deny rules. */
  readonly cancelled: readonly CancelledRule[];
}

export interface CancelledRule {
  readonly rule: string;
  readonly denies: readonly string[];
}

export function computeDestination(
  state: IdentityState,
  network: NetworkId,
  memberIds: ReadonlySet<WorkloadId>,
  template: GrantTemplate,
  lookups: {
    readonly hashOf: (identity: string) => string;
    readonly seenRanges: (identity: string, network: NetworkId) => SeenRanges;
    /** Every address a deny rule covers from the network (memoized per flush by the compiler). */
    readonly region: (deny: DenyTemplate, network: NetworkId) => AddressRanges;
  },
): ComputedDestination {
  const members: DestinationMember[] = [];
  for (const id of [...memberIds].sort()) {
    const workload = state.members.get(id) as Workload;
    const addresses = workload.nics.filter((nic) => nic.network === network).map((nic) => nic.privateIp);
    members.push(Object.freeze({ workload: id, addresses: Object.freeze([...new Set(addresses)].sort()) }));
  }
  const key = `${state.ref.hash}@${network}`;
  const { grants, peerSources, findings } =
    template.denies.length === 0
      ? allowGrants(template.allows, network, lookups.hashOf)
      : deniedGrants(template, {
          destinationKey: key,
          destinationIdentity: state.ref.identity,
          network,
          denies: template.denies,
          region: (deny) => lookups.region(deny, network),
          seenRanges: (identity) => lookups.seenRanges(identity, network),
          peerKeyOf: (identity) => `${lookups.hashOf(identity)}@${network}`,
        });
  grants.sort((a, b) => compareText(a.sourceKey, b.sourceKey));
  const intent: DestinationIntent = Object.freeze({
    key,
    identity: state.ref.identity,
    hash: state.ref.hash,
    network,
    cloud: cloudOfId(network),
    labels: state.labels,
    enforcement: state.enforcement === "enforced" ? "enforced" : "visibility",
    members: Object.freeze(members),
    grants: Object.freeze(grants),
  });
  if (template.denies.length === 0)
    return { intent, peerSources, addressSources: [], findings, cancelled: [] };
  const addressSources = addressSourcesOf(template.allows, template.denies);
  return { intent, peerSources, addressSources, findings, cancelled: cancelledRules(template, grants) };
}

function cancelledRules(template: GrantTemplate, grants: readonly Grant[]): CancelledRule[] {
  const granted = new Set(grants.flatMap((grant) => grant.rules));
  const denies = [...new Set(template.denies.map((deny) => deny.rule))].sort(compareText);
  const matched = new Set(template.allows.flatMap((source) => source.rules));
  return [...matched].filter((rule) => !granted.has(rule)).map((rule) => ({ rule, denies }));
}

/** What a destination with deny rules read the addresses of: its allow identities, and its deny rules. */
export function addressSourcesOf(
  allows: readonly SourceTemplate[],
  denies: readonly DenyTemplate[],
): string[] {
  const sources = new Set<string>();
  for (const source of allows) if (source.kind === "identity") sources.add(source.identity);
  // A deny rule's identities are followed through the rule (denyRuleReader): one entry, not one per identity.
  for (const deny of denies) if (deny.kind === "identities") sources.add(denyRuleReader(deny.rule));
  return [...sources];
}

/** The reader key of a deny rule: no canonical identity starts with `rule:`. */
export function denyRuleReader(rule: string): string {
  return `rule:${rule}`;
}

/** The grants of allow rules alone: one per source, as the template has it. */
function allowGrants(
  template: readonly SourceTemplate[],
  network: NetworkId,
  hashOf: (identity: string) => string,
): { grants: Grant[]; peerSources: string[]; findings: Finding[] } {
  const grants: Grant[] = [];
  const peerSources: string[] = [];
  for (const source of template) {
    if (source.kind === "identity") {
      const key = `${hashOf(source.identity)}@${network}`;
      peerSources.push(source.identity);
      grants.push(
        Object.freeze({
          sourceKey: key,
          source: Object.freeze({ kind: "peerSet", key }),
          services: source.services,
          rules: source.rules,
        }),
      );
    } else {
      const key = `ipList:${source.name}`;
      grants.push(
        Object.freeze({
          sourceKey: key,
          source: Object.freeze({ kind: "ipList", name: source.name, cidrs: source.cidrs }),
          services: source.services,
          rules: source.rules,
        }),
      );
    }
  }
  return { grants, peerSources, findings: [] };
}

/** The grants of allow rules minus deny rules, source by source (lib/compile/deny.ts). */
function deniedGrants(
  template: GrantTemplate,
  context: DenyContext,
): { grants: Grant[]; peerSources: string[]; findings: Finding[] } {
  const grants: Grant[] = [];
  const peerSources: string[] = [];
  const findings: Finding[] = [];
  for (const source of template.allows) {
    const denied = denySource(source, source.contributions, context);
    grants.push(...denied.grants);
    peerSources.push(...denied.peerSources);
    findings.push(...denied.findings);
  }
  return { grants, peerSources, findings };
}

/**
 * A source identity's running members as one network sees them (docs/policy.md, "Addresses"), with
 * the findings that go with it.
 */
export function computePeerSet(
  ref: IdentityRef,
  network: NetworkId,
  members: Iterable<Workload>,
  topology: NetworkTopology,
): { peerSet: PeerSet; findings: Finding[] } {
  const local: PeerMember[] = [];
  const remote: PeerMember[] = [];
  const findings: Finding[] = [];
  for (const workload of [...members].sort((a, b) => compareText(a.id, b.id))) {
    const view = viewFrom(network, workload, topology);
    const member: PeerMember = Object.freeze({
      workload: workload.id,
      ...(view.via === undefined ? {} : { via: view.via }),
      addresses: Object.freeze(view.addresses),
    });
    (view.local ? local : remote).push(member);
    if (view.via === undefined) {
      findings.push({
        code: "unreachable-source",
        severity: "warning",
        subject: `${workload.id} -> ${network}`,
        message: `${workload.id} (${ref.identity}) cannot be seen from ${network}: no NIC in a connected network, no public IP and no NAT addresses for its network; its flows there are not allowed`,
      });
    } else if (view.via === "nat") {
      findings.push({
        code: "nat-shared-source",
        severity: "warning",
        subject: `${workload.id} -> ${network}`,
        message: `${workload.id} (${ref.identity}) is seen from ${network} as NAT address ${view.addresses.join(", ")}, which stands for every workload behind that NAT`,
      });
    }
  }
  const peerSet: PeerSet = Object.freeze({
    key: `${ref.hash}@${network}`,
    identity: ref.identity,
    hash: ref.hash,
    network,
    local: Object.freeze(local),
    remote: Object.freeze(remote),
    localCidrs: Object.freeze(exactCidrs(local.flatMap((member) => member.addresses))),
    remoteCidrs: Object.freeze(exactCidrs(remote.flatMap((member) => member.addresses))),
  });
  return { peerSet, findings };
}
