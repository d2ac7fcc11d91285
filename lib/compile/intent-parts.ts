import { cloudOfId } from "../inventory/ids.js";
import type { NetworkId, Workload, WorkloadId } from "../inventory/model.js";
import { exactCidrs } from "../net/cidr.js";
import type { Policy, Service } from "../policy/model.js";
import { normalizeServices } from "../policy/services.js";
import { compareText } from "../util/compare-text.js";
import { type NetworkTopology, viewFrom } from "./address-view.js";
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

/** What an identity accepts, independent of the network it is seen in. */
export type SourceTemplate =
  | {
      readonly kind: "identity";
      readonly identity: string;
      readonly services: readonly Service[];
      readonly rules: readonly string[];
    }
  | {
      readonly kind: "ipList";
      readonly name: string;
      readonly cidrs: readonly string[];
      readonly services: readonly Service[];
      readonly rules: readonly string[];
    };

/** Union, per source, of every rule whose destination matches this identity (docs/policy.md). */
export function computeTemplate(
  state: IdentityState,
  identities: ReadonlyMap<string, IdentityState>,
  policy: Policy,
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
  for (const rule of state.toRules) {
    const from = rule.rule.from;
    if (from.kind === "ipList") add(`ipList:${from.name}`, rule, from.name);
    else for (const source of rule.fromIdentities) if (identities.has(source)) add(source, rule);
  }
  const template: SourceTemplate[] = [];
  for (const [key, entry] of bySource) {
    const services = normalizeServices(entry.services);
    const rules = entry.rules.sort((a, b) => a.order - b.order).map((rule) => rule.rule.id);
    const uniqueRules = rules.filter((id, index) => rules[index - 1] !== id);
    if (entry.ipList === undefined)
      template.push({ kind: "identity", identity: key, services, rules: uniqueRules });
    else {
      const cidrs = policy.ipLists[entry.ipList] ?? [];
      template.push({ kind: "ipList", name: entry.ipList, cidrs, services, rules: uniqueRules });
    }
  }
  return template;
}

export function computeDestination(
  state: IdentityState,
  network: NetworkId,
  memberIds: ReadonlySet<WorkloadId>,
  template: readonly SourceTemplate[],
  hashOf: (identity: string) => string,
): { intent: DestinationIntent; peerSources: string[] } {
  const members: DestinationMember[] = [];
  for (const id of [...memberIds].sort()) {
    const workload = state.members.get(id) as Workload;
    const addresses = workload.nics.filter((nic) => nic.network === network).map((nic) => nic.privateIp);
    members.push(Object.freeze({ workload: id, addresses: Object.freeze([...new Set(addresses)].sort()) }));
  }
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
  grants.sort((a, b) => compareText(a.sourceKey, b.sourceKey));
  const intent: DestinationIntent = Object.freeze({
    key: `${state.ref.hash}@${network}`,
    identity: state.ref.identity,
    hash: state.ref.hash,
    network,
    cloud: cloudOfId(network),
    labels: state.labels,
    enforcement: state.enforcement === "enforced" ? "enforced" : "visibility",
    members: Object.freeze(members),
    grants: Object.freeze(grants),
  });
  return { intent, peerSources };
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
