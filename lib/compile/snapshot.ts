import { compareText } from "../util/compare-text.js";
import { formatSelector } from "./format.js";
import type { CancelledRule } from "./intent-parts.js";
import type { DestinationIntent, EgressIntent, Finding, Intent, PeerSet, WorkloadReport } from "./model.js";
import type { IdentityState, RuleState, WorkloadEntry } from "./state.js";

export interface SnapshotInput {
  readonly destinations: ReadonlyMap<
    string,
    {
      readonly intent: DestinationIntent;
      readonly findings: readonly Finding[];
      readonly cancelled: readonly CancelledRule[];
    }
  >;
  readonly peerSets: ReadonlyMap<
    string,
    { readonly peerSet: PeerSet; readonly findings: readonly Finding[] }
  >;
  readonly entries: ReadonlyMap<string, WorkloadEntry>;
  readonly identities: ReadonlyMap<string, IdentityState>;
  readonly rules: readonly RuleState[];
  /** The policy's labels.tagPrefix, to tell when no workload carries it at all. */
  readonly tagPrefix: string;
  /** Egress entries (v2); the intent has an `egress` table only when there is one. */
  readonly egress?: ReadonlyMap<
    string,
    { readonly intent: EgressIntent; readonly findings: readonly Finding[] }
  >;
}

/** Assembles the frozen, sorted Intent from the compiler's parts. */
export function buildSnapshot(input: SnapshotInput): Intent {
  const findings: Finding[] = [];
  const peerSets: PeerSet[] = [];
  for (const key of sortedKeys(input.peerSets)) {
    const entry = input.peerSets.get(key) as { peerSet: PeerSet; findings: readonly Finding[] };
    peerSets.push(entry.peerSet);
    findings.push(...entry.findings);
  }
  const workloads: WorkloadReport[] = [];
  for (const id of sortedKeys(input.entries)) {
    const entry = input.entries.get(id) as WorkloadEntry;
    workloads.push(Object.freeze(reportOf(entry, input.identities)));
    for (const problem of entry.problems) {
      findings.push({
        code: "non-portable-label",
        severity: "warning",
        subject: id,
        message: `${id}: ${problem.message}; treated as unlabelled for that dimension`,
      });
    }
  }
  // When no workload carries the prefix, every selector matches nothing for that one reason.
  const prefix = prefixFindings(input.entries, input.tagPrefix);
  findings.push(...(prefix.length > 0 ? prefix : ruleFindings(input.rules, input.identities)));
  findings.push(...denyFindings(input.destinations));
  const egress = input.egress ?? new Map();
  for (const entry of egress.values()) findings.push(...entry.findings);
  return Object.freeze({
    destinations: Object.freeze(
      sortedKeys(input.destinations).map((key) => input.destinations.get(key)?.intent as DestinationIntent),
    ),
    peerSets: Object.freeze(peerSets),
    workloads: Object.freeze(workloads),
    findings: Object.freeze(sortFindings(findings)),
    ...(egress.size === 0
      ? {}
      : { egress: Object.freeze(sortedKeys(egress).map((key) => egress.get(key)?.intent as EgressIntent)) }),
  });
}

/** The default sort compares strings by UTF-16 code units (compareText's order), natively: much faster on 100k keys. */
function sortedKeys(map: ReadonlyMap<string, unknown>): string[] {
  return [...map.keys()].sort();
}

/** By code, subject, message. Most findings arrive grouped by subject already, which the stable sort keeps cheap. */
function sortFindings(findings: Finding[]): Finding[] {
  return findings
    .sort(
      (a, b) =>
        compareText(a.code, b.code) || compareText(a.subject, b.subject) || compareText(a.message, b.message),
    )
    .map((finding) => Object.freeze(finding));
}

export function reportOf(
  entry: WorkloadEntry,
  identities: ReadonlyMap<string, IdentityState>,
): WorkloadReport {
  const identity = entry.identity?.identity ?? "";
  const workload = entry.workload.id;
  if (entry.workload.state !== "running") return { workload, treatment: "inactive", identity };
  if (!entry.identity) return { workload, treatment: "unmanaged", identity };
  const enforcement = identities.get(identity)?.enforcement ?? "unscoped";
  return { workload, treatment: enforcement, identity };
}

/**
 * The deny rules' findings: those of each destination (NAT-shared addresses), and the allow rules
 * that matched somewhere but that deny rules left in no grant anywhere.
 */
function denyFindings(destinations: SnapshotInput["destinations"]): Finding[] {
  const findings: Finding[] = [];
  const cancelled = new Map<string, Set<string>>();
  for (const entry of destinations.values()) {
    findings.push(...entry.findings);
    for (const { rule, denies } of entry.cancelled) {
      const set = cancelled.get(rule) ?? new Set();
      for (const deny of denies) set.add(deny);
      cancelled.set(rule, set);
    }
  }
  if (cancelled.size === 0) return findings;
  for (const entry of destinations.values())
    for (const grant of entry.intent.grants) for (const rule of grant.rules) cancelled.delete(rule);
  for (const [rule, denies] of cancelled) {
    findings.push({
      code: "rule-cancelled-by-deny",
      severity: "warning",
      subject: rule,
      message: `rule ${rule} allows nothing: deny rules ${[...denies].sort(compareText).join(", ")} take out every flow it allows`,
    });
  }
  return findings;
}

function ruleFindings(
  rules: readonly RuleState[],
  identities: ReadonlyMap<string, IdentityState>,
): Finding[] {
  const findings: Finding[] = [];
  for (const { rule, fromIdentities, toIdentities } of rules) {
    if (rule.action === "allow" && rule.to.kind === "ipList" && fromIdentities.size > 0) {
      const enforced = [...fromIdentities].some(
        (identity) => identities.get(identity)?.egress === "enforced",
      );
      if (!enforced) findings.push(egressWithoutEffect(rule.id, rule.to.name));
    }
    if (rule.to.kind === "labels" && toIdentities.size === 0) {
      findings.push({
        code: "selector-matches-nothing",
        severity: "warning",
        subject: rule.id,
        message: `rule ${rule.id}: to ${formatSelector(rule.to.selector)} matches no running workload`,
      });
    }
    if (rule.from.kind === "labels" && fromIdentities.size === 0) {
      findings.push({
        code: "selector-matches-nothing",
        severity: "warning",
        subject: rule.id,
        message: `rule ${rule.id}: from ${formatSelector(rule.from.selector)} matches no running workload`,
      });
    }
  }
  return findings;
}

/**
 * A tagPrefix that no workload carries (a typo in the policy or on every workload) leaves every
 * workload unmanaged: the plan would say "No changes" and nothing would be enforced. Discovery
 * may return only workloads with a label key, so an empty inventory counts too. Case is ignored
 * because `Seg-App` under `seg-` is already a non-portable-label finding.
 */
function prefixFindings(entries: ReadonlyMap<string, WorkloadEntry>, tagPrefix: string): Finding[] {
  if (tagPrefix === "") return [];
  const prefix = tagPrefix.toLowerCase();
  for (const entry of entries.values()) {
    if (Object.keys(entry.workload.tags).some((key) => key.toLowerCase().startsWith(prefix))) return [];
  }
  return [
    {
      code: "tag-prefix-matches-nothing",
      severity: "warning",
      subject: tagPrefix,
      message: `no workload carries a tag with prefix "${tagPrefix}" (labels.tagPrefix), so segsync manages none`,
    },
  ];
}

/** A rule to an ipList acts at its sources' egress only: where none of them has it enforced, it does nothing. */
function egressWithoutEffect(rule: string, ipList: string): Finding {
  return {
    code: "egress-rule-without-effect",
    severity: "info",
    subject: rule,
    message: `rule ${rule} goes to ipList ${ipList}, but none of its sources has enforced egress, which is open: the rule changes nothing`,
  };
}
