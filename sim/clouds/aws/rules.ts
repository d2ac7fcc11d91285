import type { IpPermission } from "../../../lib/clouds/aws/model.js";
import { parseCidr } from "../../../lib/net/cidr.js";
import { compareText } from "../../../lib/util/compare-text.js";
import { fail } from "./failures.js";

/**
 * Security group rules as EC2 counts and stores them: one protocol and port range from one source.
 * A permission naming three CIDRs is three rules (docs/clouds.md, "AWS security group quotas");
 * describe calls group them back into IpPermissions by protocol and ports.
 */
export type RuleSource =
  | { readonly kind: "cidr"; readonly family: 4 | 6; readonly cidr: string }
  | { readonly kind: "group"; readonly groupId: string }
  | { readonly kind: "prefixList"; readonly prefixListId: string };

export interface SimRule {
  /** `tcp`, `udp`, `icmp`, `-1`, or another protocol's number (`58` is ICMPv6). */
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly source: RuleSource;
  readonly description?: string;
}

/** Characters EC2 allows in VPC security group names, descriptions and rule descriptions. */
export const EC2_TEXT = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/;
const MAX_DESCRIPTION_LENGTH = 255;

const PROTOCOL_ALIASES: Readonly<Record<string, string>> = {
  tcp: "tcp",
  "6": "tcp",
  udp: "udp",
  "17": "udp",
  icmp: "icmp",
  "1": "icmp",
  icmpv6: "58",
  "58": "58",
  "-1": "-1",
  all: "-1",
};

/** A rule's identity: descriptions are not part of it (re-authorizing with another one is a duplicate). */
export function ruleKey(rule: SimRule): string {
  const source = rule.source;
  const target =
    source.kind === "cidr" ? source.cidr : source.kind === "group" ? source.groupId : source.prefixListId;
  return [rule.protocol, rule.fromPort ?? "", rule.toPort ?? "", source.kind, target].join("|");
}

/** Splits permissions into single-source rules, checking their form (not whether referenced objects exist). */
export function expandPermissions(permissions: readonly IpPermission[]): SimRule[] {
  if (permissions.length === 0) throw fail.invalid("MissingParameter", "No IpPermissions were given.");
  return permissions.flatMap(expandPermission);
}

function expandPermission(permission: IpPermission): SimRule[] {
  const ports = portsOf(permission);
  const rules: SimRule[] = [];
  const add = (source: RuleSource, description: string | undefined) => {
    checkDescription(description);
    rules.push({ ...ports, source, ...(description === undefined ? {} : { description }) });
  };
  for (const range of permission.IpRanges ?? []) add(cidrSource(range.CidrIp, 4), range.Description);
  for (const range of permission.Ipv6Ranges ?? []) add(cidrSource(range.CidrIpv6, 6), range.Description);
  for (const pair of permission.UserIdGroupPairs ?? []) {
    if (!/^sg-[0-9a-f]{8,17}$/.test(pair.GroupId ?? "")) {
      throw fail.invalid("InvalidGroupId.Malformed", `Invalid id: "${pair.GroupId}" (expecting "sg-...").`);
    }
    add({ kind: "group", groupId: pair.GroupId }, pair.Description);
  }
  for (const reference of permission.PrefixListIds ?? []) {
    if (!/^pl-[0-9a-f]{8,17}$/.test(reference.PrefixListId ?? "")) {
      throw fail.invalid(
        "InvalidPrefixListId.Malformed",
        `Invalid id: "${reference.PrefixListId}" (expecting "pl-...").`,
      );
    }
    add({ kind: "prefixList", prefixListId: reference.PrefixListId }, reference.Description);
  }
  if (rules.length === 0) {
    throw fail.invalid(
      "InvalidPermission.Malformed",
      `A ${permission.IpProtocol} permission names no source.`,
    );
  }
  return rules;
}

function portsOf(permission: IpPermission): Pick<SimRule, "protocol" | "fromPort" | "toPort"> {
  const protocol = normalizeProtocol(permission.IpProtocol);
  const { FromPort: from, ToPort: to } = permission;
  if (protocol === "tcp" || protocol === "udp") {
    if (!isIntegerIn(from, 0, 65535) || !isIntegerIn(to, 0, 65535) || from > to) {
      throw fail.invalid(
        "InvalidPermission.Malformed",
        `${protocol} needs FromPort <= ToPort within 0-65535, got ${from}-${to}.`,
      );
    }
    return { protocol, fromPort: from, toPort: to };
  }
  if (protocol === "icmp" || protocol === "58") {
    // FromPort is the ICMP type and ToPort the code; -1 means all, and every type means every code.
    if (!isIntegerIn(from, -1, 255) || !isIntegerIn(to, -1, 255) || (from === -1 && to !== -1)) {
      throw fail.invalid(
        "InvalidPermission.Malformed",
        `ICMP needs a type (FromPort) and code (ToPort) within -1..255, got ${from}/${to}.`,
      );
    }
    return { protocol, fromPort: from, toPort: to };
  }
  // Every other protocol has no ports: EC2 ignores them and describes the rule without.
  return { protocol };
}

function normalizeProtocol(text: string): string {
  const lower = String(text).toLowerCase();
  const alias = PROTOCOL_ALIASES[lower];
  if (alias !== undefined) return alias;
  if (/^\d{1,3}$/.test(lower) && Number(lower) <= 255) return String(Number(lower));
  throw fail.invalid("InvalidPermission.Malformed", `Invalid IP protocol "${text}".`);
}

function isIntegerIn(value: number | undefined, min: number, max: number): value is number {
  return value !== undefined && Number.isInteger(value) && value >= min && value <= max;
}

function cidrSource(text: string, family: 4 | 6): RuleSource {
  const parsed = parseCidr(text ?? "");
  const field = family === 4 ? "CidrIp" : "CidrIpv6";
  if (!String(text).includes("/") || !parsed.ok || parsed.cidr.family !== family) {
    throw fail.invalid(
      "InvalidPermission.Malformed",
      `${field} "${text}" is not an IPv${family} CIDR block${parsed.ok ? "" : `: ${parsed.message}`}.`,
    );
  }
  return { kind: "cidr", family, cidr: parsed.cidr.text };
}

export function checkDescription(description: string | undefined): void {
  if (description === undefined) return;
  if (description.length > MAX_DESCRIPTION_LENGTH || !EC2_TEXT.test(description)) {
    throw fail.invalid(
      "InvalidParameterValue",
      `Description "${description}" has characters EC2 does not allow or is over ${MAX_DESCRIPTION_LENGTH} characters.`,
    );
  }
}

/** Rules grouped back into IpPermissions by protocol and ports, every list sorted. */
export function toIpPermissions(
  rules: Iterable<SimRule>,
  ownerOf: (groupId: string) => string,
): IpPermission[] {
  const byPorts = new Map<string, SimRule[]>();
  for (const rule of rules) {
    const key = [rule.protocol, rule.fromPort ?? "", rule.toPort ?? ""].join("|");
    byPorts.set(key, [...(byPorts.get(key) ?? []), rule]);
  }
  return [...byPorts.values()]
    .sort((a, b) => comparePorts(a[0], b[0]))
    .map((group) => toIpPermission(group, ownerOf));
}

function toIpPermission(rules: readonly SimRule[], ownerOf: (groupId: string) => string): IpPermission {
  const first = rules[0] as SimRule;
  const withDescription = (rule: SimRule) =>
    rule.description === undefined ? {} : { Description: rule.description };
  const sources = <K extends RuleSource["kind"]>(kind: K) =>
    rules
      .filter(
        (rule): rule is SimRule & { source: Extract<RuleSource, { kind: K }> } => rule.source.kind === kind,
      )
      .sort((a, b) => compareText(ruleKey(a), ruleKey(b)));
  return {
    IpProtocol: first.protocol,
    ...(first.fromPort === undefined ? {} : { FromPort: first.fromPort }),
    ...(first.toPort === undefined ? {} : { ToPort: first.toPort }),
    IpRanges: sources("cidr")
      .filter((rule) => rule.source.family === 4)
      .map((rule) => ({ CidrIp: rule.source.cidr, ...withDescription(rule) })),
    Ipv6Ranges: sources("cidr")
      .filter((rule) => rule.source.family === 6)
      .map((rule) => ({ CidrIpv6: rule.source.cidr, ...withDescription(rule) })),
    PrefixListIds: sources("prefixList").map((rule) => ({
      PrefixListId: rule.source.prefixListId,
      ...withDescription(rule),
    })),
    UserIdGroupPairs: sources("group").map((rule) => ({
      GroupId: rule.source.groupId,
      UserId: ownerOf(rule.source.groupId),
      ...withDescription(rule),
    })),
  };
}

function comparePorts(a: SimRule | undefined, b: SimRule | undefined): number {
  return (
    compareText(a?.protocol ?? "", b?.protocol ?? "") ||
    (a?.fromPort ?? -2) - (b?.fromPort ?? -2) ||
    (a?.toPort ?? -2) - (b?.toPort ?? -2)
  );
}

/**
 * How many rules a set costs against the rules-per-group quota, which EC2 enforces separately for
 * IPv4 and IPv6: a CIDR counts in its family, a group reference counts once in each, and a
 * customer-managed prefix list counts its MaxEntries in its family (docs/clouds.md,
 * "AWS security group quotas").
 */
export function ruleCost(
  rules: Iterable<SimRule>,
  prefixListSize: (prefixListId: string) => { readonly family: 4 | 6; readonly maxEntries: number },
): { ipv4: number; ipv6: number } {
  const cost = { ipv4: 0, ipv6: 0 };
  for (const { source } of rules) {
    if (source.kind === "cidr") {
      if (source.family === 4) cost.ipv4 += 1;
      else cost.ipv6 += 1;
    } else if (source.kind === "group") {
      cost.ipv4 += 1;
      cost.ipv6 += 1;
    } else {
      const size = prefixListSize(source.prefixListId);
      if (size.family === 4) cost.ipv4 += size.maxEntries;
      else cost.ipv6 += size.maxEntries;
    }
  }
  return cost;
}

/** The allow-all egress rule (and, for a VPC's default group, the allow-all from itself) that EC2 creates. */
export const ALLOW_ALL_EGRESS: SimRule = {
  protocol: "-1",
  source: { kind: "cidr", family: 4, cidr: "0.0.0.0/0" },
};

export function allowAllFrom(groupId: string): SimRule {
  return { protocol: "-1", source: { kind: "group", groupId } };
}
