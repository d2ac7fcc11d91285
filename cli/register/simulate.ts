/** `segsync simulate`: its options and help; the command itself is loaded when it runs (docs/package.md, "CLI start"). */
import type { Command } from "commander";
import { DELIVERY_SPEC_HELP } from "../../sim/delivery-spec.js";
import type { SimulateOptions } from "../commands/simulate.js";
import type { CommandContext } from "../io.js";

export function registerSimulate(program: Command, context: CommandContext): void {
  program
    .command("simulate")
    .description("run a scenario on a simulated three-cloud estate and write the final native state")
    .requiredOption("--policy <file>", "policy file")
    .requiredOption("--estate <file>", 'estate file (docs/formats.md, "Estate")')
    .requiredOption("--scenario <file>", 'scenario file (docs/formats.md, "Scenario")')
    .requiredOption("--state-out <file>", "where to write the final state (JSON)")
    .option("--json", "print the steps as JSON instead of text")
    .option(
      "--flow-logs-out <dir>",
      "write the traffic steps' flow logs there, one folder per cloud (docs/flows.md)",
    )
    .option("--delivery <modes>", `at-least-once delivery of the events: ${DELIVERY_SPEC_HELP}`)
    .option("--seed <n>", "seed of the delivery model (default 1)")
    .action(async (options: SimulateOptions) => {
      context.exitWith(await (await import("../commands/simulate.js")).simulate(options, context.io));
    });
}
