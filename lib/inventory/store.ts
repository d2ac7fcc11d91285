/**
 * The InventoryStore port: where the reconciler keeps what it last saw of every workload.
 * Implementations: memory-store.ts (tests, simulator), file-store.ts (CLI), and a DynamoDB store
 * with conditional writes (the deployed pipeline). All of them pass test/inventory's contract test.
 */
import type { Inventory, Network, Workload, WorkloadId } from "./model.js";

/** A stored workload and its revision: 1 on creation, +1 on every put. Records are frozen. */
export interface WorkloadRecord {
  readonly workload: Workload;
  readonly revision: number;
}

/**
 * Optimistic concurrency: the write happens only if the record is at `expectedRevision` now
 * (0: only if it does not exist); otherwise it throws InventoryConflictError and changes nothing.
 * Without it, the write is unconditional.
 */
export interface WriteOptions {
  readonly expectedRevision?: number;
}

export interface InventoryStore {
  get(id: WorkloadId): Promise<WorkloadRecord | undefined>;
  /** Every workload, ordered by id. */
  list(): Promise<WorkloadRecord[]>;
  /**
   * Creates or replaces the workload (validated against the inventory schema first:
   * InvalidWorkloadError). After a delete, the id starts again at revision 1.
   */
  put(workload: Workload, options?: WriteOptions): Promise<WorkloadRecord>;
  /** Removes the workload; resolves to whether it existed. */
  delete(id: WorkloadId, options?: WriteOptions): Promise<boolean>;
  /** Every network, ordered by id. */
  listNetworks(): Promise<Network[]>;
  /** Creates or replaces the network with that id (validated first: InvalidNetworkError). */
  putNetwork(network: Network): Promise<void>;
  /** The whole inventory as the compiler takes it, workloads and networks ordered by id. */
  snapshot(): Promise<Inventory>;
}
