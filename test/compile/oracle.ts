import type { Intent } from "../../lib/compile/model.js";
import type { Inventory, Workload } from "../../lib/inventory/model.js";
import { cidrContains } from "../../lib/net/cidr.js";
import type { LabelSelector, Policy, Rule, Service } from "../../lib/policy/model.js";
import { formatService, normalizeServices, servicesAdmit } from "../../lib/policy/services.js";

/**
 * A deliberately naive reading of docs/policy.md (with "Addresses"), pair by pair with no index and
 * no sharing: the test oracle for the compiler. Result: `<dst>|<network>|<source>` →
 * "<addresses> <services>", where source is a workload id or `ipList:<name>`.
 */
export function naiveAccepts(policy: Policy, inventory: Inventory): Map<string, string> {
  const labelled = inventory.workloads
    .filter((w) => w.state === "running")
    .map((w) => ({ workload: w, labels: labelsOf(w, policy) }))
    .filter((entry) => Object.keys(entry.labels).length > 0);
  const accumulated = new Map<string, { addresses: string[]; services: Service[] }>();
  for (const dst of labelled) {
    const inScope = policy.rulesets.filter((rs) => matches(rs.scope, dst.labels));
    if (inScope.length === 0) continue;
    for (const network of new Set(dst.workload.nics.map((nic) => nic.network))) {
      for (const rule of policy.rulesets.flatMap((rs) => rs.rules)) {
        if (rule.to.kind !== "labels" || !matches(rule.to.selector, dst.labels)) continue;
        if (rule.from.kind === "ipList") {
          add(
            accumulated,
            `${dst.workload.id}|${network}|ipList:${rule.from.name}`,
            [...rule.from.cidrs],
            rule.services,
          );
          continue;
        }
        for (const src of labelled) {
          if (!matches(rule.from.selector, src.labels)) continue;
          add(
            accumulated,
            `${dst.workload.id}|${network}|${src.workload.id}`,
            seenAs(src.workload, network, policy),
            rule.services,
          );
        }
      }
    }
  }
  const result = new Map<string, string>();
  for (const [key, value] of accumulated) result.set(key, describe(value.addresses, value.services));
  return result;
}

export type Probe = readonly ["tcp" | "udp" | "icmp", number];

/**
 * Deny rules and rules to an ipList (v2) read straight from docs/policy.md, with no subtraction:
 * does `dst`'s ingress in `network` accept a flow from `address` on this probe? Undefined when
 * segsync does not decide it (dst not running, unlabelled or in no scope). A source address is
 * covered by a rule when the rule's ipList holds it, or when a running workload that the rule's
 * `from` matches is seen from `network` at that address (its private, public or NAT address: a
 * NAT address stands for every workload behind it). Accepted: some allow rule covers it and no
 * deny rule does.
 */
export function naiveIngress(
  policy: Policy,
  inventory: Inventory,
): (dst: Workload, network: string, address: string, probe: Probe) => boolean | undefined {
  const labelled = inventory.workloads
    .filter((w) => w.state === "running")
    .map((w) => ({ workload: w, labels: labelsOf(w, policy) }))
    .filter((entry) => Object.keys(entry.labels).length > 0);
  const labelsById = new Map(labelled.map((entry) => [entry.workload.id, entry.labels]));
  const covers = (rule: Rule, network: string, address: string): boolean => {
    if (rule.from.kind === "ipList") return rule.from.cidrs.some((cidr) => cidrContains(cidr, address));
    const selector = rule.from.selector;
    return labelled.some(
      (src) =>
        matches(selector, src.labels) &&
        seenAs(src.workload, network, policy).some(
          (seen) => seen === address || (seen.includes("/") && cidrContains(seen, address)),
        ),
    );
  };
  return (dst, network, address, [protocol, port]) => {
    const labels = labelsById.get(dst.id);
    if (labels === undefined || !policy.rulesets.some((rs) => matches(rs.scope, labels))) return undefined;
    const applies = (rule: Rule) =>
      rule.to.kind === "labels" &&
      matches(rule.to.selector, labels) &&
      servicesAdmit(rule.services, protocol, port) &&
      covers(rule, network, address);
    const allowed = policy.rulesets.some((rs) => rs.rules.some(applies));
    return allowed && !policy.rulesets.some((rs) => rs.deny.some(applies));
  };
}

/**
 * Egress (v2) read straight from docs/policy.md: may `src`'s NIC in `network` open a flow to
 * `address` on this probe? Undefined when its egress is not enforced (open, or not decided by
 * segsync). A destination address is covered by a rule when the rule's `to` ipList holds it, or
 * when a running workload that `to` matches is reached from `network` at that address (a NIC there
 * or in a connected network, else a public IP; never a NAT address). Allowed: some allow rule from
 * `src` covers it and no deny rule from `src` does.
 */
export function naiveEgress(
  policy: Policy,
  inventory: Inventory,
): (src: Workload, network: string, address: string, probe: Probe) => boolean | undefined {
  const labelled = inventory.workloads
    .filter((w) => w.state === "running")
    .map((w) => ({ workload: w, labels: labelsOf(w, policy) }))
    .filter((entry) => Object.keys(entry.labels).length > 0);
  const labelsById = new Map(labelled.map((entry) => [entry.workload.id, entry.labels]));
  const covers = (rule: Rule, network: string, address: string): boolean => {
    if (rule.to.kind === "ipList") return rule.to.cidrs.some((cidr) => cidrContains(cidr, address));
    const selector = rule.to.selector;
    return labelled.some(
      (dst) => matches(selector, dst.labels) && reachedAt(dst.workload, network, policy).includes(address),
    );
  };
  return (src, network, address, [protocol, port]) => {
    const labels = labelsById.get(src.id);
    if (labels === undefined) return undefined;
    const enforced = policy.rulesets.some(
      (rs) => rs.enforcement === "enforced" && rs.egress === "enforced" && matches(rs.scope, labels),
    );
    if (!enforced) return undefined;
    const applies = (rule: Rule) =>
      rule.from.kind === "labels" &&
      matches(rule.from.selector, labels) &&
      servicesAdmit(rule.services, protocol, port) &&
      covers(rule, network, address);
    const allowed = policy.rulesets.some((rs) => rs.rules.some(applies));
    return allowed && !policy.rulesets.some((rs) => rs.deny.some(applies));
  };
}

/** Where a source's NIC in `network` reaches a workload: as seenAs, but a NAT gives no address. */
function reachedAt(dst: Workload, network: string, policy: Policy): string[] {
  return seenAs(dst, network, { ...policy, networks: { ...policy.networks, nat: {} } });
}

/** The same pairs, read out of an Intent through its peer sets (a v1 policy: no grant is split). */
export function intentAccepts(intent: Intent): Map<string, string> {
  const peerSets = new Map(intent.peerSets.map((peerSet) => [peerSet.key, peerSet]));
  const result = new Map<string, string>();
  for (const destination of intent.destinations) {
    for (const member of destination.members) {
      for (const grant of destination.grants) {
        if (grant.source.kind === "ipList") {
          result.set(
            `${member.workload}|${destination.network}|ipList:${grant.source.name}`,
            describe([...grant.source.cidrs], grant.services),
          );
          continue;
        }
        if (grant.source.kind === "addresses")
          throw new Error(`grant ${grant.sourceKey} is split: a v1 policy has no deny rule`);
        const peerSet = peerSets.get(grant.source.key);
        if (!peerSet) throw new Error(`grant ${grant.sourceKey} names a missing peer set`);
        for (const source of [...peerSet.local, ...peerSet.remote]) {
          result.set(
            `${member.workload}|${destination.network}|${source.workload}`,
            describe([...source.addresses], grant.services),
          );
        }
      }
    }
  }
  return result;
}

function seenAs(src: Workload, network: string, policy: Policy): string[] {
  const same = src.nics.filter((nic) => nic.network === network);
  if (same.length > 0) return same.map((nic) => nic.privateIp);
  const connected = src.nics.filter((nic) =>
    policy.networks.connected.some((group) => group.includes(network) && group.includes(nic.network)),
  );
  if (connected.length > 0) return connected.map((nic) => nic.privateIp);
  const publicIps = src.nics.flatMap((nic) => (nic.publicIp ? [nic.publicIp] : []));
  if (publicIps.length > 0) return publicIps;
  return src.nics.flatMap((nic) => policy.networks.nat[nic.network] ?? []);
}

function labelsOf(workload: Workload, policy: Policy): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const dimension of policy.labels.dimensions) {
    const value = workload.tags[`${policy.labels.tagPrefix}${dimension}`];
    if (value !== undefined && /^[a-z0-9_-]{1,63}$/.test(value)) labels[dimension] = value;
  }
  return labels;
}

function matches(selector: LabelSelector, labels: Record<string, string>): boolean {
  if (Object.keys(labels).length === 0) return false;
  return Object.entries(selector).every(([dimension, values]) =>
    values.includes(labels[dimension] ?? "\u0000"),
  );
}

function add(
  map: Map<string, { addresses: string[]; services: Service[] }>,
  key: string,
  addresses: string[],
  services: readonly Service[],
) {
  const entry = map.get(key) ?? { addresses, services: [] };
  entry.services.push(...services);
  map.set(key, entry);
}

function describe(addresses: string[], services: readonly Service[]): string {
  return `${[...new Set(addresses)].sort().join(",")} ${normalizeServices(services).map(formatService).join(",")}`;
}
