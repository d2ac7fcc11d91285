/** `segsync plan`: its options and help; the command itself is loaded when it runs (docs/package.md, "CLI start"). */
import type { Command } from "commander";
import type { ApplyOptions, PlanContext, PlanOptions } from "../commands/plan.js";
import { targetOptions } from "./target-options.js";

export function registerPlan(program: Command, context: PlanContext): void {
  targetOptions(
    program
      .command("plan")
      .description("show what an initial sync would change (exit 0: no changes, 2: changes, 1: error)")
      .requiredOption("--policy <file>", "policy file"),
    "read",
  )
    .option("--fail-on-warning", "exit 1 when the plan has any warning (for CI)")
    .option("--json", "print the plan, its findings and the guard's numbers as JSON")
    .option("--out <file>", "also save the plan, for apply --plan")
    .action(async (options: PlanOptions) => {
      context.exitWith(await (await import("../commands/plan.js")).plan(options, context.io));
    });
  targetOptions(
    program
      .command("apply")
      .description("apply an initial sync, after confirmation unless --yes")
      .requiredOption("--policy <file>", "policy file"),
    "write",
  )
    .option("--yes", "do not ask for confirmation")
    .option("--override", "apply even a plan that the blast-radius guard holds back")
    .option("--plan <file>", "apply the plan that plan --out saved, only if planning again gives exactly it")
    .action(async (options: ApplyOptions) => {
      context.exitWith(
        await (await import("../commands/plan.js")).apply(options, context.io, context.progress),
      );
    });
}
