import { readFile } from "node:fs/promises";
import type { MemoryAuditSink } from "../../lib/reconcile/audit.js";
import { type CrossCloudPlan, planTotals } from "../../lib/reconcile/plan.js";
import { planNames } from "../../lib/reconcile/plan-names.js";
import type { ReconcileResult, Reconciler } from "../../lib/reconcile/reconciler.js";
import { countWarnings, renderPlan } from "../../lib/reconcile/render.js";
import { wrapText } from "../../lib/reconcile/wrap.js";
import { Simulation } from "../../sim/simulation.js";
import { chooseTarget, loadSimulationInputs, type TargetOptions } from "../inputs.js";
import type { CliIo, CommandContext } from "../io.js";
import { openLiveSession } from "../live-session.js";
import {
  changedSincePlan,
  describeApplied,
  hasFailures,
  operationsPerCloud,
  reportFailures,
  sameAs,
} from "../narrate.js";
import { writeOutputFile } from "../output-file.js";
import { planJson } from "../plan-json.js";
import { type ProgressTerminal, progressReporter } from "../progress.js";
import { matchesSaved, readSavedPlan, savePlan } from "../saved-plan.js";

export interface PlanOptions extends TargetOptions {
  readonly policy: string;
  /** plan only: exit 1 when the compiler or a cloud warns, for CI. */
  readonly failOnWarning?: boolean;
  /** plan only: the plan as JSON on stdout (plan-json.ts) instead of the text. */
  readonly json?: boolean;
  /** plan only: where to save the plan for `apply --plan` (saved-plan.ts). */
  readonly out?: string;
}

export interface ApplyOptions extends PlanOptions {
  readonly yes?: boolean;
  readonly override?: boolean;
  /** A plan saved by `plan --out`: apply only if planning again gives exactly its writes. */
  readonly plan?: string;
}

/** Where the progress bar of `apply` is drawn (process.stderr from the command line). */
export interface PlanContext extends CommandContext {
  readonly progress?: ProgressTerminal;
}

/** What plan and apply run on: the simulated estate or the real clouds, behind the same reconciler. */
interface Run {
  readonly reconciler: Pick<Reconciler, "fullSync">;
  readonly audit: MemoryAuditSink;
  /** Said after applying, to tell where the changes went. */
  readonly applied: string;
}

async function start(command: string, options: PlanOptions, io: CliIo): Promise<Run | number> {
  const target = chooseTarget(command, options, io);
  if (target === undefined) return 1;
  if (target.kind === "live") {
    const session = await openLiveSession(options.policy, target, io);
    return session ? { ...session, applied: "" } : 1;
  }
  const inputs = await loadSimulationInputs({ policy: options.policy, estate: target.estate }, io);
  if (!inputs) return 1;
  const simulation = Simulation.start(inputs.policy, inputs.estate);
  return {
    reconciler: simulation.reconciler,
    audit: simulation.audit,
    applied: " The simulated estate lives only for this run.",
  };
}

/** The plan, unless it is empty because clouds could not be read: "No changes" would not be true. */
function showPlan(result: ReconcileResult, io: CliIo): void {
  if (hasFailures(result) && planTotals(result.plan).operations === 0) return;
  io.out(
    renderPlan(result.plan, {
      color: io.color ?? false,
      guard: result.guard,
      findings: result.intent.findings,
      names: planNames(result.intent),
    }),
  );
}

/**
 * An initial sync planned on the simulated estate or the real clouds: exit 0 no changes, 2 changes,
 * 1 error (or, with --fail-on-warning, any warning).
 */
export async function plan(options: PlanOptions, io: CliIo): Promise<number> {
  const run = await start("plan", options, io);
  if (typeof run === "number") return run;
  const result = await run.reconciler.fullSync({ dryRun: true });
  if (options.json) io.out(`${JSON.stringify(planJson(result), null, 2)}\n`);
  else showPlan(result, io);
  if (reportFailures("plan", result, io)) return 1;
  if (options.out !== undefined && !(await writeOutputFile(options.out, savePlan(result.plan), "plan", io)))
    return 1;
  // A held place counts as a warning: a CI run must not pass over it.
  const warnings = countWarnings(result.plan, result.intent.findings) + (result.guard.allowed ? 0 : 1);
  if (options.failOnWarning && warnings > 0) {
    io.err(`segsync plan: ${warnings} warning(s) (see above) and --fail-on-warning\n`);
    return 1;
  }
  return planTotals(result.plan).operations === 0 ? 0 : 2;
}

/**
 * Plans, asks (on a terminal, unless --yes), and applies an initial sync on the simulated estate
 * or the real clouds. A plan that the blast-radius guard holds back applies only with --override.
 * Long applies draw a progress bar on `progress` when it is a terminal.
 */
export async function apply(options: ApplyOptions, io: CliIo, progress?: ProgressTerminal): Promise<number> {
  if (options.plan !== undefined) return applySaved({ ...options, plan: options.plan }, io, progress);
  const run = await start("apply", options, io);
  if (typeof run === "number") return run;
  const planned = await planToApply(run, options, io, showPlan);
  if (typeof planned === "number") return planned;
  if (planTotals(planned.plan).operations === 0) return 0;
  if (!options.yes) {
    if (!io.interactive || !io.ask) {
      io.err("segsync apply: not applying without confirmation: stdin is not a terminal; pass --yes\n");
      return 1;
    }
    const answer = (await io.ask("Apply these changes? Only 'yes' applies: ")).trim().toLowerCase();
    if (answer !== "yes") {
      io.out("Not applied.\n");
      return 1;
    }
  }
  return applyPlanned(run, planned, sameAs(planned.plan), options, io, progress);
}

/**
 * apply --plan FILE: the reviewed plan, and only it. Planning again must give exactly the saved
 * writes (the clouds and the policy are as they were); then they are written without asking (the
 * file was the approval); otherwise nothing is written and the exit code is 1.
 */
async function applySaved(
  options: ApplyOptions & { readonly plan: string },
  io: CliIo,
  progress?: ProgressTerminal,
): Promise<number> {
  const text = await readFile(options.plan, "utf8").catch(() => undefined);
  if (text === undefined) {
    io.err(`segsync apply: cannot read the plan ${options.plan}\n`);
    return 1;
  }
  const saved = readSavedPlan(text);
  if (!saved.ok) {
    io.err(`segsync apply: ${options.plan}: ${saved.error}\n`);
    return 1;
  }
  const run = await start("apply", options, io);
  if (typeof run === "number") return run;
  const matches = matchesSaved(saved.plan);
  const planned = await planToApply(run, options, io, () => io.out(saved.plan.text));
  if (typeof planned === "number") return planned;
  if (!matches(planned.plan)) {
    io.err(
      `segsync apply: nothing written: planning again gives other writes than ${options.plan} (the clouds or the policy changed); plan again\n`,
    );
    return 1;
  }
  if (planTotals(planned.plan).operations === 0) return 0;
  return applyPlanned(run, planned, matches, options, io, progress);
}

/** The plan an apply may write, shown by `show`; an exit code when it must not be written. */
async function planToApply(
  run: Run,
  options: ApplyOptions,
  io: CliIo,
  show: (planned: ReconcileResult, io: CliIo) => void,
): Promise<ReconcileResult | number> {
  const planned = await run.reconciler.fullSync({ dryRun: true, override: options.override ?? false });
  show(planned, io);
  if (reportFailures("apply", planned, io)) return 1;
  if (!planned.guard.allowed)
    io.err(`segsync apply: held back: ${planned.guard.reason}; pass --override to apply those too\n`);
  return planned;
}

/** Writes the approved plan (the reconciler declines one that changed since), with the progress bar. */
async function applyPlanned(
  run: Run,
  planned: ReconcileResult,
  approve: (plan: CrossCloudPlan) => boolean,
  options: ApplyOptions,
  io: CliIo,
  progress?: ProgressTerminal,
): Promise<number> {
  const bar = progressReporter(progress, operationsPerCloud(planned.plan));
  const result = await run.reconciler.fullSync({
    override: options.override ?? false,
    onProgress: bar.onProgress,
    approve,
  });
  bar.finish();
  if (result.declined) return changedSincePlan("apply", io);
  const failed = reportFailures("apply", result, io);
  io.out(
    `${wrapText(
      `Applied: ${describeApplied(result)} (${run.audit.records.length} audit records` +
        `${result.guard.allowed && result.guard.overridden ? "; guard overridden" : ""}).` +
        run.applied,
    )}\n`,
  );
  // A held place is loud: the rest was applied, but the run did not do all it was asked.
  return failed || !result.guard.allowed ? 1 : 0;
}
