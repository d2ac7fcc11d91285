/**
 * Which deny rule denies a flow (docs/policy.md, "Deny rules and egress (v2)"): deny rules beat
 * every allow, so a flow that one matches is denied by it whatever the allows say. For `explain`
 * and `flows check`, which name the rule. Pure.
 */
import { cidrContains } from "../net/cidr.js";
import type { Policy, Rule, Service } from "../policy/model.js";
import { selectorMatches } from "./selector-index.js";

export interface DeniableFlow {
  /** The destination identity's labels. */
  readonly destinationLabels: Readonly<Record<string, string>>;
  /** The source identity's labels; absent for an address outside the estate. */
  readonly sourceLabels?: Readonly<Record<string, string>>;
  /** The address the destination sees the source from. */
  readonly sourceAddress?: string;
  /** Whether a rule's services admit the flow's protocol and port. */
  readonly admits: (services: readonly Service[]) => boolean;
}

/** The first deny rule, in policy order, whose `to`, `from` and services hold the flow. */
export function matchingDenyRule(policy: Policy, flow: DeniableFlow): Rule | undefined {
  for (const ruleset of policy.rulesets) for (const rule of ruleset.deny) if (denies(rule, flow)) return rule;
  return undefined;
}

function denies(rule: Rule, flow: DeniableFlow): boolean {
  if (rule.to.kind !== "labels" || !selectorMatches(rule.to.selector, flow.destinationLabels)) return false;
  if (!flow.admits(rule.services)) return false;
  if (rule.from.kind === "ipList") {
    const address = flow.sourceAddress;
    return address !== undefined && rule.from.cidrs.some((cidr) => cidrContains(cidr, address));
  }
  return flow.sourceLabels !== undefined && selectorMatches(rule.from.selector, flow.sourceLabels);
}

/** `app=shop,env=prod` → `{ app: "shop", env: "prod" }`; an empty identity has no labels. */
export function identityLabels(identity: string): Record<string, string> {
  if (identity === "") return {};
  return Object.fromEntries(identity.split(",").map((pair) => pair.split("=") as [string, string]));
}

export interface DeniableEgress {
  /** The source identity's labels. */
  readonly sourceLabels: Readonly<Record<string, string>>;
  /** The destination identity's labels; absent for an address outside the estate. */
  readonly destinationLabels?: Readonly<Record<string, string>>;
  /** The address the source's network reaches the destination at. */
  readonly destinationAddress?: string;
  readonly admits: (services: readonly Service[]) => boolean;
}

/**
 * The first deny rule, in policy order, that closes a flow at its source's egress: its `from`
 * selects the source, and its `to` selects the destination or holds the address it is sent to.
 */
export function matchingEgressDenyRule(policy: Policy, flow: DeniableEgress): Rule | undefined {
  for (const ruleset of policy.rulesets)
    for (const rule of ruleset.deny) if (closesEgress(rule, flow)) return rule;
  return undefined;
}

function closesEgress(rule: Rule, flow: DeniableEgress): boolean {
  if (rule.from.kind !== "labels" || !selectorMatches(rule.from.selector, flow.sourceLabels)) return false;
  if (!flow.admits(rule.services)) return false;
  if (rule.to.kind === "ipList") {
    const address = flow.destinationAddress;
    return address !== undefined && rule.to.cidrs.some((cidr) => cidrContains(cidr, address));
  }
  return flow.destinationLabels !== undefined && selectorMatches(rule.to.selector, flow.destinationLabels);
}
