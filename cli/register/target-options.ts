import type { Command } from "commander";

/** --estate, or --live with --config and --aws-endpoint: shared by plan, apply and explain. */
export function targetOptions(command: Command, verb: "read" | "write"): Command {
  return command
    .option("--estate <file>", 'simulated estate file (docs/formats.md, "Estate")')
    .option("--live", `${verb} the real clouds of --config, with their usual credentials`)
    .option("--config <file>", "live configuration: the accounts, subscriptions and projects (with --live)")
    .option(
      "--aws-endpoint <url>",
      "EC2 and STS at this URL instead of AWS's, e.g. moto_server (with --live)",
    );
}
