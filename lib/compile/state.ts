import type { LabelProblem } from "../inventory/labels.js";
import type { NetworkId, Workload, WorkloadId } from "../inventory/model.js";
import type { Egress, Enforcement, Rule } from "../policy/model.js";
import type { IdentityRef } from "./model.js";

/** The compiler's mutable bookkeeping; never leaves lib/compile. */

export interface WorkloadEntry {
  readonly workload: Workload;
  readonly labels: Readonly<Record<string, string>>;
  readonly problems: readonly LabelProblem[];
  /** Undefined when the workload has no segsync label (unmanaged). */
  readonly identity: IdentityRef | undefined;
}

export interface RuleState {
  readonly rule: Rule;
  /** Position in the policy, for a stable order of rule ids. */
  readonly order: number;
  /** Identities (with running members) that the rule's label source matches. */
  readonly fromIdentities: Set<string>;
  /** Identities (with running members) that the rule's destination selector matches (labels only). */
  readonly toIdentities: Set<string>;
}

/** An identity exists while it has at least one running member. */
export interface IdentityState {
  readonly ref: IdentityRef;
  readonly labels: Readonly<Record<string, string>>;
  readonly enforcement: Enforcement | "unscoped";
  /** Enforced when an enforced ruleset with enforced egress scopes it (v2). */
  readonly egress: Egress;
  readonly members: Map<WorkloadId, Workload>;
  readonly membersByNetwork: Map<NetworkId, Set<WorkloadId>>;
  readonly toRules: readonly RuleState[];
  readonly fromRules: readonly RuleState[];
}
