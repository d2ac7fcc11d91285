/** The graph as Mermaid and Graphviz DOT text: clusters per cloud, one arrow style per edge kind. */
import { CLOUD_NAMES } from "../inventory/model.js";
import { formatService } from "../policy/services.js";
import { dotString } from "./escape.js";
import type { EdgeKind, FlowGraph, GraphEdge, GraphGroup, GraphNode } from "./model.js";
import { GROUPS } from "./model.js";
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
};

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
  return `${edge.services.map(formatService).join(" ")}${KIND_SUFFIX[edge.kind]}`;
}

/** The identity, and the state when it is not simply enforced: `app=blog,env=dev,role=web (stopped)`. */
export function nodeLabel(node: GraphNode): string {
  return node.kind === "identity" && node.state !== "enforced" ? `${node.label} (${node.state})` : node.label;
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
};

export function toMermaid(graph: FlowGraph): string {
  const ids = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
  const lines = [
    "flowchart LR",
    ...(graph.observed ? [policyLegend("%%", MERMAID_ARROWS), ...mermaidLegend()] : []),
  ];
  for (const [group, members] of byGroup(graph)) {
    lines.push(`  subgraph ${group}["${GROUP_NAMES[group]}"]`);
    for (const n of members) lines.push(`    ${ids.get(n.id)}["${nodeLabel(n).replaceAll('"', "'")}"]`);
    lines.push("  end");
  }
  for (const e of graph.edges)
    lines.push(`  ${ids.get(e.from)} ${MERMAID_ARROWS[e.kind]}|"${edgeLabel(e)}"| ${ids.get(e.to)}`);
  if (graph.observed) lines.push(...mermaidObserved(graph.observed, ids, graph.edges.length));
  return `${lines.join("\n")}\n`;
}

const DOT_STYLES: Readonly<Record<EdgeKind, string>> = {
  normal: "",
  visibility: ", style=dashed",
  nat: ", style=bold, color=darkorange",
  unreachable: ", style=dotted, color=red, arrowhead=tee",
};

const DOT_LEGEND_STYLES: Readonly<Record<EdgeKind, string>> = { ...DOT_STYLES, normal: "solid" };

/** With an overlay, the legend comment names the policy's edge styles too. */
function policyLegend(comment: string, styles: Readonly<Record<EdgeKind, string>>): string {
  const kinds = (Object.keys(styles) as EdgeKind[]).map(
    (kind) => `${kind} (${styles[kind].replace(/^, /, "")})`,
  );
  return `${comment} policy edges: ${kinds.join("; ")}`;
}

export function toDot(graph: FlowGraph): string {
  const ids = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
  const legend = graph.observed ? [policyLegend("  //", DOT_LEGEND_STYLES), ...dotLegend()] : [];
  const lines = ["digraph segsync {", ...legend, "  rankdir=LR;", "  node [shape=box];"];
  for (const [group, members] of byGroup(graph)) {
    lines.push(`  subgraph cluster_${group} {`, `    label=${dotString(GROUP_NAMES[group])};`);
    for (const n of members)
      lines.push(
        `    ${ids.get(n.id)} [label=${dotString(nodeLabel(n))}${n.kind === "identity" ? "" : ", style=dashed"}];`,
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
