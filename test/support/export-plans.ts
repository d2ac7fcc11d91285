/**
 * What the `estate export` end-to-end tests share: the plan (as `plan --json` prints it) of a full
 * sync on live connections and on an exported estate, and the export itself as the command writes it.
 */
import { planJson } from "../../cli/plan-json.js";
import { MemoryInventoryStore } from "../../lib/inventory/memory-store.js";
import type { LiveConnections } from "../../lib/live/connect.js";
import { loadPolicyFile } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import { MemoryAuditSink } from "../../lib/reconcile/audit.js";
import { Reconciler } from "../../lib/reconcile/reconciler.js";
import { loadEstateText } from "../../sim/estate.js";
import { exportLive } from "../../sim/export/live.js";
import { exportedEstateYaml } from "../../sim/export/yaml.js";
import { Simulation } from "../../sim/simulation.js";

export async function examplePolicy(): Promise<Policy> {
  const loaded = await loadPolicyFile("examples/policy.yaml");
  if (!loaded.ok) throw new Error("examples/policy.yaml does not load");
  return loaded.policy;
}

/** A reconciler over the live connections, as `plan --live` and `apply --live` make one. */
export function liveReconciler(live: LiveConnections, policy: Policy): Reconciler {
  return new Reconciler({
    drivers: live.drivers,
    store: new MemoryInventoryStore(),
    policy,
    audit: new MemoryAuditSink(),
    guard: live.guard,
  });
}

export async function livePlanJson(live: LiveConnections, policy: Policy): Promise<unknown> {
  return withoutSeals(planJson(await liveReconciler(live, policy).fullSync({ dryRun: true })));
}

/**
 * The one normalisation: a GCP plan names the seal tag it will set (`segsync-seal-<40 hex>`), an
 * HMAC under the record key, and the live key and the simulator's differ by design
 * (lib/clouds/common/seals.ts). Everything else must be equal as it is.
 */
function withoutSeals(plan: unknown): unknown {
  return JSON.parse(JSON.stringify(plan).replace(/segsync-seal-[0-9a-f]{40}/g, "segsync-seal-(seal)"));
}

/** The export as `estate export` writes it, checked as `validate` and `--estate` load it. */
export async function exportedText(live: LiveConnections, policy: Policy): Promise<string> {
  const exported = await exportLive(live, policy.labels);
  if (exported.findings.length > 0) {
    throw new Error(`the export has findings: ${exported.findings.map((f) => f.message).join("; ")}`);
  }
  return exportedEstateYaml(exported, new Date("2026-01-01T00:00:00Z"));
}

export async function estatePlanJson(text: string, policy: Policy): Promise<unknown> {
  const loaded = loadEstateText(text, "exported.yaml");
  if (!loaded.ok) {
    throw new Error(
      `the export is not a valid estate: ${loaded.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
    );
  }
  return withoutSeals(
    planJson(await Simulation.start(policy, loaded.estate).reconciler.fullSync({ dryRun: true })),
  );
}
