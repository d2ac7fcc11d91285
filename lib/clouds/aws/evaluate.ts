import { cidrContains } from "../../net/cidr.js";
import type { AwsState, IpPermission, NetworkInterface, SecurityGroup } from "./model.js";
import { locationKey } from "./model.js";

export type ProbeProtocol = "tcp" | "udp" | "icmp";

export interface AwsMatch {
  readonly groupId: string;
  readonly groupName: string;
  /** The permission with just the source that matched. */
  readonly permission: IpPermission;
}

/**
 * Effective reachability of EC2 state, with AWS's semantics: an ENI accepts what any of its
 * security groups allows (the union); a rule's source is a CIDR, the entries of a prefix list, or
 * the members of a security group, which match by the private addresses of the ENIs that carry
 * the group in the same VPC. The test oracle for materialize and the engine behind `explain`.
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
    const target = this.interfaces.get(networkInterfaceId);
    if (!target) return undefined;
    const ipv6 = sourceAddress.includes(":");
    const sourceEni = this.byAddress.get(`${target.location}|${target.eni.VpcId}|${sourceAddress}`);
    const sourceGroups = new Set(sourceEni?.Groups.map((g) => g.GroupId) ?? []);
    for (const { GroupId } of target.eni.Groups) {
      const group = this.groups.get(GroupId);
      if (!group) continue;
      for (const permission of group.IpPermissions) {
        if (!admitsProtocol(permission, protocol, port, ipv6)) continue;
        const base = { ...permission, IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] };
        const match = (single: Partial<IpPermission>): AwsMatch => ({
          groupId: group.GroupId,
          groupName: group.GroupName,
          permission: { ...base, ...single },
        });
        for (const range of permission.IpRanges) {
          if (!ipv6 && cidrContains(range.CidrIp, sourceAddress)) return match({ IpRanges: [range] });
        }
        for (const range of permission.Ipv6Ranges) {
          if (ipv6 && cidrContains(range.CidrIpv6, sourceAddress)) return match({ Ipv6Ranges: [range] });
        }
        for (const list of permission.PrefixListIds) {
          const entries = this.prefixListEntries.get(list.PrefixListId) ?? [];
          if (entries.some((cidr) => cidr.includes(":") === ipv6 && cidrContains(cidr, sourceAddress))) {
            return match({ PrefixListIds: [list] });
          }
        }
        for (const pair of permission.UserIdGroupPairs) {
          if (sourceGroups.has(pair.GroupId)) return match({ UserIdGroupPairs: [pair] });
        }
      }
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
