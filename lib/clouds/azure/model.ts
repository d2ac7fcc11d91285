/**
 * Azure objects as segsync reads and writes them: the subset of what `az … show` prints
 * (flattened properties, camelCase), so that simulated state is the JSON a user would see.
 * No SDK types here: the pure core (materialize, diff, evaluate) builds on these.
 */

export interface SubResource {
  readonly id: string;
}

export type AzureProtocol = "Tcp" | "Udp" | "Icmp" | "Esp" | "Ah" | "*";

export interface SecurityRule {
  readonly name: string;
  readonly priority: number;
  readonly direction: "Inbound" | "Outbound";
  readonly access: "Allow" | "Deny";
  readonly protocol: AzureProtocol;
  readonly description?: string;
  readonly sourcePortRange?: string;
  readonly sourcePortRanges?: readonly string[];
  /** A CIDR, an address, `*`, or a service tag (`VirtualNetwork`, `AzureLoadBalancer`, `Internet`). */
  readonly sourceAddressPrefix?: string;
  readonly sourceAddressPrefixes?: readonly string[];
  readonly sourceApplicationSecurityGroups?: readonly SubResource[];
  readonly destinationAddressPrefix?: string;
  readonly destinationAddressPrefixes?: readonly string[];
  readonly destinationApplicationSecurityGroups?: readonly SubResource[];
  /** `*`, `80` or `8000-8100`. */
  readonly destinationPortRange?: string;
  readonly destinationPortRanges?: readonly string[];
}

export interface NetworkSecurityGroup {
  readonly id: string;
  readonly name: string;
  readonly location: string;
  readonly resourceGroup: string;
  readonly etag?: string;
  readonly tags: Readonly<Record<string, string>>;
  /**
   * ARM's `flushConnection` (api-version 2021-08-01 and later): when true, flows already open
   * through the NSG are re-evaluated after a rule change; absent means false.
   */
  readonly flushConnection?: boolean;
  readonly securityRules: readonly SecurityRule[];
  /** AllowVnetInBound, AllowAzureLoadBalancerInBound, DenyAllInbound and the outbound three. */
  readonly defaultSecurityRules: readonly SecurityRule[];
  /** Read-only: the NICs associated with it. */
  readonly networkInterfaces?: readonly SubResource[];
}

export interface ApplicationSecurityGroup {
  readonly id: string;
  readonly name: string;
  readonly location: string;
  readonly resourceGroup: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface IpConfiguration {
  readonly name: string;
  readonly primary: boolean;
  readonly privateIPAddress: string;
  /** `/subscriptions/…/virtualNetworks/<vnet>/subnets/<subnet>`: the NIC's VNet is read from it. */
  readonly subnet: SubResource;
  readonly publicIPAddress?: SubResource;
  readonly applicationSecurityGroups: readonly SubResource[];
}

export interface NetworkInterface {
  readonly id: string;
  readonly name: string;
  readonly location: string;
  readonly resourceGroup: string;
  readonly etag?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly virtualMachine?: SubResource;
  readonly networkSecurityGroup?: SubResource;
  readonly primary?: boolean;
  readonly ipConfigurations: readonly IpConfiguration[];
}

export interface PublicIPAddress {
  readonly id: string;
  readonly name: string;
  readonly location: string;
  readonly resourceGroup: string;
  readonly ipAddress?: string;
}

/** A VNet as ARM returns it; segsync reads its address space (an estate's network CIDR) and region. */
export interface VirtualNetwork {
  readonly id: string;
  readonly name: string;
  readonly location: string;
  readonly resourceGroup: string;
  /** Empty in the simulator for a VNet it knows only from a NIC's subnet. */
  readonly addressPrefixes: readonly string[];
}

export interface VirtualMachine {
  readonly id: string;
  readonly name: string;
  readonly location: string;
  readonly resourceGroup: string;
  readonly tags: Readonly<Record<string, string>>;
  /** As `az vm show -d` prints it: "VM running", "VM deallocated", "VM stopped", "VM starting", … */
  readonly powerState: string;
  readonly networkProfile: {
    readonly networkInterfaces: readonly (SubResource & { readonly primary?: boolean })[];
  };
}

/** What segsync reads back from one subscription. */
export interface AzureSubscriptionState {
  readonly subscription: string;
  readonly virtualMachines: readonly VirtualMachine[];
  readonly networkInterfaces: readonly NetworkInterface[];
  readonly networkSecurityGroups: readonly NetworkSecurityGroup[];
  readonly applicationSecurityGroups: readonly ApplicationSecurityGroup[];
  readonly publicIPAddresses: readonly PublicIPAddress[];
  /** Present when only a change was read (discover-change.ts): what the read covers. */
  readonly change?: AzureChangeCoverage;
}

/**
 * What a read of a change alone covers (docs/architecture.md, "Targeted reads (Azure)"): the
 * plan made from it writes only the change's objects, and assumes nothing about what it did
 * not read. Ids and network ids lowercase.
 */
export interface AzureChangeCoverage {
  /** The workloads re-read: only their VMs and NICs were read; other members' NICs are as enforced. */
  readonly workloads: readonly string[];
  /**
   * The ASG ids of the change's destinations, read or not: an owned NSG's rules to any other ASG
   * of its identity are another VNet's destination's (its siblings'), kept as they are.
   */
  readonly destinationAsgs: readonly string[];
  /** Network id → its region, from the NICs and owned ASGs read in it. */
  readonly regions: Readonly<Record<string, string>>;
  /** What was read only to be referenced (a peer's ASG, the NSG of a NIC outside the change): never written nor deleted. */
  readonly referenceOnly: readonly string[];
}

/** Sorted by subscription. */
export type AzureState = readonly AzureSubscriptionState[];

/** `/subscriptions/<s>/resourceGroups/<rg>/providers/<provider>/<type>/<name>[/<child type>/<child>]`, lowercased keys kept as written. */
export interface ResourceId {
  readonly subscription: string;
  readonly resourceGroup: string;
  readonly provider: string;
  readonly type: string;
  readonly name: string;
  readonly child?: { readonly type: string; readonly name: string };
}

const RESOURCE_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)(?:\/([^/]+)\/([^/]+))?$/i;

export function parseResourceId(id: string): ResourceId | undefined {
  const match = RESOURCE_ID.exec(id);
  if (!match) return undefined;
  const [, subscription = "", resourceGroup = "", provider = "", type = "", name = "", childType, childName] =
    match;
  return {
    subscription,
    resourceGroup,
    provider,
    type,
    name,
    ...(childType !== undefined && childName !== undefined
      ? { child: { type: childType, name: childName } }
      : {}),
  };
}

export function resourceId(subscription: string, resourceGroup: string, type: string, name: string): string {
  return `/subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/${type}/${name}`;
}

/** ARM ids compare case-insensitively. */
export function sameResource(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}
