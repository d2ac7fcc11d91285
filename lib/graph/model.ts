/**
 * The graph that `segsync graph` draws (docs/graph.md): identities per cloud with their workloads,
 * the policy's grants as edges, and the compiler's findings attached to what they concern. Built
 * from an Intent by build.ts; written as Mermaid, DOT (text.ts) or an HTML page (page.ts).
 */
import type { FindingCode } from "../compile/model.js";
import { CLOUDS, type Cloud, type WorkloadId } from "../inventory/model.js";
import type { Service } from "../policy/model.js";

/** A cloud, or "external" for ipLists. */
export type GraphGroup = Cloud | "external";

/**
 * How segsync treats a workload: enforced or visibility (the enforcement of its ruleset's scope),
 * unscoped (labelled, in no scope: only ever a source), unmanaged (no segsync identity, never
 * touched), stopped (not running: in no rule until it starts).
 */
export type WorkloadState = "enforced" | "visibility" | "unscoped" | "unmanaged" | "stopped";

export const WORKLOAD_STATES: readonly WorkloadState[] = [
  "enforced",
  "visibility",
  "unscoped",
  "unmanaged",
  "stopped",
];

export type NodeState = WorkloadState | "external";

export interface GraphWorkload {
  readonly id: WorkloadId;
  /** The last part of the id: instance id, VM name or instance name. */
  readonly name: string;
  readonly state: WorkloadState;
}

/**
 * identity: the workloads of one cloud with one segsync identity; unmanaged: a cloud's workloads
 * without one; ipList: a policy ipList, as a source.
 */
export type GraphNodeKind = "identity" | "unmanaged" | "ipList";

export interface GraphNode {
  /** `<group>|<identity>`, `<cloud>|unmanaged` or `external|ipList <name>`. */
  readonly id: string;
  readonly kind: GraphNodeKind;
  readonly group: GraphGroup;
  /** The identity tuple, "unmanaged workloads", or "ipList <name>". */
  readonly label: string;
  /** Identity and unmanaged nodes: their workloads, sorted by id. */
  readonly workloads: readonly GraphWorkload[];
  /** ipList nodes: its CIDRs. */
  readonly cidrs: readonly string[];
  /** Its running workloads' state (they share one), else stopped; unmanaged; external for ipLists. */
  readonly state: NodeState;
  /** Indexes into FlowGraph.findings. */
  readonly findings: readonly number[];
}

/**
 * normal: the flow is written natively; visibility: the destination's ruleset is in visibility,
 * nothing is written; nat: some source is seen through a NAT address, so every workload behind
 * that NAT gets in too; unreachable: no source can be seen from the destination's network, so the
 * flow is not allowed natively.
 */
export type EdgeKind = "normal" | "visibility" | "nat" | "unreachable";

export const EDGE_KINDS: readonly EdgeKind[] = ["normal", "visibility", "nat", "unreachable"];

export interface GraphEdge {
  /** `<from>→<to>` */
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** Canonical (normalizeServices) union of the grants. */
  readonly services: readonly Service[];
  /** Policy rule ids, sorted. */
  readonly rules: readonly string[];
  readonly kind: EdgeKind;
  /** Indexes into FlowGraph.findings. */
  readonly findings: readonly number[];
}

export interface GraphFinding {
  readonly code: FindingCode;
  readonly severity: "warning" | "info";
  readonly subject: string;
  readonly message: string;
}

export interface FlowGraph {
  /** Sorted by id. */
  readonly nodes: readonly GraphNode[];
  /** Sorted by from, then to. */
  readonly edges: readonly GraphEdge[];
  /** The intent's findings, in its order (code, then subject). */
  readonly findings: readonly GraphFinding[];
}

export const GROUPS: readonly GraphGroup[] = [...CLOUDS, "external"];
