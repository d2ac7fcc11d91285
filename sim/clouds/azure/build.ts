/**
 * The simulated ARM subscriptions of an estate: one SimulatedArm per subscription, holding the
 * customer NSGs and ASGs of `native.azure`, every estate VNet, and every workload's VM (with its
 * native primary NIC when `native.azure.networkInterfaces` has one, else the plain NIC that
 * `az vm create` makes, and after it the VM's native secondary NICs). VMs with native NICs enter
 * through the starting state, which is how a NIC keeps its own name; the simulator then knows
 * their VNets without an address space, which the estate's own checks cover.
 */
import type { AzureQuotas } from "../../../lib/clouds/azure/config.js";
import {
  type AzureSubscriptionState,
  type NetworkInterface,
  type PublicIPAddress,
  parseResourceId,
  resourceId,
  type VirtualMachine,
} from "../../../lib/clouds/azure/model.js";
import type { WorkloadIdParts } from "../../../lib/inventory/ids.js";
import type { EstateFor } from "../../estate-core-schema.js";
import { azureVmId, azureVnetId, type EstateIndex, type IndexedWorkload } from "../../estate-index.js";
import { refusedAt } from "../../refusal.js";
import { SimulatedArm } from "./api.js";
import { networkOfSubnet } from "./native-nic-check.js";
import { type NativeAzure, type NativeAzureNic, primaryIpConfiguration } from "./native-schema.js";

const subscriptionOf = (id: string) => parseResourceId(id)?.subscription.toLowerCase() ?? "";

/** Every subscription that the estate puts something in. */
function subscriptions(estate: EstateFor<"azure", NativeAzure>, index: EstateIndex): string[] {
  const found = new Set<string>();
  for (const { parts } of [...index.networks.values(), ...index.workloads.values()]) {
    if (parts.cloud === "azure") found.add(parts.subscription);
  }
  const native = estate.native?.azure;
  const objects = [
    ...(native?.networkSecurityGroups ?? []),
    ...(native?.applicationSecurityGroups ?? []),
    ...(native?.networkInterfaces ?? []),
  ];
  for (const object of objects) found.add(subscriptionOf(object.id));
  return [...found];
}

export function buildAzure(
  estate: EstateFor<"azure", NativeAzure>,
  index: EstateIndex,
  quotas: AzureQuotas | undefined,
): Map<string, SimulatedArm> {
  const sims = new Map<string, SimulatedArm>();
  for (const subscription of subscriptions(estate, index)) {
    sims.set(subscription, buildSubscription(estate, index, quotas, subscription));
  }
  return sims;
}

/** One subscription: the native objects and VMs with native NICs, then the VNets, then the plain VMs. */
function buildSubscription(
  estate: EstateFor<"azure", NativeAzure>,
  index: EstateIndex,
  quotas: AzureQuotas | undefined,
  subscription: string,
): SimulatedArm {
  const native: NativeAzure = estate.native?.azure ?? {};
  const mine = <T extends { readonly id: string }>(list: readonly T[] | undefined) =>
    (list ?? []).filter((object) => subscriptionOf(object.id) === subscription);
  const nics = mine(native.networkInterfaces);
  const withNic = nicsByVm(nics, index);
  const path = estate.native?.azure === undefined ? ["workloads"] : ["native", "azure"];
  const sim = refusedAt(path, () => {
    const machines = [...withNic.entries()].map(([id, vmNics]) =>
      machineOf(index.workloads.get(id) as IndexedWorkload, vmNics, index),
    );
    const machineNics = machines.flatMap((m) => m.nics);
    const state: AzureSubscriptionState = {
      subscription,
      networkSecurityGroups: mine(native.networkSecurityGroups).map((nsg) => ({
        ...nsg,
        defaultSecurityRules: [],
      })),
      applicationSecurityGroups: mine(native.applicationSecurityGroups),
      networkInterfaces: [
        ...nics.map((nic) => machineNics.find((m) => m.id === nic.id) ?? detachedNic(nic, index)),
        // The primary NICs that `az vm create` made, where the estate gives only secondary ones.
        ...machineNics.filter((m) => !nics.some((nic) => nic.id === m.id)),
      ],
      virtualMachines: machines.map((m) => m.vm),
      publicIPAddresses: machines.flatMap((m) => (m.publicAddress === undefined ? [] : [m.publicAddress])),
    };
    return new SimulatedArm(state, quotas === undefined ? {} : { quotas });
  });
  addVirtualNetworks(sim, index, subscription);
  createPlainVms(sim, index, subscription, withNic);
  return sim;
}

/** The native NICs of each estate VM that has some, by workload id. */
function nicsByVm(nics: readonly NativeAzureNic[], index: EstateIndex): Map<string, VmNics> {
  const withNic = new Map<string, VmNics>();
  for (const nic of nics) {
    const entry =
      nic.virtualMachine === undefined ? undefined : index.azureVms.get(nic.virtualMachine.id.toLowerCase());
    if (entry === undefined) continue;
    const found = withNic.get(entry.workload.id) ?? { secondaries: [] };
    if (nic.primary === false) found.secondaries.push(nic);
    else found.primary = nic;
    withNic.set(entry.workload.id, found);
  }
  return withNic;
}

/** Each estate VNet of the subscription that the starting state did not already make known. */
function addVirtualNetworks(sim: SimulatedArm, index: EstateIndex, subscription: string): void {
  const known = new Set(sim.virtualNetworks().map((vnet) => vnet.id.toLowerCase()));
  for (const { parts, network, index: at } of index.networks.values()) {
    if (parts.cloud !== "azure" || parts.subscription !== subscription) continue;
    if (known.has(azureVnetId(parts.subscription, parts.resourceGroup, parts.vnetName).toLowerCase()))
      continue;
    refusedAt(["networks", at], () =>
      sim.createVirtualNetwork({
        resourceGroup: parts.resourceGroup,
        name: parts.vnetName,
        location: network.region ?? "",
        addressPrefix: network.cidr,
      }),
    );
  }
}

/** Each VM of the subscription without native NICs, as `az vm create` makes it. */
function createPlainVms(
  sim: SimulatedArm,
  index: EstateIndex,
  subscription: string,
  withNic: ReadonlyMap<string, VmNics>,
): void {
  for (const entry of index.workloads.values()) {
    const parts = entry.parts;
    if (parts.cloud !== "azure" || parts.subscription !== subscription || withNic.has(entry.workload.id))
      continue;
    const { workload } = entry;
    const network = index.networkOf(workload);
    if (network?.parts.cloud !== "azure") continue;
    const vnet = { resourceGroup: network.parts.resourceGroup, name: network.parts.vnetName };
    refusedAt(["workloads", entry.index], () => {
      sim.createVm({
        resourceGroup: parts.resourceGroup,
        name: parts.vmName,
        location: network.network.region ?? "",
        vnet,
        privateIp: workload.privateIp,
        ...(workload.publicIp === undefined ? {} : { publicIp: workload.publicIp }),
        tags: workload.tags,
      });
      if (workload.state === "stopped")
        sim.setPowerState(parts.resourceGroup, parts.vmName, "VM deallocated");
    });
  }
}

/** The native NICs of one estate VM: its primary one (else the one `az vm create` made) and its secondary ones. */
interface VmNics {
  primary?: NativeAzureNic;
  readonly secondaries: NativeAzureNic[];
}

/** Where one VM's NICs go: its id, region, primary IP configuration, default subnet and public IP. */
interface VmPlace {
  readonly vmId: string;
  readonly location: string;
  readonly config: ReturnType<typeof primaryIpConfiguration>["config"] | undefined;
  readonly subnet: string;
  readonly pipId: string | undefined;
}

/** A VM with its NICs as ARM shows them: the estate's region, address and public IP filled in. */
function machineOf(
  entry: IndexedWorkload,
  native: VmNics,
  index: EstateIndex,
): { vm: VirtualMachine; nics: NetworkInterface[]; publicAddress?: PublicIPAddress } {
  const { workload, parts } = entry;
  const network = index.networkOf(workload)?.parts;
  if (parts.cloud !== "azure" || network?.cloud !== "azure")
    throw new TypeError(`${workload.id} is not an Azure VM`);
  const config = native.primary === undefined ? undefined : primaryIpConfiguration(native.primary).config;
  const place: VmPlace = {
    vmId: azureVmId(parts.subscription, parts.resourceGroup, parts.vmName),
    location: index.networkOf(workload)?.network.region ?? "",
    config,
    subnet: `${azureVnetId(network.subscription, network.resourceGroup, network.vnetName)}/subnets/default`,
    pipId:
      workload.publicIp === undefined
        ? undefined
        : (config?.publicIPAddress?.id ??
          resourceId(
            parts.subscription,
            parts.resourceGroup,
            "publicIPAddresses",
            `${parts.vmName}PublicIP`,
          )),
  };
  const nics = [
    primaryNicOf(entry.workload, createdNic(parts), native.primary, place),
    ...native.secondaries.map((nic) => secondaryNicOf(nic, place)),
  ];
  const vm: VirtualMachine = {
    id: place.vmId,
    name: parts.vmName,
    location: place.location,
    resourceGroup: parts.resourceGroup,
    tags: { ...workload.tags },
    powerState: workload.state === "running" ? "VM running" : "VM deallocated",
    networkProfile: { networkInterfaces: nics.map((nic) => ({ id: nic.id, primary: nic.primary === true })) },
  };
  const publicAddress = publicAddressOf(entry, place);
  return publicAddress === undefined ? { vm, nics } : { vm, nics, publicAddress };
}

/** The VM's primary NIC: its native one, else the one `az vm create` names `<vm>VMNic`. */
function primaryNicOf(
  workload: IndexedWorkload["workload"],
  created: ReturnType<typeof createdNic>,
  native: NativeAzureNic | undefined,
  place: VmPlace,
): NetworkInterface {
  const { config } = place;
  return {
    ...(native === undefined ? { ...created, location: place.location } : nicBase(native, place.location)),
    virtualMachine: { id: place.vmId },
    primary: true,
    ipConfigurations: [
      {
        name: config?.name ?? "ipconfig1",
        primary: true,
        privateIPAddress: workload.privateIp,
        subnet: { id: config?.subnet?.id ?? place.subnet },
        ...(place.pipId === undefined ? {} : { publicIPAddress: { id: place.pipId } }),
        applicationSecurityGroups: config?.applicationSecurityGroups ?? [],
      },
    ],
  };
}

type AzureVmParts = Extract<WorkloadIdParts, { cloud: "azure" }>;

/** The NIC that `az vm create` makes for a VM. */
function createdNic(parts: AzureVmParts) {
  return {
    id: resourceId(parts.subscription, parts.resourceGroup, "networkInterfaces", `${parts.vmName}VMNic`),
    name: `${parts.vmName}VMNic`,
    resourceGroup: parts.resourceGroup,
    tags: {},
  };
}

function secondaryNicOf(nic: NativeAzureNic, place: VmPlace): NetworkInterface {
  const own = primaryIpConfiguration(nic).config;
  return {
    ...nicBase(nic, place.location),
    virtualMachine: { id: place.vmId },
    primary: false,
    ipConfigurations: [
      {
        name: own.name,
        primary: true,
        privateIPAddress: own.privateIPAddress ?? "",
        subnet: { id: own.subnet?.id ?? place.subnet },
        applicationSecurityGroups: own.applicationSecurityGroups,
      },
    ],
  };
}

/** The VM's public IP resource, when it has a public address. */
function publicAddressOf(entry: IndexedWorkload, place: VmPlace): PublicIPAddress | undefined {
  const pip = place.pipId === undefined ? undefined : parseResourceId(place.pipId);
  if (place.pipId === undefined || pip === undefined) return undefined;
  return {
    id: place.pipId,
    name: pip.name,
    location: place.location,
    resourceGroup: pip.resourceGroup,
    // Deallocation released the dynamic address: the resource stays, empty.
    ...(entry.workload.state === "running" ? { ipAddress: entry.workload.publicIp } : {}),
  };
}

function nicBase(native: NativeAzureNic, location: string) {
  return {
    id: native.id,
    name: native.name,
    location,
    resourceGroup: native.resourceGroup,
    ...(native.etag === undefined ? {} : { etag: native.etag }),
    tags: native.tags,
    ...(native.networkSecurityGroup === undefined
      ? {}
      : { networkSecurityGroup: native.networkSecurityGroup }),
  };
}

/** A NIC of no VM, as given (its checks made sure it has a region, subnet and address). */
function detachedNic(native: NativeAzureNic, index: EstateIndex): NetworkInterface {
  const { config } = primaryIpConfiguration(native);
  const network = config.subnet === undefined ? undefined : networkOfSubnet(index, config.subnet.id);
  return {
    ...nicBase(native, native.location ?? network?.network.region ?? ""),
    ipConfigurations: [
      {
        name: config.name,
        primary: true,
        privateIPAddress: config.privateIPAddress ?? "",
        subnet: { id: config.subnet?.id ?? "" },
        applicationSecurityGroups: config.applicationSecurityGroups,
      },
    ],
  };
}
