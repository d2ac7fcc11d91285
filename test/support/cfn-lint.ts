import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";

const PROGRAM = "cfn-lint";

/** Whether cfn-lint is an executable on PATH. */
export function cfnLintAvailable(): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((directory) => {
    try {
      accessSync(join(directory, PROGRAM), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

let warned = false;

/**
 * For `it.skipIf(skipWithoutCfnLint("…"))`: true (skip, with a visible warning) when cfn-lint is
 * missing, unless SEGSYNC_REQUIRE_EXTERNAL_TOOLS=1 (CI), where its absence throws and fails the
 * run instead of passing it silently.
 */
export function skipWithoutCfnLint(what: string): boolean {
  if (cfnLintAvailable()) return false;
  if (process.env.SEGSYNC_REQUIRE_EXTERNAL_TOOLS === "1") {
    throw new Error(
      `${PROGRAM} not found on PATH, and SEGSYNC_REQUIRE_EXTERNAL_TOOLS=1 requires it for ${what}`,
    );
  }
  if (!warned) {
    warned = true;
    console.warn(`${PROGRAM} not found: skipping ${what} (pip install cfn-lint to run it)`);
  }
  return true;
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
