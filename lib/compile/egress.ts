/**
 * Egress (v2): what an egress-enforced source identity may open from one network (docs/policy.md,
 * "Deny rules and egress (v2)"): the allow rules whose `from` matches it, to the `to` side's
 * running workloads as that network reaches them or to an ipList's addresses, minus the deny
 * rules whose `from` matches it, exactly (the same subtraction as at ingress, lib/compile/deny.ts).
 * No cloud writes it yet.
 */
import { cloudOfId } from "../inventory/ids.js";
import type { NetworkId, Workload, WorkloadId } from "../inventory/model.js";
import { type AddressRanges, exactCidrs } from "../net/cidr.js";
import type { Policy } from "../policy/model.js";
import { compareText } from "../util/compare-text.js";
import type { MemberView } from "./address-view.js";
import { type DenyTemplate, denySource, seenRanges } from "./deny.js";
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

/** A destination workload as the source's network reaches it. */
export interface ReachedMember {
  readonly workload: WorkloadId;
  readonly view: MemberView;
}

export interface ComputedEgress {
  readonly intent: EgressIntent;
  /** Identities whose members' addresses it was computed with: their changes concern it. */
  readonly addressSources: string[];
  readonly findings: Finding[];
}

export function computeEgress(
  state: IdentityState,
  network: NetworkId,
  memberIds: ReadonlySet<WorkloadId>,
  template: EgressTemplate,
  lookups: {
    readonly hashOf: (identity: string) => string;
    readonly reach: (identity: string, network: NetworkId) => readonly ReachedMember[];
    readonly region: (deny: DenyTemplate, network: NetworkId) => AddressRanges;
  },
): ComputedEgress {
  const key = `${state.ref.hash}@${network}`;
  const reached = (identity: string) => lookups.reach(identity, network);
  const context = {
    destinationKey: key,
    destinationIdentity: state.ref.identity,
    network,
    denies: template.denies,
    seen: (identity: string) => reached(identity).map((member) => member.view),
    region: (deny: DenyTemplate) => lookups.region(deny, network),
    seenRanges: (identity: string) => seenRanges(reached(identity).map((member) => member.view)),
    targetKeyOf: (identity: string) => `${lookups.hashOf(identity)}@${network}`,
  };
  const opens: EgressGrant[] = [];
  const findings: Finding[] = [];
  for (const target of template.allows) {
    const denied = denySource(target, target.contributions, { ...context, peerKeyOf: context.targetKeyOf });
    for (const grant of denied.grants) opens.push(egressGrant(grant, target, reached));
    if (target.kind === "identity")
      findings.push(...unreachable(state, key, network, target.identity, reached));
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
  return { intent, addressSources: addressSourcesOf(template.allows, template.denies), findings };
}

/** An ingress-shaped grant (lib/compile/deny.ts) as an egress grant: a whole identity carries its members. */
function egressGrant(
  grant: Grant,
  target: SourceTemplate,
  reached: (identity: string) => readonly ReachedMember[],
): EgressGrant {
  let to: EgressTarget;
  if (grant.source.kind === "peerSet" && target.kind === "identity") {
    const members = reached(target.identity);
    to = Object.freeze({
      kind: "identity",
      key: grant.source.key,
      identity: target.identity,
      local: Object.freeze(
        members
          .filter((m) => m.view.local)
          .map((m) => m.workload)
          .sort(compareText),
      ),
      cidrs: Object.freeze(exactCidrs(members.flatMap((m) => m.view.addresses))),
    });
  } else to = grant.source as Exclude<Grant["source"], { kind: "peerSet" }>;
  return Object.freeze({
    targetKey: grant.sourceKey,
    target: to,
    services: grant.services,
    rules: grant.rules,
  });
}

function unreachable(
  state: IdentityState,
  key: string,
  network: NetworkId,
  identity: string,
  reached: (identity: string) => readonly ReachedMember[],
): Finding[] {
  return reached(identity)
    .filter((member) => member.view.via === undefined)
    .map((member) => ({
      code: "unreachable-destination" as const,
      severity: "warning" as const,
      subject: `${key} -> ${member.workload}`,
      message: `${member.workload} (${identity}) cannot be reached from ${network}, where ${state.ref.identity} has enforced egress: no NIC in a connected network and no public IP (a NAT gives no address to reach); that egress is not allowed`,
    }));
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
