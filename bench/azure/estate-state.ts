/**
 * The generated estate's Azure workloads as ARM would hold them: one AzureSubscriptionState per
 * subscription, in the shapes and order SimulatedArm.state() returns. Built directly, in one
 * pass, without the checks each VM created through the simulator's controls gets; a SimulatedArm
 * loaded from this state (`new SimulatedArm(subscriptionState)`) starts from exactly the same ARM.
 *
 * What ARM would give them: each VM keeps its inventory NIC ids (`…/networkInterfaces/<vm>-nic`,
 * one IP configuration `ipconfig1` in its VNet's `default` subnet), no NSG, no ASG, no tag on the
 * NIC; a public IP resource `<vm>PublicIP` (as `az vm create` names it) where the workload has a
 * public address, without an address while the VM is deallocated (a stopped workload). No NSG
 * or ASG exists yet.
 */
import { createHash } from "node:crypto";
import type {
  AzureState,
  AzureSubscriptionState,
  IpConfiguration,
  NetworkInterface,
  PublicIPAddress,
  VirtualMachine,
} from "../../lib/clouds/azure/model.js";
import { parseResourceId } from "../../lib/clouds/azure/model.js";
import type { Inventory, Nic, Workload } from "../../lib/inventory/model.js";
import { compareText } from "../../lib/util/compare-text.js";
import { networkOf, workloadOf } from "../common/ids.js";

/** Where segsync keeps its NSGs and ASGs in every subscription (as the tests' harness does). */
export const SEGSYNC_RESOURCE_GROUP = "rg-segsync";

export type AzureVm = NonNullable<ReturnType<typeof azureVmOf>>;

/** `azure:<subscription>:<resourceGroup>:<vmName>` → its parts; undefined for other clouds. */
export function azureVmOf(workloadId: string) {
  return workloadOf("azure", workloadId);
}

/** `azure:<subscription>:<resourceGroup>:<vnetName>` → its parts. */
export function vnetOf(network: string) {
  return networkOf("azure", network);
}

export function vmResourceId(vm: AzureVm): string {
  return `/subscriptions/${vm.subscription}/resourceGroups/${vm.resourceGroup}/providers/Microsoft.Compute/virtualMachines/${vm.vmName}`;
}

/** The `default` subnet of a VNet, as the simulator names every subnet. */
export function subnetId(network: string): string {
  const vnet = vnetOf(network);
  return `/subscriptions/${vnet.subscription}/resourceGroups/${vnet.resourceGroup}/providers/Microsoft.Network/virtualNetworks/${vnet.vnetName}/subnets/default`;
}

/** The Azure networks of the inventory by id, each with its region (an Azure VNet must have one). */
export function azureRegions(inventory: Inventory): Map<string, string> {
  const regions = new Map<string, string>();
  for (const network of inventory.networks) {
    if (!network.id.startsWith("azure:")) continue;
    if (network.region === undefined) throw new TypeError(`Azure network ${network.id} has no region`);
    regions.set(network.id, network.region);
  }
  return regions;
}

interface SubscriptionBuilder {
  readonly virtualMachines: VirtualMachine[];
  readonly networkInterfaces: NetworkInterface[];
  readonly publicIPAddresses: PublicIPAddress[];
}

/** Every Azure workload of the inventory, as the ARM of its subscription holds it. */
export function azureStateOf(inventory: Inventory): AzureState {
  const regions = azureRegions(inventory);
  const subscriptions = new Map<string, SubscriptionBuilder>();
  for (const workload of inventory.workloads) {
    const vm = azureVmOf(workload.id);
    if (vm === undefined || workload.nics.length === 0) continue;
    let subscription = subscriptions.get(vm.subscription);
    if (!subscription) {
      subscription = { virtualMachines: [], networkInterfaces: [], publicIPAddresses: [] };
      subscriptions.set(vm.subscription, subscription);
    }
    const described = describeWorkload(vm, workload, regions);
    subscription.virtualMachines.push(described.vm);
    subscription.networkInterfaces.push(...described.nics);
    subscription.publicIPAddresses.push(...described.publicIPAddresses);
  }
  return [...subscriptions.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(
      ([subscription, built]): AzureSubscriptionState => ({
        subscription,
        virtualMachines: sortById(built.virtualMachines),
        networkInterfaces: sortById(built.networkInterfaces),
        networkSecurityGroups: [],
        applicationSecurityGroups: [],
        publicIPAddresses: sortById(built.publicIPAddresses),
      }),
    );
}

function describeWorkload(
  vm: AzureVm,
  workload: Workload,
  regions: ReadonlyMap<string, string>,
): { vm: VirtualMachine; nics: NetworkInterface[]; publicIPAddresses: PublicIPAddress[] } {
  const network = (workload.nics[0] as Nic).network;
  const location = regions.get(network);
  if (location === undefined)
    throw new TypeError(`${workload.id}: network ${network} is not in the inventory`);
  if (workload.nics.some((nic) => nic.network !== network)) {
    throw new TypeError(`${workload.id}: an Azure VM has all its NICs in one VNet`);
  }
  const id = vmResourceId(vm);
  const running = workload.state === "running";
  const nics: NetworkInterface[] = [];
  const publicIPAddresses: PublicIPAddress[] = [];
  for (const [index, nic] of workload.nics.entries()) {
    const parsed = nic.id === undefined ? undefined : parseResourceId(nic.id);
    if (nic.id === undefined || parsed?.type.toLowerCase() !== "networkinterfaces") {
      throw new TypeError(`${workload.id}: an Azure NIC needs its resource id, got ${nic.id}`);
    }
    let publicIPAddress: IpConfiguration["publicIPAddress"];
    if (nic.publicIp !== undefined) {
      // As `az vm create` names it (createVm), and `<nic>PublicIP` for further NICs (addNetworkInterface).
      const name = `${index === 0 ? vm.vmName : parsed.name}PublicIP`;
      const pipId = `/subscriptions/${vm.subscription}/resourceGroups/${vm.resourceGroup}/providers/Microsoft.Network/publicIPAddresses/${name}`;
      // Deallocation releases the address; the resource stays (as SimulatedArm.setPowerState does).
      publicIPAddresses.push({
        id: pipId,
        name,
        location,
        resourceGroup: vm.resourceGroup,
        ...(running ? { ipAddress: nic.publicIp } : {}),
      });
      publicIPAddress = { id: pipId };
    }
    nics.push({
      id: nic.id,
      name: parsed.name,
      location,
      resourceGroup: parsed.resourceGroup,
      etag: etagOf(nic.id),
      tags: {},
      virtualMachine: { id },
      primary: index === 0,
      ipConfigurations: [
        {
          name: "ipconfig1",
          primary: true,
          privateIPAddress: nic.privateIp,
          subnet: { id: subnetId(nic.network) },
          ...(publicIPAddress === undefined ? {} : { publicIPAddress }),
          applicationSecurityGroups: [],
        },
      ],
    });
  }
  return {
    vm: {
      id,
      name: vm.vmName,
      location,
      resourceGroup: vm.resourceGroup,
      tags: { ...workload.tags },
      powerState: running ? "VM running" : "VM deallocated",
      networkProfile: { networkInterfaces: nics.map((nic, index) => ({ id: nic.id, primary: index === 0 })) },
    },
    nics,
    publicIPAddresses,
  };
}

/** A weak etag as ARM gives one, derived from the id so that the state is the same on every run. */
function etagOf(id: string): string {
  const hex = createHash("sha256").update(id.toLowerCase()).digest("hex");
  return `W/"${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}"`;
}

/** ARM ids compare case-insensitively: by the lowercased id, then as written (as the simulator sorts). */
function sortById<T extends { readonly id: string }>(items: T[]): T[] {
  return items.sort((a, b) => compareText(a.id.toLowerCase(), b.id.toLowerCase()) || compareText(a.id, b.id));
}
