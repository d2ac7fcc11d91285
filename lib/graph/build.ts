import { grantMembers } from "../compile/grant-members.js";
import type { DestinationIntent, Intent, PeerMember, WorkloadReport } from "../compile/model.js";
import { cloudOfId } from "../inventory/ids.js";
import type { Policy } from "../policy/model.js";
import { normalizeServices } from "../policy/services.js";
import { compareText } from "../util/compare-text.js";
import { draftEdge, type EdgeDraft, ensureNode, type NodeDraft } from "./drafts.js";
import type { EdgeKind, FlowGraph, GraphEdge, GraphNode, NodeState, WorkloadState } from "./model.js";
import { addEgress, denyEdges } from "./policy-edges.js";

const STATE_OF: Readonly<Record<WorkloadReport["treatment"], WorkloadState>> = {
  enforced: "enforced",
  visibility: "visibility",
  unscoped: "unscoped",
  unmanaged: "unmanaged",
  inactive: "stopped",
};

/**
 * The graph of an intent (docs/graph.md): every workload in a node (its identity's per cloud, or
 * its cloud's unmanaged node), every grant an edge from each cloud its source has members in, and
 * each finding attached to the nodes and edges it is about; with the policy, its deny rules as
 * deny edges, and (v2) egress-enforced identities marked with their grants to ipLists drawn.
 * Pure and deterministic.
 */
export function flowGraph(intent: Intent, policy?: Policy): FlowGraph {
  const nodes = new Map<string, NodeDraft>();
  const nodeOf = new Map<string, string>();
  for (const report of intent.workloads) {
    const cloud = cloudOfId(report.workload);
    const node =
      report.identity === ""
        ? ensureNode(nodes, "unmanaged", cloud, "unmanaged", "unmanaged workloads")
        : ensureNode(nodes, "identity", cloud, report.identity, report.identity);
    const name = report.workload.slice(report.workload.lastIndexOf(":") + 1);
    node.workloads.push({ id: report.workload, name, state: STATE_OF[report.treatment] });
    nodeOf.set(report.workload, node.id);
  }
  const edges = collectEdges(intent, nodes);
  addEgress(intent, nodes, edges);
  attachFindings(intent, nodeOf, nodes, edges);
  const denied = policy === undefined ? [] : denyEdges(policy, nodes);
  return {
    nodes: [...nodes.values()]
      .map((node) => finishNode(node, policy))
      .sort((a, b) => compareText(a.id, b.id)),
    edges: [...[...edges.values()].map(finishEdge), ...denied].sort(
      (a, b) => compareText(a.from, b.from) || compareText(a.to, b.to) || compareText(a.kind, b.kind),
    ),
    findings: intent.findings.map(({ code, severity, subject, message }) => ({
      code,
      severity,
      subject,
      message,
    })),
  };
}

/** One edge per (source node, destination node), over every network the destination is in. */
function collectEdges(intent: Intent, nodes: Map<string, NodeDraft>): Map<string, EdgeDraft> {
  const peerSets = new Map(intent.peerSets.map((p) => [p.key, p]));
  const edges = new Map<string, EdgeDraft>();
  const edge = (from: string, to: string, destination: DestinationIntent) => {
    const draft = draftEdge(edges, from, to);
    draft.visibility &&= destination.enforcement !== "enforced";
    return draft;
  };
  for (const destination of intent.destinations) {
    const to = ensureNode(
      nodes,
      "identity",
      destination.cloud,
      destination.identity,
      destination.identity,
    ).id;
    for (const grant of destination.grants) {
      const touched = new Set<EdgeDraft>();
      const admitted = grantMembers(grant, peerSets);
      if (grant.source.kind !== "peerSet" && admitted === undefined) {
        // An ipList, or the part of one that deny rules left.
        const name = grant.source.kind === "ipList" ? `ipList ${grant.source.name}` : grant.source.label;
        const from = ensureNode(nodes, "ipList", "external", name, name, grant.source.cidrs).id;
        const draft = edge(from, to, destination);
        draft.reachable += 1;
        touched.add(draft);
      } else {
        const identity = admitted?.identity ?? "";
        for (const member of admitted?.members ?? []) {
          const from = ensureNode(nodes, "identity", cloudOfId(member.workload), identity, identity).id;
          const draft = edge(from, to, destination);
          countView(draft, member, `${member.workload} -> ${destination.network}`);
          touched.add(draft);
        }
      }
      for (const draft of touched) {
        draft.services.push(...grant.services);
        for (const rule of grant.rules) draft.rules.add(rule);
      }
    }
  }
  return edges;
}

/** A member is counted once per grant it appears in; only "any" and "none" matter for the kind. */
function countView(draft: EdgeDraft, member: PeerMember, subject: string): void {
  draft.views.add(subject);
  if (member.via === undefined) return;
  draft.reachable += 1;
  if (member.via === "nat") draft.nat += 1;
}

/**
 * A finding about a workload (`<workload>` or `<workload> -> <network>`) marks its node, and the
 * edges that member is a source of as seen from that network; one about a rule marks its edges.
 */
function attachFindings(
  intent: Intent,
  nodeOf: ReadonlyMap<string, string>,
  nodes: ReadonlyMap<string, NodeDraft>,
  edges: ReadonlyMap<string, EdgeDraft>,
): void {
  const edgesAbout = new Map<string, EdgeDraft[]>();
  for (const draft of edges.values())
    for (const subject of new Set([...draft.views, ...draft.rules])) {
      const about = edgesAbout.get(subject) ?? [];
      about.push(draft);
      edgesAbout.set(subject, about);
    }
  for (const [index, finding] of intent.findings.entries()) {
    const workload = finding.subject.split(" -> ")[0] ?? "";
    const node = nodes.get(nodeOf.get(workload) ?? "");
    if (node) node.findings.push(index);
    for (const draft of edgesAbout.get(finding.subject) ?? []) draft.findings.push(index);
  }
}

/**
 * With the policy, an ipList's node lists the ipList's own CIDRs: a grant that deny rules split
 * holds only what they left, and the deny edges say what they took.
 */
function finishNode({ egressEnforced, ...draft }: NodeDraft, policy: Policy | undefined): GraphNode {
  const workloads = draft.workloads.sort((a, b) => compareText(a.id, b.id));
  const name = draft.label.replace(/^ipList /, "");
  const named =
    draft.kind === "ipList" && policy !== undefined && Object.hasOwn(policy.ipLists, name)
      ? policy.ipLists[name]
      : undefined;
  const cidrs = named ?? draft.cidrs;
  const running = workloads.find((w) => w.state !== "stopped");
  const state: NodeState =
    draft.kind === "ipList"
      ? "external"
      : draft.kind === "unmanaged"
        ? "unmanaged"
        : (running?.state ?? "stopped");
  return { ...draft, cidrs, workloads, state, ...(egressEnforced ? { egress: "enforced" as const } : {}) };
}

function finishEdge(draft: EdgeDraft): GraphEdge {
  const kind: EdgeKind = draft.visibility
    ? "visibility"
    : draft.reachable === 0
      ? "unreachable"
      : draft.nat > 0
        ? "nat"
        : "normal";
  return {
    id: `${draft.from}→${draft.to}`,
    from: draft.from,
    to: draft.to,
    services: normalizeServices(draft.services),
    rules: [...draft.rules].sort(),
    kind,
    findings: draft.findings,
  };
}
