import { z } from "zod";
import { type CrossCloudPlan, planTotals } from "./model.js";

/** The blast-radius guard's limits: a plan removing more owned rules than either is held back. */
export const GuardLimitsSchema = z
  .object({
    maxRemovedRules: z.number().int().min(0).default(200),
    /** Share of the rules segsync owns now, 0 to 1. */
    maxRemovedShare: z.number().min(0).max(1).default(0.25),
    /** The share applies only to plans removing more rules than this: in a small estate one retag is a large share. */
    shareAppliesAbove: z.number().int().min(0).default(20),
  })
  .strict();

export type GuardLimits = z.infer<typeof GuardLimitsSchema>;

export const DEFAULT_GUARD_LIMITS: GuardLimits = {
  maxRemovedRules: 200,
  maxRemovedShare: 0.25,
  shareAppliesAbove: 20,
};

export type GuardVerdict =
  | {
      readonly allowed: true;
      readonly removedRules: number;
      readonly ownedRules: number;
      readonly overridden: boolean;
    }
  | {
      readonly allowed: false;
      readonly removedRules: number;
      readonly ownedRules: number;
      readonly reason: string;
    };

/**
 * Holds back a plan that would remove or narrow more owned rules than the limits allow (a bad
 * policy, a cloud read that came back empty): it is reported with its numbers and applies only
 * with an explicit override. Plans that remove nothing always pass.
 */
export function checkBlastRadius(plan: CrossCloudPlan, limits: GuardLimits, override = false): GuardVerdict {
  const { removedRules, ownedRules } = planTotals(plan);
  const share = ownedRules === 0 ? 0 : removedRules / ownedRules;
  const overCount = removedRules > limits.maxRemovedRules;
  const overShare = removedRules > limits.shareAppliesAbove && share > limits.maxRemovedShare;
  if (!overCount && !overShare) return { allowed: true, removedRules, ownedRules, overridden: false };
  if (override) return { allowed: true, removedRules, ownedRules, overridden: true };
  const why = [
    ...(overCount ? [`more than ${limits.maxRemovedRules} rules`] : []),
    ...(overShare
      ? [
          `${(share * 100).toFixed(1)}% of the ${ownedRules} owned rules (limit ${(limits.maxRemovedShare * 100).toFixed(0)}%)`,
        ]
      : []),
  ];
  return {
    allowed: false,
    removedRules,
    ownedRules,
    reason: `the plan removes or narrows ${removedRules} owned rules: ${why.join(" and ")}; not applied without an explicit override`,
  };
}
