import { cidrContains } from "../../net/cidr.js";
import type { ProbeProtocol } from "../provider.js";
import { networkOfNic } from "./materialize.js";
import type { AzureState, NetworkInterface, NetworkSecurityGroup, SecurityRule } from "./model.js";

/** The platform address of Azure's load balancer probes (and DNS, DHCP): the AzureLoadBalancer tag. */
export const AZURE_PLATFORM_ADDRESS = "168.63.129.16";
/** The instance metadata service (IMDS). */
export const AZURE_METADATA_ADDRESS = "169.254.169.254";
/**
 * The platform's own services that NSGs do not filter unless a rule names them by these service
 * tags (docs/clouds.md, "Azure deny rules and egress"): DNS on 168.63.129.16, IMDS on
 * 169.254.169.254; DHCP, health monitoring and the VM agent's WireServer traffic on 168.63.129.16
 * are never filtered.
 */
const PLATFORM_TAGS: Readonly<
  Record<string, (address: string, protocol: ProbeProtocol, port: number) => boolean>
> = {
  azureplatformdns: (address, protocol, port) =>
    address === AZURE_PLATFORM_ADDRESS && protocol !== "icmp" && port === 53,
  azureplatformimds: (address) => address === AZURE_METADATA_ADDRESS,
};
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

export interface AzureVerdict {
  readonly access: "Allow" | "Deny";
  /** The NSG that decided, or undefined when the NIC has none (everything is allowed). */
  readonly nsg?: string;
  readonly rule?: SecurityRule;
}

interface GuardedNic {
  readonly nic: NetworkInterface;
  readonly nsg: NetworkSecurityGroup;
  /** The NIC's VNet id, lowercase. */
  readonly network: string;
}

/**
 * Effective inbound reachability with Azure's semantics: the NIC's NSG decides, its rules and the
 * default rules in priority order, first match wins; a source ASG matches the addresses of NICs in
 * the same VNet whose IP configuration is a member; a destination ASG matches when the NIC is one.
 * Service tags: AzureLoadBalancer is the platform address; VirtualNetwork is every address of a
 * NIC in the same VNet (address spaces and peerings are not read, so this is a lower bound);
 * Internet is every address outside the private ranges. Subnet NSGs are not read.
 */
export class AzureReachability {
  private readonly nics = new Map<string, NetworkInterface>();
  private readonly nsgs = new Map<string, NetworkSecurityGroup>();
  /** `<network>|<address>` → the IP configuration's ASG ids (lowercase). */
  private readonly byAddress = new Map<string, Set<string>>();
  private readonly networkAddresses = new Map<string, Set<string>>();

  constructor(state: AzureState) {
    for (const subscription of state) {
      for (const nsg of subscription.networkSecurityGroups) this.nsgs.set(nsg.id.toLowerCase(), nsg);
      for (const nic of subscription.networkInterfaces) {
        this.nics.set(nic.id.toLowerCase(), nic);
        const network = networkOfNic(nic)?.toLowerCase() ?? "";
        for (const configuration of nic.ipConfigurations) {
          this.byAddress.set(
            `${network}|${configuration.privateIPAddress}`,
            new Set(configuration.applicationSecurityGroups.map((a) => a.id.toLowerCase())),
          );
          const addresses = this.networkAddresses.get(network) ?? new Set();
          addresses.add(configuration.privateIPAddress);
          this.networkAddresses.set(network, addresses);
        }
      }
    }
  }

  explain(nicId: string, sourceAddress: string, protocol: ProbeProtocol, port = 0): AzureVerdict {
    const guarded = this.guard(nicId);
    if ("access" in guarded) return guarded;
    const { nic, nsg, network } = guarded;
    const sourceAsgs = this.byAddress.get(`${network}|${sourceAddress}`) ?? new Set<string>();
    const targetAsgs = new Set(
      nic.ipConfigurations.flatMap((c) => c.applicationSecurityGroups.map((a) => a.id.toLowerCase())),
    );
    const targetAddresses = nic.ipConfigurations.map((c) => c.privateIPAddress);
    for (const rule of ordered(nsg, "Inbound")) {
      if (!protocolMatches(rule, protocol, port)) continue;
      const sourceMatches =
        (rule.sourceApplicationSecurityGroups ?? []).some((a) => sourceAsgs.has(a.id.toLowerCase())) ||
        prefixes(rule.sourceAddressPrefixes, rule.sourceAddressPrefix).some((prefix) =>
          this.addressMatches(prefix, sourceAddress, network),
        );
      if (!sourceMatches) continue;
      const destinationAsgs = rule.destinationApplicationSecurityGroups ?? [];
      const destinationMatches =
        destinationAsgs.length > 0
          ? destinationAsgs.some((a) => targetAsgs.has(a.id.toLowerCase()))
          : prefixes(rule.destinationAddressPrefixes, rule.destinationAddressPrefix).some((prefix) =>
              targetAddresses.some((address) => this.addressMatches(prefix, address, network)),
            );
      if (!destinationMatches) continue;
      return { access: rule.access, nsg: nsg.name, rule };
    }
    return { access: "Deny", nsg: nsg.name };
  }

  /**
   * Effective outbound reachability: the NIC's NSG outbound rules and the default ones in
   * priority order, first match wins. The source side matches the NIC (its ASGs, its addresses);
   * a destination ASG matches the addresses of NICs in the same VNet that are its members. The
   * platform addresses are decided only by rules naming their service tags (PLATFORM_TAGS), and
   * pass otherwise. VirtualNetwork as a destination is every private address (the VNet's space,
   * its peerings and on-premises ranges are not read): the default rules then allow all egress.
   */
  explainEgress(nicId: string, destinationAddress: string, protocol: ProbeProtocol, port = 0): AzureVerdict {
    const guarded = this.guard(nicId);
    if ("access" in guarded) return guarded;
    const { nic, nsg, network } = guarded;
    const platform =
      destinationAddress === AZURE_PLATFORM_ADDRESS || destinationAddress === AZURE_METADATA_ADDRESS;
    const ownAsgs = new Set(
      nic.ipConfigurations.flatMap((c) => c.applicationSecurityGroups.map((a) => a.id.toLowerCase())),
    );
    const ownAddresses = nic.ipConfigurations.map((c) => c.privateIPAddress);
    const destinationAsgs = this.byAddress.get(`${network}|${destinationAddress}`) ?? new Set<string>();
    for (const rule of ordered(nsg, "Outbound")) {
      if (!protocolMatches(rule, protocol, port)) continue;
      const sourceMatches = sideMatches(
        rule.sourceApplicationSecurityGroups,
        prefixes(rule.sourceAddressPrefixes, rule.sourceAddressPrefix),
        (asg) => ownAsgs.has(asg),
        (prefix) => ownAddresses.some((address) => this.addressMatches(prefix, address, network)),
      );
      if (!sourceMatches) continue;
      const destinationPrefixes = prefixes(rule.destinationAddressPrefixes, rule.destinationAddressPrefix);
      const destinationMatches = platform
        ? destinationPrefixes.some((p) =>
            PLATFORM_TAGS[p.toLowerCase()]?.(destinationAddress, protocol, port),
          )
        : sideMatches(
            rule.destinationApplicationSecurityGroups,
            destinationPrefixes,
            (asg) => destinationAsgs.has(asg),
            (prefix) => this.outboundMatches(prefix, destinationAddress, network),
          );
      if (destinationMatches) return { access: rule.access, nsg: nsg.name, rule };
    }
    return { access: platform ? "Allow" : "Deny", nsg: nsg.name };
  }

  /**
   * The NIC and the NSG that decides for it in both directions, with the NIC's VNet (lowercase);
   * else the verdict without one: an unknown NIC passes nothing, a NIC without an NSG everything.
   */
  private guard(nicId: string): GuardedNic | AzureVerdict {
    const nic = this.nics.get(nicId.toLowerCase());
    if (!nic) return { access: "Deny" };
    const nsgId = nic.networkSecurityGroup?.id.toLowerCase();
    const nsg = nsgId === undefined ? undefined : this.nsgs.get(nsgId);
    if (!nsg) return { access: "Allow" };
    return { nic, nsg, network: networkOfNic(nic)?.toLowerCase() ?? "" };
  }

  accepts(nicId: string, sourceAddress: string, protocol: ProbeProtocol, port = 0): boolean {
    return this.explain(nicId, sourceAddress, protocol, port).access === "Allow";
  }

  private outboundMatches(prefix: string, address: string, network: string): boolean {
    if (prefix.toLowerCase() !== "virtualnetwork") return this.addressMatches(prefix, address, network);
    return !address.includes(":") && PRIVATE_RANGES.some((range) => cidrContains(range, address));
  }

  private addressMatches(prefix: string, address: string, network: string): boolean {
    switch (prefix.toLowerCase()) {
      case "*":
      case "any":
        return true;
      case "virtualnetwork":
        return this.networkAddresses.get(network)?.has(address) ?? false;
      case "azureloadbalancer":
        return address === AZURE_PLATFORM_ADDRESS;
      case "internet":
        return !address.includes(":") && !PRIVATE_RANGES.some((range) => cidrContains(range, address));
      default:
        return (
          /^[\d.:a-f/]+$/i.test(prefix) &&
          prefix.includes(":") === address.includes(":") &&
          cidrContains(prefix, address)
        );
    }
  }
}

export function evaluateAzure(state: AzureState): AzureReachability {
  return new AzureReachability(state);
}

function prefixes(list: readonly string[] | undefined, single: string | undefined): string[] {
  return [...(list ?? []), ...(single === undefined || single === "" ? [] : [single])];
}

/** The NSG's rules and default rules of one direction, lowest priority number first. */
function ordered(nsg: NetworkSecurityGroup, direction: SecurityRule["direction"]): SecurityRule[] {
  return [...nsg.securityRules, ...nsg.defaultSecurityRules]
    .filter((rule) => rule.direction === direction)
    .sort((a, b) => a.priority - b.priority);
}

/** One side of a rule: its ASGs when it names some, else its prefixes. */
function sideMatches(
  asgs: readonly { readonly id: string }[] | undefined,
  prefixList: readonly string[],
  asgMatches: (id: string) => boolean,
  prefixMatches: (prefix: string) => boolean,
): boolean {
  if ((asgs ?? []).length > 0) return (asgs ?? []).some((a) => asgMatches(a.id.toLowerCase()));
  return prefixList.some(prefixMatches);
}

function protocolMatches(rule: SecurityRule, protocol: ProbeProtocol, port: number): boolean {
  if (rule.protocol !== "*" && rule.protocol.toLowerCase() !== protocol) return false;
  if (protocol === "icmp") return true;
  return prefixes(rule.destinationPortRanges, rule.destinationPortRange).some((range) => {
    if (range === "*") return true;
    const [from = "", to = from] = range.split("-");
    return port >= Number(from) && port <= Number(to);
  });
}
