/**
 * The graph that `segsync graph` draws (docs/graph.md): identities per cloud with their workloads,
 * the policy's grants as edges, and the compiler's findings attached to what they concern. Built
 * from an Intent by build.ts; written as Mermaid, DOT (text.ts) or an HTML page (page.ts).
 */
import type { FindingCode } from "../compile/model.js";
import { CLOUDS, type Cloud, type WorkloadId } from "../inventory/model.js";
import type { Service } from "../policy/model.js";
import type { CheckFinding, CheckSummary } from "./check-report.js";

/**
 * A cloud, "external" for ipLists, or "outside" for the addresses of observed flows that no
 * workload or ipList holds (only with a flows overlay, observed.ts).
 */
export type GraphGroup = Cloud | "external" | "outside";

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

/**
 * A node's state: its workloads' (above), external (an ipList or an outside address), or absent:
 * an identity that only observed flows name (it had workloads when they were seen, not now).
 */
export type NodeState = WorkloadState | "external" | "absent";

export interface GraphWorkload {
  readonly id: WorkloadId;
  /** The last part of the id: instance id, VM name or instance name. */
  readonly name: string;
  readonly state: WorkloadState;
}

/**
 * identity: the workloads of one cloud with one segsync identity; unmanaged: a cloud's workloads
 * without one; ipList: a policy ipList, as a source; outside: addresses of observed flows that no
 * workload or ipList holds, one node per /24 (IPv4) or /64 (IPv6).
 */
export type GraphNodeKind = "identity" | "unmanaged" | "ipList" | "outside";

export interface GraphNode {
  /** `<group>|<identity>`, `<cloud>|unmanaged`, `external|ipList <name>` or `outside|<block>`. */
  readonly id: string;
  readonly kind: GraphNodeKind;
  readonly group: GraphGroup;
  /** The identity tuple, "unmanaged workloads", or "ipList <name>". */
  readonly label: string;
  /** Identity and unmanaged nodes: their workloads, sorted by id. */
  readonly workloads: readonly GraphWorkload[];
  /** ipList nodes: its CIDRs. */
  readonly cidrs: readonly string[];
  /**
   * With a flows overlay: what observed flows saw of the node that it does not list otherwise,
   * sorted: an ipList's or outside block's addresses, an absent identity's workloads.
   */
  readonly seen?: readonly string[];
  /** Its running workloads' state (they share one), else stopped; unmanaged; external for ipLists. */
  readonly state: NodeState;
  /** Indexes into FlowGraph.findings. */
  readonly findings: readonly number[];
  /** An identity whose egress is enforced (v2): it may open only what its allow rules name. */
  readonly egress?: "enforced";
}

/**
 * normal: the flow is written natively; visibility: the destination's ruleset is in visibility,
 * nothing is written; nat: some source is seen through a NAT address, so every workload behind
 * that NAT gets in too; unreachable: no source can be seen from the destination's network, so the
 * flow is not allowed natively; deny (v2): deny rules stand between the two nodes on its services,
 * whatever any allow rule says.
 */
export type EdgeKind = "normal" | "visibility" | "nat" | "unreachable" | "deny";

export const EDGE_KINDS: readonly EdgeKind[] = ["normal", "visibility", "nat", "unreachable", "deny"];

export interface GraphEdge {
  /** `<from>→<to>`; a deny edge's `deny:<from>→<to>`. */
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** Canonical (normalizeServices) union of the grants (of the deny rules, for a deny edge). */
  readonly services: readonly Service[];
  /** Policy rule ids, sorted (deny rule ids, for a deny edge). */
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
  /** The observed flows drawn over the policy's (`graph --flows`), when given. */
  readonly observed?: ObservedOverlay;
}

export const GROUPS: readonly GraphGroup[] = [...CLOUDS, "external", "outside"];

/**
 * What an observed flow is, by the policy's verdict (`flows check`): would-block (observed
 * accepted, the policy denies it: what enforcing would break), unknown (no verdict, or not
 * enforced by any ruleset), blocked (observed rejected and denied: it stays blocked), allowed.
 * In this order, the rollout risk first, in every list.
 */
export type ObservedKind = "would-block" | "unknown" | "blocked" | "allowed";

export const OBSERVED_KINDS: readonly ObservedKind[] = ["would-block", "unknown", "blocked", "allowed"];

/** The observed flow groups of one kind from one node to another, added up. */
export interface ObservedEdge {
  /** `<kind>:<from>→<to>` */
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly kind: ObservedKind;
  /** As the check writes them (`tcp/5432`, `icmp`), sorted. */
  readonly services: readonly string[];
  /** Connections, and of them those observed accepted and rejected. */
  readonly connections: number;
  readonly accepted: number;
  readonly rejected: number;
  /** The check's groups this edge adds up. */
  readonly groups: number;
  /** ISO times: the earliest first seen and the latest last seen. */
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** The rules that decide, sorted: allow rules, or deny rules; "default deny" when no rule does. */
  readonly rules: readonly string[];
  /** Unknown: why (the check's reasons, or "not enforced"), sorted. */
  readonly reasons: readonly string[];
  /** Some verdict holds only once its visibility ruleset is enforced. */
  readonly onceEnforced: boolean;
}

export interface ObservedOverlay {
  /** Where the check came from (the file name), said on the page. */
  readonly source: string;
  /** Sorted by kind (OBSERVED_KINDS), then from, then to. */
  readonly edges: readonly ObservedEdge[];
  /** Ids of the policy edges no allowed observed flow went along. */
  readonly notObserved: readonly string[];
  /** The check's totals and findings, as it wrote them. */
  readonly summary: CheckSummary;
  readonly findings: readonly CheckFinding[];
}
