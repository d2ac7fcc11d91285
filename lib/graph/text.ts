/** The graph as Mermaid and Graphviz DOT text: clusters per cloud, one arrow style per edge kind. */
import { CLOUD_NAMES } from "../inventory/model.js";
import { formatService } from "../policy/services.js";
import { dotString } from "./escape.js";
import type { EdgeKind, FlowGraph, GraphEdge, GraphGroup, GraphNode } from "./model.js";
import { EDGE_KINDS, GROUPS } from "./model.js";
import { dotLegend, dotObserved, mermaidLegend, mermaidObserved } from "./observed-text.js";

export const GROUP_NAMES: Readonly<Record<GraphGroup, string>> = {
  ...CLOUD_NAMES,
  external: "External (ipLists)",
  outside: "Outside",
};

const KIND_SUFFIX: Readonly<Record<EdgeKind, string>> = {
  normal: "",
  visibility: " (visibility)",
  nat: " (via NAT)",
  unreachable: " (unreachable)",
  deny: "",
};

/** `18 flows`, and the deny edges apart where there are some: `14 flows, 34 deny edges`. */
export function countEdges(graph: FlowGraph): string {
  const denies = graph.edges.filter((e) => e.kind === "deny").length;
  const flows = `${graph.edges.length - denies} flows`;
  return denies === 0 ? flows : `${flows}, ${denies} deny edges`;
}

/** The edge kinds a graph draws: deny only where a deny rule stands between two nodes. */
export function drawnKinds(graph: FlowGraph): EdgeKind[] {
  return EDGE_KINDS.filter((kind) => kind !== "deny" || graph.edges.some((e) => e.kind === "deny"));
}

/** How a table names a node: its label and its group, `app=shop,role=web (GCP)`. */
export function nodeName(graph: FlowGraph): (id: string) => string {
  const nodes = new Map(graph.nodes.map((node) => [node.id, node]));
  return (id) => {
    const node = nodes.get(id);
    return node ? `${node.label} (${GROUP_NAMES[node.group]})` : id;
  };
}

/** Services, then what is special about the edge: `tcp/5432 (unreachable)`. */
export function edgeLabel(edge: GraphEdge): string {
  const services = edge.services.map(formatService).join(" ");
  return edge.kind === "deny" ? `deny ${services}` : `${services}${KIND_SUFFIX[edge.kind]}`;
}

/**
 * The identity, and the state when it is not simply enforced: `app=blog,env=dev,role=web (stopped)`;
 * `(egress enforced)` where its egress is.
 */
export function nodeLabel(node: GraphNode): string {
  const label =
    node.kind === "identity" && node.state !== "enforced" ? `${node.label} (${node.state})` : node.label;
  return node.egress === "enforced" ? `${label} (egress enforced)` : label;
}

function byGroup(graph: FlowGraph): [GraphGroup, GraphNode[]][] {
  return GROUPS.map((group): [GraphGroup, GraphNode[]] => [
    group,
    graph.nodes.filter((n) => n.group === group),
  ]).filter(([, members]) => members.length > 0);
}

const MERMAID_ARROWS: Readonly<Record<EdgeKind, string>> = {
  normal: "-->",
  visibility: "-.->",
  nat: "==>",
  unreachable: "--x",
  deny: "-.-x",
};

/** Mermaid draws `-.-x` grey, like any link: a deny edge is coloured red after it. */
const MERMAID_DENY_STYLE = "stroke:#c62828,stroke-width:2px,stroke-dasharray:6 4,color:#c62828";
/** Egress-enforced identities: a thick double-looking border. */
const MERMAID_EGRESS_CLASS = "classDef egress stroke:#2e7d32,stroke-width:4px";

export function toMermaid(graph: FlowGraph): string {
  const ids = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
  const egress = graph.nodes.some((n) => n.egress === "enforced");
  const lines = [
    "flowchart LR",
    ...(graph.observed ? [policyLegend("%%", MERMAID_ARROWS, drawnKinds(graph)), ...mermaidLegend()] : []),
    ...(egress ? [`  ${MERMAID_EGRESS_CLASS}`] : []),
  ];
  for (const [group, members] of byGroup(graph)) {
    lines.push(`  subgraph ${group}["${GROUP_NAMES[group]}"]`);
    for (const n of members)
      lines.push(
        `    ${ids.get(n.id)}["${nodeLabel(n).replaceAll('"', "'")}"]${n.egress === "enforced" ? ":::egress" : ""}`,
      );
    lines.push("  end");
  }
  for (const [index, e] of graph.edges.entries()) {
    lines.push(`  ${ids.get(e.from)} ${MERMAID_ARROWS[e.kind]}|"${edgeLabel(e)}"| ${ids.get(e.to)}`);
    if (e.kind === "deny") lines.push(`  linkStyle ${index} ${MERMAID_DENY_STYLE}`);
  }
  if (graph.observed) lines.push(...mermaidObserved(graph.observed, ids, graph.edges.length));
  return `${lines.join("\n")}\n`;
}

const DOT_STYLES: Readonly<Record<EdgeKind, string>> = {
  normal: "",
  visibility: ", style=dashed",
  nat: ", style=bold, color=darkorange",
  unreachable: ", style=dotted, color=red, arrowhead=tee",
  deny: ", style=dashed, color=red, fontcolor=red, arrowhead=box",
};

const DOT_LEGEND_STYLES: Readonly<Record<EdgeKind, string>> = { ...DOT_STYLES, normal: "solid" };

/** With an overlay, the legend comment names the policy's edge styles too. */
function policyLegend(
  comment: string,
  styles: Readonly<Record<EdgeKind, string>>,
  kinds: readonly EdgeKind[],
): string {
  const said = kinds.map((kind) => `${kind} (${styles[kind].replace(/^, /, "")})`);
  return `${comment} policy edges: ${said.join("; ")}`;
}

export function toDot(graph: FlowGraph): string {
  const ids = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
  const legend = graph.observed
    ? [policyLegend("  //", DOT_LEGEND_STYLES, drawnKinds(graph)), ...dotLegend()]
    : [];
  const lines = ["digraph segsync {", ...legend, "  rankdir=LR;", "  node [shape=box];"];
  for (const [group, members] of byGroup(graph)) {
    lines.push(`  subgraph cluster_${group} {`, `    label=${dotString(GROUP_NAMES[group])};`);
    for (const n of members)
      lines.push(
        `    ${ids.get(n.id)} [label=${dotString(nodeLabel(n))}${n.kind === "identity" ? "" : ", style=dashed"}${n.egress === "enforced" ? ", peripheries=2" : ""}];`,
      );
    lines.push("  }");
  }
  for (const e of graph.edges)
    lines.push(
      `  ${ids.get(e.from)} -> ${ids.get(e.to)} [label=${dotString(edgeLabel(e))}${DOT_STYLES[e.kind]}];`,
    );
  if (graph.observed) lines.push(...dotObserved(graph.observed, ids));
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
