/**
 * Additive attachment puts segsync's deny-all at a low precedence (65000 by default), so the
 * customer's allow rules in between still admit what they admit: per destination, each one that
 * targets a member instance is reported (README, "Attachment"). Rules before segsync's allows are
 * gcp-rule-precedes findings already, in either mode.
 */
import type { DestinationIntent } from "../../compile/model.js";
import { parseNetworkId } from "../../inventory/ids.js";
import {
  type FirewallProtocol,
  type GcpFinding,
  type GcpFirewall,
  type GcpInstance,
  parseNetworkUrl,
} from "./model.js";

export interface AdditiveInput {
  readonly destination: DestinationIntent;
  /** The members' instances, as read. */
  readonly instances: readonly GcpInstance[];
  /** The customer's rules (not segsync's) of the destination network's project. */
  readonly customerRules: readonly GcpFirewall[];
  readonly band: { readonly allow: number; readonly deny: number };
}

/** One warning per customer allow rule between segsync's allows and its deny that targets a member. */
export function additiveFindings(input: AdditiveInput): GcpFinding[] {
  const { destination } = input;
  return customerAllowsBetween(input, "INGRESS").map(({ rule, targets }) => ({
    code: "gcp-additive-extra-flows",
    severity: "warning",
    subject: `${destination.key}|${rule.name}`,
    message: `${destination.identity} in ${destination.network}: firewall rule ${rule.name} (priority ${rule.priority}) stays before segsync's deny (attachment: additive) and ${targets === "maybe" ? "may admit" : "admits"} ${(rule.allowed ?? []).map(describeAllowed).join(", ")} from ${describeSources(rule)}, beyond what the policy allows`,
  }));
}

/**
 * The same at the members' egress (v2), where the identity's egress is enforced: a customer EGRESS
 * allow rule before segsync's deny-all egress lets them send more. Reported, never overridden.
 */
export function additiveEgressFindings(input: AdditiveInput): GcpFinding[] {
  const { destination } = input;
  return customerAllowsBetween(input, "EGRESS").map(({ rule, targets }) => ({
    code: "gcp-additive-extra-flows",
    severity: "warning",
    subject: `${destination.key}|${rule.name}`,
    message: `${destination.identity} in ${destination.network}: egress firewall rule ${rule.name} (priority ${rule.priority}) stays before segsync's deny-all egress (attachment: additive) and ${targets === "maybe" ? "may let" : "lets"} it send ${(rule.allowed ?? []).map(describeAllowed).join(", ")} to ${(rule.destinationRanges ?? []).join(", ") || "anywhere"}, beyond what the policy allows; reported, not overridden`,
  }));
}

/** The enabled customer allow rules of one direction, in the band, of the destination's network, that target a member. */
function customerAllowsBetween(
  { destination, instances, customerRules, band }: AdditiveInput,
  direction: GcpFirewall["direction"],
): { rule: GcpFirewall; targets: "yes" | "maybe" }[] {
  const network = parseNetworkId(destination.network);
  if (network.cloud !== "gcp") return [];
  const memberTags = new Set(instances.flatMap((instance) => instance.tags.items ?? []));
  const found: { rule: GcpFirewall; targets: "yes" | "maybe" }[] = [];
  for (const rule of customerRules) {
    if (rule.disabled || rule.direction !== direction || (rule.allowed ?? []).length === 0) continue;
    if (rule.priority < band.allow || rule.priority >= band.deny) continue;
    const ref = parseNetworkUrl(rule.network);
    if (ref?.project !== network.project || ref.name !== network.networkName) continue;
    const targets = targetsMembers(rule, memberTags);
    if (targets !== "no") found.push({ rule, targets });
  }
  return found;
}

/** Every instance (no target), a member's network tag, or a service account segsync does not read. */
function targetsMembers(rule: GcpFirewall, memberTags: ReadonlySet<string>): "yes" | "no" | "maybe" {
  if ((rule.targetServiceAccounts ?? []).length > 0) return "maybe";
  const tags = rule.targetTags ?? [];
  if (tags.length === 0) return "yes";
  return tags.some((tag) => memberTags.has(tag)) ? "yes" : "no";
}

/** `tcp/8080`, `tcp/all ports`, `all`. */
function describeAllowed(entry: FirewallProtocol): string {
  if (entry.IPProtocol === "all") return "all traffic";
  const ports = entry.ports ?? [];
  return ports.length === 0
    ? `${entry.IPProtocol}/all ports`
    : ports.map((p) => `${entry.IPProtocol}/${p}`).join(", ");
}

function describeSources(rule: GcpFirewall): string {
  const sources = [
    ...(rule.sourceRanges ?? []),
    ...(rule.sourceTags ?? []).map((tag) => `tag ${tag}`),
    ...(rule.sourceServiceAccounts ?? []).map((account) => `service account ${account}`),
  ];
  return sources.length === 0 ? "anywhere" : sources.join(", ");
}
