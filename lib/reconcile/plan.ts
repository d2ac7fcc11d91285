import type { CloudFinding, OperationSummary } from "../clouds/provider.js";
import type { Cloud } from "../inventory/model.js";

/** One cloud's part of a plan: its native operations in make-before-break order, as people read them too. */
export interface CloudPlan<Operation = unknown> {
  readonly cloud: Cloud;
  readonly operations: readonly Operation[];
  readonly summaries: readonly OperationSummary[];
  readonly findings: readonly CloudFinding[];
  /** Owned rules the plan removes or narrows, and owned rules there are now. */
  readonly removedRules: number;
  readonly ownedRules: number;
  /** Per operation, by index: the owned rules it removes or narrows, and the place it writes in. */
  readonly narrowing: readonly number[];
  readonly places: readonly string[];
  /** Owned rules now, per place read (an AWS account and region, a subscription, a project). */
  readonly ownedRulesByPlace: Readonly<Record<string, number>>;
}

/** One plan across the clouds: each cloud's part applies on its own, in its own order. */
export type CrossCloudPlan = { readonly [C in Cloud]?: CloudPlan };

export function planTotals(plan: CrossCloudPlan) {
  const parts = Object.values(plan).filter((p): p is CloudPlan => p !== undefined);
  const summaries = parts.flatMap((p) => p.summaries);
  return {
    operations: summaries.length,
    create: summaries.filter((s) => s.action === "create").length,
    update: summaries.filter((s) => s.action === "update").length,
    delete: summaries.filter((s) => s.action === "delete").length,
    removedRules: parts.reduce((sum, p) => sum + p.removedRules, 0),
    ownedRules: parts.reduce((sum, p) => sum + p.ownedRules, 0),
  };
}
