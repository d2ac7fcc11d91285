import type { IpConfiguration, NetworkInterface } from "../../../lib/clouds/azure/model.js";
import { cidrContains, parseCidr } from "../../../lib/net/cidr.js";
import { fail } from "./failures.js";
import { checkName, checkSameLocation, checkTags, normalizeLocation } from "./names.js";
import { type ArmStore, checkIfMatch, key, type SimVirtualNetwork } from "./store.js";

/**
 * A NIC PUT (putNetworkInterface): the whole NIC as read, with what segsync changes (its NSG, its
 * ASG memberships, its tags). `virtualMachine` and `primary` are read-only and keep ARM's values.
 * It replaces a NIC that exists: the SDK adapter reads the NIC first, so a NIC gone since it was
 * read is ARM's 404 (AzureNotFoundError), whatever the If-Match.
 */
export function putNetworkInterface(
  store: ArmStore,
  body: NetworkInterface,
  ifMatch?: string,
): NetworkInterface {
  checkName("resourceGroup", body.resourceGroup, "Resource group");
  checkName("network", body.name, "Network interface");
  const id = store.networkResourceId("networkInterfaces", body.resourceGroup, body.name);
  const existing = store.networkInterfaces.get(key(id));
  if (existing === undefined) {
    throw fail.notFound(
      `The Resource 'Microsoft.Network/networkInterfaces/${body.name}' under resource group '${body.resourceGroup}' was not found.`,
    );
  }
  checkIfMatch(id, existing.etag, ifMatch);
  const location = normalizeLocation(body.location);
  checkSameLocation(existing.id, existing.location, location);
  const nic: NetworkInterface = {
    id: existing.id,
    name: existing.name,
    location,
    resourceGroup: existing.resourceGroup,
    tags: { ...body.tags },
    ...(existing.virtualMachine === undefined ? {} : { virtualMachine: { id: existing.virtualMachine.id } }),
    ...(body.networkSecurityGroup === undefined
      ? {}
      : { networkSecurityGroup: { id: body.networkSecurityGroup.id } }),
    ...(existing.primary === undefined ? {} : { primary: existing.primary }),
    ipConfigurations: structuredClone(body.ipConfigurations) as IpConfiguration[],
  };
  checkNetworkInterface(store, nic);
  const written = { ...nic, etag: store.newEtag() };
  store.networkInterfaces.set(key(nic.id), written);
  return structuredClone(written);
}

/**
 * What ARM checks on a NIC: tags; IP configurations (one primary, unique names, subnets of one
 * VNet of the NIC's region, free private and public addresses); ASG memberships (existing, same
 * region, at most the quota per IP configuration, the same set on every IP configuration, and
 * each ASG's members in one VNet: the first member decides); the NSG (existing, same region).
 */
export function checkNetworkInterface(store: ArmStore, nic: NetworkInterface): void {
  checkTags(nic.tags);
  const configurations = nic.ipConfigurations;
  if (configurations.length === 0) {
    throw fail.invalid("NetworkInterfaceWithoutIpConfiguration", `${nic.id} has no IP configuration.`);
  }
  if (configurations.length > 1 && configurations.filter((c) => c.primary).length !== 1) {
    throw fail.invalid("InvalidRequestFormat", `${nic.id} must have exactly one primary IP configuration.`);
  }
  const names = new Set<string>();
  let vnet: SimVirtualNetwork | undefined;
  for (const configuration of configurations) {
    checkName("network", configuration.name, "IP configuration");
    if (names.has(configuration.name.toLowerCase())) {
      throw fail.invalid(
        "DuplicateResourceName",
        `IP configuration name '${configuration.name}' is used twice in ${nic.id}.`,
      );
    }
    names.add(configuration.name.toLowerCase());
    const own = store.virtualNetworkOfSubnet(configuration.subnet.id);
    if (own === undefined || own.location !== nic.location)
      throw fail.reference(configuration.subnet.id, nic.id);
    if (vnet !== undefined && key(vnet.id) !== key(own.id)) {
      throw fail.invalid(
        "IpConfigurationsInDifferentVirtualNetworks",
        `The IP configurations of ${nic.id} are in different virtual networks.`,
      );
    }
    vnet = own;
    checkPrivateAddress(store, nic, own, configuration.privateIPAddress);
    checkPublicAddress(store, nic, configuration);
    checkMemberships(store, nic, own, configuration);
  }
  const sets = new Set(configurations.map((c) => membershipKey(c)));
  if (sets.size > 1) {
    throw fail.invalid(
      "AllIpConfigurationsOnANicMustBelongToTheSameApplicationSecurityGroups",
      `All IPConfigurations on a Network Interface should reference the same set of Application Security Groups (${nic.id}).`,
    );
  }
  const nsgRef = nic.networkSecurityGroup;
  if (nsgRef !== undefined) {
    const nsg = store.networkSecurityGroups.get(key(nsgRef.id));
    if (nsg === undefined || nsg.location !== nic.location) throw fail.reference(nsgRef.id, nic.id);
  }
}

function checkPrivateAddress(
  store: ArmStore,
  nic: NetworkInterface,
  vnet: SimVirtualNetwork,
  address: string,
): void {
  const parsed = parseCidr(address);
  if (
    address.includes("/") ||
    !parsed.ok ||
    parsed.cidr.family !== 4 ||
    parsed.cidr.text !== `${address}/32`
  ) {
    throw fail.invalid(
      "InvalidRequestFormat",
      `Private IP address '${address}' of ${nic.id} is not an IPv4 address.`,
    );
  }
  if (vnet.addressPrefix !== undefined && !cidrContains(vnet.addressPrefix, address)) {
    throw fail.invalid(
      "PrivateIPAddressNotInSubnet",
      `Private IP address ${address} is not in the address space ${vnet.addressPrefix} of ${vnet.id}.`,
    );
  }
  const inNic = nic.ipConfigurations.filter((c) => c.privateIPAddress === address).length > 1;
  if (inNic || store.privateAddressHolders(vnet.id, address, nic.id).length > 0) {
    throw fail.invalid("PrivateIPAddressInUse", `IP address ${address} is already in use in ${vnet.id}.`);
  }
}

function checkPublicAddress(store: ArmStore, nic: NetworkInterface, configuration: IpConfiguration): void {
  const ref = configuration.publicIPAddress;
  if (ref === undefined) return;
  const address = store.publicIPAddresses.get(key(ref.id));
  if (address === undefined || address.location !== nic.location) throw fail.reference(ref.id, nic.id);
  const users = store.networkInterfaces.keysAt("publicAddress", key(ref.id));
  const inNic =
    nic.ipConfigurations.filter((c) => key(c.publicIPAddress?.id ?? "") === key(ref.id)).length > 1;
  if (inNic || [...users].some((user) => user !== key(nic.id))) {
    throw fail.invalid(
      "PublicIPAddressInUse",
      `Public IP address ${ref.id} is already used by another IP configuration.`,
    );
  }
}

function checkMemberships(
  store: ArmStore,
  nic: NetworkInterface,
  vnet: SimVirtualNetwork,
  configuration: IpConfiguration,
): void {
  const refs = configuration.applicationSecurityGroups;
  const limit = store.quotas.applicationSecurityGroupsPerIpConfiguration;
  if (refs.length > limit) {
    throw fail.quota(
      "ApplicationSecurityGroupsPerIpConfigurationLimitReached",
      `IP configuration ${configuration.name} of ${nic.id} names ${refs.length} application security groups; the limit is ${limit}.`,
    );
  }
  for (const ref of refs) {
    const asg = store.applicationSecurityGroups.get(key(ref.id));
    if (asg === undefined || asg.location !== nic.location) throw fail.reference(ref.id, nic.id);
    // The index says whether another VNet holds members; the scan, which one comes first.
    const others = store.memberVirtualNetworks(ref.id, nic.id).filter((other) => other !== key(vnet.id));
    if (others.length === 0) continue;
    const elsewhere = store
      .membersOf(ref.id, nic.id)
      .map((member) => store.virtualNetworkOfNic(member))
      .find((memberVnet) => memberVnet !== undefined && key(memberVnet.id) !== key(vnet.id));
    if (elsewhere !== undefined) {
      throw fail.invalid(
        "ApplicationSecurityGroupInDifferentVirtualNetwork",
        `Application security group ${asg.id} has members in ${elsewhere.id}; ${nic.id} is in ${vnet.id}, and an application security group spans one virtual network.`,
      );
    }
  }
}

function membershipKey(configuration: IpConfiguration): string {
  return configuration.applicationSecurityGroups
    .map((ref) => key(ref.id))
    .sort()
    .join(" ");
}
