/**
 * What policy v2 adds to the graph (docs/graph.md, "Deny rules and egress"): the identities whose
 * egress is enforced, what they may open to ipLists (an edge to the ipList's node), and the deny
 * rules, one deny edge per pair of nodes they stand between. Pure.
 */
import { identityLabels } from "../compile/deny-match.js";
import type { EgressTarget, Intent } from "../compile/model.js";
import { selectorMatches } from "../compile/selector-index.js";
import type { Policy, Rule, RuleSource, RuleTarget, Service } from "../policy/model.js";
import { normalizeServices } from "../policy/services.js";
import { draftEdge, type EdgeDraft, ensureNode, type NodeDraft } from "./drafts.js";
import type { GraphEdge } from "./model.js";

/** Marks each egress-enforced identity's node, and draws its grants to ipLists from it. */
export function addEgress(
  intent: Intent,
  nodes: Map<string, NodeDraft>,
  edges: Map<string, EdgeDraft>,
): void {
  for (const egress of intent.egress ?? []) {
    const from = ensureNode(nodes, "identity", egress.cloud, egress.identity, egress.identity);
    from.egressEnforced = true;
    for (const grant of egress.opens) {
      const name = ipListName(grant.target);
      if (name === undefined) continue;
      const to = ensureNode(nodes, "ipList", "external", name, name, grant.target.cidrs);
      const draft = draftEdge(edges, from.id, to.id);
      // Egress is enforced only by enforced rulesets, and an address needs no view.
      draft.visibility = false;
      draft.reachable += 1;
      draft.services.push(...grant.services);
      for (const rule of grant.rules) draft.rules.add(rule);
    }
  }
}

/** An ipList target (or the part of one that deny rules left) as its node names it. */
function ipListName(target: EgressTarget): string | undefined {
  if (target.kind === "ipList") return `ipList ${target.name}`;
  if (target.kind === "addresses" && target.of.startsWith("ipList:")) return target.label;
  return undefined;
}

interface DenyDraft {
  readonly from: string;
  readonly to: string;
  readonly services: Service[];
  readonly rules: Set<string>;
}

/**
 * One deny edge per (source node, destination node) that deny rules stand between: identities
 * with running workloads whose labels the rule's sides select, or the ipList a side names.
 */
export function denyEdges(policy: Policy, nodes: Map<string, NodeDraft>): GraphEdge[] {
  const running = [...nodes.values()].filter(
    (node) => node.kind === "identity" && node.workloads.some((w) => w.state !== "stopped"),
  );
  const drafts = new Map<string, DenyDraft>();
  for (const rule of policy.rulesets.flatMap((ruleset) => ruleset.deny)) {
    const tos = sideNodes(rule.to, running);
    const froms = tos.length === 0 ? [] : sideNodes(rule.from, running);
    for (const from of froms)
      for (const to of tos) {
        const fromId = nodeId(from, nodes);
        const toId = nodeId(to, nodes);
        addDeny(drafts, fromId, toId, rule);
      }
  }
  return [...drafts.values()].map((draft) => ({
    id: `deny:${draft.from}→${draft.to}`,
    from: draft.from,
    to: draft.to,
    services: normalizeServices(draft.services),
    rules: [...draft.rules].sort(),
    kind: "deny",
    findings: [],
  }));
}

type Side = NodeDraft | { readonly ipList: string; readonly cidrs: readonly string[] };

function sideNodes(side: RuleSource | RuleTarget, running: readonly NodeDraft[]): Side[] {
  if (side.kind === "ipList") return [{ ipList: `ipList ${side.name}`, cidrs: side.cidrs }];
  return running.filter((node) => selectorMatches(side.selector, identityLabels(node.label)));
}

/** An ipList side gets its node (in the External cluster) only once a deny edge needs it. */
function nodeId(side: Side, nodes: Map<string, NodeDraft>): string {
  if ("id" in side) return side.id;
  return ensureNode(nodes, "ipList", "external", side.ipList, side.ipList, side.cidrs).id;
}

function addDeny(drafts: Map<string, DenyDraft>, from: string, to: string, rule: Rule): void {
  const id = `${from}→${to}`;
  const draft = drafts.get(id) ?? { from, to, services: [], rules: new Set<string>() };
  draft.services.push(...rule.services);
  draft.rules.add(rule.id);
  drafts.set(id, draft);
}
