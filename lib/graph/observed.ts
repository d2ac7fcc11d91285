/**
 * The observed flows of a `flows check --json` report drawn over the policy's graph
 * (docs/graph.md, "Observed flows"): each group's endpoints mapped onto the graph's nodes
 * (observed-nodes.ts), and the groups of one kind between two nodes added up into one edge with
 * its services, counts and first and last seen. The policy's edges stay as they are; those no
 * allowed observed flow went along are listed as not observed. Pure and deterministic.
 */
import { compareText } from "../util/compare-text.js";
import type { CheckGroup, CheckReport } from "./check-report.js";
import type { FlowGraph, ObservedEdge, ObservedKind } from "./model.js";
import { OBSERVED_KINDS } from "./model.js";
import { blocksWithNodes, ObservedNodes } from "./observed-nodes.js";

interface EdgeDraft {
  readonly from: string;
  readonly to: string;
  readonly kind: ObservedKind;
  readonly services: Set<string>;
  readonly rules: Set<string>;
  readonly reasons: Set<string>;
  accepted: number;
  rejected: number;
  groups: number;
  firstSeen: string;
  lastSeen: string;
  onceEnforced: boolean;
}

/** The rule an allowed or denied verdict names, when no deny rule does. */
export const DEFAULT_DENY = "default deny";

/** The reason of a group that no ruleset enforces. */
export const NOT_ENFORCED = "not enforced";

export function observedKind(group: CheckGroup): ObservedKind {
  if (group.verdict.kind === "allowed") return "allowed";
  if (group.verdict.kind === "denied") return group.wouldBlock ? "would-block" : "blocked";
  return "unknown";
}

/** The graph with the report's flows over it; `source` names the report on the page. */
export function overlayObserved(graph: FlowGraph, report: CheckReport, source: string): FlowGraph {
  const nodes = new ObservedNodes(graph.nodes, blocksWithNodes(report.groups));
  const drafts = new Map<string, EdgeDraft>();
  for (const group of report.groups) {
    const from = nodes.nodeOf(group.source);
    const to = nodes.nodeOf(group.destination);
    const kind = observedKind(group);
    const key = `${kind}:${from}→${to}`;
    const draft = drafts.get(key) ?? newDraft(from, to, kind, group);
    drafts.set(key, draft);
    addGroup(draft, group);
  }
  const edges = [...drafts.entries()]
    .map(([id, draft]) => finishEdge(id, draft))
    .sort(
      (a, b) =>
        OBSERVED_KINDS.indexOf(a.kind) - OBSERVED_KINDS.indexOf(b.kind) ||
        compareText(a.from, b.from) ||
        compareText(a.to, b.to),
    );
  const walked = new Set(edges.filter((e) => e.kind === "allowed").map((e) => `${e.from}→${e.to}`));
  return {
    ...graph,
    nodes: nodes.all(),
    observed: {
      source,
      edges,
      // A deny edge is what no flow may take: "not observed" says nothing about it.
      notObserved: graph.edges.filter((e) => e.kind !== "deny" && !walked.has(e.id)).map((e) => e.id),
      summary: report.summary,
      findings: report.findings,
    },
  };
}

function newDraft(from: string, to: string, kind: ObservedKind, group: CheckGroup): EdgeDraft {
  return {
    from,
    to,
    kind,
    services: new Set(),
    rules: new Set(),
    reasons: new Set(),
    accepted: 0,
    rejected: 0,
    groups: 0,
    firstSeen: group.firstSeen,
    lastSeen: group.lastSeen,
    onceEnforced: false,
  };
}

function addGroup(draft: EdgeDraft, group: CheckGroup): void {
  draft.services.add(group.service);
  draft.groups += 1;
  if (group.observed === "accepted") draft.accepted += group.connections;
  else draft.rejected += group.connections;
  if (Date.parse(group.firstSeen) < Date.parse(draft.firstSeen)) draft.firstSeen = group.firstSeen;
  if (Date.parse(group.lastSeen) > Date.parse(draft.lastSeen)) draft.lastSeen = group.lastSeen;
  const verdict = group.verdict;
  if (verdict.kind === "allowed") draft.rules.add(verdict.rule);
  else if (verdict.kind === "denied") draft.rules.add(verdict.rule ?? DEFAULT_DENY);
  else draft.reasons.add(verdict.kind === "unknown" ? verdict.reason : NOT_ENFORCED);
  if (verdict.kind === "allowed" || verdict.kind === "denied") draft.onceEnforced ||= verdict.onceEnforced;
}

function finishEdge(id: string, draft: EdgeDraft): ObservedEdge {
  return {
    id,
    from: draft.from,
    to: draft.to,
    kind: draft.kind,
    services: [...draft.services].sort(compareServices),
    connections: draft.accepted + draft.rejected,
    accepted: draft.accepted,
    rejected: draft.rejected,
    groups: draft.groups,
    firstSeen: draft.firstSeen,
    lastSeen: draft.lastSeen,
    rules: [...draft.rules].sort(compareText),
    reasons: [...draft.reasons].sort(compareText),
    onceEnforced: draft.onceEnforced,
  };
}

/** By protocol, then by port as a number: tcp/22 before tcp/443 before tcp/8080. */
function compareServices(a: string, b: string): number {
  const [protocolA = "", portA = "0"] = a.split("/");
  const [protocolB = "", portB = "0"] = b.split("/");
  return compareText(protocolA, protocolB) || Number(portA) - Number(portB);
}
