import { compareText } from "../util/compare-text.js";
import { formatSelector } from "./format.js";
import type { DestinationIntent, Finding, Intent, PeerSet, WorkloadReport } from "./model.js";
import type { IdentityState, RuleState, WorkloadEntry } from "./state.js";

export interface SnapshotInput {
  readonly destinations: readonly DestinationIntent[];
  readonly peerSets: readonly { readonly peerSet: PeerSet; readonly findings: readonly Finding[] }[];
  readonly entries: Iterable<WorkloadEntry>;
  readonly identities: ReadonlyMap<string, IdentityState>;
  readonly rules: readonly RuleState[];
}

/** Assembles the frozen, sorted Intent from the compiler's parts. */
export function buildSnapshot(input: SnapshotInput): Intent {
  const findings: Finding[] = input.peerSets.flatMap((entry) => entry.findings);
  const workloads: WorkloadReport[] = [];
  for (const entry of input.entries) {
    workloads.push(Object.freeze(reportOf(entry, input.identities)));
    for (const problem of entry.problems) {
      findings.push({
        code: "non-portable-label",
        severity: "warning",
        subject: entry.workload.id,
        message: `${entry.workload.id}: ${problem.message}; treated as unlabelled for that dimension`,
      });
    }
  }
  findings.push(...ruleFindings(input.rules));
  return Object.freeze({
    destinations: Object.freeze([...input.destinations].sort((a, b) => compareText(a.key, b.key))),
    peerSets: Object.freeze(
      input.peerSets.map((entry) => entry.peerSet).sort((a, b) => compareText(a.key, b.key)),
    ),
    workloads: Object.freeze(workloads.sort((a, b) => compareText(a.workload, b.workload))),
    findings: Object.freeze(
      findings
        .sort(
          (a, b) =>
            compareText(a.code, b.code) ||
            compareText(a.subject, b.subject) ||
            compareText(a.message, b.message),
        )
        .map((finding) => Object.freeze(finding)),
    ),
  });
}

function reportOf(entry: WorkloadEntry, identities: ReadonlyMap<string, IdentityState>): WorkloadReport {
  const identity = entry.identity?.identity ?? "";
  const workload = entry.workload.id;
  if (entry.workload.state !== "running") return { workload, treatment: "inactive", identity };
  if (!entry.identity) return { workload, treatment: "unmanaged", identity };
  const enforcement = identities.get(identity)?.enforcement ?? "unscoped";
  return { workload, treatment: enforcement, identity };
}

function ruleFindings(rules: readonly RuleState[]): Finding[] {
  const findings: Finding[] = [];
  for (const { rule, fromIdentities, toIdentities } of rules) {
    if (toIdentities.size === 0) {
      findings.push({
        code: "selector-matches-nothing",
        severity: "info",
        subject: rule.id,
        message: `rule ${rule.id}: to ${formatSelector(rule.to)} matches no running workload`,
      });
    }
    if (rule.from.kind === "labels" && fromIdentities.size === 0) {
      findings.push({
        code: "selector-matches-nothing",
        severity: "info",
        subject: rule.id,
        message: `rule ${rule.id}: from ${formatSelector(rule.from.selector)} matches no running workload`,
      });
    }
  }
  return findings;
}
