/**
 * `flows suggest` where the source's egress blocks (docs/flows.md, "Suggesting rules"): observed
 * accepted connections from an egress-enforced source to addresses outside the estate, which only
 * its egress decides, get rules that open them from the source's identity, `to: { ipList }` of
 * the exact addresses seen, one new ipList per source identity and service set, in the ruleset
 * whose scope enforces the source's egress. Connections to workloads are suggested as every
 * other (suggest.ts): one rule admits both ends. Pure.
 */
import { identityLabels } from "../compile/deny-match.js";
import { selectorMatches } from "../compile/selector-index.js";
import type { Policy, Ruleset } from "../policy/model.js";
import { parseInlineService } from "../policy/services.js";
import { compareText } from "../util/compare-text.js";
import type { CheckGroup } from "./check.js";
import {
  evidenceOf,
  exactCidr,
  type Labels,
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

/**
 * The ruleset whose scope enforces the source's egress, else the visibility one whose scope will
 * (its egress checked once enforced, lib/flows/once-enforced.ts), else the first whose scope holds it.
 */
function egressRuleset(policy: Policy, labels: Labels): Ruleset | undefined {
  const enforcing = (enforcement: Ruleset["enforcement"]) =>
    policy.rulesets.find(
      (ruleset) =>
        ruleset.enforcement === enforcement &&
        ruleset.egress === "enforced" &&
        selectorMatches(ruleset.scope, labels),
    );
  return enforcing("enforced") ?? enforcing("visibility") ?? scopeOf(policy, labels);
}

/** Outside addresses by source identity: what each identity was seen opening, address by address. */
function collect(groups: readonly CheckGroup[]): { seen: Map<string, Seen>; notes: string[] } {
  const seen = new Map<string, Seen>();
  const notes: string[] = [];
  for (const group of groups) {
    const { source, destination } = group;
    if (destination.kind === "workload") continue;
    const flow = `${source.kind === "workload" ? source.workload : source.address} → ${destination.address} ${group.service}`;
    if (!parseInlineService(group.service).ok)
      notes.push(`${flow}: no service names ${group.service} but all; no rule suggested`);
    else if (source.kind === "outside" && source.seenAs === "nat") notes.push(natSourceNote(flow));
    else if (source.kind !== "workload" || source.identity === "")
      notes.push(`${flow}: the source has no segsync labels; label it to suggest a rule`);
    else see(seen, JSON.stringify([source.identity, destination.address]), group);
  }
  return { seen, notes };
}

/** One set of addresses a source identity opened on one set of services. */
interface AddressSet {
  readonly source: string;
  readonly services: string[];
  readonly cidrs: string[];
  readonly seen: Seen[];
}

function addressSets(seen: ReadonlyMap<string, Seen>): AddressSet[] {
  const bySet = new Map<string, AddressSet>();
  for (const [key, each] of seen) {
    const [source, address] = JSON.parse(key) as [string, string];
    const services = sortedServices(each.services);
    const setKey = JSON.stringify([source, services]);
    const set = bySet.get(setKey) ?? { source, services, cidrs: [], seen: [] };
    set.cidrs.push(exactCidr(address));
    set.seen.push(each);
    bySet.set(setKey, set);
  }
  const sets = [...bySet.values()];
  for (const set of sets) set.cidrs.sort(compareText);
  // By source, then by the lowest address: names that do not depend on the order seen.
  return sets.sort(
    (a, b) => compareText(a.source, b.source) || compareText(a.cidrs[0] ?? "", b.cidrs[0] ?? ""),
  );
}

/** Rules and new ipLists that let egress-enforced sources open the outside addresses they were seen opening. */
export function egressRules(
  policy: Policy,
  groups: readonly CheckGroup[],
  names: Set<string>,
): { rules: SuggestedRule[]; ipLists: SuggestedIpList[]; notes: string[] } {
  const { seen, notes } = collect(groups);
  const rules: SuggestedRule[] = [];
  const ipLists: SuggestedIpList[] = [];
  for (const { source: identity, services, cidrs, seen: evidence } of addressSets(seen)) {
    const source = identityLabels(identity);
    const ruleset = egressRuleset(policy, source);
    if (ruleset === undefined) {
      notes.push(`${identity} → ${cidrs.join(", ")}: the source is in no ruleset's scope`);
      continue;
    }
    const name = uniqueName(`observed-from-${Object.values(source).join("-")}`, names);
    ipLists.push({ name, cidrs });
    rules.push({
      ruleset: ruleset.name,
      from: withinScope(source, ruleset.scope),
      extraScope: false,
      to: { ipList: name },
      services,
      evidence: evidenceOf(evidence.reduce((sum, each) => merged(sum, each))),
    });
  }
  return { rules, ipLists, notes };
}
