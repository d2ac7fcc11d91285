/**
 * The events section's measurement (bench/sections/events.ts), in the process that runs it: the
 * cell's generated estate simulated and synced once, then single-workload events, each reconciled
 * on its own through the production event path (a queue batch of that event's messages). For each:
 * the read calls and the requests they take at the real clouds, the writes, the reconcile's wall
 * time and segsync's own share of it (wall time minus the simulators' time), and the minimal writes:
 * the operations a dry-run full sync from a fresh reconciler plans for the same change.
 */
import { CLOUDS } from "../../lib/inventory/model.js";
import { resolvePolicyDocument } from "../../lib/policy/load.js";
import type { ReconcileResult } from "../../lib/reconcile/reconciler.js";
import { resolveEstateDocument } from "../../sim/estate.js";
import { type PortCalls, totalCalls } from "../../sim/port-calls.js";
import { Simulation } from "../../sim/simulation.js";
import { generateEstate } from "../estate-generator.js";
import { peakRssMiB, round3 } from "../measure.js";
import type { CellSpec } from "../sections/section.js";
import { estateDocumentOf } from "../simulate/estate-document.js";
import { type EventKind, planEvents } from "./plan.js";

/** One event, reconciled on its own. */
export interface EventSample {
  readonly kind: EventKind;
  readonly readCalls: number;
  readonly readRequests: number;
  readonly writes: number;
  /** The operations a full plan needs for the same change; null where not measured. */
  readonly minimalWrites: number | null;
  readonly wallMs: number;
  /** wallMs minus the simulators' own time: compile delta, read handling, materialize, diff, apply logic. */
  readonly engineMs: number;
}

export interface EventsResult {
  readonly samples: readonly EventSample[];
  /** Reconciles that failed a cloud, or whose writes a later full sync did not find converged. */
  readonly failures: number;
  readonly peakRssMiB: number;
}

/** Fewer events at 100k: each minimal is a dry-run full sync of the whole estate. */
export function eventsPerKind(workloads: number): number {
  return workloads >= 100_000 ? 3 : 10;
}

function operations(result: ReconcileResult | undefined): number {
  if (result === undefined) return 0;
  return Object.values(result.plan).reduce((sum, part) => sum + (part?.operations.length ?? 0), 0);
}

function sampleOf(kind: EventKind, calls: PortCalls, wallMs: number, writes: number, minimal: number | null) {
  const reads = CLOUDS.reduce((sum, cloud) => sum + totalCalls(calls[cloud]).reads, 0);
  const requests = CLOUDS.reduce((sum, cloud) => sum + calls[cloud].readRequests, 0);
  const simulatorMs = CLOUDS.reduce((sum, cloud) => sum + calls[cloud].simulatorMs, 0);
  return {
    kind,
    readCalls: reads,
    readRequests: requests,
    writes,
    minimalWrites: minimal,
    wallMs: round3(wallMs),
    engineMs: round3(Math.max(0, wallMs - simulatorMs)),
  };
}

async function startSynced(spec: CellSpec) {
  const { inventory, policyDocument } = generateEstate(spec);
  const policy = resolvePolicyDocument(policyDocument);
  if (!policy.ok) throw new Error("the generated policy does not resolve");
  const loaded = resolveEstateDocument(estateDocumentOf(inventory));
  if (!loaded.ok) throw new Error(`the generated estate does not load: ${loaded.issues[0]?.message}`);
  // As the reconciler function runs it: an event batch's result holds only the change's slice.
  const simulation = Simulation.start(policy.policy, loaded.estate, { reportIntent: "change" });
  await simulation.step({ fullSync: {} });
  // A fresh reconciler on the same clouds: its dry-run full syncs give each event's minimal.
  const oracle = simulation.withPolicy(policy.policy);
  return { simulation, oracle, inventory };
}

export async function measureEvents(spec: CellSpec): Promise<EventsResult> {
  const { simulation, oracle, inventory } = await startSynced(spec);
  const samples: EventSample[] = [];
  let failures = 0;
  for (const event of planEvents(inventory, eventsPerKind(spec.workloads), spec.seed)) {
    await simulation.step(event.step);
    const minimal = operations(await oracle.fullSync({ dryRun: true }));
    const outcome = await simulation.step({ reconcile: {} });
    const result = outcome.result;
    if (result === undefined || outcome.calls === undefined)
      throw new Error("a reconcile step reported nothing");
    if (Object.keys(result.failures).length > 0) failures++;
    const written = CLOUDS.reduce((sum, cloud) => sum + (result.applied[cloud] ?? 0), 0);
    samples.push(sampleOf(event.kind, outcome.calls, outcome.wallMs ?? 0, written, minimal));
  }
  if (operations(await oracle.fullSync({ dryRun: true })) > 0) failures++;
  return { samples, failures, peakRssMiB: round3(peakRssMiB()) };
}
