/**
 * Egress (v2): what an egress-enforced source identity may open from one network (docs/policy.md,
 * "Deny rules and egress (v2)"): the allow rules whose `from` matches it, to the `to` side's
 * running workloads as that network reaches them or to an ipList's addresses, minus the deny
 * rules whose `from` matches it, exactly (the same subtraction as at ingress, lib/compile/deny.ts).
 */
import { cloudOfId } from "../inventory/ids.js";
import type { NetworkId, Workload, WorkloadId } from "../inventory/model.js";
import { type AddressRanges, exactCidrs } from "../net/cidr.js";
import type { Policy } from "../policy/model.js";
import { compareText } from "../util/compare-text.js";
import { type NetworkTopology, reachFrom } from "./address-view.js";
import { type DenyTemplate, denySource, type SeenRanges, seenRanges } from "./deny.js";
import { addressSourcesOf, denyTemplates, type SourceTemplate, sourceTemplates } from "./intent-parts.js";
import type { DestinationMember, EgressGrant, EgressIntent, EgressTarget, Finding, Grant } from "./model.js";
import type { IdentityState } from "./state.js";

/** Per target, what a source identity's allow rules open, and what its deny rules close. */
export interface EgressTemplate {
  readonly allows: readonly SourceTemplate[];
  readonly denies: readonly DenyTemplate[];
}

export function computeEgressTemplate(
  state: IdentityState,
  identities: ReadonlyMap<string, IdentityState>,
  policy: Policy,
): EgressTemplate {
  const allowRules = state.fromRules.filter((rule) => rule.rule.action === "allow");
  const denyRules = state.fromRules.filter((rule) => rule.rule.action === "deny");
  return {
    allows: sourceTemplates(allowRules, identities, policy, "to"),
    denies: denyTemplates(denyRules, policy, "to"),
  };
}

/**
 * What a source's egress reads of a target identity's running members, as its network reaches
 * them: kept per (identity, network) by the egress table until those members move.
 */
export interface Reach {
  /** Every address reached, and those of them that are NAT addresses: what deny rules cut. */
  readonly ranges: SeenRanges;
  /** Members with a NIC in the network, sorted. */
  readonly local: readonly WorkloadId[];
  /** Exact CIDRs of every address the network reaches them at (local ones too). */
  readonly cidrs: readonly string[];
  /** Members the network cannot reach, in member order. */
  readonly unreachable: readonly WorkloadId[];
}

export function reachOf(members: Iterable<Workload>, network: NetworkId, topology: NetworkTopology): Reach {
  const reached = [...members].map((workload) => ({
    workload: workload.id,
    view: reachFrom(network, workload, topology),
  }));
  const views = reached.map((member) => member.view);
  return Object.freeze({
    ranges: seenRanges(views),
    local: Object.freeze(
      reached
        .filter((m) => m.view.local)
        .map((m) => m.workload)
        .sort(compareText),
    ),
    cidrs: Object.freeze(exactCidrs(views.flatMap((view) => view.addresses))),
    unreachable: Object.freeze(reached.filter((m) => m.view.via === undefined).map((m) => m.workload)),
  });
}

export interface ComputedEgress {
  readonly intent: EgressIntent;
  /** Identities whose members' addresses it was computed with: their changes concern it. */
  readonly addressSources: string[];
  readonly findings: Finding[];
}

/** How the source's network reaches identities, and every address a deny rule covers from it. */
export interface EgressLookups {
  readonly hashOf: (identity: string) => string;
  readonly reach: (identity: string) => Reach;
  readonly region: (deny: DenyTemplate) => AddressRanges;
}

export function computeEgress(
  state: IdentityState,
  network: NetworkId,
  memberIds: ReadonlySet<WorkloadId>,
  template: EgressTemplate,
  lookups: EgressLookups,
): ComputedEgress {
  const key = `${state.ref.hash}@${network}`;
  const context = {
    destinationKey: key,
    destinationIdentity: state.ref.identity,
    network,
    denies: template.denies,
    region: lookups.region,
    seenRanges: (identity: string) => lookups.reach(identity).ranges,
    peerKeyOf: (identity: string) => `${lookups.hashOf(identity)}@${network}`,
  };
  const opens: EgressGrant[] = [];
  for (const target of template.allows) {
    const denied = denySource(target, target.contributions, context);
    for (const grant of denied.grants) opens.push(egressGrant(grant, target, lookups.reach));
  }
  opens.sort((a, b) => compareText(a.targetKey, b.targetKey));
  const intent: EgressIntent = Object.freeze({
    key,
    identity: state.ref.identity,
    hash: state.ref.hash,
    network,
    cloud: cloudOfId(network),
    labels: state.labels,
    members: Object.freeze(membersIn(state, network, memberIds)),
    opens: Object.freeze(opens),
  });
  const findings = unreachableTargets(state, intent, template, lookups.reach);
  return { intent, addressSources: addressSourcesOf(template.allows, template.denies), findings };
}

/**
 * The entry again after the `moved` identities' members moved, where what its opens read of
 * addresses stayed the same (its cut signature, lib/compile/deny-readers.ts): the same opens, with
 * the moved whole targets' members reached anew, and the unreachable findings anew.
 */
export function reachedAnew(
  state: IdentityState,
  previous: EgressIntent,
  template: EgressTemplate,
  moved: ReadonlySet<string>,
  reach: (identity: string) => Reach,
): { intent: EgressIntent; findings: Finding[] } {
  const opens = previous.opens.map((open) =>
    open.target.kind === "identity" && moved.has(open.target.identity)
      ? Object.freeze({
          ...open,
          target: identityTarget(open.target.key, open.target.identity, reach(open.target.identity)),
        })
      : open,
  );
  const intent: EgressIntent = Object.freeze({ ...previous, opens: Object.freeze(opens) });
  return { intent, findings: unreachableTargets(state, intent, template, reach) };
}

/** An ingress-shaped grant (lib/compile/deny.ts) as an egress grant: a whole identity carries its members. */
function egressGrant(grant: Grant, target: SourceTemplate, reach: (identity: string) => Reach): EgressGrant {
  const to =
    grant.source.kind === "peerSet" && target.kind === "identity"
      ? identityTarget(grant.source.key, target.identity, reach(target.identity))
      : (grant.source as Exclude<Grant["source"], { kind: "peerSet" }>);
  return Object.freeze({
    targetKey: grant.sourceKey,
    target: to,
    services: grant.services,
    rules: grant.rules,
  });
}

function identityTarget(key: string, identity: string, reach: Reach): EgressTarget {
  return Object.freeze({ kind: "identity", key, identity, local: reach.local, cidrs: reach.cidrs });
}

/** Per identity target, in the template's order, each member the network cannot reach. */
function unreachableTargets(
  state: IdentityState,
  intent: EgressIntent,
  template: EgressTemplate,
  reach: (identity: string) => Reach,
): Finding[] {
  return template.allows.flatMap((target) =>
    target.kind !== "identity"
      ? []
      : reach(target.identity).unreachable.map((workload) => ({
          code: "unreachable-destination" as const,
          severity: "warning" as const,
          subject: `${intent.key} -> ${workload}`,
          message: `${workload} (${target.identity}) cannot be reached from ${intent.network}, where ${state.ref.identity} has enforced egress: no NIC in a connected network and no public IP (a NAT gives no address to reach); that egress is not allowed`,
        })),
  );
}

function membersIn(
  state: IdentityState,
  network: NetworkId,
  memberIds: ReadonlySet<WorkloadId>,
): DestinationMember[] {
  return [...memberIds].sort().map((id) => {
    const workload = state.members.get(id) as Workload;
    const addresses = workload.nics.filter((nic) => nic.network === network).map((nic) => nic.privateIp);
    return Object.freeze({ workload: id, addresses: Object.freeze([...new Set(addresses)].sort()) });
  });
}
