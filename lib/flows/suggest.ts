/**
 * `flows suggest` (docs/flows.md, "Suggesting rules"): allow rules, in the policy's own labels,
 * that admit every observed accepted connection the policy denies. Workloads are generalised to
 * their identities, one rule per identity pair with the services observed between them, in the
 * ruleset whose scope both sides share (else, `extraScope`, in the destination's); addresses
 * outside the estate go into new ipLists of exact addresses, one per destination identity and
 * service set. Where the source's egress blocks a connection to an address outside the estate,
 * the rule opens it from the source (suggest-egress.ts); to a workload no ruleset's scope holds, from
 * a new visibility ruleset scoped to it (suggest-ruleset.ts). Each rule carries its evidence. Pure:
 * the groups of `flows check` come in.
 */

import { identityLabels } from "../compile/deny-match.js";
import type { Policy } from "../policy/model.js";
import { parseInlineService } from "../policy/services.js";
import { compareText } from "../util/compare-text.js";
import type { CheckGroup } from "./check.js";
import { egressRules } from "./suggest-egress.js";
import {
  evidenceOf,
  exactCidr,
  merged,
  natSourceNote,
  type Seen,
  type SuggestedIpList,
  type SuggestedRule,
  scopeOf,
  see,
  sortedServices,
  uniqueName,
  withinScope,
} from "./suggest-parts.js";
import { NewRulesets, type SuggestedRuleset, unscopedDestinations } from "./suggest-ruleset.js";

export type { Evidence, SuggestedIpList, SuggestedRule } from "./suggest-parts.js";
export type { SuggestedRuleset } from "./suggest-ruleset.js";

export interface Suggestions {
  readonly rules: readonly SuggestedRule[];
  readonly ipLists: readonly SuggestedIpList[];
  /** New rulesets (visibility) for destinations no ruleset's scope holds; their rules are in `rules`. */
  readonly rulesets: readonly SuggestedRuleset[];
  /** Observed accepted connections no rule is suggested for, and why. */
  readonly notes: readonly string[];
}

/**
 * The observed accepted connections the policy denies, by identity pair and by destination and
 * outside address; and every other one to a destination that gets a new ruleset, so that its
 * ruleset, once enforced, admits all that was seen to it.
 */
function collect(groups: readonly CheckGroup[], unscoped: ReadonlySet<string>) {
  const pairs = new Map<string, Seen>();
  const outside = new Map<string, Seen>();
  const notes: string[] = [];
  const leaving: CheckGroup[] = [];
  for (const group of groups) {
    const { destination: to } = group;
    const toNewRuleset = group.observed === "accepted" && to.kind === "workload" && unscoped.has(to.identity);
    if (!group.wouldBlock && !toNewRuleset) continue;
    if (group.destination.kind !== "workload") {
      // Only the source's egress blocks a connection to an address outside the estate.
      if (group.verdict.kind === "denied" && group.verdict.end === "source") leaving.push(group);
      continue;
    }
    const { source, destination } = group;
    const flow = `${describe(source)} → ${destination.workload} ${group.service}`;
    if (!parseInlineService(group.service).ok) {
      notes.push(`${flow}: no service names ${group.service} but all; no rule suggested`);
    } else if (source.kind === "workload" && source.identity === "") {
      notes.push(`${flow}: the source has no segsync labels; label it to suggest a rule`);
    } else if (source.kind === "workload") {
      see(pairs, JSON.stringify([source.identity, destination.identity]), group);
    } else if (group.wouldBlock && group.verdict.kind === "denied" && group.verdict.end === "source") {
      notes.push(natSourceNote(flow));
    } else see(outside, JSON.stringify([destination.identity, source.address]), group);
  }
  return { pairs, outside, leaving, notes };
}

function describe(endpoint: CheckGroup["source"]): string {
  return endpoint.kind === "workload" ? endpoint.workload : endpoint.address;
}

function pairRule(policy: Policy, key: string, seen: Seen, created: NewRulesets): SuggestedRule | string {
  const [sourceIdentity, destinationIdentity] = JSON.parse(key) as [string, string];
  const source = identityLabels(sourceIdentity);
  const destination = identityLabels(destinationIdentity);
  const shared = scopeOf(policy, destination, source);
  const ruleset = shared ?? scopeOf(policy, destination);
  if (ruleset === undefined) {
    if (destinationIdentity === "")
      return `${sourceIdentity} → a destination without segsync labels: label it to suggest a rule`;
    // Its `to` is the whole new scope: the destination's identity.
    const { name } = created.for(destinationIdentity, destination);
    const services = sortedServices(seen.services);
    return { ruleset: name, from: source, extraScope: true, to: {}, services, evidence: evidenceOf(seen) };
  }
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
  const created = new NewRulesets(policy);
  const { pairs, outside, leaving, notes } = collect(groups, unscopedDestinations(policy, groups));
  const rules: SuggestedRule[] = [];
  for (const [key, seen] of pairs) {
    const rule = pairRule(policy, key, seen, created);
    if (typeof rule === "string") notes.push(rule);
    else rules.push(rule);
  }
  const rulesets = created.all();
  const names = new Set(Object.keys(policy.ipLists));
  const addressed = outsideRules(policy, outside, names, created);
  const opened = egressRules(policy, leaving, names);
  notes.push(...addressed.notes, ...opened.notes);
  return {
    rules: [...rules, ...addressed.rules, ...opened.rules],
    ipLists: [...addressed.ipLists, ...opened.ipLists],
    rulesets,
    notes,
  };
}

/**
 * Outside addresses by destination identity and the set of services each was seen on: one ipList
 * of exact addresses per (destination identity, service set), named after the destination.
 */
function outsideRules(
  policy: Policy,
  outside: ReadonlyMap<string, Seen>,
  names: Set<string>,
  created: NewRulesets,
) {
  const bySet = new Map<string, { addresses: string[]; seen: Seen[] }>();
  for (const [key, seen] of outside) {
    const [destination, address] = JSON.parse(key) as [string, string];
    const setKey = JSON.stringify([destination, sortedServices(seen.services)]);
    const entry = bySet.get(setKey) ?? { addresses: [], seen: [] };
    entry.addresses.push(address);
    entry.seen.push(seen);
    bySet.set(setKey, entry);
  }
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
    const existing = scopeOf(policy, destination);
    const ruleset = existing ?? created.known(destinationIdentity);
    if (ruleset === undefined) {
      notes.push(
        `${addresses.join(", ")} → ${destinationIdentity}: the destination is in no ruleset's scope`,
      );
      continue;
    }
    const name = uniqueName(`observed-${Object.values(destination).join("-")}`, names);
    ipLists.push({ name, cidrs });
    const evidence = seen.reduce((sum, each) => merged(sum, each));
    // A new ruleset's scope is the destination's identity: `to` is all of it.
    const to = existing === undefined ? {} : withinScope(destination, existing.scope);
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
