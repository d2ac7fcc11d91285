/**
 * Lookups over an estate that its checks and the simulators' construction share: networks and
 * workloads by id (with their parsed parts and their place in the file), AWS VPCs by VPC id (VPC
 * ids are unique across accounts and regions), Azure VMs by ARM id.
 */
import {
  type NetworkIdParts,
  networkIdProblem,
  parseNetworkId,
  parseWorkloadId,
  type WorkloadIdParts,
  workloadIdProblem,
} from "../lib/inventory/ids.js";
import type { EstateCore, EstateNetwork, EstateWorkload } from "./estate-core-schema.js";

export interface IndexedNetwork {
  readonly network: EstateNetwork;
  readonly index: number;
  readonly parts: NetworkIdParts;
}

export interface IndexedWorkload {
  readonly workload: EstateWorkload;
  readonly index: number;
  readonly parts: WorkloadIdParts;
}

/** The ARM id of an Azure VM, as `virtualMachine.id` names it (compared ignoring case). */
export function azureVmId(subscription: string, resourceGroup: string, vmName: string): string {
  return `/subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/virtualMachines/${vmName}`;
}

/** The ARM id of an Azure VNet. */
export function azureVnetId(subscription: string, resourceGroup: string, vnetName: string): string {
  return `/subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/virtualNetworks/${vnetName}`;
}

export class EstateIndex {
  /** The first network listed with each id. */
  readonly networks = new Map<string, IndexedNetwork>();
  /** The first workload listed with each id. */
  readonly workloads = new Map<string, IndexedWorkload>();
  /** AWS networks by VPC id: the first listed. */
  readonly awsVpcs = new Map<string, IndexedNetwork>();
  /** Azure workloads by lowercased VM id. */
  readonly azureVms = new Map<string, IndexedWorkload>();

  constructor(estate: EstateCore) {
    estate.networks.forEach((network, index) => {
      if (this.networks.has(network.id) || networkIdProblem(network.id) !== undefined) return;
      const entry = { network, index, parts: parseNetworkId(network.id) };
      this.networks.set(network.id, entry);
      if (entry.parts.cloud === "aws" && !this.awsVpcs.has(entry.parts.vpcId)) {
        this.awsVpcs.set(entry.parts.vpcId, entry);
      }
    });
    estate.workloads.forEach((workload, index) => {
      if (this.workloads.has(workload.id) || workloadIdProblem(workload.id) !== undefined) return;
      const entry = { workload, index, parts: parseWorkloadId(workload.id) };
      this.workloads.set(workload.id, entry);
      if (entry.parts.cloud === "azure") {
        const { subscription, resourceGroup, vmName } = entry.parts;
        this.azureVms.set(azureVmId(subscription, resourceGroup, vmName).toLowerCase(), entry);
      }
    });
  }

  /** The AWS workload with this instance id in this account and region. */
  awsInstance(account: string, region: string, instanceId: string): IndexedWorkload | undefined {
    for (const entry of this.workloads.values()) {
      const parts = entry.parts;
      if (
        parts.cloud === "aws" &&
        parts.instanceId === instanceId &&
        parts.account === account &&
        parts.region === region
      ) {
        return entry;
      }
    }
    return undefined;
  }

  /** The estate network of a workload, when it is listed. */
  networkOf(workload: EstateWorkload): IndexedNetwork | undefined {
    return this.networks.get(workload.network);
  }
}
