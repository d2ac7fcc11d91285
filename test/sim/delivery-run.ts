/**
 * Running an example scenario with or without the at-least-once delivery model, and watching
 * what the reconciler is actually handed: each batch, and the workloads its events name as
 * they are in the clouds at that moment.
 */
import { join } from "node:path";
import type { WorkloadEvent } from "../../lib/ingest/workload-event.js";
import { loadPolicyFile } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import type { DeliveryOptions } from "../../sim/delivery.js";
import type { Estate } from "../../sim/estate.js";
import { loadScenarioFile, type Scenario } from "../../sim/scenario.js";
import { Simulation, type StepOutcome } from "../../sim/simulation.js";
import type { LiveWorkload } from "../../sim/workload-book.js";
import { exampleEstate, REPO_ROOT, SCENARIOS_DIR } from "./fixtures.js";

export interface Batch {
  readonly events: readonly WorkloadEvent[];
  /** Each workload the batch names, as the clouds have it when the reconciler gets the batch. */
  readonly live: ReadonlyMap<string, LiveWorkload | undefined>;
}

export interface ObservedRun {
  readonly simulation: Simulation;
  readonly outcomes: readonly StepOutcome[];
  readonly batches: readonly Batch[];
}

export async function examples(): Promise<{ policy: Policy; estate: Estate }> {
  const policy = await loadPolicyFile(join(REPO_ROOT, "examples", "policy.yaml"));
  if (!policy.ok) throw new Error("the example policy must load");
  return { policy: policy.policy, estate: await exampleEstate() };
}

export async function exampleScenario(file: string, estate: Estate): Promise<Scenario> {
  const result = await loadScenarioFile(join(SCENARIOS_DIR, file), { estate });
  if (!result.ok) throw new Error(result.issues.map((issue) => issue.message).join("\n"));
  return result.scenario;
}

export async function observedRun(
  policy: Policy,
  estate: Estate,
  scenario: Scenario,
  delivery?: DeliveryOptions,
): Promise<ObservedRun> {
  const simulation = Simulation.start(policy, estate, delivery ? { delivery } : {});
  const batches: Batch[] = [];
  const reconciler = simulation.reconciler;
  const handle = reconciler.handleEvents.bind(reconciler);
  reconciler.handleEvents = (events, options) => {
    const ids = new Set(events.map((event) => event.workloadId));
    const live = new Map([...ids].map((id) => [id, simulation.clouds.workload(id)] as const));
    batches.push({ events: [...events], live });
    return handle(events, options);
  };
  const outcomes = await simulation.run(scenario);
  return { simulation, outcomes, batches };
}

/** Event ids in the order the reconciler got them, every delivery included. */
export function deliveredIds(run: ObservedRun): string[] {
  return run.batches.flatMap((batch) => batch.events.map((event) => event.eventId));
}

/**
 * Whether an event says what its workload is now: a state event its state (or its absence), a
 * tag event carrying tags its tags, a create or a delete its existence; undefined when the event
 * does not say (a resource update, a tag event without tags).
 */
export function describesNow(event: WorkloadEvent, live: LiveWorkload | undefined): boolean | undefined {
  const change = event.change;
  if (change.kind === "state") {
    if (change.state === "terminating" || change.state === "terminated") return live === undefined;
    const running = change.state === "pending" || change.state === "running";
    return live?.state === (running ? "running" : "stopped");
  }
  if (change.kind === "tags") {
    if (change.tags === undefined) return undefined;
    return live !== undefined && JSON.stringify(sorted(change.tags)) === JSON.stringify(sorted(live.tags));
  }
  if (change.action === "updated") return undefined;
  return (change.action === "created") === (live !== undefined);
}

function sorted(tags: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Per batch, the workloads whose last event in it says something they no longer are. */
export function staleLastEvents(batch: Batch): string[] {
  const last = new Map<string, WorkloadEvent>();
  for (const event of batch.events) last.set(event.workloadId, event);
  return [...last].flatMap(([id, event]) =>
    describesNow(event, batch.live.get(id)) === false
      ? [`${id}: ${event.change.kind} ${JSON.stringify(event.change)}`]
      : [],
  );
}
