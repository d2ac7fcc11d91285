/**
 * A reconciler over the real clouds of a live config: what plan, apply and restore run a full
 * sync with (restore under a policy of its own).
 */
import { MemoryInventoryStore } from "../lib/inventory/memory-store.js";
import type { Policy } from "../lib/policy/model.js";
import { MemoryAuditSink } from "../lib/reconcile/audit.js";
import { Reconciler } from "../lib/reconcile/reconciler.js";
import { connectTarget, loadLiveInputs, type Target } from "./inputs.js";
import type { CliIo } from "./io.js";

export interface LiveSession {
  readonly reconciler: Pick<Reconciler, "fullSync">;
  /** Every operation applied, for the count said after applying. */
  readonly audit: MemoryAuditSink;
  /** The policy it syncs under (after `adapt`). */
  readonly policy: Policy;
}

/**
 * The policy file and the target's config loaded, the clouds connected (lazily: nothing is read
 * before the first sync), or undefined after printing every issue of both files on stderr.
 * `adapt` turns the policy read into the one to sync under (restore: everything in visibility).
 */
export async function openLiveSession(
  policyFile: string,
  target: Extract<Target, { kind: "live" }>,
  io: CliIo,
  adapt: (policy: Policy) => Policy = (policy) => policy,
): Promise<LiveSession | undefined> {
  const inputs = await loadLiveInputs({ policy: policyFile, config: target.config }, io);
  if (!inputs) return undefined;
  const live = await connectTarget(inputs.config, target);
  const audit = new MemoryAuditSink();
  const policy = adapt(inputs.policy);
  // The inventory starts empty: the full sync discovers everything the config names.
  const reconciler = new Reconciler({
    drivers: live.drivers,
    store: new MemoryInventoryStore(),
    policy,
    audit,
    guard: live.guard,
  });
  return { reconciler, audit, policy };
}
