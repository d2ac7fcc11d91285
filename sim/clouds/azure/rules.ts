import type { SecurityRule, SubResource } from "../../../lib/clouds/azure/model.js";
import { canonicalProtocol } from "../../../lib/clouds/azure/protocols.js";
import { parseCidr } from "../../../lib/net/cidr.js";
import { fail } from "./failures.js";
import { checkName } from "./names.js";
import { type ArmStore, key } from "./store.js";

/**
 * The six rules ARM gives every NSG, which cannot be changed (docs/clouds.md,
 * "Azure default rules").
 */
export const DEFAULT_SECURITY_RULES: readonly SecurityRule[] = [
  defaultRule("AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
  defaultRule("AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer", "*"),
  defaultRule("DenyAllInBound", 65500, "Inbound", "Deny", "*", "*"),
  defaultRule("AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
  defaultRule("AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "Internet"),
  defaultRule("DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*"),
];

function defaultRule(
  name: string,
  priority: number,
  direction: SecurityRule["direction"],
  access: SecurityRule["access"],
  source: string,
  destination: string,
): SecurityRule {
  return {
    name,
    priority,
    direction,
    access,
    protocol: "*",
    sourcePortRange: "*",
    sourceAddressPrefix: source,
    destinationAddressPrefix: destination,
    destinationPortRange: "*",
  };
}

export const MIN_PRIORITY = 100;
export const MAX_PRIORITY = 4096;
/** `VirtualNetwork`, `AzureLoadBalancer`, `Internet`, `Storage.EastUS`, … */
const SERVICE_TAG = /^[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)?$/;

interface NsgRef {
  readonly id: string;
  readonly location: string;
}

/**
 * Checks an NSG's custom rules as ARM does on a PUT: names, priorities (100-4096, unique per
 * direction), protocols, ports, prefixes, ASG references (existing, same region, same VNet when
 * on both sides), and the quotas of config.ts. Throws the first problem.
 */
export function checkSecurityRules(store: ArmStore, nsg: NsgRef, rules: readonly SecurityRule[]): void {
  const { quotas } = store;
  if (rules.length > quotas.rulesPerNetworkSecurityGroup) {
    // ARM's own code and message (test/contract/azure-api.contract.ts pins them on the ARM fake too).
    throw fail.quota(
      "SecurityRuleCountLimitReached",
      `A security group cannot have more than ${quotas.rulesPerNetworkSecurityGroup} security rules (${nsg.id} would have ${rules.length}).`,
    );
  }
  const names = new Map<string, string>();
  const priorities = new Map<string, string>();
  const asgs = new Set<string>();
  for (const rule of rules) {
    checkRule(store, nsg, rule);
    const name = rule.name.toLowerCase();
    if (names.has(name)) {
      throw fail.invalid(
        "DuplicateResourceName",
        `Security rule name '${rule.name}' is used twice in ${nsg.id}.`,
      );
    }
    names.set(name, rule.name);
    const slot = `${rule.direction}|${rule.priority}`;
    const other = priorities.get(slot);
    if (other !== undefined) {
      throw fail.invalid(
        "SecurityRuleConflict",
        `Security rule ${other} conflicts with rule ${rule.name}. Rules cannot have the same Priority and Direction.`,
      );
    }
    priorities.set(slot, rule.name);
    for (const asg of [
      ...(rule.sourceApplicationSecurityGroups ?? []),
      ...(rule.destinationApplicationSecurityGroups ?? []),
    ]) {
      asgs.add(key(asg.id));
    }
  }
  if (asgs.size > quotas.applicationSecurityGroupsPerNetworkSecurityGroup) {
    throw fail.quota(
      "ApplicationSecurityGroupsPerNetworkSecurityGroupLimitReached",
      `Network security group ${nsg.id} would reference ${asgs.size} application security groups; the limit is ${quotas.applicationSecurityGroupsPerNetworkSecurityGroup}.`,
    );
  }
}

function checkRule(store: ArmStore, nsg: NsgRef, rule: SecurityRule): void {
  checkName("securityRule", rule.name, "Security rule");
  const where = `security rule ${rule.name} of ${nsg.id}`;
  if (!Number.isInteger(rule.priority) || rule.priority < MIN_PRIORITY || rule.priority > MAX_PRIORITY) {
    throw fail.invalid(
      "SecurityRuleInvalidPriority",
      `Security rule has invalid Priority. Value provided: ${rule.priority} Allowed range ${MIN_PRIORITY}-${MAX_PRIORITY}.`,
    );
  }
  if (rule.direction !== "Inbound" && rule.direction !== "Outbound") {
    throw fail.invalid(
      "InvalidRequestFormat",
      `Direction '${String(rule.direction)}' of ${where} is not valid.`,
    );
  }
  if (rule.access !== "Allow" && rule.access !== "Deny") {
    throw fail.invalid("InvalidRequestFormat", `Access '${String(rule.access)}' of ${where} is not valid.`);
  }
  // ARM takes any casing (`TCP`, `tcp`); the store keeps the model's (canonicalRules).
  if (canonicalProtocol(rule.protocol) === undefined) {
    throw fail.invalid(
      "SecurityRuleInvalidProtocol",
      `Protocol '${rule.protocol}' of ${where} is not valid.`,
    );
  }
  checkPorts(rule.sourcePortRange, rule.sourcePortRanges, `source ports of ${where}`);
  checkPorts(rule.destinationPortRange, rule.destinationPortRanges, `destination ports of ${where}`);
  const sourceAsgs = checkSide(store, nsg, where, "source", {
    prefix: rule.sourceAddressPrefix,
    prefixes: rule.sourceAddressPrefixes,
    asgs: rule.sourceApplicationSecurityGroups,
  });
  const destinationAsgs = checkSide(store, nsg, where, "destination", {
    prefix: rule.destinationAddressPrefix,
    prefixes: rule.destinationAddressPrefixes,
    asgs: rule.destinationApplicationSecurityGroups,
  });
  if (sourceAsgs.length > 0 && destinationAsgs.length > 0) {
    checkSameVirtualNetwork(store, where, [...sourceAsgs, ...destinationAsgs]);
  }
}

function checkPorts(single: string | undefined, list: readonly string[] | undefined, what: string): void {
  const ranges = present(single, list, what);
  for (const range of ranges) {
    const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(range);
    const from = Number(match?.[1]);
    const to = Number(match?.[2] ?? match?.[1]);
    if (range !== "*" && (match === null || from > to || to > 65535)) {
      throw fail.invalid("SecurityRuleInvalidPortRange", `Port range '${range}' in ${what} is not valid.`);
    }
  }
}

/** One of prefix, prefixes or ASGs; returns the ASG ids. */
function checkSide(
  store: ArmStore,
  nsg: NsgRef,
  where: string,
  side: "source" | "destination",
  given: { prefix?: string; prefixes?: readonly string[]; asgs?: readonly SubResource[] },
): string[] {
  const asgs = given.asgs ?? [];
  const hasPrefix = (given.prefix ?? "") !== "" || (given.prefixes ?? []).length > 0;
  if (asgs.length > 0 && hasPrefix) {
    throw fail.invalid(
      "SecurityRuleParameterContainsUnsupportedValue",
      `The ${side} of ${where} names both address prefixes and application security groups.`,
    );
  }
  if (asgs.length === 0) {
    const prefixes = present(given.prefix, given.prefixes, `${side} addresses of ${where}`);
    if (prefixes.length > store.quotas.prefixesPerRule) {
      throw fail.quota(
        "SecurityRuleAddressPrefixesLimitReached",
        `The ${side} of ${where} has ${prefixes.length} address prefixes; the limit is ${store.quotas.prefixesPerRule}.`,
      );
    }
    for (const prefix of prefixes) checkPrefix(prefix, where);
    return [];
  }
  if (asgs.length > store.quotas.applicationSecurityGroupsPerRule) {
    throw fail.quota(
      "ApplicationSecurityGroupsPerSecurityRuleLimitReached",
      `The ${side} of ${where} names ${asgs.length} application security groups; the limit is ${store.quotas.applicationSecurityGroupsPerRule}.`,
    );
  }
  for (const ref of asgs) {
    const asg = store.applicationSecurityGroups.get(key(ref.id));
    if (asg === undefined || asg.location !== nsg.location) throw fail.reference(ref.id, nsg.id);
  }
  return asgs.map((ref) => ref.id);
}

/** Exactly one of a single value or a non-empty list (ARM prints the unused one as "" or []). */
function present(single: string | undefined, list: readonly string[] | undefined, what: string): string[] {
  const values = [...(list ?? []), ...(single === undefined || single === "" ? [] : [single])];
  if (values.length === 0) throw fail.invalid("InvalidRequestFormat", `The ${what} are missing.`);
  if ((single ?? "") !== "" && (list ?? []).length > 0) {
    throw fail.invalid(
      "SecurityRuleParameterContainsUnsupportedValue",
      `The ${what} are given both as one value and as a list.`,
    );
  }
  return values;
}

function checkPrefix(prefix: string, where: string): void {
  if (prefix === "*" || SERVICE_TAG.test(prefix)) return;
  if (!parseCidr(prefix).ok) {
    throw fail.invalid(
      "SecurityRuleInvalidAddressPrefix",
      `Security rule has invalid Address prefix. Value provided: ${prefix} (${where}).`,
    );
  }
}

/**
 * A rule with ASGs on both sides needs every member of both in one VNet (docs/clouds.md,
 * "Azure ASG constraints").
 */
function checkSameVirtualNetwork(store: ArmStore, where: string, asgIds: readonly string[]): void {
  const vnets = new Set<string>();
  for (const asgId of asgIds) for (const vnet of store.memberVirtualNetworks(asgId)) vnets.add(vnet);
  if (vnets.size > 1) {
    throw fail.invalid(
      "ApplicationSecurityGroupsInDifferentVirtualNetworks",
      `The application security groups of ${where} have members in different virtual networks.`,
    );
  }
}

/** The rules with each protocol in the model's casing (checked rules only: an unknown one stays as it is). */
export function canonicalRules(rules: readonly SecurityRule[]): SecurityRule[] {
  return rules.map((rule) => ({ ...rule, protocol: canonicalProtocol(rule.protocol) ?? rule.protocol }));
}
