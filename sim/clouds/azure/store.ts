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
 * One simulated subscription: its resources in the shapes of model.ts (the NSGs without their
 * read-only `networkInterfaces`, which views derive), lookups by id, etags and read-only views.
 */
export class ArmStore {
  readonly virtualNetworks = new Map<string, SimVirtualNetwork>();
  readonly virtualMachines = new Map<string, VirtualMachine>();
  readonly networkInterfaces = new Map<string, NetworkInterface>();
  readonly publicIPAddresses = new Map<string, PublicIPAddress>();
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
    const parsed = parseResourceId(subnetId);
    if (parsed?.type.toLowerCase() !== "virtualnetworks" || parsed.child?.type.toLowerCase() !== "subnets") {
      return undefined;
    }
    const vnetId = resourceId(parsed.subscription, parsed.resourceGroup, "virtualNetworks", parsed.name);
    return this.virtualNetworks.get(key(vnetId));
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

  /** NICs other than `except` whose IP configurations are members of the ASG. */
  membersOf(asgId: string, except?: string): NetworkInterface[] {
    return [...this.networkInterfaces.values()].filter(
      (nic) =>
        !sameResource(nic.id, except) &&
        nic.ipConfigurations.some((c) => c.applicationSecurityGroups.some((a) => sameResource(a.id, asgId))),
    );
  }

  nsgView(nsg: NetworkSecurityGroup): NetworkSecurityGroup {
    const associated = sortById(
      [...this.networkInterfaces.values()].filter((nic) =>
        sameResource(nic.networkSecurityGroup?.id, nsg.id),
      ),
    ).map((nic) => ({ id: nic.id }));
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
