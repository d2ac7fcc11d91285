import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { planTotals } from "../../plan/model.js";
import { Simulation, type StepOutcome } from "../../sim/run.js";
import { loadSimulationInputs, type SimulationFiles } from "../inputs.js";
import type { CliIo, CommandContext } from "../io.js";
import { describeEvents, describeResult, describeStep, hasFailures } from "../narrate.js";
import { indent, styler } from "../style.js";

export interface SimulateOptions extends Required<SimulationFiles> {
  readonly stateOut: string;
  readonly json?: boolean;
}

/** The step as --json prints it: the step, its events, and for reconciles the plan summaries and outcome. */
function stepJson(outcome: StepOutcome) {
  const result = outcome.result;
  return {
    step: outcome.step,
    events: outcome.events.length,
    queued: outcome.parsed,
    ...(result === undefined
      ? {}
      : {
          plan: Object.fromEntries(
            Object.entries(result.plan).map(([cloud, part]) => [
              cloud,
              { summaries: part?.summaries ?? [], findings: part?.findings ?? [] },
            ]),
          ),
          totals: planTotals(result.plan),
          guard: result.guard,
          applied: result.applied,
          failures: result.failures,
        }),
  };
}

/**
 * Runs the scenario on the simulated estate (an initial full sync, every step, a last drain),
 * prints what each step did, and writes the final native state (DESIGN §6) to --state-out.
 * Exit 0; 1 on invalid input or when a reconcile reports failures.
 */
export async function simulate(options: SimulateOptions, io: CliIo): Promise<number> {
  const inputs = await loadSimulationInputs(options, io);
  if (!inputs?.scenario) return 1;
  const simulation = Simulation.start(inputs.policy, inputs.estate);
  const outcomes = await simulation.run(inputs.scenario);
  await writeFile(options.stateOut, `${JSON.stringify(simulation.clouds.stateOut(), null, 2)}\n`);
  const failed = outcomes.some((outcome) => hasFailures(outcome.result));
  if (options.json) {
    io.out(`${JSON.stringify({ steps: outcomes.map(stepJson), stateOut: options.stateOut }, null, 2)}\n`);
    return failed ? 1 : 0;
  }
  const paint = styler(io.color ?? false);
  for (const [index, outcome] of outcomes.entries()) {
    const title = index === 0 ? "full sync (initial)" : describeStep(outcome.step);
    io.out(`${paint("bold", `Step ${index}: ${title}`)}\n`);
    const lines = [
      ...describeEvents(outcome),
      ...(outcome.result ? describeResult(outcome.result, { color: io.color ?? false }) : []),
    ];
    if (lines.length > 0) io.out(`${indent(lines.join("\n"))}\n`);
  }
  io.out(`Final state written to ${options.stateOut} (${simulation.audit.records.length} audit records).\n`);
  if (failed) io.err("segsync simulate: a reconcile reported failures (see above)\n");
  return failed ? 1 : 0;
}

export function registerSimulate(program: Command, context: CommandContext): void {
  program
    .command("simulate")
    .description("run a scenario on a simulated three-cloud estate and write the final native state")
    .requiredOption("--policy <file>", "policy file")
    .requiredOption("--estate <file>", "estate file (DESIGN §6)")
    .requiredOption("--scenario <file>", "scenario file (DESIGN §6)")
    .requiredOption("--state-out <file>", "where to write the final state (JSON)")
    .option("--json", "print the steps as JSON instead of text")
    .action(async (options: SimulateOptions) => {
      context.exitWith(await simulate(options, context.io));
    });
}
