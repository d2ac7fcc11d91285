/**
 * `flows suggest` (docs/flows.md, "Suggesting rules"): allow rules, in the policy's own labels,
 * that admit every observed accepted connection the policy denies. Workloads are generalised to
 * their identities, one rule per identity pair with the services observed between them, in the
 * ruleset whose scope both sides share (else, `extraScope`, in the destination's); addresses
 * outside the estate go into new ipLists of exact addresses, one per destination identity and
 * service set. Each rule carries its evidence. Pure: the groups of `flows check` come in.
 */

import { identityLabels } from "../compile/deny-match.js";
import { selectorMatches } from "../compile/selector-index.js";
import type { LabelSelector, Policy, Ruleset } from "../policy/model.js";
import { compareServices, parseInlineService } from "../policy/services.js";
import { compareText } from "../util/compare-text.js";
import type { CheckGroup } from "./check.js";

type Labels = Readonly<Record<string, string>>;

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
  readonly to: Labels;
  /** Inline services (`tcp/5432`, `icmp`), sorted. */
  readonly services: readonly string[];
  readonly evidence: Evidence;
}

export interface SuggestedIpList {
  readonly name: string;
  /** Exact: `/32` and `/128` CIDRs of the addresses seen, sorted. */
  readonly cidrs: readonly string[];
}

export interface Suggestions {
  readonly rules: readonly SuggestedRule[];
  readonly ipLists: readonly SuggestedIpList[];
  /** Observed accepted connections no rule is suggested for, and why. */
  readonly notes: readonly string[];
}

/** What was seen between one source (identity or address) and one destination identity. */
interface Seen {
  readonly services: Set<string>;
  connections: number;
  firstSeen: string;
  lastSeen: string;
}

function see(map: Map<string, Seen>, key: string, group: CheckGroup): void {
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

/** The observed accepted connections the policy denies, by identity pair and by destination and outside address. */
function collect(groups: readonly CheckGroup[]) {
  const pairs = new Map<string, Seen>();
  const outside = new Map<string, Seen>();
  const notes: string[] = [];
  for (const group of groups) {
    if (!group.wouldBlock || group.destination.kind !== "workload") continue;
    const { source, destination } = group;
    const flow = `${describe(source)} → ${destination.workload} ${group.service}`;
    if (!parseInlineService(group.service).ok) {
      notes.push(`${flow}: no service names ${group.service} but all; no rule suggested`);
    } else if (source.kind === "workload" && source.identity === "") {
      notes.push(`${flow}: the source has no segsync labels; label it to suggest a rule`);
    } else if (source.kind === "workload") {
      see(pairs, JSON.stringify([source.identity, destination.identity]), group);
    } else see(outside, JSON.stringify([destination.identity, source.address]), group);
  }
  return { pairs, outside, notes };
}

function describe(endpoint: CheckGroup["source"]): string {
  return endpoint.kind === "workload" ? endpoint.workload : endpoint.address;
}

/** The labels a selector in this scope needs: a dimension the scope pins to the same one value is said by the scope. */
function withinScope(labels: Labels, scope: LabelSelector): Labels {
  return Object.fromEntries(
    Object.entries(labels).filter(([dimension, value]) => {
      const pinned = scope[dimension];
      return !(pinned?.length === 1 && pinned[0] === value);
    }),
  );
}

function sortedServices(services: Iterable<string>): string[] {
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

function evidenceOf(seen: Seen): Evidence {
  return { connections: seen.connections, firstSeen: seen.firstSeen, lastSeen: seen.lastSeen };
}

/** The first ruleset (in file order) whose scope the labels are in. */
function scopeOf(policy: Policy, labels: Labels, also?: Labels): Ruleset | undefined {
  return policy.rulesets.find(
    (ruleset) =>
      selectorMatches(ruleset.scope, labels) && (also === undefined || selectorMatches(ruleset.scope, also)),
  );
}

function pairRule(policy: Policy, key: string, seen: Seen): SuggestedRule | string {
  const [sourceIdentity, destinationIdentity] = JSON.parse(key) as [string, string];
  const source = identityLabels(sourceIdentity);
  const destination = identityLabels(destinationIdentity);
  const shared = scopeOf(policy, destination, source);
  const ruleset = shared ?? scopeOf(policy, destination);
  if (ruleset === undefined)
    return `${sourceIdentity} → ${destinationIdentity}: the destination is in no ruleset's scope; no rule suggested`;
  return {
    ruleset: ruleset.name,
    from: shared === undefined ? source : withinScope(source, ruleset.scope),
    extraScope: shared === undefined,
    to: withinScope(destination, ruleset.scope),
    services: sortedServices(seen.services),
    evidence: evidenceOf(seen),
  };
}

/** Rules and ipLists that admit every observed accepted connection the policy denies. */
export function suggestRules(policy: Policy, groups: readonly CheckGroup[]): Suggestions {
  const { pairs, outside, notes } = collect(groups);
  const rules: SuggestedRule[] = [];
  for (const [key, seen] of pairs) {
    const rule = pairRule(policy, key, seen);
    if (typeof rule === "string") notes.push(rule);
    else rules.push(rule);
  }
  const addressed = outsideRules(policy, outside);
  notes.push(...addressed.notes);
  return { rules: [...rules, ...addressed.rules], ipLists: addressed.ipLists, notes };
}

/**
 * Outside addresses by destination identity and the set of services each was seen on: one ipList
 * of exact addresses per (destination identity, service set), named after the destination.
 */
function outsideRules(policy: Policy, outside: ReadonlyMap<string, Seen>) {
  const bySet = new Map<string, { addresses: string[]; seen: Seen[] }>();
  for (const [key, seen] of outside) {
    const [destination, address] = JSON.parse(key) as [string, string];
    const setKey = JSON.stringify([destination, sortedServices(seen.services)]);
    const entry = bySet.get(setKey) ?? { addresses: [], seen: [] };
    entry.addresses.push(address);
    entry.seen.push(seen);
    bySet.set(setKey, entry);
  }
  const names = new Set(Object.keys(policy.ipLists));
  const rules: SuggestedRule[] = [];
  const ipLists: SuggestedIpList[] = [];
  const notes: string[] = [];
  // By destination, then by the lowest address: names that do not depend on the order seen.
  const sets = [...bySet].map(([setKey, entry]) => ({
    setKey,
    ...entry,
    cidrs: entry.addresses.map(exactCidr).sort(compareText),
  }));
  sets.sort(
    (a, b) =>
      compareText(a.setKey.split('",[')[0] ?? "", b.setKey.split('",[')[0] ?? "") ||
      compareText(a.cidrs[0] ?? "", b.cidrs[0] ?? ""),
  );
  for (const { setKey, addresses, seen, cidrs } of sets) {
    const [destinationIdentity, services] = JSON.parse(setKey) as [string, string[]];
    const destination = identityLabels(destinationIdentity);
    const ruleset = scopeOf(policy, destination);
    if (ruleset === undefined) {
      notes.push(
        `${addresses.join(", ")} → ${destinationIdentity}: the destination is in no ruleset's scope`,
      );
      continue;
    }
    const name = uniqueName(`observed-${Object.values(destination).join("-")}`, names);
    ipLists.push({ name, cidrs });
    const evidence = seen.reduce((sum, each) => merged(sum, each));
    const to = withinScope(destination, ruleset.scope);
    const from = { ipList: name };
    rules.push({
      ruleset: ruleset.name,
      from,
      extraScope: false,
      to,
      services,
      evidence: evidenceOf(evidence),
    });
  }
  return { rules, ipLists, notes };
}

function merged(a: Seen, b: Seen): Seen {
  return {
    services: new Set([...a.services, ...b.services]),
    connections: a.connections + b.connections,
    firstSeen: a.firstSeen < b.firstSeen ? a.firstSeen : b.firstSeen,
    lastSeen: a.lastSeen > b.lastSeen ? a.lastSeen : b.lastSeen,
  };
}

function exactCidr(address: string): string {
  return address.includes(":") ? `${address}/128` : `${address}/32`;
}

/** A valid ipList name (`^[a-z][a-z0-9_-]{0,62}$`) not taken yet: `-2`, `-3`… when it is. */
function uniqueName(wanted: string, taken: Set<string>): string {
  const base = wanted.slice(0, 58).replace(/-+$/, "");
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  taken.add(name);
  return name;
}
