/** The graph as Mermaid and Graphviz DOT text: clusters per cloud, one arrow style per edge kind. */
import { CLOUD_NAMES } from "../inventory/model.js";
import { formatService } from "../policy/services.js";
import type { EdgeKind, FlowGraph, GraphEdge, GraphGroup, GraphNode } from "./model.js";
import { GROUPS } from "./model.js";

export const GROUP_NAMES: Readonly<Record<GraphGroup, string>> = {
  ...CLOUD_NAMES,
  external: "External (ipLists)",
};

const KIND_SUFFIX: Readonly<Record<EdgeKind, string>> = {
  normal: "",
  visibility: " (visibility)",
  nat: " (via NAT)",
  unreachable: " (unreachable)",
};

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
  const lines = ["flowchart LR"];
  for (const [group, members] of byGroup(graph)) {
    lines.push(`  subgraph ${group}["${GROUP_NAMES[group]}"]`);
    for (const n of members) lines.push(`    ${ids.get(n.id)}["${nodeLabel(n).replaceAll('"', "'")}"]`);
    lines.push("  end");
  }
  for (const e of graph.edges)
    lines.push(`  ${ids.get(e.from)} ${MERMAID_ARROWS[e.kind]}|"${edgeLabel(e)}"| ${ids.get(e.to)}`);
  return `${lines.join("\n")}\n`;
}

const dotString = (text: string) => `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;

const DOT_STYLES: Readonly<Record<EdgeKind, string>> = {
  normal: "",
  visibility: ", style=dashed",
  nat: ", style=bold, color=darkorange",
  unreachable: ", style=dotted, color=red, arrowhead=tee",
};

export function toDot(graph: FlowGraph): string {
  const ids = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
  const lines = ["digraph segsync {", "  rankdir=LR;", "  node [shape=box];"];
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
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
