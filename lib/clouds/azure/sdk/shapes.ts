import type {
  InstanceViewStatus as SdkInstanceViewStatus,
  VirtualMachine as SdkVirtualMachine,
} from "@azure/arm-compute";
import type {
  ApplicationSecurityGroup as SdkApplicationSecurityGroup,
  NetworkInterfaceIPConfiguration as SdkIpConfiguration,
  NetworkInterface as SdkNetworkInterface,
  NetworkSecurityGroup as SdkNetworkSecurityGroup,
  PublicIPAddress as SdkPublicIPAddress,
  SecurityRule as SdkSecurityRule,
  VirtualNetwork as SdkVirtualNetwork,
} from "@azure/arm-network";
import { AzureApiError } from "../errors.js";
import {
  type ApplicationSecurityGroup,
  type IpConfiguration,
  type NetworkInterface,
  type NetworkSecurityGroup,
  type PublicIPAddress,
  parseResourceId,
  type SecurityRule,
  type SubResource,
  type VirtualMachine,
  type VirtualNetwork,
} from "../model.js";
import { canonicalProtocol } from "../protocols.js";

/**
 * SDK objects ↔ model.ts. The SDK already flattens `properties` as `az … show` does; this keeps
 * the subset segsync uses, leaves out what ARM did not send, and checks what the model requires.
 */

function malformed(what: string, field: string): AzureApiError {
  return new AzureApiError(`ARM returned ${what} without ${field}`, "MalformedResponse", 0);
}

interface Tracked {
  readonly id?: string;
  readonly name?: string;
  readonly location?: string;
}

/** id, name, location and the resource group parsed from the id. */
function identity(resource: Tracked, what: string) {
  const id = resource.id;
  if (id === undefined) throw malformed(what, "an id");
  const parsed = parseResourceId(id);
  if (parsed === undefined) throw malformed(`${what} ${id}`, "a resource group in its id");
  return {
    id,
    name: resource.name ?? parsed.name,
    location: resource.location ?? "",
    resourceGroup: parsed.resourceGroup,
  };
}

function subResource(reference: { readonly id?: string }, what: string): SubResource {
  if (reference.id === undefined) throw malformed(what, "an id");
  return { id: reference.id };
}

function subResources(
  references: readonly { readonly id?: string }[] | undefined,
  what: string,
): SubResource[] {
  return (references ?? []).map((reference) => subResource(reference, what));
}

/** Only the fields that are there: `{ field: value }` or `{}`. */
function present<K extends string, V>(key: K, value: V | undefined | null): { [P in K]?: V } {
  return (value === undefined || value === null ? {} : { [key]: value }) as { [P in K]?: V };
}

export function toSecurityRule(rule: SdkSecurityRule): SecurityRule {
  const what = `security rule ${rule.name ?? rule.id ?? "(unnamed)"}`;
  if (rule.name === undefined) throw malformed(what, "a name");
  if (rule.priority === undefined) throw malformed(what, "a priority");
  if (rule.direction !== "Inbound" && rule.direction !== "Outbound") throw malformed(what, "a direction");
  if (rule.access !== "Allow" && rule.access !== "Deny") throw malformed(what, "an access");
  const protocol = rule.protocol === undefined ? undefined : canonicalProtocol(rule.protocol);
  if (protocol === undefined) throw malformed(what, "a known protocol");
  const asgs = (references: SdkSecurityRule["sourceApplicationSecurityGroups"]) =>
    references === undefined ? undefined : subResources(references, `an ASG of ${what}`);
  return {
    name: rule.name,
    priority: rule.priority,
    direction: rule.direction,
    access: rule.access,
    protocol,
    ...present("description", rule.description),
    ...present("sourcePortRange", rule.sourcePortRange),
    ...present("sourcePortRanges", rule.sourcePortRanges && [...rule.sourcePortRanges]),
    ...present("sourceAddressPrefix", rule.sourceAddressPrefix),
    ...present("sourceAddressPrefixes", rule.sourceAddressPrefixes && [...rule.sourceAddressPrefixes]),
    ...present("sourceApplicationSecurityGroups", asgs(rule.sourceApplicationSecurityGroups)),
    ...present("destinationAddressPrefix", rule.destinationAddressPrefix),
    ...present(
      "destinationAddressPrefixes",
      rule.destinationAddressPrefixes && [...rule.destinationAddressPrefixes],
    ),
    ...present("destinationApplicationSecurityGroups", asgs(rule.destinationApplicationSecurityGroups)),
    ...present("destinationPortRange", rule.destinationPortRange),
    ...present("destinationPortRanges", rule.destinationPortRanges && [...rule.destinationPortRanges]),
  };
}

/** A rule as the NSG PUT sends it: ARM assigns ids and etags. */
export function toSdkSecurityRule(rule: SecurityRule): SdkSecurityRule {
  const asgs = (references: readonly SubResource[] | undefined) =>
    references?.map((reference) => ({ id: reference.id }));
  return {
    name: rule.name,
    priority: rule.priority,
    direction: rule.direction,
    access: rule.access,
    protocol: rule.protocol,
    ...present("description", rule.description),
    ...present("sourcePortRange", rule.sourcePortRange),
    ...present("sourcePortRanges", rule.sourcePortRanges && [...rule.sourcePortRanges]),
    ...present("sourceAddressPrefix", rule.sourceAddressPrefix),
    ...present("sourceAddressPrefixes", rule.sourceAddressPrefixes && [...rule.sourceAddressPrefixes]),
    ...present("sourceApplicationSecurityGroups", asgs(rule.sourceApplicationSecurityGroups)),
    ...present("destinationAddressPrefix", rule.destinationAddressPrefix),
    ...present(
      "destinationAddressPrefixes",
      rule.destinationAddressPrefixes && [...rule.destinationAddressPrefixes],
    ),
    ...present("destinationApplicationSecurityGroups", asgs(rule.destinationApplicationSecurityGroups)),
    ...present("destinationPortRange", rule.destinationPortRange),
    ...present("destinationPortRanges", rule.destinationPortRanges && [...rule.destinationPortRanges]),
  };
}

export function toNetworkSecurityGroup(nsg: SdkNetworkSecurityGroup): NetworkSecurityGroup {
  const base = identity(nsg, "a network security group");
  return {
    ...base,
    ...present("etag", nsg.etag),
    tags: { ...nsg.tags },
    ...present("flushConnection", nsg.flushConnection),
    securityRules: (nsg.securityRules ?? []).map(toSecurityRule),
    defaultSecurityRules: (nsg.defaultSecurityRules ?? []).map(toSecurityRule),
    ...present(
      "networkInterfaces",
      nsg.networkInterfaces && subResources(nsg.networkInterfaces, `a NIC of NSG ${base.id}`),
    ),
  };
}

export function toApplicationSecurityGroup(asg: SdkApplicationSecurityGroup): ApplicationSecurityGroup {
  return { ...identity(asg, "an application security group"), tags: { ...asg.tags } };
}

export function toVirtualNetwork(vnet: SdkVirtualNetwork): VirtualNetwork {
  return {
    ...identity(vnet, "a virtual network"),
    addressPrefixes: [...(vnet.addressSpace?.addressPrefixes ?? [])],
  };
}

export function toPublicIPAddress(address: SdkPublicIPAddress): PublicIPAddress {
  return { ...identity(address, "a public IP address"), ...present("ipAddress", address.ipAddress) };
}

function toIpConfiguration(configuration: SdkIpConfiguration, nicId: string): IpConfiguration {
  const what = `IP configuration ${configuration.name ?? "(unnamed)"} of NIC ${nicId}`;
  if (configuration.name === undefined) throw malformed(`an IP configuration of NIC ${nicId}`, "a name");
  if (configuration.subnet === undefined) throw malformed(what, "a subnet");
  return {
    name: configuration.name,
    primary: configuration.primary ?? false,
    // Empty while ARM has not allocated a dynamic address.
    privateIPAddress: configuration.privateIPAddress ?? "",
    subnet: subResource(configuration.subnet, `the subnet of ${what}`),
    ...present(
      "publicIPAddress",
      configuration.publicIPAddress && subResource(configuration.publicIPAddress, `the public IP of ${what}`),
    ),
    applicationSecurityGroups: subResources(configuration.applicationSecurityGroups, `an ASG of ${what}`),
  };
}

export function toNetworkInterface(nic: SdkNetworkInterface): NetworkInterface {
  const base = identity(nic, "a network interface");
  return {
    ...base,
    ...present("etag", nic.etag),
    tags: { ...nic.tags },
    ...present(
      "virtualMachine",
      nic.virtualMachine && subResource(nic.virtualMachine, `the VM of ${base.id}`),
    ),
    ...present(
      "networkSecurityGroup",
      nic.networkSecurityGroup && subResource(nic.networkSecurityGroup, `the NSG of ${base.id}`),
    ),
    ...present("primary", nic.primary),
    ipConfigurations: (nic.ipConfigurations ?? []).map((configuration) =>
      toIpConfiguration(configuration, base.id),
    ),
  };
}

/**
 * The NIC as ARM last returned it, with what segsync changes on a NIC replaced from `wanted`: its
 * NSG association, the ASG memberships of its IP configurations and its tags. Everything else
 * (load balancer pools, DNS, accelerated networking, allocation methods…) is sent back as read,
 * since a PUT drops whatever it leaves out.
 */
export function withSegsyncChanges(
  current: SdkNetworkInterface,
  wanted: NetworkInterface,
): SdkNetworkInterface {
  const wantedConfigurations = new Map(
    wanted.ipConfigurations.map((configuration) => [configuration.name.toLowerCase(), configuration]),
  );
  return {
    ...current,
    tags: { ...wanted.tags },
    networkSecurityGroup:
      wanted.networkSecurityGroup === undefined ? undefined : { id: wanted.networkSecurityGroup.id },
    ipConfigurations: current.ipConfigurations?.map((configuration) => {
      const match = wantedConfigurations.get((configuration.name ?? "").toLowerCase());
      if (match === undefined) return configuration;
      return {
        ...configuration,
        applicationSecurityGroups: match.applicationSecurityGroups.map(({ id }) => ({ id })),
      };
    }),
  };
}

/**
 * As `az vm show -d` prints it: the displayStatus of the `PowerState/…` status ("VM running",
 * "VM deallocated", …), built from the code when ARM sends no displayStatus; "" when there is none.
 */
export function powerState(statuses: readonly SdkInstanceViewStatus[] | undefined): string {
  const status = statuses?.find((candidate) => candidate.code?.toLowerCase().startsWith("powerstate/"));
  if (status?.code === undefined) return "";
  return status.displayStatus ?? `VM ${status.code.slice("PowerState/".length)}`;
}

export function toVirtualMachine(
  vm: SdkVirtualMachine,
  statuses: readonly SdkInstanceViewStatus[] | undefined,
): VirtualMachine {
  const base = identity(vm, "a virtual machine");
  return {
    ...base,
    tags: { ...vm.tags },
    powerState: powerState(statuses),
    networkProfile: {
      networkInterfaces: (vm.networkProfile?.networkInterfaces ?? []).map((reference) => ({
        ...subResource(reference, `a NIC of VM ${base.id}`),
        ...present("primary", reference.primary),
      })),
    },
  };
}
