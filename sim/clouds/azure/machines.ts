import type { NetworkInterface, PublicIPAddress, VirtualMachine } from "../../../lib/clouds/azure/model.js";
import { cidrContains, parseCidr } from "../../../lib/net/cidr.js";
import { SimulationInputError } from "./failures.js";
import { checkNetworkInterface } from "./interfaces.js";
import { checkName, checkTags, normalizeLocation } from "./names.js";
import { type ArmStore, key, type SimVirtualNetwork } from "./store.js";

/**
 * What happens to VMs and networks outside segsync: the simulation's controls, not ARM calls made
 * by segsync (neither logged nor throttled). A scenario that could not happen fails with
 * SimulationInputError; what ARM itself would refuse (a NIC and an NSG in different regions, a
 * bad tag) fails with ARM's error, as `az vm create` would.
 */

/** As `az vm show -d` prints it. Deallocating releases dynamic public IPs; stopping (powerOff) keeps them. */
export type SimPowerState =
  | "VM running"
  | "VM starting"
  | "VM stopping"
  | "VM stopped"
  | "VM deallocating"
  | "VM deallocated";

export interface CreateVmInput {
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  readonly vnet: { readonly resourceGroup: string; readonly name: string };
  readonly privateIp: string;
  /** A public IP resource `<name>PublicIP` holding this address (as `az vm create` names it). */
  readonly publicIp?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** A customer NSG for the primary NIC. */
  readonly networkSecurityGroupId?: string;
}

export interface AddNetworkInterfaceInput {
  readonly privateIp: string;
  readonly publicIp?: string;
  readonly networkSecurityGroupId?: string;
}

export interface CreatedVm {
  readonly id: string;
  readonly networkInterfaceId: string;
  readonly publicIPAddressId?: string;
}

/** A running VM with its primary NIC (`<name>VMNic`, IP configuration `ipconfig1`) in the VNet's default subnet. */
export function createVm(store: ArmStore, input: CreateVmInput): CreatedVm {
  checkName("resourceGroup", input.resourceGroup, "Resource group");
  checkName("virtualMachine", input.name, "Virtual machine");
  const location = normalizeLocation(input.location);
  const id = store.virtualMachineId(input.resourceGroup, input.name);
  if (store.virtualMachines.has(key(id)))
    throw new SimulationInputError(`virtual machine ${id} already exists`);
  const vnetId = store.networkResourceId("virtualNetworks", input.vnet.resourceGroup, input.vnet.name);
  const vnet = store.virtualNetworks.get(key(vnetId));
  if (vnet === undefined) {
    throw new SimulationInputError(`virtual network ${vnetId} does not exist: create it first`);
  }
  checkTags(input.tags);
  const nic = addInterface(store, {
    vmId: id,
    resourceGroup: input.resourceGroup,
    name: `${input.name}VMNic`,
    publicIpName: `${input.name}PublicIP`,
    location,
    vnet,
    primary: true,
    privateIp: input.privateIp,
    publicIp: input.publicIp,
    networkSecurityGroupId: input.networkSecurityGroupId,
  });
  const vm: VirtualMachine = {
    id,
    name: input.name,
    location,
    resourceGroup: input.resourceGroup,
    tags: { ...input.tags },
    powerState: "VM running",
    networkProfile: { networkInterfaces: [{ id: nic.id, primary: true }] },
  };
  store.virtualMachines.set(key(id), vm);
  const publicIPAddressId = nic.ipConfigurations[0]?.publicIPAddress?.id;
  return {
    id,
    networkInterfaceId: nic.id,
    ...(publicIPAddressId === undefined ? {} : { publicIPAddressId }),
  };
}

/** A secondary NIC (`<name>VMNic<n>`) in the VM's VNet: Azure puts every NIC of a VM in one VNet. */
export function addNetworkInterface(
  store: ArmStore,
  resourceGroup: string,
  vmName: string,
  input: AddNetworkInterfaceInput,
): { networkInterfaceId: string } {
  const vm = existingVm(store, resourceGroup, vmName);
  const [primary] = store.nicsOf(vm);
  const vnet = primary === undefined ? undefined : store.virtualNetworkOfNic(primary);
  if (vnet === undefined) throw new SimulationInputError(`${vm.id} has no NIC in a known virtual network`);
  const name = `${vm.name}VMNic${vm.networkProfile.networkInterfaces.length + 1}`;
  const nic = addInterface(store, {
    vmId: vm.id,
    resourceGroup: vm.resourceGroup,
    name,
    publicIpName: `${name}PublicIP`,
    location: vm.location,
    vnet,
    primary: false,
    ...input,
  });
  const networkInterfaces = [...vm.networkProfile.networkInterfaces, { id: nic.id, primary: false }];
  store.virtualMachines.set(key(vm.id), { ...vm, networkProfile: { networkInterfaces } });
  return { networkInterfaceId: nic.id };
}

interface InterfaceSpec {
  readonly vmId: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly publicIpName: string;
  readonly location: string;
  readonly vnet: SimVirtualNetwork;
  readonly primary: boolean;
  readonly privateIp: string;
  readonly publicIp?: string | undefined;
  readonly networkSecurityGroupId?: string | undefined;
}

function addInterface(store: ArmStore, spec: InterfaceSpec): NetworkInterface {
  const id = store.networkResourceId("networkInterfaces", spec.resourceGroup, spec.name);
  if (store.networkInterfaces.has(key(id)))
    throw new SimulationInputError(`network interface ${id} already exists`);
  checkScenarioAddresses(store, spec.vnet, spec.privateIp, spec.publicIp);
  let publicAddress: PublicIPAddress | undefined;
  if (spec.publicIp !== undefined) {
    const name = spec.publicIpName;
    const pipId = store.networkResourceId("publicIPAddresses", spec.resourceGroup, name);
    if (store.publicIPAddresses.has(key(pipId))) {
      throw new SimulationInputError(`public IP address ${pipId} already exists`);
    }
    publicAddress = {
      id: pipId,
      name,
      location: spec.location,
      resourceGroup: spec.resourceGroup,
      ipAddress: spec.publicIp,
    };
  }
  const nic: NetworkInterface = {
    id,
    name: spec.name,
    location: spec.location,
    resourceGroup: spec.resourceGroup,
    etag: store.newEtag(),
    tags: {},
    virtualMachine: { id: spec.vmId },
    ...(spec.networkSecurityGroupId === undefined
      ? {}
      : { networkSecurityGroup: { id: spec.networkSecurityGroupId } }),
    primary: spec.primary,
    ipConfigurations: [
      {
        name: "ipconfig1",
        primary: true,
        privateIPAddress: spec.privateIp,
        subnet: { id: store.subnetId(spec.vnet) },
        ...(publicAddress === undefined ? {} : { publicIPAddress: { id: publicAddress.id } }),
        applicationSecurityGroups: [],
      },
    ],
  };
  if (publicAddress !== undefined) store.publicIPAddresses.set(key(publicAddress.id), publicAddress);
  try {
    checkNetworkInterface(store, nic);
  } catch (error) {
    if (publicAddress !== undefined) store.publicIPAddresses.delete(key(publicAddress.id));
    throw error;
  }
  store.networkInterfaces.set(key(id), nic);
  return nic;
}

/**
 * Changes a VM's power state. Deallocation releases the dynamic public IPs of its NICs (the
 * resources stay, without an address) unless `keepPublicIp` (a static address); `publicIp` gives
 * the primary NIC's public IP resource an address as the VM runs again.
 */
export function setPowerState(
  store: ArmStore,
  resourceGroup: string,
  name: string,
  state: SimPowerState,
  options: { readonly keepPublicIp?: boolean; readonly publicIp?: string } = {},
): void {
  const vm = existingVm(store, resourceGroup, name);
  const nics = store.nicsOf(vm);
  if (options.publicIp !== undefined) {
    if (state !== "VM running" && state !== "VM starting") {
      throw new SimulationInputError(
        `a VM that is not running gets no public IP: ${vm.id} is going to "${state}"`,
      );
    }
    const primaryConfig = nics[0]?.ipConfigurations.find((c) => c.primary) ?? nics[0]?.ipConfigurations[0];
    const pipKey = key(primaryConfig?.publicIPAddress?.id ?? "");
    const publicAddress = store.publicIPAddresses.get(pipKey);
    if (publicAddress === undefined)
      throw new SimulationInputError(`${vm.id} has no public IP address resource`);
    if (publicAddress.ipAddress !== options.publicIp) {
      checkPublicIpFree(store, options.publicIp);
      store.publicIPAddresses.set(pipKey, { ...publicAddress, ipAddress: options.publicIp });
    }
  }
  if ((state === "VM deallocating" || state === "VM deallocated") && options.keepPublicIp !== true) {
    for (const configuration of nics.flatMap((nic) => nic.ipConfigurations)) {
      const pipKey = key(configuration.publicIPAddress?.id ?? "");
      const publicAddress = store.publicIPAddresses.get(pipKey);
      if (publicAddress === undefined) continue;
      const { ipAddress: _released, ...rest } = publicAddress;
      store.publicIPAddresses.set(pipKey, rest);
    }
  }
  store.virtualMachines.set(key(vm.id), { ...vm, powerState: state });
}

/** The VM, its NICs and their public IP resources are deleted (as with deleteOption: Delete). */
export function deleteVm(store: ArmStore, resourceGroup: string, name: string): void {
  const vm = existingVm(store, resourceGroup, name);
  for (const nic of store.nicsOf(vm)) {
    for (const configuration of nic.ipConfigurations) {
      if (configuration.publicIPAddress !== undefined)
        store.publicIPAddresses.delete(key(configuration.publicIPAddress.id));
    }
    store.networkInterfaces.delete(key(nic.id));
  }
  store.virtualMachines.delete(key(vm.id));
}

/** Replaces the VM's tags with a complete new map. */
export function setVmTags(
  store: ArmStore,
  resourceGroup: string,
  name: string,
  tags: Readonly<Record<string, string>>,
): void {
  const vm = existingVm(store, resourceGroup, name);
  checkTags(tags);
  store.virtualMachines.set(key(vm.id), { ...vm, tags: { ...tags } });
}

function existingVm(store: ArmStore, resourceGroup: string, name: string): VirtualMachine {
  const vm = store.virtualMachine(resourceGroup, name);
  if (vm === undefined) {
    throw new SimulationInputError(
      `virtual machine ${store.virtualMachineId(resourceGroup, name)} does not exist`,
    );
  }
  return vm;
}

function checkScenarioAddresses(
  store: ArmStore,
  vnet: SimVirtualNetwork,
  privateIp: string,
  publicIp: string | undefined,
): void {
  checkIpv4(privateIp, "private IP");
  if (vnet.addressPrefix !== undefined && !cidrContains(vnet.addressPrefix, privateIp)) {
    throw new SimulationInputError(`private IP ${privateIp} is outside ${vnet.id} (${vnet.addressPrefix})`);
  }
  const [holder] = store.privateAddressHolders(vnet.id, privateIp);
  if (holder !== undefined) {
    throw new SimulationInputError(`private IP ${privateIp} is already used in ${vnet.id} by ${holder.id}`);
  }
  if (publicIp !== undefined) checkPublicIpFree(store, publicIp);
}

function checkPublicIpFree(store: ArmStore, publicIp: string): void {
  checkIpv4(publicIp, "public IP");
  const [holder] = store.publicIPAddresses.inOrder(store.publicIPAddresses.keysAt("address", publicIp));
  if (holder !== undefined) {
    throw new SimulationInputError(`public IP ${publicIp} is already held by ${holder.id}`);
  }
}

function checkIpv4(text: string, what: string): void {
  const parsed = parseCidr(text);
  if (text.includes("/") || !parsed.ok || parsed.cidr.family !== 4 || parsed.cidr.text !== `${text}/32`) {
    throw new SimulationInputError(`${what} "${text}" is not an IPv4 address in canonical form`);
  }
}
