import type { Service } from "../../policy/model.js";
import type { DesiredRule } from "./desired.js";

type PortSpec = Pick<DesiredRule, "protocol" | "fromPort" | "toPort">;

/** A policy service as EC2 protocol and ports. ICMP towards an IPv6 source is ICMPv6 (protocol 58). */
export function portSpec(service: Service, ipv6: boolean): PortSpec {
  switch (service.protocol) {
    case "all":
      return { protocol: "-1" };
    case "icmp":
      return { protocol: ipv6 ? "58" : "icmp", fromPort: -1, toPort: -1 };
    default:
      return { protocol: service.protocol, fromPort: service.fromPort, toPort: service.toPort };
  }
}

export function isIpv6(cidr: string): boolean {
  return cidr.includes(":");
}
