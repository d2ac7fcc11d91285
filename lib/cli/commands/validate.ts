import type { Command } from "commander";
import { formatIssue, loadPolicyFile } from "../../policy/load.js";
import { policySummary } from "../../policy/summary.js";
import type { CliIo, CommandContext } from "../io.js";

/** Exit 0 with one summary line on stdout, or 1 with every issue on stderr, one per line. */
export async function validatePolicyFile(file: string, io: CliIo): Promise<number> {
  const result = await loadPolicyFile(file);
  if (result.ok) {
    io.out(`${file}: valid (${policySummary(result.policy)})\n`);
    return 0;
  }
  for (const issue of result.issues) io.err(`${formatIssue(file, issue)}\n`);
  return 1;
}

/** Each file in turn, in the order given; exit 1 when any is invalid. */
export async function validatePolicyFiles(files: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  for (const file of files) exitCode = Math.max(exitCode, await validatePolicyFile(file, io));
  return exitCode;
}

export function registerValidate(program: Command, context: CommandContext): void {
  program
    .command("validate")
    .description("check policy files and report every problem with its line and column")
    .argument("<files...>", "policy files, YAML or JSON")
    .action(async (files: string[]) => {
      context.exitWith(await validatePolicyFiles(files, context.io));
    });
}
