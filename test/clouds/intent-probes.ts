import fc from "fast-check";
import type { DestinationIntent, EgressIntent, Intent } from "../../lib/compile/model.js";
import type { Workload } from "../../lib/inventory/model.js";
import { cidrContains } from "../../lib/net/cidr.js";
import type { Policy } from "../../lib/policy/model.js";
import { servicesAdmit } from "../../lib/policy/services.js";
import { naiveIngress } from "../compile/oracle.js";

/**
 * The oracle side of "evaluate equals the intent": what the intent says a destination accepts
 * from an address, by the addresses its grants stand for (ipList CIDRs, the peer sets' local and
 * remote members as the destination's network sees them).
 */
export function intentAllows(
  intent: Intent,
  destination: DestinationIntent,
  address: string,
  protocol: "tcp" | "udp" | "icmp",
  port: number,
): boolean {
  const peerSets = new Map(intent.peerSets.map((p) => [p.key, p]));
  return destination.grants.some((grant) => {
    if (!servicesAdmit(grant.services, protocol, port)) return false;
    if (grant.source.kind !== "peerSet")
      return grant.source.cidrs.some((cidr) => cidrContains(cidr, address));
    const peerSet = peerSets.get(grant.source.key);
    return [...(peerSet?.local ?? []), ...(peerSet?.remote ?? [])].some((member) =>
      member.addresses.some((a) => a === address || (a.includes("/") && cidrContains(a, address))),
    );
  });
}

/**
 * What the intent says an egress-enforced source may send to an address (v2): a grant whose
 * target's exact CIDRs (as the source's network reaches it) hold the address, on its services.
 */
export function intentSends(
  egress: EgressIntent,
  address: string,
  protocol: "tcp" | "udp" | "icmp",
  port: number,
): boolean {
  return egress.opens.some(
    (grant) =>
      servicesAdmit(grant.services, protocol, port) &&
      grant.target.cidrs.some((cidr) => cidrContains(cidr, address)),
  );
}

/**
 * The oracle side read from the policy itself (test/compile/oracle.ts, deny rules included): what
 * a destination's members accept, which depends on their identity and network only.
 */
export function policyAllows(
  policy: Policy,
  estate: readonly Workload[],
): (
  destination: DestinationIntent,
  address: string,
  protocol: "tcp" | "udp" | "icmp",
  port: number,
) => boolean {
  const ingress = naiveIngress(policy, { workloads: [...estate], networks: [] });
  const byId = new Map(estate.map((workload) => [workload.id, workload]));
  return (destination, address, protocol, port) => {
    const member = byId.get(destination.members[0]?.workload ?? "");
    if (member === undefined) throw new Error(`destination ${destination.key} has no member in the estate`);
    return ingress(member, destination.network, address, [protocol, port]) ?? false;
  };
}

/** Ports worth probing for a policy: both edges of every port range and their outer neighbours, plus 1, 22 and 65535. */
export function probePorts(policy: Policy): number[] {
  const ports = new Set([1, 22, 65535]);
  for (const rule of policy.rulesets.flatMap((rs) => [...rs.rules, ...rs.deny])) {
    for (const service of rule.services) {
      if ("fromPort" in service)
        for (const port of [service.fromPort - 1, service.fromPort, service.toPort, service.toPort + 1])
          if (port >= 1 && port <= 65535) ports.add(port);
    }
  }
  return [...ports];
}

/** Every probe of probePorts: icmp once, tcp and udp on each port. */
export function probes(policy: Policy): (readonly ["tcp" | "udp" | "icmp", number])[] {
  return [
    ["icmp", 0] as const,
    ...probePorts(policy).flatMap((port) => [["tcp", port] as const, ["udp", port] as const]),
  ];
}

/** Segsync labels drawn from a small domain, so random workloads share identities often. */
export const labelTagsArb = fc.record(
  {
    "seg-app": fc.constantFrom("shop", "blog"),
    "seg-env": fc.constantFrom("prod", "dev"),
    "seg-role": fc.constantFrom("web", "api", "db"),
  },
  { requiredKeys: [] },
);

/**
 * Addresses to probe from: every running workload's private and public addresses, the NAT and
 * ipList addresses the compile arbitraries use, and addresses nobody is allowed from.
 */
export function probeAddresses(estate: readonly Workload[]): string[] {
  return [
    ...estate
      .filter((w) => w.state === "running")
      .flatMap((w) => w.nics.flatMap((n) => [n.privateIp, ...(n.publicIp ? [n.publicIp] : [])])),
    "203.0.113.10",
    "198.51.100.7",
    "10.8.1.1",
    "192.0.2.7",
    "192.0.2.8",
    "8.8.8.8",
    "54.0.2.9",
  ];
}
