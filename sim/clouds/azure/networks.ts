import type { NetworkSecurityGroup, SecurityRule } from "../../../lib/clouds/azure/model.js";
import { parseCidr } from "../../../lib/net/cidr.js";
import { SimulationInputError } from "./failures.js";
import { checkName, normalizeLocation } from "./names.js";
import { putNetworkSecurityGroup } from "./security-groups.js";
import { type ArmStore, key, type SimVirtualNetwork } from "./store.js";

/** Simulation controls for the network around the VMs: VNets and customers' own NSGs. */

export interface CreateVirtualNetworkInput {
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  /** An IPv4 CIDR; its `default` subnet spans all of it. */
  readonly addressPrefix: string;
}

export function createVirtualNetwork(store: ArmStore, input: CreateVirtualNetworkInput): SimVirtualNetwork {
  checkName("resourceGroup", input.resourceGroup, "Resource group");
  checkName("network", input.name, "Virtual network");
  const parsed = parseCidr(input.addressPrefix);
  if (!parsed.ok || parsed.cidr.family !== 4) {
    throw new SimulationInputError(`address prefix "${input.addressPrefix}" is not an IPv4 CIDR`);
  }
  const id = store.networkResourceId("virtualNetworks", input.resourceGroup, input.name);
  if (store.virtualNetworks.has(key(id)))
    throw new SimulationInputError(`virtual network ${id} already exists`);
  const vnet: SimVirtualNetwork = {
    id,
    resourceGroup: input.resourceGroup,
    name: input.name,
    location: normalizeLocation(input.location),
    addressPrefix: parsed.cidr.text,
  };
  store.virtualNetworks.set(key(id), vnet);
  return vnet;
}

export interface CreateNetworkSecurityGroupInput {
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly securityRules?: readonly SecurityRule[];
}

/** A customer's NSG, checked as an NSG PUT is. */
export function createNetworkSecurityGroup(
  store: ArmStore,
  input: CreateNetworkSecurityGroupInput,
): NetworkSecurityGroup {
  const id = store.networkResourceId("networkSecurityGroups", input.resourceGroup, input.name);
  if (store.networkSecurityGroups.has(key(id))) {
    throw new SimulationInputError(`network security group ${id} already exists`);
  }
  return putNetworkSecurityGroup(store, {
    resourceGroup: input.resourceGroup,
    name: input.name,
    location: input.location,
    tags: input.tags ?? {},
    securityRules: input.securityRules ?? [],
  });
}
