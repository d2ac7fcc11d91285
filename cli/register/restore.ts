/** `segsync restore`: its options and help; the command itself is loaded when it runs (docs/package.md, "CLI start"). */
import type { Command } from "commander";
import { wrapText } from "../../lib/reconcile/wrap.js";
import type { RestoreContext, RestoreOptions } from "../commands/restore.js";
import { targetOptions } from "./target-options.js";

export function registerRestore(program: Command, context: RestoreContext): void {
  targetOptions(
    program
      .command("restore")
      .description(
        "put back the original security groups, NSGs and network tags that segsync replaced, and delete segsync's objects: " +
          "on a simulated estate (after a sync there), or on the real clouds with --live (exit 0 restored, 1 error)",
      )
      .requiredOption("--policy <file>", "policy file (its labels find the workloads)"),
    "write",
  )
    .option("--yes", "do not ask for confirmation (with --live)")
    .addHelpText(
      "after",
      `\n${wrapText(
        "With --live, the plan of the restore (what is re-attached, what is deleted) is shown and " +
          "applied after confirmation, or at once with --yes. The blast-radius guard does not apply " +
          "and there is no --override: a restore removes every rule segsync owns by design, which " +
          "the guard would hold back in all but the smallest estates; the plan and the confirmation " +
          "are the check. Workloads that are not running are left as they are: restore again once " +
          "they run.",
        79,
        0,
      )}\n`,
    )
    .action(async (options: RestoreOptions) => {
      context.exitWith(
        await (await import("../commands/restore.js")).restore(options, context.io, context.progress),
      );
    });
}
