/**
 * The resolved policy: what `loadPolicy` returns once the file has parsed and passed every check.
 * Everything the compiler needs is explicit here: named services are expanded, ipLists are
 * inlined, every rule's selectors are already intersected with its ruleset's scope, and each
 * ruleset's egress is its own or the policy's (docs/policy.md, "Deny rules and egress (v2)").
 */

export type Service =
  | { readonly protocol: "tcp" | "udp"; readonly fromPort: number; readonly toPort: number }
  | { readonly protocol: "icmp" }
  | { readonly protocol: "all" };

/** dimension → accepted values (OR within a dimension, AND across dimensions); values sorted and unique. */
export type LabelSelector = Readonly<Record<string, readonly string[]>>;

export type Enforcement = "enforced" | "visibility";
export type Attachment = "exclusive" | "additive";
/** open: a workload may open any connection; enforced: only those its allow rules name (v2). */
export type Egress = "open" | "enforced";
/** allow: a rule of `rules`; deny (v2): a rule of `deny`, which beats every allow rule of every ruleset. */
export type RuleAction = "allow" | "deny";

/** Addresses outside the estate, from a named ipList; the CIDRs are canonical. */
export interface IpListEnd {
  readonly kind: "ipList";
  readonly name: string;
  readonly cidrs: readonly string[];
}

export type RuleSource =
  | {
      readonly kind: "labels";
      /** Already intersected with the scope unless extraScope. */
      readonly selector: LabelSelector;
      readonly extraScope: boolean;
    }
  | IpListEnd;

/**
 * Where a rule's flows go: workloads (ingress at the destination, egress at the source), or, in
 * v2, addresses outside the estate, which only the source's egress can enforce.
 */
export type RuleTarget =
  | {
      readonly kind: "labels";
      /** Already intersected with the scope. */
      readonly selector: LabelSelector;
    }
  | IpListEnd;

export interface Rule {
  /**
   * Stable id: `<ruleset>#<index>` for an allow rule, `<ruleset>#deny-<index>` for a deny rule
   * (index in its list, from 0).
   */
  readonly id: string;
  readonly ruleset: string;
  readonly action: RuleAction;
  readonly index: number;
  /** Never an ipList when `to` is one: validation refuses addresses on both sides. */
  readonly from: RuleSource;
  readonly to: RuleTarget;
  /** Normalized: sorted, overlapping and adjacent port ranges merged, `all` absorbs the rest. */
  readonly services: readonly Service[];
}

export interface Ruleset {
  readonly name: string;
  readonly scope: LabelSelector;
  readonly enforcement: Enforcement;
  /**
   * The ruleset's own `egress`, else the policy's. It takes effect only with `enforcement:
   * enforced`: a workload's egress is enforced when an enforced ruleset with enforced egress
   * scopes it.
   */
  readonly egress: Egress;
  /** The allow rules (action allow), in file order. */
  readonly rules: readonly Rule[];
  /** The deny rules (action deny, v2), in file order; empty when the ruleset has none. */
  readonly deny: readonly Rule[];
}

export interface Policy {
  readonly labels: { readonly tagPrefix: string; readonly dimensions: readonly string[] };
  readonly services: Readonly<Record<string, readonly Service[]>>;
  readonly ipLists: Readonly<Record<string, readonly string[]>>;
  readonly networks: {
    /** Groups of network ids that route to each other privately. */
    readonly connected: readonly (readonly string[])[];
    /** network id → the addresses its traffic leaves from towards non-connected networks. */
    readonly nat: Readonly<Record<string, readonly string[]>>;
  };
  readonly platform: { readonly azureLoadBalancerProbes: "allow" | "deny" };
  readonly attachment: Attachment;
  /** The default of every ruleset's `egress` (v1: always open). */
  readonly egress: Egress;
  readonly rulesets: readonly Ruleset[];
}
