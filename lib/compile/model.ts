import type { Cloud, NetworkId, WorkloadId } from "../inventory/model.js";
import type { Enforcement, Service } from "../policy/model.js";

/**
 * The Intent: the cloud-neutral result of compiling a policy against an inventory.
 *
 * It has two tables, so that a workload coming or going changes as little as possible:
 * - `destinations`: per (destination identity, network where it has running members), the
 *   sources it accepts, each source named by key (a peer set or an ipList), with its services.
 * - `peerSets`: per (source identity, network that sees it), that identity's running members as
 *   that network sees them (docs/policy.md, "Addresses"): members in the same network (where a
 *   cloud can use a native reference: SG, ASG, network tag) and exact CIDRs for the others.
 * A source identity joining a network it was already seen from changes only its peer set.
 */
export interface Intent {
  /** Sorted by key. */
  readonly destinations: readonly DestinationIntent[];
  /** Sorted by key. Only peer sets referenced by at least one destination. */
  readonly peerSets: readonly PeerSet[];
  /** Per workload id, sorted: how segsync treats it. */
  readonly workloads: readonly WorkloadReport[];
  /** Sorted by code, then subject. */
  readonly findings: readonly Finding[];
  /**
   * What egress-enforced sources may open (v2), sorted by key; absent when none is (every v1
   * policy), so that a v1 intent is unchanged.
   */
  readonly egress?: readonly EgressIntent[];
}

/**
 * Per (egress-enforced source identity, network where it has running members): the flows it may
 * open, allows minus denies, to destinations as that network sees them (docs/policy.md,
 * "Addresses"; a NAT gives no address to reach). Keyed like the destination of the same identity
 * and network, whose objects would carry it.
 */
export interface EgressIntent extends IdentityRef {
  /** `<hash>@<network>` */
  readonly key: string;
  readonly network: NetworkId;
  readonly cloud: Cloud;
  readonly labels: Readonly<Record<string, string>>;
  /** Running members with a NIC in this network, sorted. */
  readonly members: readonly DestinationMember[];
  /** Sorted by target key. */
  readonly opens: readonly EgressGrant[];
}

/**
 * Where an egress grant goes: a destination identity's running members as the source's network
 * sees them (those in that network can be named natively: SG reference, ASG), an ipList, or the
 * exact addresses of the part of one of these that deny rules left.
 */
export type EgressTarget =
  | {
      readonly kind: "identity";
      /** `<destination hash>@<source network>` */
      readonly key: string;
      readonly identity: string;
      /** Members with a NIC in the source's network, sorted. */
      readonly local: readonly WorkloadId[];
      /** Exact CIDRs of every address the source's network reaches the members at (local ones too). */
      readonly cidrs: readonly string[];
    }
  | { readonly kind: "ipList"; readonly name: string; readonly cidrs: readonly string[] }
  | {
      readonly kind: "addresses";
      readonly of: string;
      readonly label: string;
      readonly cidrs: readonly string[];
    };

export interface EgressGrant {
  /** The target's key (`<hash>@<network>`, `ipList:<name>`, or a part's `<key>|<services>`). */
  readonly targetKey: string;
  readonly target: EgressTarget;
  /** Canonical. */
  readonly services: readonly Service[];
  /** Ids of the allow rules that produce it, sorted by policy order. */
  readonly rules: readonly string[];
}

export interface IdentityRef {
  /** Canonical tuple, e.g. `app=shop,env=prod,role=web`. */
  readonly identity: string;
  /** Short stable hash of the tuple, valid in every cloud's names. */
  readonly hash: string;
}

export interface DestinationIntent extends IdentityRef {
  /** `<hash>@<network>` */
  readonly key: string;
  readonly network: NetworkId;
  readonly cloud: Cloud;
  readonly labels: Readonly<Record<string, string>>;
  /** Visibility-only destinations are computed and reported, never written. */
  readonly enforcement: Enforcement;
  /** Running members with a NIC in this network, sorted. */
  readonly members: readonly DestinationMember[];
  /** Sorted by source key. */
  readonly grants: readonly Grant[];
}

export interface DestinationMember {
  readonly workload: WorkloadId;
  /** Private addresses of the member's NICs in this network. */
  readonly addresses: readonly string[];
}

/**
 * Whom a grant admits: a peer set (a cloud may name its local members natively), an ipList, or,
 * where deny rules split a source so that its addresses do not all get the same services (v2), the
 * exact addresses of one part of it (docs/policy.md, "How deny rules compile").
 */
export type GrantSource =
  | { readonly kind: "peerSet"; readonly key: string }
  | { readonly kind: "ipList"; readonly name: string; readonly cidrs: readonly string[] }
  | {
      readonly kind: "addresses";
      /** The source split: its peer set key, or `ipList:<name>`. */
      readonly of: string;
      /** For people: the source identity, or `ipList <name>`. */
      readonly label: string;
      /** Exact, canonical (exactCidrs). */
      readonly cidrs: readonly string[];
    };

export interface Grant {
  /**
   * The peer set key, or `ipList:<name>`; for a part of a split source, the key of the source it
   * was split from, `|` and its services (`<hash>@<network>|tcp/1-21,tcp/23-65535`).
   */
  readonly sourceKey: string;
  readonly source: GrantSource;
  /** Canonical (normalizeServices) union over the rules below. */
  readonly services: readonly Service[];
  /** Ids of the policy rules that produce this grant, sorted. */
  readonly rules: readonly string[];
}

export type AddressVia = "private" | "public" | "nat";

export interface PeerMember {
  readonly workload: WorkloadId;
  /** How the viewing network sees this member; absent when it cannot see it at all. */
  readonly via?: AddressVia;
  /** The addresses (or NAT CIDRs) the viewing network sees traffic from; empty when unreachable. */
  readonly addresses: readonly string[];
}

export interface PeerSet extends IdentityRef {
  /** `<hash>@<network>` */
  readonly key: string;
  /** The viewing network. */
  readonly network: NetworkId;
  /** Members with a NIC in the viewing network (native reference possible), sorted. */
  readonly local: readonly PeerMember[];
  /** Members elsewhere, sorted. */
  readonly remote: readonly PeerMember[];
  /** Exact CIDRs of the local members' private addresses. */
  readonly localCidrs: readonly string[];
  /** Exact CIDRs of everything the remote members are seen from. */
  readonly remoteCidrs: readonly string[];
}

export type WorkloadTreatment = "enforced" | "visibility" | "unscoped" | "unmanaged" | "inactive";

export interface WorkloadReport {
  readonly workload: WorkloadId;
  /**
   * enforced: in the scope of an enforced ruleset; visibility: in visibility scopes only;
   * unscoped: labelled but in no scope (a possible source, never a destination);
   * unmanaged: no segsync label, never touched; inactive: not running.
   */
  readonly treatment: WorkloadTreatment;
  /** Empty for unmanaged workloads. */
  readonly identity: string;
}

export type FindingCode =
  | "unreachable-source"
  | "nat-shared-source"
  | "non-portable-label"
  | "selector-matches-nothing"
  | "tag-prefix-matches-nothing"
  | "rule-cancelled-by-deny"
  | "nat-shared-denied"
  | "egress-rule-without-effect"
  | "unreachable-destination";

export interface Finding {
  readonly code: FindingCode;
  readonly severity: "warning" | "info";
  /** What it is about: a workload id, a rule id, a peer set key. */
  readonly subject: string;
  readonly message: string;
}
