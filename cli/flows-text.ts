/**
 * `flows check` as text (docs/flows.md, "Checking flows"): the observed accepted connections
 * that the policy would block first, then the other groups by verdict, then the findings. Ids
 * short, as plans write them (docs/reviewing-plans.md); `--json` keeps them whole.
 */
import type { CheckEndpoint, CheckGroup, CheckReport } from "../lib/flows/check.js";
import type { FlowVerdict } from "../lib/flows/verdict.js";
import { PLAN_WIDTH, wrapLine } from "../lib/reconcile/wrap.js";

const SECTIONS: readonly { readonly title: string; readonly holds: (group: CheckGroup) => boolean }[] = [
  { title: "Would be blocked (observed accepted, the policy denies)", holds: (group) => group.wouldBlock },
  { title: "Allowed", holds: (group) => group.verdict.kind === "allowed" },
  {
    title: "Denied, observed rejected",
    holds: (group) => group.verdict.kind === "denied" && !group.wouldBlock,
  },
  { title: "Not enforced by segsync", holds: (group) => group.verdict.kind === "not-enforced" },
  { title: "Unknown", holds: (group) => group.verdict.kind === "unknown" },
];

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function endpointText(endpoint: CheckEndpoint): string {
  if (endpoint.kind === "workload")
    return endpoint.identity === "" ? endpoint.workload : `${endpoint.workload} ${endpoint.identity}`;
  if (endpoint.kind === "ipList") return `${endpoint.address} (ipList ${endpoint.name})`;
  if (endpoint.seenAs === "nat") return `${endpoint.address} (NAT address)`;
  return endpoint.seenAs === "ambiguous" ? `${endpoint.address} (ambiguous)` : endpoint.address;
}

/** Where the source's egress is enforced, the end that decided: `at the source's egress`. */
const END_TEXT = { source: " at the source's egress", destination: " at the destination's ingress" } as const;

export function verdictText(verdict: FlowVerdict): string {
  const once = (onceEnforced: boolean) => (onceEnforced ? " once enforced" : "");
  const at = (end: keyof typeof END_TEXT | undefined) => (end === undefined ? "" : END_TEXT[end]);
  switch (verdict.kind) {
    case "allowed":
      return `allowed by ${verdict.rule}${at(verdict.end)}${once(verdict.onceEnforced)}`;
    case "denied":
      return `${verdict.rule === null ? "denied by default" : `denied by ${verdict.rule}`}${at(verdict.end)}${once(verdict.onceEnforced)}`;
    case "not-enforced":
      return "not enforced: segsync does not decide the destination's ingress";
    case "unknown":
      return `unknown: ${verdict.reason}`;
  }
}

/** Whole seconds without their `.000`, as flow logs mostly have them. */
function timeText(iso: string): string {
  return iso.replace(/\.000Z$/, "Z");
}

function groupLines(group: CheckGroup, shorten: (text: string) => string): string[] {
  const heading = `  ${endpointText(group.source)} → ${endpointText(group.destination)} ${group.service}`;
  const [first, last] = [timeText(group.firstSeen), timeText(group.lastSeen)];
  const seen = first === last ? first : `${first} to ${last}`;
  const detail = `      ${plural(group.connections, "connection")} ${group.observed}, ${seen}: ${verdictText(group.verdict)}`;
  return [heading, detail].flatMap((line) => wrapLine(shorten(line), PLAN_WIDTH, 4));
}

export function summaryLine(report: CheckReport): string {
  const { summary } = report;
  const counts = [
    `${summary.wouldBlock} would be blocked`,
    `${summary.allowed} allowed`,
    `${summary.denied} denied`,
    `${summary.notEnforced} not enforced`,
    `${summary.unknown} unknown`,
  ];
  const extra = [
    ...(summary.directionUnknown > 0
      ? [`${plural(summary.directionUnknown, "connection")} of unknown direction`]
      : []),
    ...(summary.malformed > 0 ? [plural(summary.malformed, "malformed record")] : []),
  ];
  const tail = extra.length === 0 ? "" : `; ${extra.join(", ")}`;
  return `${plural(summary.connections, "connection")} in ${plural(summary.groups, "group")}: ${counts.join(", ")}${tail}`;
}

/** The whole report as text, `shorten` applied to ids. */
export function renderCheck(report: CheckReport, shorten: (text: string) => string = (text) => text): string {
  const lines = [summaryLine(report)];
  for (const section of SECTIONS) {
    const groups = report.groups.filter(section.holds);
    if (groups.length === 0) continue;
    lines.push("", `${section.title}:`, ...groups.flatMap((group) => groupLines(group, shorten)));
  }
  if (report.findings.length > 0) {
    lines.push("", "Findings:");
    for (const finding of report.findings)
      lines.push(
        ...wrapLine(shorten(`  ${finding.code} ${finding.subject}: ${finding.message}`), PLAN_WIDTH, 4),
      );
  }
  return `${lines.join("\n")}\n`;
}
