/** `segsync demo`: its options and help; the command itself is loaded when it runs (docs/package.md, "CLI start"). */
import type { Command } from "commander";
import type { CommandContext } from "../io.js";

export function registerDemo(program: Command, context: CommandContext): void {
  program
    .command("demo")
    .description("run the whole pipeline on a simulated three-cloud estate: initial sync, then a migration")
    .action(async () => {
      context.exitWith(await (await import("../commands/demo.js")).demo(context.io));
    });
}
