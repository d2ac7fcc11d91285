import { cidrContains } from "../../net/cidr.js";
import type { AwsState, IpPermission, NetworkInterface, SecurityGroup } from "./model.js";
import { locationKey } from "./model.js";

export type ProbeProtocol = "tcp" | "udp" | "icmp";

export interface AwsMatch {
  readonly groupId: string;
  readonly groupName: string;
  /** The permission with just the source (or destination, for egress) that matched. */
  readonly permission: IpPermission;
}

/** An egress probe to an address of AWS's own that security groups do not filter. */
export interface AwsPlatformMatch {
  readonly platform: string;
}

/**
 * Addresses of AWS's own services that security groups do not filter (docs/clouds.md, "AWS egress
 * and deny rules"): an ENI always reaches them, whatever its egress rules say.
 */
export const AWS_PLATFORM_ADDRESSES: Readonly<Record<string, string>> = {
  "169.254.169.253": "Amazon-provided DNS (Route 53 Resolver)",
  "169.254.169.254": "instance metadata service",
  "169.254.169.123": "Amazon Time Sync Service",
  "fd00:ec2::253": "Amazon-provided DNS (Route 53 Resolver)",
  "fd00:ec2::254": "instance metadata service",
  "fd00:ec2::123": "Amazon Time Sync Service",
};

/**
 * Effective reachability of EC2 state, with AWS's semantics: an ENI accepts what any of its
 * security groups allows (the union); a rule's source is a CIDR, the entries of a prefix list, or
 * the members of a security group, which match by the private addresses of the ENIs that carry
 * the group in the same VPC. Egress the same way, by destination: an ENI may send what any of its
 * groups' egress rules allows, a group with no egress rule sends nothing, and AWS's own service
 * addresses are never filtered. Stateful: replies are never probed. The test oracle for
 * materialize and the engine behind `explain`.
 */
export class AwsReachability {
  private readonly interfaces = new Map<string, { eni: NetworkInterface; location: string }>();
  private readonly groups = new Map<string, SecurityGroup>();
  private readonly prefixListEntries = new Map<string, readonly string[]>();
  /** `<location>|<vpc>|<private ip>` → the ENI with that address. */
  private readonly byAddress = new Map<string, NetworkInterface>();

  constructor(state: AwsState) {
    for (const region of state) {
      const location = locationKey(region);
      for (const eni of region.networkInterfaces) {
        this.interfaces.set(eni.NetworkInterfaceId, { eni, location });
        for (const address of privateAddresses(eni))
          this.byAddress.set(`${location}|${eni.VpcId}|${address}`, eni);
      }
      for (const group of region.securityGroups) this.groups.set(group.GroupId, group);
      for (const list of region.managedPrefixLists) {
        this.prefixListEntries.set(
          list.PrefixListId,
          list.Entries.map((entry) => entry.Cidr),
        );
      }
    }
  }

  /** The first rule that admits traffic from `sourceAddress` to the ENI, or undefined when it is denied. */
  explain(
    networkInterfaceId: string,
    sourceAddress: string,
    protocol: ProbeProtocol,
    port = 0,
  ): AwsMatch | undefined {
    return this.firstMatch("IpPermissions", networkInterfaceId, sourceAddress, protocol, port);
  }

  /**
   * What lets the ENI send to `destinationAddress`: one of its groups' egress rules, or an AWS
   * service address that no security group filters; undefined when its groups block it.
   */
  explainEgress(
    networkInterfaceId: string,
    destinationAddress: string,
    protocol: ProbeProtocol,
    port = 0,
  ): AwsMatch | AwsPlatformMatch | undefined {
    if (!this.interfaces.has(networkInterfaceId)) return undefined;
    const platform = AWS_PLATFORM_ADDRESSES[destinationAddress];
    if (platform !== undefined) return { platform };
    return this.firstMatch("IpPermissionsEgress", networkInterfaceId, destinationAddress, protocol, port);
  }

  /** The first rule of the direction's rules whose peer (source or destination) is `peerAddress`. */
  private firstMatch(
    direction: "IpPermissions" | "IpPermissionsEgress",
    networkInterfaceId: string,
    peerAddress: string,
    protocol: ProbeProtocol,
    port: number,
  ): AwsMatch | undefined {
    const target = this.interfaces.get(networkInterfaceId);
    if (!target) return undefined;
    const ipv6 = peerAddress.includes(":");
    const peerEni = this.byAddress.get(`${target.location}|${target.eni.VpcId}|${peerAddress}`);
    const peerGroups = new Set(peerEni?.Groups.map((g) => g.GroupId) ?? []);
    for (const { GroupId } of target.eni.Groups) {
      const group = this.groups.get(GroupId);
      if (!group) continue;
      for (const permission of group[direction]) {
        if (!admitsProtocol(permission, protocol, port, ipv6)) continue;
        const single = this.matchingPeer(permission, peerAddress, ipv6, peerGroups);
        if (single === undefined) continue;
        const base = { ...permission, IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] };
        return { groupId: group.GroupId, groupName: group.GroupName, permission: { ...base, ...single } };
      }
    }
    return undefined;
  }

  /** The permission's one peer that matches the address, as a partial permission; undefined: none. */
  private matchingPeer(
    permission: IpPermission,
    address: string,
    ipv6: boolean,
    peerGroups: ReadonlySet<string>,
  ): Partial<IpPermission> | undefined {
    for (const range of permission.IpRanges) {
      if (!ipv6 && cidrContains(range.CidrIp, address)) return { IpRanges: [range] };
    }
    for (const range of permission.Ipv6Ranges) {
      if (ipv6 && cidrContains(range.CidrIpv6, address)) return { Ipv6Ranges: [range] };
    }
    for (const list of permission.PrefixListIds) {
      const entries = this.prefixListEntries.get(list.PrefixListId) ?? [];
      if (entries.some((cidr) => cidr.includes(":") === ipv6 && cidrContains(cidr, address))) {
        return { PrefixListIds: [list] };
      }
    }
    for (const pair of permission.UserIdGroupPairs) {
      if (peerGroups.has(pair.GroupId)) return { UserIdGroupPairs: [pair] };
    }
    return undefined;
  }

  accepts(networkInterfaceId: string, sourceAddress: string, protocol: ProbeProtocol, port = 0): boolean {
    return this.explain(networkInterfaceId, sourceAddress, protocol, port) !== undefined;
  }
}

export function evaluateAws(state: AwsState): AwsReachability {
  return new AwsReachability(state);
}

function privateAddresses(eni: NetworkInterface): string[] {
  return [eni.PrivateIpAddress, ...(eni.PrivateIpAddresses ?? []).map((a) => a.PrivateIpAddress)];
}

function admitsProtocol(
  permission: IpPermission,
  protocol: ProbeProtocol,
  port: number,
  ipv6: boolean,
): boolean {
  const wanted = permission.IpProtocol;
  if (wanted === "-1") return true;
  if (protocol === "icmp")
    return ipv6 ? wanted === "58" || wanted === "icmpv6" : wanted === "icmp" || wanted === "1";
  const named = wanted === "6" ? "tcp" : wanted === "17" ? "udp" : wanted;
  if (named !== protocol) return false;
  return port >= (permission.FromPort ?? 0) && port <= (permission.ToPort ?? 65535);
}
