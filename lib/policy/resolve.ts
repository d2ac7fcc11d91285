/**
 * A parsed and validated document → the resolved Policy of model.ts: services expanded and
 * normalized, CIDRs canonical, every rule's selectors intersected with its scope, deny rules
 * resolved as allow rules are, and each ruleset's egress made explicit. Callers pass only
 * documents that passed every check; a broken assumption here is a bug, so it throws.
 */
import { parseCidr } from "../net/cidr.js";
import type {
  IpListEnd,
  LabelSelector,
  Policy,
  Rule,
  RuleAction,
  RuleSource,
  Ruleset,
  RuleTarget,
  Service,
} from "./model.js";
import { IP_LIST_KEY } from "./names.js";
import type { RawPolicy, RawRule, RawRuleSource, RawRuleset, RawRuleTarget, RawSelector } from "./schema.js";
import { intersectSelectors, normalizeSelector } from "./selectors.js";
import { isInlineServiceSyntax, normalizeServices, parseInlineService } from "./services.js";

type NamedServices = Readonly<Record<string, readonly Service[]>>;
type NamedCidrs = Readonly<Record<string, readonly string[]>>;

function mapValues<T, U>(record: Readonly<Record<string, T>>, map: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));
}

function inlineService(text: string): Service {
  const parsed = parseInlineService(text);
  if (!parsed.ok) throw new Error(`unvalidated service reached resolution: ${parsed.message}`);
  return parsed.service;
}

/** Canonical text, first occurrence order, without repeats (`10.0.0.1` and `10.0.0.1/32` are one). */
function canonicalCidrs(texts: readonly string[]): string[] {
  const canonical = texts.map((text) => {
    const parsed = parseCidr(text);
    if (!parsed.ok) throw new Error(`unvalidated CIDR reached resolution: ${parsed.message}`);
    return parsed.cidr.text;
  });
  return [...new Set(canonical)];
}

function ruleServices(entries: readonly string[], named: NamedServices): Service[] {
  return normalizeServices(
    entries.flatMap((entry) => {
      if (isInlineServiceSyntax(entry)) return [inlineService(entry)];
      const services = Object.hasOwn(named, entry) ? named[entry] : undefined;
      if (!services) throw new Error(`unknown service "${entry}" reached resolution`);
      return services;
    }),
  );
}

function isIpListEnd(end: RawRuleSource | RawRuleTarget): end is { ipList: string } {
  return Object.hasOwn(end, IP_LIST_KEY);
}

function ipListEnd(name: string, ipLists: NamedCidrs): IpListEnd {
  const cidrs = Object.hasOwn(ipLists, name) ? ipLists[name] : undefined;
  if (!cidrs) throw new Error(`unknown ipList "${name}" reached resolution`);
  return { kind: "ipList", name, cidrs };
}

function ruleSource(rule: RawRule, scope: LabelSelector, ipLists: NamedCidrs): RuleSource {
  if (isIpListEnd(rule.from)) return ipListEnd(rule.from.ipList, ipLists);
  const selector = normalizeSelector(rule.from as RawSelector);
  return {
    kind: "labels",
    selector: rule.extraScope ? selector : intersectSelectors(scope, selector),
    extraScope: rule.extraScope,
  };
}

function ruleTarget(rule: RawRule, scope: LabelSelector, ipLists: NamedCidrs): RuleTarget {
  if (isIpListEnd(rule.to)) return ipListEnd(rule.to.ipList, ipLists);
  return { kind: "labels", selector: intersectSelectors(scope, normalizeSelector(rule.to as RawSelector)) };
}

interface RuleContext {
  readonly ruleset: string;
  readonly scope: LabelSelector;
  readonly services: NamedServices;
  readonly ipLists: NamedCidrs;
}

function resolveRule(rule: RawRule, index: number, action: RuleAction, context: RuleContext): Rule {
  const { ruleset, scope, services, ipLists } = context;
  return {
    id: action === "allow" ? `${ruleset}#${index}` : `${ruleset}#deny-${index}`,
    ruleset,
    action,
    index,
    from: ruleSource(rule, scope, ipLists),
    to: ruleTarget(rule, scope, ipLists),
    services: ruleServices(rule.services, services),
  };
}

function resolveRuleset(
  raw: RawRuleset,
  policy: RawPolicy,
  services: NamedServices,
  ipLists: NamedCidrs,
): Ruleset {
  const scope = normalizeSelector(raw.scope);
  const context: RuleContext = { ruleset: raw.name, scope, services, ipLists };
  return {
    name: raw.name,
    scope,
    enforcement: raw.enforcement,
    egress: raw.egress ?? policy.egress,
    rules: raw.rules.map((rule, index) => resolveRule(rule, index, "allow", context)),
    deny: (raw.deny ?? []).map((rule, index) => resolveRule(rule, index, "deny", context)),
  };
}

/** Freezes the whole tree, so that no consumer can change a policy that others share. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export function resolvePolicy(raw: RawPolicy): Policy {
  const services = mapValues(raw.services, (entries) => normalizeServices(entries.map(inlineService)));
  const ipLists = mapValues(raw.ipLists, canonicalCidrs);
  return deepFreeze({
    labels: { tagPrefix: raw.labels.tagPrefix, dimensions: [...raw.labels.dimensions] },
    services,
    ipLists,
    networks: {
      connected: raw.networks.connected.map((group) => [...group]),
      nat: mapValues(raw.networks.nat, canonicalCidrs),
    },
    platform: { azureLoadBalancerProbes: raw.platform.azureLoadBalancerProbes },
    attachment: raw.attachment,
    egress: raw.egress,
    rulesets: raw.rulesets.map((ruleset) => resolveRuleset(ruleset, raw, services, ipLists)),
  });
}
