/**
 * The resolved policy: what `loadPolicy` returns once the file has parsed and passed every check.
 * Everything the compiler needs is explicit here: named services are expanded, ipLists are
 * inlined, and every rule's selectors are already intersected with its ruleset's scope.
 */

export type Service =
  | { readonly protocol: "tcp" | "udp"; readonly fromPort: number; readonly toPort: number }
  | { readonly protocol: "icmp" }
  | { readonly protocol: "all" };

/** dimension → accepted values (OR within a dimension, AND across dimensions); values sorted and unique. */
export type LabelSelector = Readonly<Record<string, readonly string[]>>;

export type Enforcement = "enforced" | "visibility";
export type Attachment = "exclusive" | "additive";

export type RuleSource =
  | {
      readonly kind: "labels";
      /** Already intersected with the scope unless extraScope. */
      readonly selector: LabelSelector;
      readonly extraScope: boolean;
    }
  | { readonly kind: "ipList"; readonly name: string; readonly cidrs: readonly string[] };

export interface Rule {
  /** Stable id: `<ruleset>#<index>` (index in the file, from 0). */
  readonly id: string;
  readonly ruleset: string;
  readonly index: number;
  readonly from: RuleSource;
  /** Already intersected with the scope. */
  readonly to: LabelSelector;
  /** Normalized: sorted, overlapping and adjacent port ranges merged, `all` absorbs the rest. */
  readonly services: readonly Service[];
}

export interface Ruleset {
  readonly name: string;
  readonly scope: LabelSelector;
  readonly enforcement: Enforcement;
  readonly rules: readonly Rule[];
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
  /** v1 leaves egress open; enforced egress is a planned option. */
  readonly egress: "open";
  readonly rulesets: readonly Ruleset[];
}
