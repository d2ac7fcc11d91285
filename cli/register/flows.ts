/** `segsync flows`: its options and help; the commands themselves are loaded when they run (docs/package.md, "CLI start"). */
import type { Command } from "commander";
import type { FlowsCheckOptions, FlowsSuggestOptions } from "../commands/flows.js";
import type { CommandContext } from "../io.js";
import { targetOptions } from "./target-options.js";

const LOGS =
  "flow log files, folders, s3://bucket/prefix or https://<account>.blob.core.windows.net/<container>/<prefix>";

/** The options both commands share: the policy, the target, the logs' AWS format. */
function flowsOptions(command: Command): Command {
  return targetOptions(command.requiredOption("--policy <file>", "policy file"), "read")
    .option(
      "--aws-format <fields>",
      "the fields of AWS records without a header line (a CloudWatch Logs export)",
    )
    .argument("<logs...>", LOGS);
}

export function registerFlows(program: Command, context: CommandContext): void {
  const flows = program
    .command("flows")
    .description("what really talks to what, from the clouds' own flow logs");
  flowsOptions(
    flows
      .command("check")
      .description(
        "the observed flows and the policy's verdict on each, what it would block first (exit 0 none, 2 some, 1 error)",
      ),
  )
    .option("--json", "the report as JSON (docs/flows.md)")
    .action(async (logs: string[], options: FlowsCheckOptions) => {
      context.exitWith(await (await import("../commands/flows.js")).flowsCheck(logs, options, context.io));
    });
  flowsOptions(
    flows
      .command("suggest")
      .description(
        "allow rules that admit every observed accepted flow the policy denies, merged into the policy (exit 0, 1 error)",
      ),
  )
    .option("--fragment", "print only the new rules and ipLists, not the whole policy")
    .option("--out <file>", "write the policy (or the fragment) here instead of on stdout")
    .action(async (logs: string[], options: FlowsSuggestOptions) => {
      context.exitWith(await (await import("../commands/flows.js")).flowsSuggest(logs, options, context.io));
    });
}
