/**
 * The rules that every InventoryStore implementation shares: what a valid record is, how
 * revisions advance, and the order of listings. Keeping them here makes the stores differ only
 * in where the records live.
 */
import { InvalidNetworkError, InvalidWorkloadError, InventoryConflictError } from "./errors.js";
import { describeIssues } from "./issues.js";
import type { Inventory, Network, Workload, WorkloadId } from "./model.js";
import { NetworkSchema, WorkloadSchema } from "./schema.js";
import type { WorkloadRecord, WriteOptions } from "./store.js";

/** A validated, deeply frozen copy: callers can neither hand in bad data nor mutate what is stored. */
export function validatedWorkload(workload: Workload): Workload {
  const parsed = WorkloadSchema.safeParse(workload);
  if (!parsed.success) throw new InvalidWorkloadError(workload?.id, describeIssues(parsed.error));
  return deepFreeze(parsed.data);
}

export function validatedNetwork(network: Network): Network {
  const parsed = NetworkSchema.safeParse(network);
  if (!parsed.success) throw new InvalidNetworkError(network?.id, describeIssues(parsed.error));
  return deepFreeze(parsed.data);
}

/** Throws InventoryConflictError unless `current` is at the expected revision (0: absent). */
export function checkExpectedRevision(
  id: WorkloadId,
  current: WorkloadRecord | undefined,
  options: WriteOptions | undefined,
): void {
  const expected = options?.expectedRevision;
  if (expected === undefined) return;
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new TypeError(`expectedRevision must be a non-negative integer, not ${expected}`);
  }
  const actual = current?.revision ?? 0;
  if (actual !== expected) throw new InventoryConflictError(id, expected, current?.revision);
}

/** The record that a put of `workload` over `current` produces (validated, revision checked). */
export function nextRecord(
  current: WorkloadRecord | undefined,
  workload: Workload,
  options: WriteOptions | undefined,
): WorkloadRecord {
  const valid = validatedWorkload(workload);
  checkExpectedRevision(valid.id, current, options);
  return Object.freeze({ workload: valid, revision: (current?.revision ?? 0) + 1 });
}

export function sortedById<T>(items: Iterable<T>, idOf: (item: T) => string): T[] {
  return [...items].sort((a, b) => {
    const left = idOf(a);
    const right = idOf(b);
    return left < right ? -1 : left > right ? 1 : 0;
  });
}

export function inventoryOf(records: Iterable<WorkloadRecord>, networks: Iterable<Network>): Inventory {
  return Object.freeze({
    workloads: Object.freeze(sortedById(records, (record) => record.workload.id).map((r) => r.workload)),
    networks: Object.freeze(sortedById(networks, (network) => network.id)),
  });
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
