/**
 * One SimulatedArm per subscription of the estate, the inventory changes of Azure workloads
 * played on them through the simulation controls (what happens outside segsync: a VM created,
 * deallocated, started, deleted or retagged), and their state as materialize and diff read it
 * (common/simulators.ts re-reads only the subscriptions something touched).
 */

import type { AzureApi } from "../../lib/clouds/azure/api.js";
import { applyAzurePlan } from "../../lib/clouds/azure/apply.js";
import type { AzureQuotas } from "../../lib/clouds/azure/config.js";
import type { AzureState, AzureSubscriptionState } from "../../lib/clouds/azure/model.js";
import type { AzureOperation } from "../../lib/clouds/azure/operations.js";
import type { Network, Workload, WorkloadChange } from "../../lib/inventory/model.js";
import { AZURE_WRITE_METHODS, SimulatedArm } from "../../sim/clouds/azure/api.js";
import { playChange, type SimulatedChange } from "../common/changes.js";
import { AZURE_OWNERSHIP } from "../common/seals.js";
import { SimulatorFleet } from "../common/simulators.js";
import type { CloudSimulators } from "../common/writes.js";
import { type AzureVm, azureVmOf, vnetOf } from "./estate-state.js";

export class AzureSimulators
  extends SimulatorFleet<SimulatedArm, AzureSubscriptionState>
  implements CloudSimulators<AzureState, AzureOperation>
{
  /** Workloads whose primary NIC has a public IP resource: only those can get an address back. */
  private readonly publicIpResources = new Set<string>();

  /** `networks`: the inventory's networks by id, for VNets the simulators do not hold yet. */
  constructor(
    initial: AzureState,
    private readonly networks: ReadonlyMap<string, Network>,
    private readonly quotas: AzureQuotas,
  ) {
    super(AZURE_WRITE_METHODS);
    for (const subscription of initial) {
      this.load(subscription.subscription, new SimulatedArm(subscription, { quotas }), subscription);
      const vms = new Map(subscription.virtualMachines.map((vm) => [vm.id.toLowerCase(), vm]));
      for (const nic of subscription.networkInterfaces) {
        const vm = vms.get(nic.virtualMachine?.id.toLowerCase() ?? "");
        if (vm === undefined || !nic.primary) continue;
        if (nic.ipConfigurations.some((configuration) => configuration.publicIPAddress !== undefined)) {
          this.publicIpResources.add(`azure:${subscription.subscription}:${vm.resourceGroup}:${vm.name}`);
        }
      }
    }
  }

  /** The api factory applyAzurePlan takes; a subscription not seen yet starts empty. */
  readonly apiFor = (subscription: string): AzureApi => this.sim(subscription);

  /**
   * Plays one inventory change of an Azure workload on its simulator; `previous` is the workload
   * before. A public IP given to a VM without a public IP resource, or released while it runs,
   * has no simulation control (such a change is "none"). Nothing Azure-side that segsync reads
   * holds public IPs: materialize and diff see VMs, NICs, NSGs and ASGs; the compiler sees the inventory.
   */
  play(change: WorkloadChange, previous: Workload | undefined): SimulatedChange {
    const id = change.kind === "delete" ? change.id : change.workload.id;
    const vm = azureVmOf(id);
    if (vm === undefined) throw new TypeError(`${id} is not an Azure workload`);
    const sim = this.sim(vm.subscription);
    this.touch(vm.subscription);
    const { resourceGroup, vmName } = vm;
    const withResource = (publicIp: string | undefined) =>
      publicIp !== undefined && this.publicIpResources.has(id) ? { publicIp } : {};
    return playChange(change, previous, {
      launch: (workload) => this.launch(sim, vm, workload),
      terminate: () => {
        sim.deleteVm(resourceGroup, vmName);
        this.publicIpResources.delete(id);
      },
      setState: (state, publicIp) =>
        sim.setPowerState(
          resourceGroup,
          vmName,
          state === "running" ? "VM running" : "VM deallocated",
          withResource(publicIp),
        ),
      setPublicIp: (publicIp) => {
        if (!this.publicIpResources.has(id)) return false;
        sim.setPowerState(resourceGroup, vmName, "VM running", { publicIp });
        return true;
      },
      setTags: (tags) => sim.setVmTags(resourceGroup, vmName, tags),
    });
  }

  async apply(plan: readonly AzureOperation[]): Promise<void> {
    await applyAzurePlan(plan, this.apiFor, AZURE_OWNERSHIP);
  }

  private sim(subscription: string): SimulatedArm {
    return this.simulator(subscription, () => SimulatedArm.empty(subscription, { quotas: this.quotas }));
  }

  private launch(sim: SimulatedArm, vm: AzureVm, workload: Workload): void {
    const [primary, ...others] = workload.nics;
    if (primary === undefined) throw new TypeError(`${workload.id} has no NIC to create it with`);
    const vnet = vnetOf(primary.network);
    const vnetId = `/subscriptions/${vnet.subscription}/resourceGroups/${vnet.resourceGroup}/providers/Microsoft.Network/virtualNetworks/${vnet.vnetName}`;
    const known = sim
      .virtualNetworks()
      .find((candidate) => candidate.id.toLowerCase() === vnetId.toLowerCase());
    let location = known?.location;
    if (location === undefined) {
      // A VNet in which no VM ran when the simulator was loaded: created as the inventory describes it.
      const network = this.networks.get(primary.network);
      if (network?.region === undefined || network.cidr === undefined) {
        throw new TypeError(`${workload.id}: ${primary.network} has no region or CIDR in the inventory`);
      }
      location = network.region;
      sim.createVirtualNetwork({
        resourceGroup: vnet.resourceGroup,
        name: vnet.vnetName,
        location,
        addressPrefix: network.cidr,
      });
    }
    sim.createVm({
      resourceGroup: vm.resourceGroup,
      name: vm.vmName,
      location,
      vnet: { resourceGroup: vnet.resourceGroup, name: vnet.vnetName },
      privateIp: primary.privateIp,
      ...(primary.publicIp === undefined ? {} : { publicIp: primary.publicIp }),
      tags: workload.tags,
    });
    if (primary.publicIp !== undefined) this.publicIpResources.add(workload.id);
    for (const nic of others) {
      if (nic.network !== primary.network) throw new TypeError(`${workload.id}: an Azure VM has one VNet`);
      sim.addNetworkInterface(vm.resourceGroup, vm.vmName, {
        privateIp: nic.privateIp,
        ...(nic.publicIp === undefined ? {} : { publicIp: nic.publicIp }),
      });
    }
    if (workload.state === "stopped") sim.setPowerState(vm.resourceGroup, vm.vmName, "VM deallocated");
  }
}
