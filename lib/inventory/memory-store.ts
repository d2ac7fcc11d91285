import type { Inventory, Network, Workload, WorkloadId } from "./model.js";
import { checkExpectedRevision, inventoryOf, nextRecord, sortedById, validatedNetwork } from "./records.js";
import type { InventoryStore, WorkloadRecord, WriteOptions } from "./store.js";

/**
 * An InventoryStore in a Map, for tests and the simulator. Each operation runs to completion
 * without yielding, so concurrent calls are atomic and the revision checks are exact.
 */
export class MemoryInventoryStore implements InventoryStore {
  private readonly workloads = new Map<WorkloadId, WorkloadRecord>();
  private readonly networks = new Map<string, Network>();

  async get(id: WorkloadId): Promise<WorkloadRecord | undefined> {
    return this.workloads.get(id);
  }

  async list(): Promise<WorkloadRecord[]> {
    return sortedById(this.workloads.values(), (record) => record.workload.id);
  }

  async put(workload: Workload, options?: WriteOptions): Promise<WorkloadRecord> {
    const record = nextRecord(this.workloads.get(workload?.id), workload, options);
    this.workloads.set(record.workload.id, record);
    return record;
  }

  async delete(id: WorkloadId, options?: WriteOptions): Promise<boolean> {
    const current = this.workloads.get(id);
    checkExpectedRevision(id, current, options);
    return this.workloads.delete(id);
  }

  async listNetworks(): Promise<Network[]> {
    return sortedById(this.networks.values(), (network) => network.id);
  }

  async putNetwork(network: Network): Promise<void> {
    const valid = validatedNetwork(network);
    this.networks.set(valid.id, valid);
  }

  async snapshot(): Promise<Inventory> {
    return inventoryOf(this.workloads.values(), this.networks.values());
  }
}
