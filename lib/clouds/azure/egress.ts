/**
 * Enforced egress (v2) in an owned NSG (docs/clouds.md, "Azure deny rules and egress"): an outbound
 * allow rule per grant and protocol from the identity's ASG in the VNet to the exact prefixes its
 * network reaches the target at, and an owned deny-all outbound at 4096 that overrides
 * AllowVnetOutBound and AllowInternetOutBound. The platform's own addresses need no rule: NSGs do
 * not filter them. Pure.
 */
import type { EgressGrant, EgressIntent } from "../../compile/model.js";
import { identityHash } from "../../inventory/identity.js";
import type { SecurityRule } from "./model.js";
import { ruleProtocols } from "./protocols.js";

export const DENY_ALL_OUTBOUND_RULE = "segsync-deny-all-outbound";
const DENY_ALL_OUTBOUND_PRIORITY = 4096;

/** The owned deny-all outbound of an NSG whose identity's egress is enforced. */
export function denyAllOutbound(): SecurityRule {
  return {
    name: DENY_ALL_OUTBOUND_RULE,
    priority: DENY_ALL_OUTBOUND_PRIORITY,
    direction: "Outbound",
    access: "Deny",
    protocol: "*",
    description: "segsync: enforced egress, ahead of AllowVnetOutBound and AllowInternetOutBound",
    sourcePortRange: "*",
    sourceAddressPrefix: "*",
    destinationAddressPrefix: "*",
    destinationPortRange: "*",
  };
}

/**
 * Outbound allow rules (priority unassigned: 0) for one source identity in one VNet, from its ASG
 * there (the NSG is shared by the identity's VNets in a region: each VNet's members open their
 * own network's targets). A target with no address to reach gets no rule.
 */
export function egressRules(
  egress: EgressIntent,
  asg: { readonly id: string; readonly name: string },
  prefixesPerRule: number,
): SecurityRule[] {
  return egress.opens.flatMap((grant) => {
    const prefixes = [...grant.target.cidrs];
    if (prefixes.length === 0) return [];
    return ruleProtocols(grant.services).flatMap(({ protocol, ports }) => {
      const rules: SecurityRule[] = [];
      for (let start = 0; start < prefixes.length; start += prefixesPerRule) {
        const chunk = prefixes.slice(start, start + prefixesPerRule);
        const part = `${asg.name}|out|${grant.targetKey}|${protocol}|prefixes-${start / prefixesPerRule}`;
        rules.push({
          name: `segsync-${identityHash(part).slice(0, 12)}`,
          priority: 0,
          direction: "Outbound",
          access: "Allow",
          protocol,
          description: `segsync: to ${labelOf(grant)}`.slice(0, 140),
          sourcePortRange: "*",
          sourceApplicationSecurityGroups: [{ id: asg.id }],
          ...(chunk.length === 1
            ? { destinationAddressPrefix: chunk[0] as string }
            : { destinationAddressPrefixes: chunk }),
          ...(ports.length === 1
            ? { destinationPortRange: ports[0] as string }
            : { destinationPortRanges: ports }),
        });
      }
      return rules;
    });
  });
}

function labelOf(grant: EgressGrant): string {
  const { target } = grant;
  if (target.kind === "identity") return target.identity;
  if (target.kind === "ipList") return `ipList ${target.name}`;
  return target.label;
}
