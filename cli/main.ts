/** The `segsync` command line: a small router; each command lives in commands/. */
import { pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import { packageVersion } from "../lib/util/package-root.js";
import { type CliIo, processIo } from "./io.js";
import type { ProgressTerminal } from "./progress.js";
import { registerDemo } from "./register/demo.js";
import { registerEstate } from "./register/estate.js";
import { registerExplain } from "./register/explain.js";
import { registerFlows } from "./register/flows.js";
import { registerGraph } from "./register/graph.js";
import { registerGuardrails } from "./register/guardrails.js";
import { registerPlan } from "./register/plan.js";
import { registerRestore } from "./register/restore.js";
import { registerSimulate } from "./register/simulate.js";
import { registerValidate } from "./register/validate.js";

/**
 * Runs the command line (`argv` as process.argv: node, script, arguments) and returns the exit
 * code. `progress`: where apply draws its progress bar (drawn only when it is a terminal).
 */
export async function main(
  argv: string[],
  io: CliIo = processIo,
  progress: ProgressTerminal | undefined = io === processIo ? process.stderr : undefined,
): Promise<number> {
  let exitCode = 0;
  const context = {
    io,
    progress,
    exitWith: (code: number) => {
      exitCode = code;
    },
  };
  const program = new Command("segsync")
    .description("Label-based micro-segmentation kept on the workloads themselves, across AWS, Azure and GCP")
    .version(packageVersion())
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    // Return the exit code instead of calling process.exit, so main stays testable.
    .exitOverride();
  registerDemo(program, context);
  registerValidate(program, context);
  registerPlan(program, context);
  registerExplain(program, context);
  registerGraph(program, context);
  registerFlows(program, context);
  registerSimulate(program, context);
  registerRestore(program, context);
  registerGuardrails(program, context);
  registerEstate(program, context);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  return exitCode;
}

// `node --import tsx cli/main.ts …` (npm run segsync) runs it directly; bin/segsync.js imports it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv);
}
