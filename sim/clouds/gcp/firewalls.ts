import type { FirewallProtocol, GcpFirewall } from "../../../lib/clouds/gcp/model.js";
import { parseCidr } from "../../../lib/net/cidr.js";
import { fail } from "./failures.js";
import { checkName, checkNetworkTags } from "./names.js";
import { firewallPath, resolveNetwork } from "./network.js";
import type { SimProject } from "./project.js";

/**
 * VPC firewall rules as Compute checks them (docs/clouds.md, "GCP firewall rule limits"): names RFC
 * 1035 and unique per project, priority 0-65535 (default 1000), allowed or denied (not both), one
 * address family per rule, per-rule limits, and the project's "VPC firewall rules" quota.
 */

/** A rule as callers may write it: Compute defaults priority, direction and network. */
export type FirewallInput = Omit<GcpFirewall, "priority" | "direction" | "network"> & {
  readonly priority?: number;
  readonly direction?: GcpFirewall["direction"];
  readonly network?: string;
};

export const DEFAULT_PRIORITY = 1000;
/**
 * Target tags per rule (docs/clouds.md, "GCP firewall rule limits"); a system limit, not
 * configuration.
 */
export const TARGET_TAGS_PER_RULE = 70;

const NAMED_PROTOCOLS = new Set(["tcp", "udp", "icmp", "esp", "ah", "sctp", "ipip", "all"]);
/** Ports apply to TCP, UDP and SCTP, by name or number. */
const PORT_PROTOCOLS = new Set(["tcp", "udp", "sctp", "6", "17", "132"]);
const ANY_IPV4 = "0.0.0.0/0";

export interface CheckOptions {
  /** Apply the per-rule limits: not when loading rules that already exist. */
  readonly limits: boolean;
  /** Accept a bare network name (simulation controls only). */
  readonly bareNetworkName: boolean;
}

/** The rule as Compute stores and returns it, or the error Compute answers with. */
export function checkFirewall(project: SimProject, input: FirewallInput, options: CheckOptions): GcpFirewall {
  checkName("resource.name", input.name);
  const network = checkNetwork(project, input.network, options.bareNetworkName);
  const priority = input.priority ?? DEFAULT_PRIORITY;
  if (!Number.isInteger(priority) || priority < 0 || priority > 65535) {
    throw fail.invalid("resource.priority", priority, "Must be an integer between 0 and 65535.");
  }
  const direction = input.direction ?? "INGRESS";
  if (direction !== "INGRESS" && direction !== "EGRESS") {
    throw fail.invalid("resource.direction", direction, "Must be INGRESS or EGRESS.");
  }
  const action = checkAction(input);
  const sourceTags = input.sourceTags ?? [];
  const targetTags = input.targetTags ?? [];
  checkNetworkTags(
    "resource.sourceTags",
    sourceTags,
    options.limits ? project.limits.sourceTagsPerRule : undefined,
  );
  checkNetworkTags("resource.targetTags", targetTags, options.limits ? TARGET_TAGS_PER_RULE : undefined);
  checkServiceAccounts(input, direction);
  const ranges = checkRanges(input, options.limits ? project.limits.sourceRangesPerRule : undefined);

  // Without any source (ingress) or destination (egress), Compute applies the rule to any IPv4 address.
  const hasSource =
    ranges.sourceRanges.length + sourceTags.length + (input.sourceServiceAccounts?.length ?? 0) > 0;
  const sourceRanges = direction === "INGRESS" && !hasSource ? [ANY_IPV4] : ranges.sourceRanges;
  const destinationRanges =
    direction === "EGRESS" && ranges.destinationRanges.length === 0 ? [ANY_IPV4] : ranges.destinationRanges;

  return {
    name: input.name,
    network,
    priority,
    direction,
    ...(input.description === undefined ? {} : { description: input.description }),
    disabled: input.disabled ?? false,
    ...nonEmpty("sourceRanges", sourceRanges),
    ...nonEmpty("sourceTags", sourceTags),
    ...nonEmpty("sourceServiceAccounts", input.sourceServiceAccounts ?? []),
    ...nonEmpty("targetTags", targetTags),
    ...nonEmpty("targetServiceAccounts", input.targetServiceAccounts ?? []),
    ...nonEmpty("destinationRanges", destinationRanges),
    ...action,
  };
}

function checkNetwork(project: SimProject, text: string | undefined, bareName: boolean): string {
  // Compute's default when a rule names no network.
  const given = text === undefined || text === "" ? "global/networks/default" : text;
  const ref = resolveNetwork(project.project, given, bareName);
  if (ref === undefined) {
    throw fail.invalid(
      "resource.network",
      given,
      "Must be a full or partial URL of a network, such as projects/<project>/global/networks/<network>.",
    );
  }
  if (ref.project !== project.project) {
    throw fail.invalid(
      "resource.network",
      given,
      "Cross-project references for this resource are not allowed.",
    );
  }
  if (!project.networks.has(ref.name)) {
    throw fail.invalid("resource.network", given, "The referenced network resource cannot be found.");
  }
  return ref.url;
}

function checkAction(input: FirewallInput): { allowed: FirewallProtocol[] } | { denied: FirewallProtocol[] } {
  const allowed = input.allowed ?? [];
  const denied = input.denied ?? [];
  if (allowed.length > 0 && denied.length > 0) {
    throw fail.invalid("resource.allowed", "[...]", "A rule has either allowed or denied, not both.");
  }
  if (allowed.length === 0 && denied.length === 0) {
    throw fail.invalid("resource.allowed", "[]", "A rule needs allowed or denied protocols.");
  }
  const [field, protocols] =
    allowed.length > 0 ? (["allowed", allowed] as const) : (["denied", denied] as const);
  const checked = protocols.map((protocol, index) => checkProtocol(`resource.${field}[${index}]`, protocol));
  return field === "allowed" ? { allowed: checked } : { denied: checked };
}

function checkProtocol(field: string, protocol: FirewallProtocol): FirewallProtocol {
  const name = protocol.IPProtocol;
  const number = /^\d{1,3}$/.test(name) ? Number(name) : undefined;
  if (!NAMED_PROTOCOLS.has(name) && (number === undefined || number > 255)) {
    throw fail.invalid(
      `${field}.IPProtocol`,
      name,
      "Must be tcp, udp, icmp, esp, ah, sctp, ipip, all or a protocol number.",
    );
  }
  const ports = protocol.ports ?? [];
  if (ports.length > 0 && !PORT_PROTOCOLS.has(name)) {
    throw fail.invalid(`${field}.ports`, ports.join(","), "Ports are only allowed for tcp, udp and sctp.");
  }
  for (const [index, port] of ports.entries()) {
    if (!isPortOrRange(port)) {
      throw fail.invalid(`${field}.ports[${index}]`, port, "Must be a port or a range such as 8000-8100.");
    }
  }
  return { IPProtocol: name, ...(ports.length === 0 ? {} : { ports: [...ports] }) };
}

function isPortOrRange(text: string): boolean {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (match === null) return false;
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  return from <= to && to <= 65535;
}

function checkServiceAccounts(input: FirewallInput, direction: GcpFirewall["direction"]): void {
  const has = (list: readonly string[] | undefined) => (list?.length ?? 0) > 0;
  if (direction === "EGRESS" && (has(input.sourceTags) || has(input.sourceServiceAccounts))) {
    throw fail.invalid(
      "resource.sourceTags",
      "[...]",
      "Source tags and service accounts apply to ingress only.",
    );
  }
  if (has(input.sourceServiceAccounts) && (has(input.sourceTags) || has(input.targetTags))) {
    throw fail.invalid(
      "resource.sourceServiceAccounts",
      "[...]",
      "Source service accounts cannot be combined with source or target tags.",
    );
  }
  if (has(input.targetServiceAccounts) && has(input.targetTags)) {
    throw fail.invalid(
      "resource.targetServiceAccounts",
      "[...]",
      "Target service accounts cannot be combined with target tags.",
    );
  }
}

/** Valid CIDRs, one address family across the rule, at most `limit` per field. */
function checkRanges(
  input: FirewallInput,
  limit: number | undefined,
): { sourceRanges: string[]; destinationRanges: string[] } {
  const families = new Set<number>();
  const checked = (field: "sourceRanges" | "destinationRanges"): string[] => {
    const ranges = input[field] ?? [];
    for (const [index, range] of ranges.entries()) {
      const parsed = parseCidr(range);
      if (!parsed.ok) throw fail.invalid(`resource.${field}[${index}]`, range, "Must be a valid CIDR range.");
      families.add(parsed.cidr.family);
      if (families.size > 1) {
        throw fail.invalid(
          `resource.${field}[${index}]`,
          range,
          "A rule holds IPv4 or IPv6 ranges, not both: use one rule per address family.",
        );
      }
    }
    if (limit !== undefined && ranges.length > limit) {
      throw fail.limit(`resource.${field}`, ranges.length, limit, "ranges");
    }
    return [...ranges];
  };
  return { sourceRanges: checked("sourceRanges"), destinationRanges: checked("destinationRanges") };
}

function nonEmpty<K extends string>(key: K, list: readonly string[]): { [P in K]?: string[] } {
  return (list.length === 0 ? {} : { [key]: [...list] }) as { [P in K]?: string[] };
}

// The API calls.

export function insertFirewall(project: SimProject, input: FirewallInput, bareNetworkName = false): void {
  const firewall = checkFirewall(project, input, { limits: true, bareNetworkName });
  if (project.firewalls.has(firewall.name)) {
    throw fail.alreadyExists(firewallPath(project.project, firewall.name));
  }
  if (project.firewalls.size >= project.limits.firewallRulesPerProject) {
    throw fail.quota("FIREWALLS", project.limits.firewallRulesPerProject);
  }
  project.firewalls.set(firewall.name, {
    id: project.newId(),
    ...firewall,
    selfLink: project.firewallSelfLink(firewall.name),
  });
}

/** Replaces every field but the name, id and network (Compute does not move a rule between networks). */
export function patchFirewall(project: SimProject, input: FirewallInput): void {
  const existing = project.firewall(input.name);
  const firewall = checkFirewall(project, input, { limits: true, bareNetworkName: false });
  if (firewall.network !== existing.network) {
    throw fail.invalid(
      "resource.network",
      input.network,
      "The network of a firewall rule cannot be changed.",
    );
  }
  project.firewalls.set(firewall.name, { id: existing.id, ...firewall, selfLink: existing.selfLink });
}

export function deleteFirewall(project: SimProject, name: string): void {
  project.firewall(name);
  project.firewalls.delete(name);
}
