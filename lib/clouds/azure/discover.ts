/**
 * Native ARM → inventory: the VMs segsync cares about as Workloads, their VNets as Networks, and
 * the ARM objects that materialize, diff and evaluate read back (docs/architecture.md, "Layout").
 * Nothing here writes.
 *
 * Tag names are case-insensitive in Azure (docs/clouds.md, "Azure tags"), so a VM counts as labeled
 * when a tag name equals `<tagPrefix><dimension>` ignoring case. Workload.tags keeps the names
 * exactly as ARM returns them: labels.ts then reads `seg-app` and reports `Seg-App` as not portable
 * (treated as absent), so such a VM is discovered, and its problem reported, rather than silently
 * missed.
 */
import { InvalidIdError } from "../../inventory/errors.js";
import { formatNetworkId } from "../../inventory/ids.js";
import type { LabelConfig } from "../../inventory/labels.js";
import type { Network, NetworkId, Nic, Workload, WorkloadId, WorkloadState } from "../../inventory/model.js";
import { compareText } from "../../util/compare-text.js";
import type { CloudFinding } from "../provider.js";
import type { AzureApi } from "./api.js";
import {
  type ApplicationSecurityGroup,
  type AzureSubscriptionState,
  type NetworkInterface,
  type NetworkSecurityGroup,
  type PublicIPAddress,
  parseResourceId,
  type VirtualMachine,
} from "./model.js";
import { type AzureOwnership, hasOwnershipTag, type RecordedNsg, tagOf } from "./ownership.js";
import { ORIGINAL_NSG_TAG_KEY } from "./ownership-keys.js";
import { readPublicIps, readVmInterfaces } from "./read-vm.js";
import { azureWorkloadId } from "./workload-id.js";

export interface AzureDiscovery {
  /** Sorted by id. */
  readonly workloads: Workload[];
  /** The VNets of the workloads' NICs, sorted by id. */
  readonly networks: Network[];
  /**
   * The discovered VMs and their NICs; every owned NSG and ASG; the customer NSGs those NICs are
   * associated with or recorded in their original-NSG tag, and the ASGs they are members of (so
   * that evaluate sees what decides for them); the public IP resources they use.
   */
  readonly state: AzureSubscriptionState;
  /** VMs that segsync would manage but whose names cannot form a workload id: left out, and said why. */
  readonly skipped: readonly { readonly vm: string; readonly reason: string }[];
  /** Objects the reads left out (segsync cannot model them) and the VMs skipped, each reported. */
  readonly findings: CloudFinding[];
}

export interface AzureDiscoverOptions {
  /**
   * VNet regions known to the caller (configuration, an estate), by network id, compared ignoring
   * case. A network listed here takes this region; otherwise its region is its NICs' location
   * (in Azure a NIC is always in its VNet's region).
   */
  readonly networkLocations?: Readonly<Record<NetworkId, string>>;
}

/** Power states (as `az vm show -d` prints them) that make a workload; any other is not one yet. */
const POWER_STATES: Readonly<Record<string, WorkloadState>> = {
  "vm running": "running",
  "vm starting": "running",
  "vm stopping": "stopped",
  "vm stopped": "stopped",
  "vm deallocating": "stopped",
  "vm deallocated": "stopped",
};

export function workloadState(powerState: string): WorkloadState | undefined {
  return POWER_STATES[powerState.toLowerCase()];
}

export async function discoverAzure(
  api: AzureApi,
  labels: LabelConfig,
  ownership: AzureOwnership,
  options: AzureDiscoverOptions = {},
): Promise<AzureDiscovery> {
  const virtualMachines = await api.listVirtualMachines();
  const interfaces = await api.listNetworkInterfaces();
  const securityGroups = await api.listNetworkSecurityGroups();
  const applicationGroups = await api.listApplicationSecurityGroups();
  const ownedNsgs = new Set(securityGroups.filter((nsg) => ownership.owns(nsg)).map((nsg) => key(nsg.id)));
  const ownedAsgs = new Set(applicationGroups.filter((asg) => ownership.owns(asg)).map((asg) => key(asg.id)));
  const unsealed = [...securityGroups, ...applicationGroups].filter(
    (resource) =>
      hasOwnershipTag(resource.tags) && !ownedNsgs.has(key(resource.id)) && !ownedAsgs.has(key(resource.id)),
  );
  const recordOf = (nic: NetworkInterface) => ownership.recordedNsg(nic);

  const touched = (nic: NetworkInterface) => touchedBySegsync(nic, recordOf, ownedNsgs, ownedAsgs);
  const chosen = labeledOrTouchedVms(virtualMachines, interfaces, labels, touched);

  const skipped: { vm: string; reason: string }[] = [];
  const nicsByVm = groupByVm(interfaces);
  const keep = [...chosen.values()].filter((vm) => {
    // A power state that is no workload state (creating, unknown): left alone until the next read.
    if (workloadState(vm.powerState) === undefined) return false;
    const problem = workloadIdProblem(api.subscription, vm);
    if (problem !== undefined) skipped.push({ vm: vm.id, reason: problem });
    return problem === undefined;
  });
  const vms = sortById(keep);
  // A NIC attached to no VM (kept after its VM was deleted, or detached) that still carries
  // segsync's NSG or ASGs is read too, so that segsync gives it back what it had before deleting
  // them (ARM refuses to delete an NSG or ASG in use).
  const detached = interfaces.filter((nic) => nic.virtualMachine === undefined && touched(nic));
  const nics = [...vms.flatMap((vm) => nicsOf(vm, nicsByVm.get(key(vm.id)) ?? [])), ...detached];
  const publicIps = nics.some((nic) => nic.ipConfigurations.some((c) => c.publicIPAddress !== undefined))
    ? await api.listPublicIPAddresses()
    : [];

  const state: AzureSubscriptionState = {
    subscription: api.subscription,
    virtualMachines: vms,
    networkInterfaces: sortById(nics),
    networkSecurityGroups: sortById(securityGroupsFor(securityGroups, nics, ownedNsgs, recordOf)),
    applicationSecurityGroups: sortById(applicationGroupsFor(applicationGroups, nics, ownedAsgs)),
    publicIPAddresses: sortById(publicIpsFor(publicIps, nics)),
  };
  const networks = new NetworkNames(options.networkLocations);
  const workloads = workloadsOf(api.subscription, vms, nicsByVm, publicIps, networks);
  const findings = discoveryFindings(api, unsealed, interfaces, recordOf, skipped);
  return { workloads, networks: networks.list(), state, skipped, findings };
}

/** The VMs that carry a label, and those whose NICs segsync changed (to give them back). */
function labeledOrTouchedVms(
  virtualMachines: readonly VirtualMachine[],
  interfaces: readonly NetworkInterface[],
  labels: LabelConfig,
  touched: (nic: NetworkInterface) => boolean,
): Map<string, VirtualMachine> {
  const labelKeys = new Set(
    labels.dimensions.map((dimension) => `${labels.tagPrefix}${dimension}`.toLowerCase()),
  );
  const byId = new Map(virtualMachines.map((vm) => [key(vm.id), vm]));
  const chosen = new Map<string, VirtualMachine>();
  for (const vm of virtualMachines) {
    if (Object.keys(vm.tags).some((name) => labelKeys.has(name.toLowerCase()))) chosen.set(key(vm.id), vm);
  }
  // A VM that lost its labels still has NICs that segsync changed: find it, to give them back.
  for (const nic of interfaces) {
    const vm = byId.get(key(nic.virtualMachine?.id ?? ""));
    if (vm !== undefined && touched(nic)) chosen.set(key(vm.id), vm);
  }

  return chosen;
}

function workloadsOf(
  subscription: string,
  vms: readonly VirtualMachine[],
  nicsByVm: ReadonlyMap<string, NetworkInterface[]>,
  publicIps: Parameters<typeof toAzureWorkload>[3],
  networks: NetworkNames,
): NonNullable<ReturnType<typeof toAzureWorkload>>[] {
  const workloads = vms.flatMap((vm) => {
    const workload = toAzureWorkload(subscription, vm, nicsByVm.get(key(vm.id)) ?? [], publicIps, networks);
    return workload === undefined ? [] : [workload];
  });
  workloads.sort((a, b) => compareText(a.id, b.id));
  return workloads;
}

/** Objects not read, ownership tags and records without segsync's seal, and VMs left alone. */
function discoveryFindings(
  api: AzureApi,
  unsealed: readonly { id: string }[],
  interfaces: readonly NetworkInterface[],
  recordOf: (nic: NetworkInterface) => unknown,
  skipped: readonly { vm: string; reason: string }[],
): CloudFinding[] {
  return [
    ...api.takeUnreadable(),
    ...unsealed.map((resource) => unsealedObject(resource.id)),
    ...interfaces
      .filter((nic) => tagOf(nic.tags, ORIGINAL_NSG_TAG_KEY) !== undefined)
      .filter((nic) => recordOf(nic) === undefined)
      .map((nic) => unsealedRecord(nic.id)),
    ...skipped.map(({ vm, reason }) => ({
      code: "azure-vm-skipped",
      severity: "warning" as const,
      subject: vm,
      message: `${vm}: not managed, ${reason}`,
    })),
  ];
}

/** An object with segsync's ownership tag but not its seal: never segsync's. */
export function unsealedObject(id: string): CloudFinding {
  return {
    code: "azure-unsealed-object",
    severity: "warning",
    subject: id,
    message: `${id} carries segsync's ownership tag without its seal: segsync did not create it (or its record key changed); treated as a customer resource and never changed`,
  };
}

/** A NIC whose original-NSG record segsync did not seal: no record. */
export function unsealedRecord(nicId: string): CloudFinding {
  return {
    code: "azure-unsealed-record",
    severity: "warning",
    subject: nicId,
    message: `${nicId}: its ${ORIGINAL_NSG_TAG_KEY} tag does not carry segsync's seal (segsync did not write it, or it was changed); ignored, and the NIC is not restored from it`,
  };
}

/** One VM, for the event path: undefined when it is gone or not (yet) a workload. */
export async function discoverAzureWorkload(
  api: AzureApi,
  resourceGroup: string,
  vmName: string,
): Promise<Workload | undefined> {
  const vm = await api.getVirtualMachine(resourceGroup, vmName);
  if (vm === undefined || workloadState(vm.powerState) === undefined) return undefined;
  const nics = await readVmInterfaces(api, vm);
  return toAzureWorkload(api.subscription, vm, nics, await readPublicIps(api, nics));
}

/** The VM a NIC belongs to, as a workload id (for NIC events): undefined when the NIC is gone or detached. */
export async function workloadOfNetworkInterface(
  api: AzureApi,
  resourceGroup: string,
  nicName: string,
): Promise<WorkloadId | undefined> {
  const nic = await api.getNetworkInterface(resourceGroup, nicName);
  const vm = nic?.virtualMachine === undefined ? undefined : parseResourceId(nic.virtualMachine.id);
  if (vm === undefined) return undefined;
  return azureWorkloadId(vm.subscription, vm.resourceGroup, vm.name);
}

/**
 * The VM as a cloud-neutral workload: NICs primary first (each by its primary IP configuration,
 * its VNet read from the subnet id, its public IP resolved through the public IP resources);
 * undefined when the power state makes no workload or no NIC is in a VNet.
 */
export function toAzureWorkload(
  subscription: string,
  vm: VirtualMachine,
  interfaces: readonly NetworkInterface[],
  publicIps: readonly PublicIPAddress[],
  networks: NetworkNames = new NetworkNames(),
): Workload | undefined {
  const state = workloadState(vm.powerState);
  if (state === undefined) return undefined;
  const addresses = addressesById(publicIps);
  const nics = nicsOf(vm, interfaces).flatMap((nic): Nic[] => {
    const configuration = nic.ipConfigurations.find((c) => c.primary) ?? nic.ipConfigurations[0];
    const network = configuration === undefined ? undefined : networkOfSubnet(configuration.subnet.id);
    if (configuration === undefined || network === undefined) return [];
    const publicIp = addresses.get(key(configuration.publicIPAddress?.id ?? ""));
    return [
      {
        id: nic.id,
        network: networks.name(network, nic.location),
        privateIp: configuration.privateIPAddress,
        ...(publicIp === undefined ? {} : { publicIp }),
      },
    ];
  });
  if (nics.length === 0) return undefined;
  const tags = Object.fromEntries(Object.entries(vm.tags).sort(([a], [b]) => compareText(a, b)));
  return {
    id: azureWorkloadId(subscription, vm.resourceGroup, vm.name),
    state,
    nics,
    tags,
  };
}

/**
 * Each public IP resource's address by its id's key, made once per list: a discovery converts
 * every VM against the same list, and building the map per VM made it quadratic.
 */
const ADDRESSES = new WeakMap<readonly PublicIPAddress[], ReadonlyMap<string, string | undefined>>();

function addressesById(publicIps: readonly PublicIPAddress[]): ReadonlyMap<string, string | undefined> {
  let addresses = ADDRESSES.get(publicIps);
  if (addresses === undefined) {
    addresses = new Map(publicIps.map((address) => [key(address.id), address.ipAddress]));
    ADDRESSES.set(publicIps, addresses);
  }
  return addresses;
}

/**
 * Network ids compared ignoring case (ARM may spell one resource group two ways): the first
 * spelling met names the network, with the region of the first NIC met in it.
 */
export class NetworkNames {
  private readonly byKey = new Map<string, Network>();

  constructor(private readonly locations: Readonly<Record<NetworkId, string>> = {}) {}

  name(network: NetworkId, nicLocation: string): NetworkId {
    const known = this.byKey.get(key(network));
    if (known !== undefined) return known.id;
    const configured = Object.entries(this.locations).find(([id]) => key(id) === key(network))?.[1];
    this.byKey.set(key(network), { id: network, region: configured ?? nicLocation });
    return network;
  }

  /** Sorted by id. */
  list(): Network[] {
    return [...this.byKey.values()].sort((a, b) => compareText(a.id, b.id));
  }
}

/** `azure:<subscription>:<resourceGroup>:<vnetName>` of a subnet id; undefined when it is not one. */
export function networkOfSubnet(subnetId: string): NetworkId | undefined {
  const parsed = parseResourceId(subnetId);
  if (parsed?.type.toLowerCase() !== "virtualnetworks" || parsed.child?.type.toLowerCase() !== "subnets") {
    return undefined;
  }
  try {
    return formatNetworkId({
      cloud: "azure",
      subscription: parsed.subscription.toLowerCase(),
      resourceGroup: parsed.resourceGroup,
      vnetName: parsed.name,
    });
  } catch (error) {
    if (error instanceof InvalidIdError) return undefined;
    throw error;
  }
}

/** The VM's NICs, primary first, then in its network profile's order, then any others that name it. */
function nicsOf(vm: VirtualMachine, interfaces: readonly NetworkInterface[]): NetworkInterface[] {
  const refs = vm.networkProfile.networkInterfaces;
  const rank = (nic: NetworkInterface): number => {
    const index = refs.findIndex((ref) => key(ref.id) === key(nic.id));
    const primary = refs[index]?.primary ?? nic.primary ?? refs.length === 1;
    return (primary ? 0 : 1) * 1_000_000 + (index === -1 ? refs.length : index);
  };
  return [...interfaces].sort((a, b) => rank(a) - rank(b) || compareText(key(a.id), key(b.id)));
}

function groupByVm(interfaces: readonly NetworkInterface[]): Map<string, NetworkInterface[]> {
  const result = new Map<string, NetworkInterface[]>();
  for (const nic of interfaces) {
    if (nic.virtualMachine === undefined) continue;
    const vm = key(nic.virtualMachine.id);
    result.set(vm, [...(result.get(vm) ?? []), nic]);
  }
  return result;
}

function touchedBySegsync(
  nic: NetworkInterface,
  recordOf: (nic: NetworkInterface) => RecordedNsg | undefined,
  ownedNsgs: ReadonlySet<string>,
  ownedAsgs: ReadonlySet<string>,
) {
  return (
    recordOf(nic) !== undefined ||
    ownedNsgs.has(key(nic.networkSecurityGroup?.id ?? "")) ||
    nic.ipConfigurations.some((c) => c.applicationSecurityGroups.some((asg) => ownedAsgs.has(key(asg.id))))
  );
}

function workloadIdProblem(subscription: string, vm: VirtualMachine): string | undefined {
  try {
    azureWorkloadId(subscription, vm.resourceGroup, vm.name);
    return undefined;
  } catch (error) {
    if (error instanceof InvalidIdError) return error.message;
    throw error;
  }
}

function securityGroupsFor(
  all: readonly NetworkSecurityGroup[],
  nics: readonly NetworkInterface[],
  owned: ReadonlySet<string>,
  recordOf: (nic: NetworkInterface) => RecordedNsg | undefined,
): NetworkSecurityGroup[] {
  const wanted = new Set(owned);
  for (const nic of nics) {
    if (nic.networkSecurityGroup !== undefined) wanted.add(key(nic.networkSecurityGroup.id));
    const recorded = recordOf(nic)?.original;
    if (recorded !== undefined) wanted.add(key(recorded));
  }
  return all.filter((nsg) => wanted.has(key(nsg.id)));
}

function applicationGroupsFor(
  all: readonly ApplicationSecurityGroup[],
  nics: readonly NetworkInterface[],
  owned: ReadonlySet<string>,
): ApplicationSecurityGroup[] {
  const wanted = new Set(owned);
  for (const nic of nics) {
    for (const configuration of nic.ipConfigurations) {
      for (const asg of configuration.applicationSecurityGroups) wanted.add(key(asg.id));
    }
  }
  return all.filter((asg) => wanted.has(key(asg.id)));
}

function publicIpsFor(all: readonly PublicIPAddress[], nics: readonly NetworkInterface[]): PublicIPAddress[] {
  const used = new Set(
    nics.flatMap((nic) =>
      nic.ipConfigurations.flatMap((c) => (c.publicIPAddress ? [key(c.publicIPAddress.id)] : [])),
    ),
  );
  return all.filter((address) => used.has(key(address.id)));
}

function key(id: string): string {
  return id.toLowerCase();
}

export function sortById<T extends { readonly id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => compareText(key(a.id), key(b.id)) || compareText(a.id, b.id));
}
