import type { SecurityRule } from "../../lib/clouds/azure/model.js";
import { SimulatedArm } from "../../sim/clouds/azure/api.js";

/**
 * The subscription every seeded implementation of the Azure API contract starts from: three VNets
 * (two in eastus, one in westus), five VMs (one deallocated, one with a secondary NIC), three
 * public IPs, three customer NSGs (one associated with a NIC), no ASG. More of each than one page
 * of the ARM fake.
 */
export const SUBSCRIPTION = "5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";
export const SEGSYNC_GROUP = "rg-segsync";

const subscriptionPath = `/subscriptions/${SUBSCRIPTION}`;
export const networkId = (type: string, resourceGroup: string, name: string) =>
  `${subscriptionPath}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/${type}/${name}`;
export const vmId = (resourceGroup: string, name: string) =>
  `${subscriptionPath}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/virtualMachines/${name}`;
export const PROD_SUBNET = `${networkId("virtualNetworks", "rg-net", "vnet-prod")}/subnets/default`;
export const CUSTOMER_NSG = networkId("networkSecurityGroups", "rg-net", "nsg-customer");

/** An inbound TCP allow rule from one prefix. */
export function allowRule(name: string, priority: number, extra: Partial<SecurityRule> = {}): SecurityRule {
  return {
    name,
    priority,
    direction: "Inbound",
    access: "Allow",
    protocol: "Tcp",
    sourceAddressPrefix: "10.9.0.0/24",
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    destinationPortRange: "443",
    ...extra,
  };
}

/** The contract's starting subscription, built with the simulator's controls (not AzureApi calls). */
export function buildContractEstate(): SimulatedArm {
  const sim = SimulatedArm.empty(SUBSCRIPTION);
  sim.createVirtualNetwork({
    resourceGroup: "rg-net",
    name: "vnet-prod",
    location: "eastus",
    addressPrefix: "10.2.0.0/16",
  });
  sim.createVirtualNetwork({
    resourceGroup: "rg-net",
    name: "vnet-batch",
    location: "eastus",
    addressPrefix: "10.4.0.0/16",
  });
  sim.createVirtualNetwork({
    resourceGroup: "rg-west",
    name: "vnet-west",
    location: "westus",
    addressPrefix: "10.3.0.0/16",
  });
  sim.createNetworkSecurityGroup({
    resourceGroup: "rg-net",
    name: "nsg-customer",
    location: "eastus",
    tags: { owner: "network-team" },
    securityRules: [allowRule("allow-ssh", 300, { destinationPortRange: "22" })],
  });
  for (const name of ["nsg-spare-a", "nsg-spare-b"]) {
    sim.createNetworkSecurityGroup({ resourceGroup: "rg-net", name, location: "eastus" });
  }
  const prod = { resourceGroup: "rg-net", name: "vnet-prod" };
  sim.createVm({
    resourceGroup: "rg-shop",
    name: "vm-web-1",
    location: "eastus",
    vnet: prod,
    privateIp: "10.2.0.11",
    publicIp: "20.0.0.11",
    tags: { "seg-app": "shop" },
    networkSecurityGroupId: CUSTOMER_NSG,
  });
  sim.createVm({
    resourceGroup: "rg-shop",
    name: "vm-web-2",
    location: "eastus",
    vnet: prod,
    privateIp: "10.2.0.12",
    tags: { "seg-app": "shop" },
  });
  sim.setPowerState("rg-shop", "vm-web-2", "VM deallocated");
  sim.createVm({
    resourceGroup: "rg-data",
    name: "vm-db-1",
    location: "eastus",
    vnet: prod,
    privateIp: "10.2.0.21",
    publicIp: "20.0.0.21",
    tags: { "seg-app": "db" },
  });
  sim.addNetworkInterface("rg-data", "vm-db-1", { privateIp: "10.2.0.22" });
  sim.createVm({
    resourceGroup: "rg-batch",
    name: "vm-batch-1",
    location: "eastus",
    vnet: { resourceGroup: "rg-net", name: "vnet-batch" },
    privateIp: "10.4.0.11",
    tags: { "seg-app": "batch" },
  });
  sim.createVm({
    resourceGroup: "rg-west",
    name: "vm-west-1",
    location: "westus",
    vnet: { resourceGroup: "rg-west", name: "vnet-west" },
    privateIp: "10.3.0.11",
    publicIp: "20.0.1.11",
    tags: {},
  });
  return sim;
}
