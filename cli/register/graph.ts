/** `segsync graph`: its options and help; the command itself is loaded when it runs (docs/package.md, "CLI start"). */
import { type Command, Option } from "commander";
import { GRAPH_FORMATS } from "../../lib/graph/formats.js";
import type { GraphOptions } from "../commands/graph.js";
import type { CommandContext } from "../io.js";
import { targetOptions } from "./target-options.js";

export function registerGraph(program: Command, context: CommandContext): void {
  targetOptions(
    program
      .command("graph")
      .description(
        "the allowed flows between identities, with each workload's state and the findings, as Mermaid, Graphviz DOT or a self-contained HTML page (docs/graph.md)",
      )
      .requiredOption("--policy <file>", "policy file"),
    "read",
  )
    .option("--scenario <file>", "the graph after running this scenario on the estate (with --estate)")
    .addOption(new Option("--format <format>", "output format").choices(GRAPH_FORMATS).default("mermaid"))
    .option("--out <file>", "write to a file instead of stdout")
    .option(
      "--flows <file>",
      "draw over the policy's edges the observed flows of this `flows check --json` output: would be blocked, unknown, rejected, allowed (docs/graph.md)",
    )
    .action(async (options: GraphOptions) => {
      context.exitWith(await (await import("../commands/graph.js")).graph(options, context.io));
    });
}
