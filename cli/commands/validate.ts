import { parse } from "yaml";
import { readDocumentFile } from "../../lib/util/load-document.js";
import { formatIssue, type SourceIssue } from "../../lib/util/source-issues.js";
import type { CliIo } from "../io.js";

/** `warnings`: placed (`file:line:col path: warning: …`) or about the whole file (`file: warning: …`). */
type Checked =
  | { ok: true; summary: string; warnings?: readonly (SourceIssue | string)[] }
  | { ok: false; issues: readonly SourceIssue[] };

/**
 * Each kind of file segsync reads, checked by its own loader, with a one-line summary. Each loader
 * is imported when a file of its kind comes: validating a policy loads no simulator or live
 * configuration (docs/package.md, "CLI start").
 */
const CHECKS: Readonly<Record<string, (text: string, file: string) => Promise<Checked>>> = {
  Policy: async (text, file) => {
    const [{ loadPolicyText }, { policySummary }] = await Promise.all([
      import("../../lib/policy/load.js"),
      import("../../lib/policy/summary.js"),
    ]);
    const result = loadPolicyText(text, file);
    if (!result.ok) return result;
    return { ok: true, summary: policySummary(result.policy), warnings: result.warnings };
  },
  Estate: async (text, file) => {
    const { loadEstateText } = await import("../../sim/estate.js");
    const result = loadEstateText(text, file);
    return result.ok
      ? {
          ok: true,
          summary: `Estate: ${result.estate.networks.length} network(s), ${result.estate.workloads.length} workload(s)`,
        }
      : result;
  },
  Scenario: async (text, file) => {
    const { loadScenarioText } = await import("../../sim/scenario.js");
    const result = loadScenarioText(text, file);
    return result.ok ? { ok: true, summary: `Scenario: ${result.scenario.steps.length} step(s)` } : result;
  },
  Config: async (text, file) => {
    const { loadLiveConfigText } = await import("../../lib/live/load-config.js");
    const result = loadLiveConfigText(text, file);
    if (!result.ok) return result;
    const { aws, azure, gcp } = result.config;
    const clouds = [
      ...(aws ? [`AWS ${aws.accounts.length} account(s)`] : []),
      ...(azure ? [`Azure ${azure.subscriptions.length} subscription(s)`] : []),
      ...(gcp ? [`GCP ${gcp.projects.length} project(s)`] : []),
    ];
    return { ok: true, summary: `Config: ${clouds.join(", ")}` };
  },
};

/**
 * The document's `kind`, read leniently: a file that does not parse, or names no known kind, is
 * checked as a policy, whose loader reports what is wrong with it.
 */
function kindOf(text: string): string {
  try {
    const document: unknown = parse(text);
    const kind = (document as { kind?: unknown } | null)?.kind;
    return typeof kind === "string" && kind in CHECKS ? kind : "Policy";
  } catch {
    return "Policy";
  }
}

function warningLine(file: string, warning: SourceIssue | string): string {
  if (typeof warning === "string") return `${file}: warning: ${warning}`;
  return formatIssue(file, { ...warning, message: `warning: ${warning.message}` });
}

/**
 * Exit 0 with one summary line on stdout (and any warnings on stderr), or 1 with every issue on
 * stderr, one per line.
 */
export async function validateFile(file: string, io: CliIo): Promise<number> {
  const read = await readDocumentFile(file);
  const result: Checked = read.ok
    ? await (CHECKS[kindOf(read.text)] as (typeof CHECKS)[string])(read.text, file)
    : read;
  if (result.ok) {
    io.out(`${file}: valid (${result.summary})\n`);
    for (const warning of result.warnings ?? []) io.err(`${warningLine(file, warning)}\n`);
    return 0;
  }
  for (const issue of result.issues) io.err(`${formatIssue(file, issue)}\n`);
  return 1;
}

/** Each file in turn, in the order given; exit 1 when any is invalid. */
export async function validateFiles(files: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  for (const file of files) exitCode = Math.max(exitCode, await validateFile(file, io));
  return exitCode;
}
