import type { ArmResource } from "../../../support/arm-fake.js";

/** ARM resources on the wire (properties nested), to seed the ARM fake with. */

export const SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";
export const RESOURCE_GROUP = "rg-app";
export const LOCATION = "westeurope";

export function networkId(type: string, name: string, resourceGroup = RESOURCE_GROUP): string {
  return `/subscriptions/${SUBSCRIPTION}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/${type}/${name}`;
}

export function vmId(name: string): string {
  return `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Compute/virtualMachines/${name}`;
}

export const SUBNET_ID = `${networkId("virtualNetworks", "vnet-1")}/subnets/default`;

export function wireVm(
  name: string,
  power: "running" | "deallocated",
  nicNames: readonly string[],
): ArmResource {
  return {
    id: vmId(name),
    name,
    type: "Microsoft.Compute/virtualMachines",
    location: LOCATION,
    tags: { app: name },
    properties: {
      vmId: `${name}-guid`,
      hardwareProfile: { vmSize: "Standard_B1s" },
      networkProfile: {
        networkInterfaces: nicNames.map((nic, index) => ({
          id: networkId("networkInterfaces", nic),
          properties: { primary: index === 0 },
        })),
      },
      provisioningState: "Succeeded",
      instanceView: {
        statuses: [
          { code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded" },
          { code: `PowerState/${power}`, level: "Info", displayStatus: `VM ${power}` },
        ],
      },
    },
  };
}

export function wireNic(
  name: string,
  extra: Record<string, unknown> = {},
  ipConfigurationExtra: Record<string, unknown> = {},
): ArmResource {
  const id = networkId("networkInterfaces", name);
  return {
    id,
    name,
    type: "Microsoft.Network/networkInterfaces",
    location: LOCATION,
    tags: {},
    etag: `W/"${name}-etag-1"`,
    properties: {
      provisioningState: "Succeeded",
      primary: true,
      macAddress: "00-0D-3A-00-00-01",
      virtualMachine: { id: vmId(`vm-${name}`) },
      ipConfigurations: [
        {
          id: `${id}/ipConfigurations/ipconfig1`,
          name: "ipconfig1",
          properties: {
            privateIPAddress: "10.0.0.4",
            privateIPAllocationMethod: "Static",
            primary: true,
            subnet: { id: SUBNET_ID },
            publicIPAddress: { id: networkId("publicIPAddresses", `${name}-pip`) },
            ...ipConfigurationExtra,
          },
        },
      ],
      ...extra,
    },
  };
}

export function wireNsg(
  name: string,
  rules: readonly { name: string; priority: number }[] = [],
): ArmResource {
  const id = networkId("networkSecurityGroups", name);
  return {
    id,
    name,
    type: "Microsoft.Network/networkSecurityGroups",
    location: LOCATION,
    tags: { owner: "team" },
    etag: `W/"${name}-etag-1"`,
    properties: {
      provisioningState: "Succeeded",
      securityRules: rules.map((rule) => ({
        id: `${id}/securityRules/${rule.name}`,
        name: rule.name,
        properties: {
          priority: rule.priority,
          direction: "Inbound",
          access: "Allow",
          protocol: "Tcp",
          sourceAddressPrefix: "10.0.0.0/8",
          sourcePortRange: "*",
          destinationAddressPrefix: "*",
          destinationPortRange: "22",
        },
      })),
      defaultSecurityRules: [],
    },
  };
}

export function wireAsg(name: string): ArmResource {
  return {
    id: networkId("applicationSecurityGroups", name),
    name,
    type: "Microsoft.Network/applicationSecurityGroups",
    location: LOCATION,
    tags: { "segsync-managed": "true" },
    properties: { provisioningState: "Succeeded" },
  };
}

export function wirePublicIp(name: string, ipAddress: string): ArmResource {
  return {
    id: networkId("publicIPAddresses", name),
    name,
    type: "Microsoft.Network/publicIPAddresses",
    location: LOCATION,
    properties: { ipAddress, publicIPAllocationMethod: "Static" },
  };
}
