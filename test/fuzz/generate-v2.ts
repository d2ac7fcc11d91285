/**
 * Policy v2 in a campaign case (docs/policy.md, "Deny rules and egress (v2)"), when the generator
 * is asked for it: deny rules, rules `to` an ipList, and enforced egress on some enforced
 * rulesets. Drawn from a stream of its own, so that a seed's estate, steps and v1 rules stay
 * those it has without v2: the v2 case of a seed is its v1 case with these added.
 */
import { Random } from "./random.js";

const ROLES = ["web", "api", "db"] as const;
const DENY_SERVICES = ["web", "postgres", "tcp/8080", "icmp", "tcp/9000-9010", "all"] as const;
const OUTSIDE_LISTS = { "payments-gateway": ["198.51.100.0/24"] } as const;

interface Ruleset {
  readonly name: string;
  readonly scope: Record<string, string>;
  readonly enforcement: string;
  readonly rules: readonly Record<string, unknown>[];
}

/** The policy with v2 added to its rulesets; the stream is the seed's own. */
export function withV2(policy: Record<string, unknown>, seed: number): Record<string, unknown> {
  const random = new Random(seed * 7919 + 17);
  const rulesets = (policy.rulesets as readonly Ruleset[]).map((ruleset) => v2Ruleset(ruleset, random));
  const ipLists = { ...(policy.ipLists as Record<string, unknown>), ...OUTSIDE_LISTS };
  return { ...policy, ipLists, rulesets };
}

function v2Ruleset(ruleset: Ruleset, random: Random): Ruleset & Record<string, unknown> {
  const egress = ruleset.enforcement === "enforced" && random.chance(0.7) ? { egress: "enforced" } : {};
  const outside = random.chance(0.5) ? [egressRule(random)] : [];
  // Every role of the scope to one: egress grants to identities the sources share a network with.
  const broad = random.chance(0.7)
    ? [{ from: {}, to: { role: random.pick(ROLES) }, services: ["tcp/8080"] }]
    : [];
  const drawn = Array.from({ length: random.int(0, 2) }, () => denyRule(ruleset, random));
  // The policy refuses a rule given twice.
  const deny = [...new Map(drawn.map((rule) => [JSON.stringify(rule), rule])).values()];
  return {
    ...ruleset,
    ...egress,
    rules: [...ruleset.rules, ...outside, ...broad],
    ...(deny.length > 0 ? { deny } : {}),
  };
}

/** A rule that lets a role send to addresses outside the estate (it matters where egress is enforced). */
function egressRule(random: Random): Record<string, unknown> {
  return { from: { role: random.pick(ROLES) }, to: { ipList: "payments-gateway" }, services: ["web"] };
}

/** A deny rule inside the scope, from another app, or from an ipList. */
function denyRule(ruleset: Ruleset, random: Random): Record<string, unknown> {
  const to = random.chance(0.3) ? {} : { role: random.pick(ROLES) };
  const services = [random.pick(DENY_SERVICES)];
  const source = random.weighted([
    ["role", 5],
    ["extraScope", 3],
    ["ipList", 1],
  ] as const);
  if (source === "ipList") return { from: { ipList: "corp-vpn" }, to, services };
  if (source === "extraScope") {
    const other = ruleset.scope.app === "shop" ? "blog" : "shop";
    return { from: { app: other }, extraScope: true, to, services };
  }
  return { from: { role: random.pick(ROLES) }, to, services };
}
