/** The graph while build.ts and policy-edges.ts put it together: nodes and edges still mutable. */
import type { Service } from "../policy/model.js";
import type { GraphGroup, GraphNodeKind, GraphWorkload } from "./model.js";

export interface NodeDraft {
  readonly id: string;
  readonly kind: GraphNodeKind;
  readonly group: GraphGroup;
  readonly label: string;
  readonly workloads: GraphWorkload[];
  readonly cidrs: readonly string[];
  readonly findings: number[];
  /** An identity whose egress is enforced in at least one network (v2). */
  egressEnforced: boolean;
}

export interface EdgeDraft {
  readonly from: string;
  readonly to: string;
  readonly services: Service[];
  readonly rules: Set<string>;
  /** False once one destination network of the identity is enforced. */
  visibility: boolean;
  /** Source members seen from the destination's network: reachable at all, and through a NAT. */
  reachable: number;
  nat: number;
  /** `<workload> -> <network>`: the subjects of the compiler's findings about these members. */
  readonly views: Set<string>;
  readonly findings: number[];
}

export function ensureNode(
  nodes: Map<string, NodeDraft>,
  kind: GraphNodeKind,
  group: GraphGroup,
  key: string,
  label: string,
  cidrs: readonly string[] = [],
): NodeDraft {
  const id = `${group}|${key}`;
  const existing = nodes.get(id);
  if (existing) return existing;
  const node: NodeDraft = {
    id,
    kind,
    group,
    label,
    workloads: [],
    cidrs,
    findings: [],
    egressEnforced: false,
  };
  nodes.set(id, node);
  return node;
}

/** The edge from one node to another, made the first time it is asked for. */
export function draftEdge(edges: Map<string, EdgeDraft>, from: string, to: string): EdgeDraft {
  const id = `${from}→${to}`;
  const existing = edges.get(id);
  if (existing) return existing;
  const draft: EdgeDraft = {
    from,
    to,
    services: [],
    rules: new Set<string>(),
    visibility: true,
    reachable: 0,
    nat: 0,
    views: new Set<string>(),
    findings: [],
  };
  edges.set(id, draft);
  return draft;
}
