import type {
  AzureSubscriptionState,
  NetworkInterface,
  NetworkSecurityGroup,
  SecurityRule,
  VirtualMachine,
} from "../../lib/clouds/azure/model.js";
import { type ArmResource, defaultSecurityRules, RULE_LISTS } from "./arm-fake-resources.js";

/**
 * A subscription in model.ts's shapes (as the simulator prints it) turned into the ARM resources
 * that would read back as it, to seed the ARM fake with: `properties` nested, instance views
 * holding the power state, VNets with their address space and `default` subnet.
 */

export interface SeedVirtualNetwork {
  readonly id: string;
  readonly name: string;
  readonly location: string;
  readonly addressPrefix?: string;
}

const NETWORK = "Microsoft.Network";

function securityRule(nsgId: string, rule: SecurityRule): ArmResource {
  const { name, ...properties } = rule;
  return {
    id: `${nsgId}/securityRules/${name}`,
    name,
    type: `${NETWORK}/networkSecurityGroups/securityRules`,
    properties: { ...RULE_LISTS, ...properties, provisioningState: "Succeeded" },
  };
}

function networkSecurityGroup(nsg: NetworkSecurityGroup): ArmResource {
  return {
    id: nsg.id,
    name: nsg.name,
    type: `${NETWORK}/networkSecurityGroups`,
    location: nsg.location,
    tags: { ...nsg.tags },
    ...(nsg.etag === undefined ? {} : { etag: nsg.etag }),
    properties: {
      provisioningState: "Succeeded",
      ...(nsg.flushConnection === undefined ? {} : { flushConnection: nsg.flushConnection }),
      securityRules: nsg.securityRules.map((rule) => securityRule(nsg.id, rule)),
      defaultSecurityRules: defaultSecurityRules(nsg.id),
    },
  };
}

function networkInterface(nic: NetworkInterface): ArmResource {
  return {
    id: nic.id,
    name: nic.name,
    type: `${NETWORK}/networkInterfaces`,
    location: nic.location,
    tags: { ...nic.tags },
    ...(nic.etag === undefined ? {} : { etag: nic.etag }),
    properties: {
      provisioningState: "Succeeded",
      ...(nic.primary === undefined ? {} : { primary: nic.primary }),
      ...(nic.virtualMachine === undefined ? {} : { virtualMachine: { ...nic.virtualMachine } }),
      ...(nic.networkSecurityGroup === undefined
        ? {}
        : { networkSecurityGroup: { ...nic.networkSecurityGroup } }),
      ipConfigurations: nic.ipConfigurations.map(({ name, ...properties }) => ({
        id: `${nic.id}/ipConfigurations/${name}`,
        name,
        properties: { ...structuredClone(properties), privateIPAllocationMethod: "Static" },
      })),
    },
  };
}

function virtualMachine(vm: VirtualMachine): ArmResource {
  const power = vm.powerState.replace(/^VM /, "");
  return {
    id: vm.id,
    name: vm.name,
    type: "Microsoft.Compute/virtualMachines",
    location: vm.location,
    tags: { ...vm.tags },
    properties: {
      provisioningState: "Succeeded",
      networkProfile: {
        networkInterfaces: vm.networkProfile.networkInterfaces.map(({ id, primary }) => ({
          id,
          ...(primary === undefined ? {} : { properties: { primary } }),
        })),
      },
      instanceView: {
        statuses: [
          { code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded" },
          { code: `PowerState/${power}`, level: "Info", displayStatus: vm.powerState },
        ],
      },
    },
  };
}

function virtualNetwork(vnet: SeedVirtualNetwork): ArmResource {
  const prefixes = vnet.addressPrefix === undefined ? [] : [vnet.addressPrefix];
  return {
    id: vnet.id,
    name: vnet.name,
    type: `${NETWORK}/virtualNetworks`,
    location: vnet.location,
    tags: {},
    properties: {
      provisioningState: "Succeeded",
      addressSpace: { addressPrefixes: prefixes },
      subnets: [
        {
          id: `${vnet.id}/subnets/default`,
          name: "default",
          properties: { addressPrefix: prefixes[0] },
        },
      ],
    },
  };
}

export function armResourcesOf(
  state: AzureSubscriptionState,
  vnets: readonly SeedVirtualNetwork[],
): ArmResource[] {
  return [
    ...vnets.map(virtualNetwork),
    ...state.virtualMachines.map(virtualMachine),
    ...state.networkInterfaces.map(networkInterface),
    ...state.networkSecurityGroups.map(networkSecurityGroup),
    ...state.applicationSecurityGroups.map((asg) => ({
      id: asg.id,
      name: asg.name,
      type: `${NETWORK}/applicationSecurityGroups`,
      location: asg.location,
      tags: { ...asg.tags },
      properties: { provisioningState: "Succeeded" },
    })),
    ...state.publicIPAddresses.map((address) => ({
      id: address.id,
      name: address.name,
      type: `${NETWORK}/publicIPAddresses`,
      location: address.location,
      properties: {
        provisioningState: "Succeeded",
        publicIPAllocationMethod: "Static",
        ...(address.ipAddress === undefined ? {} : { ipAddress: address.ipAddress }),
      },
    })),
  ];
}
