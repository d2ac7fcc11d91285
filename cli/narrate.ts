/** How simulate and demo tell what happened: a step, the events it made the clouds emit, a reconcile. */

import type { Finding } from "../lib/compile/model.js";
import type { WorkloadEvent } from "../lib/ingest/workload-event.js";
import { CLOUD_NAMES, CLOUDS, type Cloud } from "../lib/inventory/model.js";
import { type CrossCloudPlan, planTotals } from "../lib/reconcile/plan.js";
import { namesOf, type PlanNames, planNames } from "../lib/reconcile/plan-names.js";
import type { ReconcileResult } from "../lib/reconcile/reconciler.js";
import { renderPlan } from "../lib/reconcile/render.js";
import { wrapLine } from "../lib/reconcile/wrap.js";
import type { Estate } from "../sim/estate-schema.js";
import type { Step } from "../sim/scenario.js";
import type { StepOutcome } from "../sim/simulation.js";
import type { CliIo } from "./io.js";

/** Short names for the workloads and networks of an estate and of the steps run on it (names.ts). */
export function estateNames(estate: Estate, steps: readonly Step[]): PlanNames {
  return namesOf([
    ...estate.workloads.map((w) => w.id),
    ...estate.networks.map((n) => n.id),
    ...steps.flatMap((s) => ("launch" in s ? [s.launch.id] : "migrate" in s ? [s.migrate.to.id] : [])),
  ]);
}

export function describeStep(step: Step): string {
  if ("launch" in step) return `launch ${step.launch.id}`;
  if ("retag" in step) return `retag ${step.retag.id}`;
  if ("stop" in step) return `stop ${step.stop.id}`;
  if ("start" in step) return `start ${step.start.id}`;
  if ("terminate" in step) return `terminate ${step.terminate.id}`;
  if ("migrate" in step) return `migrate ${step.migrate.from} → ${step.migrate.to.id}`;
  if ("traffic" in step) return `traffic (${step.traffic.length} flow(s))`;
  if ("reconcile" in step) return "reconcile (drain the queued events)";
  return "full sync";
}

export function describeChange(event: WorkloadEvent): string {
  const change = event.change;
  if (change.kind === "state") return `state ${change.state}`;
  if (change.kind === "tags") return "tags changed";
  return `resource ${change.action}`;
}

/** "3 native events (AWS 2, Azure 1) → 3 queued:" and one line per queued workload event. */
export function describeEvents(outcome: StepOutcome): string[] {
  if (outcome.events.length === 0) return [];
  const perCloud = CLOUDS.map(
    (cloud) => [cloud, outcome.events.filter((e) => e.cloud === cloud).length] as const,
  )
    .filter(([, n]) => n > 0)
    .map(([cloud, n]) => `${CLOUD_NAMES[cloud]} ${n}`);
  return [
    `${outcome.events.length} native event(s) (${perCloud.join(", ")}) → ${outcome.parsed.length} queued for the reconciler`,
    ...outcome.parsed.map((event) => `  ${event.workloadId}: ${describeChange(event)}`),
  ];
}

/** A traffic step's one line: its connections by verdict (docs/formats.md, "Traffic"). */
export function describeTraffic(outcome: StepOutcome): string[] {
  if (outcome.traffic === undefined) return [];
  const { accepted, rejected, unreachable } = outcome.traffic.connections;
  const total = accepted + rejected + unreachable;
  return [`${total} connection(s): ${accepted} accepted, ${rejected} rejected, ${unreachable} unreachable`];
}

/** "AWS 17, Azure 8" or "nothing". */
export function describeApplied(result: ReconcileResult): string {
  const parts = CLOUDS.flatMap((cloud) => {
    const n = result.applied[cloud];
    return n === undefined || n === 0 ? [] : [`${CLOUD_NAMES[cloud]} ${n}`];
  });
  return parts.length === 0 ? "nothing" : parts.join(", ");
}

/**
 * The compiler's warnings and the rendered plan, then what was applied, what failed, and whether
 * the guard held it back. With `shown`, a run of several reconciles says each compiler warning once:
 * the ones already in `shown` are left out, and the new ones are added to it.
 */
export function describeResult(
  result: ReconcileResult,
  options: { color?: boolean; shown?: Set<string>; width?: number } = {},
): string[] {
  const { shown } = options;
  const key = (finding: Finding) => `${finding.code}|${finding.subject}|${finding.message}`;
  const findings = result.intent.findings.filter((finding) => !shown?.has(key(finding)));
  for (const finding of findings) shown?.add(key(finding));
  const lines = renderPlan(result.plan, {
    color: options.color ?? false,
    guard: result.guard,
    findings,
    names: planNames(result.intent),
    ...(options.width === undefined ? {} : { width: options.width }),
  })
    .trimEnd()
    .split("\n");
  const extra: string[] = [];
  if (planTotals(result.plan).operations > 0 && result.guard.allowed)
    extra.push(`Applied: ${describeApplied(result)}.`);
  for (const cloud of CLOUDS) {
    const failure = result.failures[cloud];
    if (failure !== undefined) extra.push(`Failed in ${CLOUD_NAMES[cloud]}: ${failure.message}`);
  }
  return [...lines, ...extra.flatMap((line) => wrapLine(line, options.width))];
}

export function hasFailures(result: ReconcileResult | undefined): boolean {
  return result !== undefined && Object.keys(result.failures).length > 0;
}

/** Each cloud that could not be read or written, on stderr; whether there was one. */
export function reportFailures(command: string, result: ReconcileResult, io: CliIo): boolean {
  let failed = false;
  for (const cloud of CLOUDS) {
    const failure = result.failures[cloud];
    if (failure === undefined) continue;
    io.err(`segsync ${command}: ${CLOUD_NAMES[cloud]} failed: ${failure.message}\n`);
    failed = true;
  }
  return failed;
}

/** Operations per cloud, as the progress bar counts them. */
export function operationsPerCloud(plan: CrossCloudPlan): Partial<Record<Cloud, number>> {
  return Object.fromEntries(CLOUDS.map((cloud) => [cloud, plan[cloud]?.operations.length ?? 0]));
}

/**
 * For ReconcileOptions.approve: the plan made just before writing must be the one the user saw
 * (the clouds are read again, and on live clouds they may have changed in between).
 */
export function sameAs(shown: CrossCloudPlan): (plan: CrossCloudPlan) => boolean {
  const text = renderPlan(shown, { color: false });
  return (plan) => renderPlan(plan, { color: false }) === text;
}

/** Nothing was written because the plan changed after it was shown: exit 1. */
export function changedSincePlan(command: string, io: CliIo): number {
  io.err(
    `segsync ${command}: nothing written: the clouds changed after the plan was shown; run ${command} again to see the new plan\n`,
  );
  return 1;
}
