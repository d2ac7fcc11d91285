import type { CodedFinding } from "../common/findings.js";
import type { AwsIpProtocol, AwsLocation } from "./model.js";

/**
 * What segsync wants EC2 to hold: owned security groups and prefix lists, and the group list of
 * every ENI it enforces or gives back. Owned objects are named, not identified: their ids are
 * only known once created, so diff.ts matches names against the actual state.
 */

/**
 * One AWS rule: one protocol and port range from one source (AWS counts rules this way). In an
 * egress rule, `source` is the peer the rule lets the group's members send to.
 */
export interface DesiredRule {
  readonly protocol: AwsIpProtocol | "58";
  /** Absent for `-1`; -1 for every ICMP type. */
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly source:
    | { readonly kind: "cidr"; readonly cidr: string }
    | { readonly kind: "group"; readonly groupName: string }
    | { readonly kind: "prefixList"; readonly name: string };
}

export interface DesiredSecurityGroup {
  readonly location: AwsLocation;
  readonly vpcId: string;
  /** `segsync-<hash>` for the first shard, `segsync-<hash>-<n>` for the others. */
  readonly name: string;
  readonly identity: string;
  readonly description: string;
  /** Sorted by ruleKey. */
  readonly rules: readonly DesiredRule[];
  /**
   * Egress rules, sorted by ruleKey, where the identity's egress is enforced (v2): exactly these,
   * EC2's allow-all egress revoked. Absent: egress open, the allow-all egress kept (or restored).
   */
  readonly egress?: readonly DesiredRule[];
}

export interface DesiredPrefixList {
  readonly location: AwsLocation;
  /** `segsync-<hash>-<vpcId>-<maxEntries>`: the source identity seen from one VPC, in one size class. */
  readonly name: string;
  /** The source identity whose remote members it lists. */
  readonly identity: string;
  readonly addressFamily: "IPv4" | "IPv6";
  readonly maxEntries: number;
  /** Exact CIDRs, sorted. */
  readonly entries: readonly string[];
}

export interface DesiredInterface {
  readonly location: AwsLocation;
  readonly networkInterfaceId: string;
  readonly vpcId: string;
  /** The workload the ENI is attached to; "" for an ENI attached to no instance (a restore). */
  readonly workload: string;
  /** Owned groups by name, then (additive, or a restore) customer groups by id. */
  readonly ownedGroups: readonly string[];
  readonly customerGroupIds: readonly string[];
  /**
   * exclusive: record the ENI's current customer groups in the original-groups tag before
   * replacing them (only when the tag is not there yet); restore: remove that tag.
   */
  readonly originalGroupsTag: "record" | "keep" | "remove";
}

export type AwsFindingCode =
  | "aws-quota"
  | "aws-interface-missing"
  | "aws-restore-group-missing"
  | "aws-original-group-missing"
  | "aws-additive-extra-flows"
  | "aws-additive-egress-not-enforced";

export type AwsFinding = CodedFinding<AwsFindingCode>;

export interface AwsDesired {
  /** Sorted by location, VPC, name. */
  readonly securityGroups: readonly DesiredSecurityGroup[];
  /** Sorted by location, name. */
  readonly prefixLists: readonly DesiredPrefixList[];
  /** Sorted by location, ENI id. ENIs not listed are left exactly as they are. */
  readonly interfaces: readonly DesiredInterface[];
  readonly findings: readonly AwsFinding[];
  /** The quota the groups were packed against; the diff keeps every intermediate state within it. */
  readonly rulesPerSecurityGroup: number;
  /** How many groups an ENI can carry: a make-before-break step needs room for old and new. */
  readonly securityGroupsPerInterface: number;
}

export function ruleKey(rule: DesiredRule): string {
  const source =
    rule.source.kind === "cidr"
      ? rule.source.cidr
      : rule.source.kind === "group"
        ? `group:${rule.source.groupName}`
        : `pl:${rule.source.name}`;
  return `${rule.protocol}|${rule.fromPort ?? ""}|${rule.toPort ?? ""}|${source}`;
}
