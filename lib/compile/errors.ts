import type { UnsupportedFeature } from "../policy/v2-support.js";

export class CompileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An inventory listed one workload id twice: which record is right cannot be told. */
export class DuplicateWorkloadError extends CompileError {
  constructor(readonly workloadId: string) {
    super(`the inventory lists workload ${workloadId} more than once`);
  }
}

/** The compiler's bookkeeping contradicts itself: a bug, never an input problem. */
export class CompilerInvariantError extends CompileError {}

/**
 * The policy enforces egress, which no cloud writes yet: compiling without it would silently leave
 * open what the policy closes.
 */
export class UnsupportedPolicyFeatureError extends CompileError {
  constructor(readonly features: readonly UnsupportedFeature[]) {
    const listed = features.map((feature) => feature.description).join("; ");
    super(
      `the policy uses what segsync cannot enforce yet (enforced egress, docs/policy.md "Deny rules and egress (v2)"): ${listed}`,
    );
  }
}
