/**
 * `flows suggest` for a destination that no ruleset's scope holds (docs/flows.md, "Suggesting
 * rules"): a rule's `to` is always within its ruleset's scope, so no existing ruleset can name it.
 * Its rules go into a new `visibility` ruleset scoped to the destination's labels: visibility
 * writes nothing at the destination (its ingress stays as it is, and `flows check` checks it as
 * if enforced), while the ruleset's rules count, as every ruleset's do, for the egress of the
 * egress-enforced sources they name, which is what blocked the connection. The ruleset is there to
 * be enforced one day, and `flows check` checks its workloads as if it were: its rules admit every
 * observed accepted connection to them, not only those the sources' egress would block. Pure.
 */
import { identityLabels } from "../compile/deny-match.js";
import type { Policy } from "../policy/model.js";
import { parseInlineService } from "../policy/services.js";
import type { CheckGroup } from "./check.js";
import { type Labels, scopeOf, uniqueName } from "./suggest-parts.js";

/** A ruleset `flows suggest` adds, in visibility, for a destination no ruleset's scope holds. */
export interface SuggestedRuleset {
  readonly name: string;
  /** The destination identity's labels, whole. */
  readonly scope: Labels;
}

/** Why the new ruleset is there, said above it and on stderr. */
export function newRulesetReason(ruleset: SuggestedRuleset): string {
  return `no ruleset's scope holds ${Object.values(ruleset.scope).join(",")} workloads yet: ${ruleset.name} is new, in visibility, so it writes nothing at them; its rules open the egress of the sources they name`;
}

/**
 * The destination identities that get a new ruleset: no ruleset's scope holds them, and a labelled
 * source's egress would block an observed accepted connection to them on a service a rule can name.
 */
export function unscopedDestinations(policy: Policy, groups: readonly CheckGroup[]): Set<string> {
  const identities = new Set<string>();
  for (const { wouldBlock, source, destination, service } of groups) {
    if (!wouldBlock || destination.kind !== "workload" || destination.identity === "") continue;
    if (source.kind !== "workload" || source.identity === "" || !parseInlineService(service).ok) continue;
    if (scopeOf(policy, identityLabels(destination.identity)) === undefined)
      identities.add(destination.identity);
  }
  return identities;
}

/** The new rulesets by destination identity, one per identity, named `observed-<its label values>`. */
export class NewRulesets {
  private readonly byIdentity = new Map<string, SuggestedRuleset>();
  private readonly names: Set<string>;

  constructor(policy: Policy) {
    this.names = new Set(policy.rulesets.map((ruleset) => ruleset.name));
  }

  /** The new ruleset for the destination's identity (`labels` its labels, not empty). */
  for(identity: string, labels: Labels): SuggestedRuleset {
    const known = this.byIdentity.get(identity);
    if (known !== undefined) return known;
    const name = uniqueName(`observed-${Object.values(labels).join("-")}`, this.names);
    const ruleset = { name, scope: labels };
    this.byIdentity.set(identity, ruleset);
    return ruleset;
  }

  /** The new ruleset already made for the identity, if any. */
  known(identity: string): SuggestedRuleset | undefined {
    return this.byIdentity.get(identity);
  }

  all(): SuggestedRuleset[] {
    return [...this.byIdentity.values()];
  }
}
