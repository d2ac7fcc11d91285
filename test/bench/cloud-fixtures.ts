import { applyChanges, generateEstate, randomChanges } from "../../bench/estate-generator.js";
import type { Cloud, Inventory, Workload, WorkloadChange } from "../../lib/inventory/model.js";
import { resolvePolicyDocument } from "../../lib/policy/load.js";

/** Shared by the Azure and GCP bench tests: a generated estate, and changes played on a cloud's simulators. */

export function estate(workloads: number) {
  const { inventory, policyDocument } = generateEstate({ workloads, rules: 60, seed: 11 });
  const resolved = resolvePolicyDocument(policyDocument);
  if (!resolved.ok) throw new Error("the generated policy does not resolve");
  return { inventory, policy: resolved.policy };
}

/**
 * Draws `count` random changes and plays `cloud`'s ones on `sims`, as the writes measurement
 * does; says what they did, and returns the ones played and the workloads of `cloud` that
 * discovery must read back (labelled ones, as `view` shows them, sorted by id).
 */
export function playChanges<V extends { readonly id: string }>(
  sims: { play(change: WorkloadChange, previous: Workload | undefined): string | undefined },
  inventory: Inventory,
  cloud: Cloud,
  view: (workload: Workload) => V,
): { kinds: Set<string | undefined>; expected: V[] } {
  const current = new Map(inventory.workloads.map((workload) => [workload.id, workload]));
  const kinds = new Set<string | undefined>();
  const played: WorkloadChange[] = [];
  for (const change of randomChanges(inventory, 400, 5)) {
    const id = change.kind === "delete" ? change.id : change.workload.id;
    if (!id.startsWith(`${cloud}:`)) continue;
    const kind = sims.play(change, current.get(id));
    kinds.add(kind);
    if (kind === undefined) continue;
    played.push(change);
    if (change.kind === "delete") current.delete(id);
    else current.set(id, change.workload);
  }
  const expected = applyChanges(inventory, played).workloads.filter(
    (workload) =>
      workload.id.startsWith(`${cloud}:`) && Object.keys(workload.tags).some((key) => key.startsWith("seg-")),
  );
  return { kinds, expected: sortedViews(expected, view) };
}

export function sortedViews<V extends { readonly id: string }>(
  workloads: readonly Workload[],
  view: (workload: Workload) => V,
): V[] {
  return workloads.map(view).sort((a, b) => a.id.localeCompare(b.id));
}
