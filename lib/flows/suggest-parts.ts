/**
 * What `flows suggest` builds its rules from (docs/flows.md, "Suggesting rules"): what was seen
 * between two ends, its evidence, the labels a rule writes in a ruleset's scope, its services,
 * exact addresses and new ipList names. Shared by suggest.ts and suggest-egress.ts. Pure.
 */
import { selectorMatches } from "../compile/selector-index.js";
import type { LabelSelector, Policy, Ruleset } from "../policy/model.js";
import { compareServices, parseInlineService } from "../policy/services.js";
import { compareText } from "../util/compare-text.js";
import type { CheckGroup } from "./check.js";

export type Labels = Readonly<Record<string, string>>;

export interface Evidence {
  readonly connections: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

export interface SuggestedRule {
  readonly ruleset: string;
  /** Labels as a selector writes them (one value per dimension), or an ipList. */
  readonly from: Labels | { readonly ipList: string };
  readonly extraScope: boolean;
  /** Labels, or (v2) an ipList the source's egress may open to. */
  readonly to: Labels | { readonly ipList: string };
  /** Inline services (`tcp/5432`, `icmp`), sorted. */
  readonly services: readonly string[];
  readonly evidence: Evidence;
}

export interface SuggestedIpList {
  readonly name: string;
  /** Exact: `/32` and `/128` CIDRs of the addresses seen, sorted. */
  readonly cidrs: readonly string[];
}

/** What was seen between one source (identity or address) and one destination identity. */
export interface Seen {
  readonly services: Set<string>;
  connections: number;
  firstSeen: string;
  lastSeen: string;
}

export function see(map: Map<string, Seen>, key: string, group: CheckGroup): void {
  const seen = map.get(key);
  if (seen === undefined) {
    const { connections, firstSeen, lastSeen } = group;
    map.set(key, { services: new Set([group.service]), connections, firstSeen, lastSeen });
    return;
  }
  seen.services.add(group.service);
  seen.connections += group.connections;
  if (group.firstSeen < seen.firstSeen) seen.firstSeen = group.firstSeen;
  if (group.lastSeen > seen.lastSeen) seen.lastSeen = group.lastSeen;
}

/** The labels a selector in this scope needs: a dimension the scope pins to the same one value is said by the scope. */
export function withinScope(labels: Labels, scope: LabelSelector): Labels {
  return Object.fromEntries(
    Object.entries(labels).filter(([dimension, value]) => {
      const pinned = scope[dimension];
      return !(pinned?.length === 1 && pinned[0] === value);
    }),
  );
}

export function sortedServices(services: Iterable<string>): string[] {
  const parsed = [...services].map((text) => {
    const result = parseInlineService(text);
    return { text, service: result.ok ? result.service : undefined };
  });
  return parsed
    .sort((a, b) =>
      a.service && b.service ? compareServices(a.service, b.service) : compareText(a.text, b.text),
    )
    .map(({ text }) => text);
}

export function evidenceOf(seen: Seen): Evidence {
  return { connections: seen.connections, firstSeen: seen.firstSeen, lastSeen: seen.lastSeen };
}

/** The first ruleset (in file order) whose scope the labels are in. */
export function scopeOf(policy: Policy, labels: Labels, also?: Labels): Ruleset | undefined {
  return policy.rulesets.find(
    (ruleset) =>
      selectorMatches(ruleset.scope, labels) && (also === undefined || selectorMatches(ruleset.scope, also)),
  );
}

export function merged(a: Seen, b: Seen): Seen {
  return {
    services: new Set([...a.services, ...b.services]),
    connections: a.connections + b.connections,
    firstSeen: a.firstSeen < b.firstSeen ? a.firstSeen : b.firstSeen,
    lastSeen: a.lastSeen > b.lastSeen ? a.lastSeen : b.lastSeen,
  };
}

export function exactCidr(address: string): string {
  return address.includes(":") ? `${address}/128` : `${address}/32`;
}

/** A valid ipList name (`^[a-z][a-z0-9_-]{0,62}$`) not taken yet: `-2`, `-3`… when it is. */
export function uniqueName(wanted: string, taken: Set<string>): string {
  const base = wanted.slice(0, 58).replace(/-+$/, "");
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  taken.add(name);
  return name;
}

/**
 * A connection from a NAT address that the egress of the workloads behind it would block: no rule
 * of an address opens a workload's egress, and which of them opened it the log cannot tell.
 */
export function natSourceNote(flow: string): string {
  return `${flow}: the source is a NAT address, whose workloads' egress would block it, and the log cannot tell which of them opened it; no rule suggested`;
}
