import { cidrContains } from "../../net/cidr.js";
import type { ProbeProtocol } from "../provider.js";
import type { FirewallProtocol, GcpFirewall, GcpInstance, GcpState } from "./model.js";
import { parseNetworkUrl, zoneName } from "./model.js";
import { METADATA_SERVER } from "./platform.js";

const PROTOCOL_NUMBERS: Record<string, string> = { "6": "tcp", "17": "udp", "1": "icmp" };

export interface GcpVerdict {
  readonly access: "allow" | "deny";
  /** The rule that decided; undefined for an implied rule at 65535, or traffic that is never filtered. */
  readonly rule?: GcpFirewall;
  /** Egress that no rule decided: the metadata server (always allowed), or the implied allow-egress. */
  readonly implied?: "metadata-server" | "allow-egress";
}

/**
 * Effective ingress with GCP's semantics: the enabled INGRESS rules of the NIC's network that
 * target the instance (its network tags, or every instance when a rule names no target); the
 * lowest priority number decides, deny beating allow at equal priority; sourceTags match only
 * the internal addresses of same-network instances carrying the tag; the implied rule denies the rest.
 */
export class GcpReachability {
  private readonly instances = new Map<string, { instance: GcpInstance; project: string }>();
  private readonly rulesByNetwork = new Map<string, GcpFirewall[]>();
  private readonly egressRulesByNetwork = new Map<string, GcpFirewall[]>();
  /** `<network key>|<internal ip>` → that NIC's instance tags. */
  private readonly tagsByAddress = new Map<string, readonly string[]>();

  constructor(state: GcpState) {
    for (const project of state) {
      for (const instance of project.instances) {
        this.instances.set(`${project.project}|${zoneName(instance.zone)}|${instance.name}`, {
          instance,
          project: project.project,
        });
        for (const nic of instance.networkInterfaces) {
          this.tagsByAddress.set(`${networkKey(nic.network)}|${nic.networkIP}`, instance.tags.items ?? []);
        }
      }
      for (const rule of project.firewalls) {
        if (rule.disabled) continue;
        const byNetwork = rule.direction === "INGRESS" ? this.rulesByNetwork : this.egressRulesByNetwork;
        const key = networkKey(rule.network);
        byNetwork.set(key, [...(byNetwork.get(key) ?? []), rule]);
      }
    }
  }

  /** Traffic from `sourceAddress` to the instance's NIC in `network` (a network URL or `<project>/<name>`). */
  explain(
    project: string,
    zone: string,
    name: string,
    network: string,
    sourceAddress: string,
    protocol: ProbeProtocol,
    port = 0,
  ): GcpVerdict {
    const found = this.instances.get(`${project}|${zone}|${name}`);
    if (!found) return { access: "deny" };
    const key = networkKey(network);
    const tags = new Set(found.instance.tags.items ?? []);
    const sourceTags = new Set(this.tagsByAddress.get(`${key}|${sourceAddress}`) ?? []);
    let decision: GcpVerdict | undefined;
    for (const rule of this.rulesByNetwork.get(key) ?? []) {
      const targets = rule.targetTags ?? [];
      if (targets.length > 0 && !targets.some((t) => tags.has(t))) continue;
      const bySource =
        (rule.sourceRanges ?? []).some(
          (range) =>
            range.includes(":") === sourceAddress.includes(":") && cidrContains(range, sourceAddress),
        ) || (rule.sourceTags ?? []).some((t) => sourceTags.has(t));
      if (!bySource) continue;
      const access = rule.denied !== undefined && rule.denied.length > 0 ? "deny" : "allow";
      const list = access === "deny" ? rule.denied : rule.allowed;
      if (!(list ?? []).some((p) => protocolMatches(p, protocol, port))) continue;
      const better =
        !decision ||
        rule.priority < (decision.rule?.priority ?? 65536) ||
        (rule.priority === decision.rule?.priority && access === "deny" && decision.access === "allow");
      if (better) decision = { access, rule };
    }
    return decision ?? { access: "deny" };
  }

  /**
   * A flow the instance's NIC in `network` opens to `destinationAddress`, with GCP's egress
   * semantics: traffic to the metadata server is never filtered; otherwise the enabled EGRESS rules
   * of the network that target the instance and whose destinationRanges hold the address decide by
   * priority (deny beating allow at equal priority), and the implied rule allows the rest. Replies
   * are never probed: the firewall is stateful.
   */
  explainEgress(
    project: string,
    zone: string,
    name: string,
    network: string,
    destinationAddress: string,
    protocol: ProbeProtocol,
    port = 0,
  ): GcpVerdict {
    const found = this.instances.get(`${project}|${zone}|${name}`);
    if (!found) return { access: "deny" };
    if (destinationAddress === METADATA_SERVER) return { access: "allow", implied: "metadata-server" };
    const tags = new Set(found.instance.tags.items ?? []);
    let decision: GcpVerdict | undefined;
    for (const rule of this.egressRulesByNetwork.get(networkKey(network)) ?? []) {
      if (!targetsInstance(rule, tags)) continue;
      const ranges = rule.destinationRanges ?? [];
      if (ranges.length > 0 && !ranges.some((range) => holds(range, destinationAddress))) continue;
      const verdict = verdictOf(rule, protocol, port);
      if (verdict && better(verdict, decision)) decision = verdict;
    }
    return decision ?? { access: "allow", implied: "allow-egress" };
  }
}

/** Every instance when the rule names no target tag, else the instances carrying one of them. */
function targetsInstance(rule: GcpFirewall, tags: ReadonlySet<string>): boolean {
  const targets = rule.targetTags ?? [];
  return targets.length === 0 || targets.some((tag) => tags.has(tag));
}

/** A range holds an address of its own family only. */
function holds(range: string, address: string): boolean {
  return range.includes(":") === address.includes(":") && cidrContains(range, address);
}

/** The rule's verdict on the probe, when one of its protocols matches it. */
function verdictOf(rule: GcpFirewall, protocol: ProbeProtocol, port: number): GcpVerdict | undefined {
  const access = rule.denied !== undefined && rule.denied.length > 0 ? "deny" : "allow";
  const list = access === "deny" ? rule.denied : rule.allowed;
  return (list ?? []).some((p) => protocolMatches(p, protocol, port)) ? { access, rule } : undefined;
}

/** The lower priority number decides; at equal priority a deny beats an allow. */
function better(candidate: GcpVerdict, current: GcpVerdict | undefined): boolean {
  if (!current) return true;
  const [a, b] = [candidate.rule?.priority ?? 65536, current.rule?.priority ?? 65536];
  return a < b || (a === b && candidate.access === "deny" && current.access === "allow");
}

export function evaluateGcp(state: GcpState): GcpReachability {
  return new GcpReachability(state);
}

function networkKey(network: string): string {
  const parsed = parseNetworkUrl(network);
  return parsed ? `${parsed.project}/${parsed.name}` : network;
}

function protocolMatches(entry: FirewallProtocol, protocol: ProbeProtocol, port: number): boolean {
  const name = PROTOCOL_NUMBERS[entry.IPProtocol] ?? entry.IPProtocol;
  if (name === "all") return true;
  if (name !== protocol) return false;
  if (protocol === "icmp" || entry.ports === undefined || entry.ports.length === 0) return true;
  return entry.ports.some((range) => {
    const [from = "", to = from] = range.split("-");
    return port >= Number(from) && port <= Number(to);
  });
}
