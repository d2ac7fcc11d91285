/**
 * Positions for the page's SVG, computed at generation time by ELK's layered algorithm (elkjs,
 * loaded only when a page is asked for): one cluster per cloud, edges routed orthogonally
 * with their labels placed. Same graph in, same coordinates out.
 */
import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api.js";
import { type Box, nodeBox, textSize } from "./box.js";
import type { FlowGraph, GraphEdge, GraphGroup, GraphNode, ObservedEdge } from "./model.js";
import { GROUPS } from "./model.js";
import { observedLabel } from "./observed-text.js";
import { edgeLabel } from "./text.js";

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Rect extends Point {
  readonly width: number;
  readonly height: number;
}

export interface PlacedCluster extends Rect {
  readonly group: GraphGroup;
}

export interface PlacedNode extends Rect {
  readonly node: GraphNode;
  readonly box: Box;
}

export interface PlacedEdge<E = GraphEdge> {
  readonly edge: E;
  /** Start, bends, end. */
  readonly points: readonly Point[];
  readonly label: Rect & { readonly text: string };
}

export type PlacedObservedEdge = PlacedEdge<ObservedEdge>;

export interface Layout {
  readonly width: number;
  readonly height: number;
  readonly clusters: readonly PlacedCluster[];
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
  /** The observed flows drawn over the policy's (empty without an overlay). */
  readonly observed: readonly PlacedObservedEdge[];
}

/** Room above a cluster's nodes for its title. */
export const CLUSTER_TITLE = 24;

const ROOT_OPTIONS = {
  "elk.algorithm": "layered",
  "elk.direction": "DOWN",
  "elk.hierarchyHandling": "INCLUDE_CHILDREN",
  "elk.edgeRouting": "ORTHOGONAL",
  "elk.edgeLabels.placement": "CENTER",
  "elk.layered.spacing.nodeNodeBetweenLayers": "60",
  "elk.spacing.nodeNode": "24",
  "elk.spacing.edgeLabel": "4",
  "elk.padding": "[top=12,left=12,bottom=12,right=12]",
  // Edge points relative to the root, like everything this module returns.
  "elk.json.edgeCoords": "ROOT",
};

const CLUSTER_OPTIONS = {
  "elk.padding": `[top=${CLUSTER_TITLE + 8},left=12,bottom=12,right=12]`,
};

/**
 * ELK's constructor. The bundle is CommonJS: Node hands over `module.exports` (the constructor,
 * which also carries itself as `.default`), typed as the module with a `default`.
 */
async function loadElk(): Promise<new () => { layout(graph: ElkNode): Promise<ElkNode> }> {
  const loaded: unknown = await import("elkjs/lib/elk.bundled.js");
  return (loaded as { default: { default: new () => { layout(graph: ElkNode): Promise<ElkNode> } } }).default
    .default;
}

const clusterId = (group: GraphGroup) => `cluster:${group}`;

export async function layoutGraph(graph: FlowGraph): Promise<Layout> {
  const ELK = await loadElk();
  const boxes = new Map(graph.nodes.map((n) => [n.id, nodeBox(n)]));
  const edgeIds = new Map(graph.edges.map((e, i) => [`e${i}`, e]));
  const observedIds = new Map((graph.observed?.edges ?? []).map((e, i) => [`o${i}`, e]));
  const nodeIds = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
  const root: ElkNode = {
    id: "root",
    layoutOptions: ROOT_OPTIONS,
    children: GROUPS.flatMap((group) => {
      const members = graph.nodes.filter((n) => n.group === group);
      if (members.length === 0) return [];
      return [
        {
          id: clusterId(group),
          layoutOptions: CLUSTER_OPTIONS,
          children: members.map((n) => {
            const box = boxes.get(n.id) as Box;
            return { id: nodeIds.get(n.id) as string, width: box.width, height: box.height };
          }),
        },
      ];
    }),
    edges: [
      ...[...edgeIds].map(([id, e]) => elkEdge(id, nodeIds, e, edgeLabel(e))),
      ...[...observedIds].map(([id, e]) => elkEdge(id, nodeIds, e, observedLabel(e))),
    ],
  };
  const laid = await new ELK().layout(root);
  const placed = placeEdges(laid);
  const place = <E>(ids: ReadonlyMap<string, E>) =>
    [...ids].map(([id, edge]) => ({ edge, ...(placed.get(id) as Omit<PlacedEdge, "edge">) }));
  return { ...collect(laid, graph, boxes), edges: place(edgeIds), observed: place(observedIds) };
}

function elkEdge(
  id: string,
  nodeIds: ReadonlyMap<string, string>,
  edge: { readonly from: string; readonly to: string },
  text: string,
): ElkExtendedEdge {
  return {
    id,
    sources: [nodeIds.get(edge.from) as string],
    targets: [nodeIds.get(edge.to) as string],
    labels: [{ text, ...textSize(text) }],
  };
}

function collect(
  laid: ElkNode,
  graph: FlowGraph,
  boxes: ReadonlyMap<string, Box>,
): Omit<Layout, "edges" | "observed"> {
  const byElkId = new Map(graph.nodes.map((n, i) => [`n${i}`, n]));
  const clusters: PlacedCluster[] = [];
  const nodes: PlacedNode[] = [];
  for (const cluster of laid.children ?? []) {
    const cx = cluster.x ?? 0;
    const cy = cluster.y ?? 0;
    const group = cluster.id.slice("cluster:".length) as GraphGroup;
    clusters.push({ group, x: cx, y: cy, width: cluster.width ?? 0, height: cluster.height ?? 0 });
    for (const child of cluster.children ?? []) {
      const node = byElkId.get(child.id) as GraphNode;
      nodes.push({
        node,
        box: boxes.get(node.id) as Box,
        x: cx + (child.x ?? 0),
        y: cy + (child.y ?? 0),
        width: child.width ?? 0,
        height: child.height ?? 0,
      });
    }
  }
  return { width: laid.width ?? 0, height: laid.height ?? 0, clusters, nodes };
}

/** Each ELK edge's route and label, by its ELK id. */
function placeEdges(laid: ElkNode): Map<string, Omit<PlacedEdge, "edge">> {
  return new Map(
    (laid.edges ?? []).map((elkEdge) => {
      const section = elkEdge.sections?.[0];
      const points = section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint] : [];
      const label = elkEdge.labels?.[0];
      const rect = {
        text: label?.text ?? "",
        x: label?.x ?? 0,
        y: label?.y ?? 0,
        width: label?.width ?? 0,
        height: label?.height ?? 0,
      };
      return [elkEdge.id, { points, label: rect }];
    }),
  );
}
