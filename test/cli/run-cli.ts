/** Runs `node bin/segsync.js …` from the repository root, as users do, and captures everything. */
import { execFile } from "node:child_process";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../policy/fixtures.js";

export interface CliRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `env`: the child's whole environment (default: this process's). */
export function runCli(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, "bin", "segsync.js"), ...args],
      { cwd: REPO_ROOT, ...(env === undefined ? {} : { env }) },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ exitCode, stdout, stderr });
      },
    );
  });
}

/** Runs many invocations a few at a time: each is a cold Node process, so this keeps the suite fast. */
export async function runCliAll(argLists: readonly (readonly string[])[]): Promise<CliRun[]> {
  const results: CliRun[] = new Array(argLists.length);
  let next = 0;
  const worker = async () => {
    while (next < argLists.length) {
      const index = next++;
      results[index] = await runCli(argLists[index] ?? []);
    }
  };
  await Promise.all(Array.from({ length: Math.max(2, availableParallelism()) }, worker));
  return results;
}
