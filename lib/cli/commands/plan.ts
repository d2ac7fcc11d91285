import type { Command } from "commander";
import { CLOUDS } from "../../inventory/model.js";
import { planTotals } from "../../plan/model.js";
import { renderPlan } from "../../plan/render.js";
import type { ReconcileResult } from "../../reconcile/reconciler.js";
import { Simulation } from "../../sim/run.js";
import { loadSimulationInputs, refuseLive } from "../inputs.js";
import type { CliIo, CommandContext } from "../io.js";
import { CLOUD_NAMES, describeApplied } from "../narrate.js";

export interface PlanOptions {
  readonly policy: string;
  readonly estate?: string;
  readonly live?: boolean;
}

export interface ApplyOptions extends PlanOptions {
  readonly yes?: boolean;
  readonly override?: boolean;
}

function reportFailures(command: string, result: ReconcileResult, io: CliIo): boolean {
  let failed = false;
  for (const cloud of CLOUDS) {
    const failure = result.failures[cloud];
    if (failure === undefined) continue;
    io.err(`segsync ${command}: ${CLOUD_NAMES[cloud]} failed: ${failure}\n`);
    failed = true;
  }
  return failed;
}

async function start(command: string, options: PlanOptions, io: CliIo): Promise<Simulation | number> {
  if (options.live) return refuseLive(command, io);
  if (options.estate === undefined) {
    io.err(`segsync ${command}: --estate FILE is required (the simulated estate to plan on)\n`);
    return 1;
  }
  const inputs = await loadSimulationInputs({ policy: options.policy, estate: options.estate }, io);
  return inputs ? Simulation.start(inputs.policy, inputs.estate) : 1;
}

/** An initial sync planned on the simulated estate: exit 0 no changes, 2 changes, 1 error. */
export async function plan(options: PlanOptions, io: CliIo): Promise<number> {
  const simulation = await start("plan", options, io);
  if (typeof simulation === "number") return simulation;
  const result = await simulation.fullSync({ dryRun: true });
  io.out(renderPlan(result.plan, { color: io.color ?? false, guard: result.guard }));
  if (reportFailures("plan", result, io)) return 1;
  return planTotals(result.plan).operations === 0 ? 0 : 2;
}

/**
 * Plans, asks (on a terminal, unless --yes), and applies an initial sync on the simulated estate.
 * A plan that the blast-radius guard holds back applies only with --override.
 */
export async function apply(options: ApplyOptions, io: CliIo): Promise<number> {
  const simulation = await start("apply", options, io);
  if (typeof simulation === "number") return simulation;
  const planned = await simulation.fullSync({ dryRun: true, override: options.override ?? false });
  io.out(renderPlan(planned.plan, { color: io.color ?? false, guard: planned.guard }));
  if (reportFailures("apply", planned, io)) return 1;
  if (!planned.guard.allowed) {
    io.err(`segsync apply: held back: ${planned.guard.reason}; pass --override to apply it anyway\n`);
    return 1;
  }
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
  const result = await simulation.fullSync({ override: options.override ?? false });
  const failed = reportFailures("apply", result, io);
  io.out(
    `Applied: ${describeApplied(result)} (${simulation.audit.records.length} audit records` +
      `${result.guard.allowed && result.guard.overridden ? "; guard overridden" : ""}). ` +
      "The simulated estate lives only for this run.\n",
  );
  return failed ? 1 : 0;
}

export function registerPlan(program: Command, context: CommandContext): void {
  program
    .command("plan")
    .description("show what an initial sync would change (exit 0: no changes, 2: changes, 1: error)")
    .requiredOption("--policy <file>", "policy file")
    .option("--estate <file>", "simulated estate file (DESIGN §6)")
    .option("--live", "read the real clouds (not available yet)")
    .action(async (options: PlanOptions) => {
      context.exitWith(await plan(options, context.io));
    });
  program
    .command("apply")
    .description("apply an initial sync, after confirmation unless --yes")
    .requiredOption("--policy <file>", "policy file")
    .option("--estate <file>", "simulated estate file (DESIGN §6)")
    .option("--yes", "do not ask for confirmation")
    .option("--override", "apply even a plan that the blast-radius guard holds back")
    .option("--live", "write the real clouds (not available yet)")
    .action(async (options: ApplyOptions) => {
      context.exitWith(await apply(options, context.io));
    });
}
