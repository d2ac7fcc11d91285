import { createHash } from "node:crypto";
import type { AzureQuotas } from "../../../lib/clouds/azure/config.js";
import {
  type ApplicationSecurityGroup,
  type AzureSubscriptionState,
  type NetworkInterface,
  type NetworkSecurityGroup,
  type PublicIPAddress,
  parseResourceId,
  resourceId,
  sameResource,
  type VirtualMachine,
} from "../../../lib/clouds/azure/model.js";
import { compareText } from "../../../lib/util/compare-text.js";
import { type IndexEntry, IndexedTable } from "../common/indexed-table.js";
import { fail } from "./failures.js";

/** A VNet as the simulator needs it: AzureApi never reads VNets, so this is not a model.ts shape. */
export interface SimVirtualNetwork {
  readonly id: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  /** Unknown for a VNet inferred from a starting state's NICs. */
  readonly addressPrefix?: string;
}

/** Every simulated subnet is a VNet's `default` subnet. */
export const DEFAULT_SUBNET = "default";

/** ARM ids compare case-insensitively: every map is keyed by the lowercased id. */
export function key(id: string): string {
  return id.toLowerCase();
}

/**
 * The key of the VNet a subnet id names (whether or not that VNet exists), or undefined when the
 * id is not a VNet's subnet.
 */
function virtualNetworkKeyOfSubnet(subnetId: string): string | undefined {
  const parsed = parseResourceId(subnetId);
  if (parsed?.type.toLowerCase() !== "virtualnetworks" || parsed.child?.type.toLowerCase() !== "subnets") {
    return undefined;
  }
  return key(resourceId(parsed.subscription, parsed.resourceGroup, "virtualNetworks", parsed.name));
}

/**
 * How the checks find NICs without scanning the subscription: by VNet and private address (a VNet
 * is a NIC's primary subnet's), by public IP resource, by ASG with the member's VNet ("" when its
 * subnet names none), by NSG.
 */
type NicIndex = "privateAddress" | "publicAddress" | "member" | "networkSecurityGroup";

function nicIndexers(vnetKeyOf: (subnetId: string) => string | undefined) {
  const vnetOf = (nic: NetworkInterface) => {
    const subnet = nic.ipConfigurations[0]?.subnet.id;
    return subnet === undefined ? undefined : vnetKeyOf(subnet);
  };
  return {
    privateAddress: (nic: NetworkInterface): IndexEntry[] => {
      const vnet = vnetOf(nic);
      return vnet === undefined ? [] : nic.ipConfigurations.map((c) => [vnet, c.privateIPAddress] as const);
    },
    publicAddress: (nic: NetworkInterface): IndexEntry[] =>
      nic.ipConfigurations.flatMap((c) =>
        c.publicIPAddress === undefined ? [] : [[key(c.publicIPAddress.id), ""] as const],
      ),
    member: (nic: NetworkInterface): IndexEntry[] => {
      const vnet = vnetOf(nic) ?? "";
      return nic.ipConfigurations.flatMap((c) =>
        c.applicationSecurityGroups.map((a) => [key(a.id), vnet] as const),
      );
    },
    networkSecurityGroup: (nic: NetworkInterface): IndexEntry[] =>
      nic.networkSecurityGroup === undefined ? [] : [[key(nic.networkSecurityGroup.id), ""]],
  };
}

/**
 * One simulated subscription: its resources in the shapes of model.ts (the NSGs without their
 * read-only `networkInterfaces`, which views derive), lookups by id and by what NICs and public
 * IPs hold, etags and read-only views.
 */
export class ArmStore {
  readonly virtualNetworks = new Map<string, SimVirtualNetwork>();
  readonly virtualMachines = new Map<string, VirtualMachine>();
  /** By a subnet id as written: the key of its VNet (parsing ids was most of a NIC check's time). */
  private readonly subnetVnets = new Map<string, string | undefined>();
  readonly networkInterfaces = new IndexedTable<NetworkInterface, NicIndex>(
    nicIndexers((subnetId) => this.virtualNetworkKeyOf(subnetId)),
  );
  readonly publicIPAddresses = new IndexedTable<PublicIPAddress, "address">({
    address: (address) => (address.ipAddress === undefined ? [] : [[address.ipAddress, ""]]),
  });
  readonly networkSecurityGroups = new Map<string, NetworkSecurityGroup>();
  readonly applicationSecurityGroups = new Map<string, ApplicationSecurityGroup>();
  private etagCount = 0;

  constructor(
    readonly subscription: string,
    readonly quotas: AzureQuotas,
  ) {}

  /** ARM's weak etags: deterministic here, so that test runs repeat, and new on every write. */
  newEtag(): string {
    this.etagCount += 1;
    const hex = createHash("sha256").update(`${this.subscription}/${this.etagCount}`).digest("hex");
    const guid = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)];
    return `W/"${guid.join("-")}"`;
  }

  networkResourceId(type: string, resourceGroup: string, name: string): string {
    return resourceId(this.subscription, resourceGroup, type, name);
  }

  virtualMachineId(resourceGroup: string, name: string): string {
    return `/subscriptions/${this.subscription}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/virtualMachines/${name}`;
  }

  subnetId(vnet: SimVirtualNetwork): string {
    return `${vnet.id}/subnets/${DEFAULT_SUBNET}`;
  }

  /** The VNet that a subnet id names, when it is a subnet of a VNet of this subscription. */
  virtualNetworkOfSubnet(subnetId: string): SimVirtualNetwork | undefined {
    const vnetKey = this.virtualNetworkKeyOf(subnetId);
    return vnetKey === undefined ? undefined : this.virtualNetworks.get(vnetKey);
  }

  /** The key of the VNet a subnet id names, whether or not that VNet exists. */
  private virtualNetworkKeyOf(subnetId: string): string | undefined {
    if (!this.subnetVnets.has(subnetId)) this.subnetVnets.set(subnetId, virtualNetworkKeyOfSubnet(subnetId));
    return this.subnetVnets.get(subnetId);
  }

  virtualNetworkOfNic(nic: NetworkInterface): SimVirtualNetwork | undefined {
    const subnet = nic.ipConfigurations[0]?.subnet.id;
    return subnet === undefined ? undefined : this.virtualNetworkOfSubnet(subnet);
  }

  virtualMachine(resourceGroup: string, name: string): VirtualMachine | undefined {
    return this.virtualMachines.get(key(this.virtualMachineId(resourceGroup, name)));
  }

  /** A VM's NICs in its network profile's order. */
  nicsOf(vm: VirtualMachine): NetworkInterface[] {
    return vm.networkProfile.networkInterfaces.flatMap((ref) => {
      const nic = this.networkInterfaces.get(key(ref.id));
      return nic === undefined ? [] : [nic];
    });
  }

  /** NICs other than `except` whose IP configurations are members of the ASG, in the order the store holds them. */
  membersOf(asgId: string, except?: string): NetworkInterface[] {
    return this.networkInterfaces
      .valuesIn("member", key(asgId))
      .filter((nic) => !sameResource(nic.id, except));
  }

  /**
   * The keys of the existing VNets that the ASG's members other than `except` are in: what the
   * one-VNet checks need, without reading every member.
   */
  memberVirtualNetworks(asgId: string, except?: string): string[] {
    const exceptKey = except === undefined ? undefined : key(except);
    // Counted, not read: an ASG may have thousands of members, and every NIC PUT asks.
    const othersThanExcept = (nics: ReadonlySet<string>) =>
      nics.size - (exceptKey !== undefined && nics.has(exceptKey) ? 1 : 0);
    return [...this.networkInterfaces.items("member", key(asgId))]
      .filter(([vnet, nics]) => this.virtualNetworks.has(vnet) && othersThanExcept(nics) > 0)
      .map(([vnet]) => vnet);
  }

  /** The NICs other than `except` that hold this private address in this VNet, in the order the store holds them. */
  privateAddressHolders(vnetId: string, address: string, except?: string): NetworkInterface[] {
    const holders = this.networkInterfaces.keysAt("privateAddress", key(vnetId), address);
    const exceptKey = except === undefined ? undefined : key(except);
    return this.networkInterfaces.inOrder([...holders].filter((nic) => nic !== exceptKey));
  }

  /** The NICs associated with the NSG. */
  nsgUsers(nsgId: string): NetworkInterface[] {
    return this.networkInterfaces.valuesIn("networkSecurityGroup", key(nsgId));
  }

  nsgView(nsg: NetworkSecurityGroup): NetworkSecurityGroup {
    const associated = sortById(this.nsgUsers(nsg.id)).map((nic) => ({ id: nic.id }));
    return structuredClone(associated.length === 0 ? nsg : { ...nsg, networkInterfaces: associated });
  }

  /** Everything, each list sorted by id (ignoring case): a deep copy. */
  state(): AzureSubscriptionState {
    return {
      subscription: this.subscription,
      virtualMachines: structuredClone(sortById([...this.virtualMachines.values()])),
      networkInterfaces: structuredClone(sortById([...this.networkInterfaces.values()])),
      networkSecurityGroups: sortById([...this.networkSecurityGroups.values()]).map((nsg) =>
        this.nsgView(nsg),
      ),
      applicationSecurityGroups: structuredClone(sortById([...this.applicationSecurityGroups.values()])),
      publicIPAddresses: structuredClone(sortById([...this.publicIPAddresses.values()])),
    };
  }
}

export function sortById<T extends { readonly id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => compareText(key(a.id), key(b.id)) || compareText(a.id, b.id));
}

/**
 * If-Match as ARM applies it: absent, anything goes; `*`, the resource must exist; otherwise its
 * etag must be the one sent (a PUT with an etag never creates).
 */
export function checkIfMatch(id: string, current: string | undefined, ifMatch: string | undefined): void {
  if (ifMatch === undefined) return;
  if (current === undefined || (ifMatch !== "*" && ifMatch !== current)) throw fail.preconditionFailed(id);
}
