/** `segsync explain`: its options and help; the command itself is loaded when it runs (docs/package.md, "CLI start"). */
import type { Command } from "commander";
import type { ExplainOptions } from "../commands/explain.js";
import type { CommandContext } from "../io.js";
import { targetOptions } from "./target-options.js";

export function registerExplain(program: Command, context: CommandContext): void {
  targetOptions(
    program
      .command("explain")
      .description(
        "why a flow between two workloads is allowed or denied, at both ends, in the policy and natively",
      )
      .requiredOption("--policy <file>", "policy file"),
    "read",
  )
    .option(
      "--scenario <file>",
      'a scenario to run first (simulated estate only; docs/formats.md, "Scenario")',
    )
    .requiredOption("--from <workload>", "source workload id")
    .requiredOption("--to <workload>", "destination workload id, or an address outside the estate")
    .requiredOption("--port <port>", "tcp/PORT, udp/PORT or icmp")
    .option("--json", "the explanation as JSON: both ends (source, destination) and the findings")
    .action(async (options: ExplainOptions) => {
      context.exitWith(await (await import("../commands/explain.js")).explain(options, context.io));
    });
}
