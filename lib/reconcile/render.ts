import type { OperationSummary } from "../clouds/provider.js";
import type { Finding } from "../compile/model.js";
import { CLOUD_NAMES, CLOUDS } from "../inventory/model.js";
import { compareText } from "../util/compare-text.js";
import type { GuardVerdict } from "./guard.js";
import { type CrossCloudPlan, planTotals } from "./plan.js";
import { FULL_NAMES, type PlanNames } from "./plan-names.js";
import { PLAN_WIDTH, wrapLine } from "./wrap.js";

const SIGN = { create: "+", update: "~", delete: "-" } as const;
const COLOR = { create: "\u001b[32m", update: "\u001b[33m", delete: "\u001b[31m" } as const;
const RESET = "\u001b[0m";
const CHANGE_SIGNS: Readonly<Record<string, OperationSummary["action"]>> = {
  "+": "create",
  "~": "update",
  "-": "delete",
};
/** Rule-level lines shown per object; `plan --json` has them all. */
export const CHANGES_SHOWN = 20;

/**
 * The compiler's warnings (Intent.findings), in the order of the intent (sorted): what the policy
 * cannot enforce as written. Info findings are left to the JSON outputs.
 */
export function renderPolicyFindings(
  findings: readonly Finding[],
  names: PlanNames = FULL_NAMES,
  width = PLAN_WIDTH,
): string[] {
  const warnings = findings.filter((finding) => finding.severity === "warning");
  if (warnings.length === 0) return [];
  return [
    "Policy:",
    ...warnings.flatMap((finding) => wrapLine(`  ! warning: ${names.shorten(finding.message)}`, width)),
  ];
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

function changeLines(changes: readonly string[] | undefined, names: PlanNames): string[] {
  if (changes === undefined) return [];
  const shown = changes.slice(0, CHANGES_SHOWN).map((change) => `      ${names.annotate(change)}`);
  const more = changes.length - shown.length;
  return more > 0 ? [...shown, `      … and ${more} more (plan --json lists them all)`] : shown;
}

export interface RenderOptions {
  readonly color?: boolean;
  readonly guard?: GuardVerdict;
  readonly findings?: readonly Finding[];
  /** Short names from the plan's intent (names.ts); without: ids in full. */
  readonly names?: PlanNames;
  /** Columns to wrap at; less than 80 where the caller indents the plan. */
  readonly width?: number;
}

/**
 * A plan as people read it, Terraform-like, within 80 columns: the compiler's warnings, then per
 * cloud, per object, the changes in the order they will be applied with the rules each adds or
 * removes, then findings and one summary line.
 */
export function renderPlan(plan: CrossCloudPlan, options: RenderOptions = {}): string {
  const names = options.names ?? FULL_NAMES;
  const lines: string[] = renderPolicyFindings(options.findings ?? [], names, options.width);
  const paint = (action: OperationSummary["action"] | undefined, text: string) =>
    options.color && action !== undefined ? `${COLOR[action]}${text}${RESET}` : text;
  const push = (text: string, action?: OperationSummary["action"]) => {
    for (const line of wrapLine(text, options.width)) lines.push(paint(action, line));
  };
  for (const cloud of CLOUDS) {
    const part = plan[cloud];
    if (!part || (part.summaries.length === 0 && part.findings.length === 0)) continue;
    lines.push(`${CLOUD_NAMES[cloud]}:`);
    for (const summary of part.summaries) {
      push(
        `  ${SIGN[summary.action]} ${summary.objectType} ${names.shorten(summary.object)}: ${names.shorten(summary.detail)}`,
        summary.action,
      );
      for (const change of changeLines(summary.changes, names))
        push(change, CHANGE_SIGNS[change.trim()[0] ?? ""]);
    }
    for (const finding of [...part.findings].sort((a, b) => compareText(a.subject, b.subject))) {
      push(`  ! ${finding.severity}: ${names.shorten(finding.message)}`);
    }
  }
  const totals = planTotals(plan);
  push(
    totals.operations === 0
      ? "No changes: the clouds already enforce the policy."
      : `Plan: ${totals.create} to create, ${totals.update} to change, ${totals.delete} to destroy (${totals.removedRules} of ${totals.ownedRules} owned rules removed or narrowed).`,
  );
  if (options.guard && !options.guard.allowed) push(`Held back: ${options.guard.reason}.`);
  return `${lines.join("\n")}\n`;
}
