/**
 * Where an endpoint of an observed flow goes in the graph (docs/graph.md, "Observed flows"): a
 * workload to its identity's node in its cloud (the cloud's unmanaged node without an identity),
 * an ipList address to the ipList's node, an outside address to the node of its /24 (IPv4) or /64
 * (IPv6): one node per address would bury the picture under a scan from the internet. Past
 * MAX_OUTSIDE_NODES blocks, the busiest keep their nodes and the others share one. A node the
 * policy's graph does not have is added; what was seen of it is kept in its `seen`.
 */
import ipaddr from "ipaddr.js";
import { cloudOfId } from "../inventory/ids.js";
import { compareText } from "../util/compare-text.js";
import type { CheckEndpoint, CheckGroup } from "./check-report.js";
import type { GraphGroup, GraphNode, GraphNodeKind, NodeState } from "./model.js";

/** At most this many outside nodes: a layout of thousands of blocks would be unreadable, and slow. */
export const MAX_OUTSIDE_NODES = 20;

/** The node of the outside blocks that have none of their own; its `seen` lists them. */
export const OTHER_OUTSIDE = "outside|other";

/**
 * The outside blocks that get a node of their own: every one, or past `max` the `max - 1` with
 * the most connections (then by text), the last node being OTHER_OUTSIDE.
 */
export function blocksWithNodes(groups: readonly CheckGroup[], max = MAX_OUTSIDE_NODES): ReadonlySet<string> {
  const connections = new Map<string, number>();
  for (const group of groups)
    for (const endpoint of [group.source, group.destination]) {
      if (endpoint.kind !== "outside") continue;
      const block = outsideBlock(endpoint.address);
      connections.set(block, (connections.get(block) ?? 0) + group.connections);
    }
  if (connections.size <= max) return new Set(connections.keys());
  const busiest = [...connections].sort(([a, m], [b, n]) => n - m || compareText(a, b));
  return new Set(busiest.slice(0, max - 1).map(([block]) => block));
}

/** The graph's nodes, with those the flows add and what they saw of each. */
export class ObservedNodes {
  private readonly nodes: Map<string, GraphNode>;
  private readonly seen = new Map<string, Set<string>>();

  /** `blocks`: the outside blocks with a node of their own (blocksWithNodes). */
  constructor(
    nodes: readonly GraphNode[],
    private readonly blocks: ReadonlySet<string>,
  ) {
    this.nodes = new Map(nodes.map((node) => [node.id, node]));
  }

  /** The id of the endpoint's node, added when the graph has none. */
  nodeOf(endpoint: CheckEndpoint): string {
    if (endpoint.kind === "workload") return this.workloadNode(endpoint.workload, endpoint.identity);
    if (endpoint.kind === "ipList") {
      const label = `ipList ${endpoint.name}`;
      return this.ensure("ipList", "external", label, label, endpoint.address);
    }
    const block = outsideBlock(endpoint.address);
    if (!this.blocks.has(block))
      return this.ensure("outside", "outside", "other", "other outside addresses", block);
    return this.ensure("outside", "outside", block, block, endpoint.address);
  }

  /** Every node, with what flows saw of it that it does not list, sorted by id. */
  all(): GraphNode[] {
    return [...this.nodes.values()]
      .map((node) => {
        const seen = this.seen.get(node.id);
        return seen === undefined ? node : { ...node, seen: [...seen].sort(compareText) };
      })
      .sort((a, b) => compareText(a.id, b.id));
  }

  private workloadNode(workload: string, identity: string): string {
    const cloud = cloudOfId(workload);
    const id =
      identity === ""
        ? this.ensure("unmanaged", cloud, "unmanaged", "unmanaged workloads")
        : this.ensure("identity", cloud, identity, identity);
    const node = this.nodes.get(id);
    if (!node?.workloads.some((w) => w.id === workload)) this.see(id, workload);
    return id;
  }

  private ensure(
    kind: GraphNodeKind,
    group: GraphGroup,
    key: string,
    label: string,
    address?: string,
  ): string {
    const id = `${group}|${key}`;
    if (!this.nodes.has(id)) {
      const state: NodeState = kind === "ipList" || kind === "outside" ? "external" : "absent";
      this.nodes.set(id, { id, kind, group, label, workloads: [], cidrs: [], state, findings: [] });
    }
    if (address !== undefined) this.see(id, address);
    return id;
  }

  private see(id: string, what: string): void {
    const seen = this.seen.get(id) ?? new Set<string>();
    seen.add(what);
    this.seen.set(id, seen);
  }
}

/** The /24 (IPv4) or /64 (IPv6) holding a valid address, as a CIDR. */
export function outsideBlock(address: string): string {
  if (!address.includes(":")) return `${address.split(".").slice(0, 3).join(".")}.0/24`;
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${address}/64`).toString()}/64`;
}
