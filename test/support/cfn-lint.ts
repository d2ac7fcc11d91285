import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { skipWithout } from "./external-tool.js";

const PROGRAM = "cfn-lint";

/** For `it.skipIf(skipWithoutCfnLint("…"))`: see skipWithout. */
export function skipWithoutCfnLint(what: string): boolean {
  return skipWithout(PROGRAM, what, "pip install cfn-lint");
}

export interface CfnLintResult {
  /** 0: clean; cfn-lint's exit code is a bit field of errors (2), warnings (4) and infos (8). */
  readonly exitCode: number;
  readonly findings: readonly { readonly rule: string; readonly message: string; readonly path: string }[];
}

interface CfnLintJsonFinding {
  readonly Rule: { readonly Id: string };
  readonly Message: string;
  readonly Location: { readonly Path?: readonly (string | number)[] };
}

/** Lints one template; `ignore` lists rule ids to leave out (each with its reason at the call). */
export async function cfnLint(template: string, ignore: readonly string[] = []): Promise<CfnLintResult> {
  const args = [
    "--format",
    "json",
    ...(ignore.length > 0 ? ["--ignore-checks", ...ignore] : []),
    "--",
    template,
  ];
  const run = promisify(execFile);
  let stdout: string;
  let exitCode = 0;
  try {
    ({ stdout } = await run(PROGRAM, args, { maxBuffer: 16 * 1024 * 1024 }));
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== "number" || failed.stdout === undefined) throw error;
    exitCode = failed.code;
    stdout = failed.stdout;
    if (stdout.trim() === "") throw new Error(`${PROGRAM} failed (${exitCode}): ${failed.stderr ?? ""}`);
  }
  const findings = (JSON.parse(stdout) as CfnLintJsonFinding[]).map((finding) => ({
    rule: finding.Rule.Id,
    message: finding.Message,
    path: (finding.Location.Path ?? []).join("/"),
  }));
  return { exitCode, findings };
}
