/** `segsync estate`: its options and help; the command itself is loaded when it runs (docs/package.md, "CLI start"). */
import type { Command } from "commander";
import { DEFAULT_DIMENSIONS, DEFAULT_TAG_PREFIX } from "../../lib/policy/names.js";
import type { ExportOptions } from "../commands/estate.js";
import type { CommandContext } from "../io.js";

export function registerEstate(program: Command, context: CommandContext): void {
  const estate = program
    .command("estate")
    .description("the Estate file that simulate, plan and explain run on");
  estate
    .command("export")
    .description("write an Estate file from the real clouds of --config, read-only (exit 0 written, 1 error)")
    .option("--live", "read the real clouds of --config, with their usual credentials")
    .option("--config <file>", "live configuration: the accounts, subscriptions and projects")
    .option("--aws-endpoint <url>", "EC2 and STS at this URL instead of AWS's, e.g. moto_server")
    .option(
      "--policy <file>",
      `policy whose labels find the workloads (default: ${DEFAULT_TAG_PREFIX}${DEFAULT_DIMENSIONS.join(", ")})`,
    )
    .option("--out <file>", "write the estate here instead of on stdout")
    .action(async (options: ExportOptions) => {
      context.exitWith(await (await import("../commands/estate.js")).exportEstate(options, context.io));
    });
}
