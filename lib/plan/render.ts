import type { OperationSummary } from "../clouds/provider.js";
import type { Finding } from "../compile/model.js";
import { CLOUDS } from "../inventory/model.js";
import { compareText } from "../util/compare-text.js";
import type { GuardVerdict } from "./guard.js";
import { type CrossCloudPlan, planTotals } from "./model.js";

const SIGN = { create: "+", update: "~", delete: "-" } as const;
const COLOR = { create: "\u001b[32m", update: "\u001b[33m", delete: "\u001b[31m" } as const;
const RESET = "\u001b[0m";
const CLOUD_NAMES = { aws: "AWS", azure: "Azure", gcp: "GCP" } as const;

/**
 * The compiler's warnings (Intent.findings), in the order of the intent (sorted): what the policy
 * cannot enforce as written. Info findings are left to the JSON outputs.
 */
export function renderPolicyFindings(findings: readonly Finding[]): string[] {
  const warnings = findings.filter((finding) => finding.severity === "warning");
  if (warnings.length === 0) return [];
  return ["Policy:", ...warnings.map((finding) => `  ! warning: ${finding.message}`)];
}

/** Warnings of the compiler and of the clouds: what `plan --fail-on-warning` fails on. */
export function countWarnings(plan: CrossCloudPlan, findings: readonly Finding[]): number {
  // The tracked-connections note comes with every plan that narrows: it says what a narrowing
  // does to open connections (docs/connection-tracking.md), not that something is wrong.
  const cloud = Object.values(plan)
    .flatMap((part) => part?.findings ?? [])
    .filter((finding) => finding.code !== "tracked-connections");
  return [...findings, ...cloud].filter((finding) => finding.severity !== "info").length;
}

/**
 * A plan as people read it, Terraform-like: the compiler's warnings, then per cloud, per object,
 * the changes in the order they will be applied, then findings and one summary line.
 */
export function renderPlan(
  plan: CrossCloudPlan,
  options: { color?: boolean; guard?: GuardVerdict; findings?: readonly Finding[] } = {},
): string {
  const lines: string[] = renderPolicyFindings(options.findings ?? []);
  const paint = (action: OperationSummary["action"], text: string) =>
    options.color ? `${COLOR[action]}${text}${RESET}` : text;
  for (const cloud of CLOUDS) {
    const part = plan[cloud];
    if (!part || (part.summaries.length === 0 && part.findings.length === 0)) continue;
    lines.push(`${CLOUD_NAMES[cloud]}:`);
    for (const summary of part.summaries) {
      lines.push(
        paint(
          summary.action,
          `  ${SIGN[summary.action]} ${summary.objectType} ${summary.object}: ${summary.detail}`,
        ),
      );
    }
    for (const finding of [...part.findings].sort((a, b) => compareText(a.subject, b.subject))) {
      lines.push(`  ! ${finding.severity}: ${finding.message}`);
    }
  }
  const totals = planTotals(plan);
  lines.push(
    totals.operations === 0
      ? "No changes: the clouds already enforce the policy."
      : `Plan: ${totals.create} to create, ${totals.update} to change, ${totals.delete} to destroy (${totals.removedRules} of ${totals.ownedRules} owned rules removed or narrowed).`,
  );
  if (options.guard && !options.guard.allowed) lines.push(`Held back: ${options.guard.reason}.`);
  return `${lines.join("\n")}\n`;
}
