/** `segsync validate`: its options and help; the command itself is loaded when it runs (docs/package.md, "CLI start"). */
import type { Command } from "commander";
import type { CommandContext } from "../io.js";

export function registerValidate(program: Command, context: CommandContext): void {
  program
    .command("validate")
    .description(
      "check policy, estate, scenario and config files (each by its kind) and report every problem with its line and column",
    )
    .argument("<files...>", "YAML or JSON files of kind Policy, Estate, Scenario or Config")
    .action(async (files: string[]) => {
      context.exitWith(await (await import("../commands/validate.js")).validateFiles(files, context.io));
    });
}
