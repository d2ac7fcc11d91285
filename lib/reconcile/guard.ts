import { z } from "zod";
import { CLOUDS, type Cloud } from "../inventory/model.js";
import { type CloudPlan, type CrossCloudPlan, planTotals } from "./plan.js";

/** The blast-radius guard's limits, per place: a place whose plan removes more unexplained owned rules than either is held. */
export const GuardLimitsSchema = z
  .object({
    maxRemovedRules: z.number().int().min(0).default(200),
    /** Share of the rules segsync owns now in the place, 0 to 1. */
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

/** A place whose narrowing operations are held back; its other operations are applied. */
export interface HeldPlace {
  readonly cloud: Cloud;
  /** An AWS account and region (`account/region`), an Azure subscription, a GCP project. */
  readonly place: string;
  /** Owned rules the plan removes or narrows in the place that no confirmed workload change explains. */
  readonly unexplainedRules: number;
  readonly ownedRules: number;
  readonly reason: string;
}

interface GuardNumbers {
  /** Every owned rule the plan removes or narrows. */
  readonly removedRules: number;
  /** Those that no confirmed workload change explains: what the limits apply to. */
  readonly unexplainedRules: number;
  readonly ownedRules: number;
}

export type GuardVerdict =
  | (GuardNumbers & { readonly allowed: true; readonly overridden: boolean })
  | (GuardNumbers & {
      readonly allowed: false;
      readonly reason: string;
      /** What is held: only these places' narrowing operations; everything else is applied. */
      readonly held: readonly HeldPlace[];
    });

function sumByPlace(part: CloudPlan | undefined): Map<string, number> {
  const sums = new Map<string, number>();
  part?.narrowing.forEach((removed, index) => {
    const place = part.places[index] ?? "";
    sums.set(place, (sums.get(place) ?? 0) + removed);
  });
  return sums;
}

/** Why a place is held, or undefined when its unexplained removals are within the limits. */
function overLimits(unexplained: number, owned: number, limits: GuardLimits): string | undefined {
  const share = owned === 0 ? 0 : unexplained / owned;
  const overCount = unexplained > limits.maxRemovedRules;
  const overShare = unexplained > limits.shareAppliesAbove && share > limits.maxRemovedShare;
  if (!overCount && !overShare) return undefined;
  return [
    ...(overCount ? [`more than ${limits.maxRemovedRules} rules`] : []),
    ...(overShare
      ? [
          `${(share * 100).toFixed(1)}% of the ${owned} owned rules (limit ${(limits.maxRemovedShare * 100).toFixed(0)}%)`,
        ]
      : []),
  ].join(" and ");
}

/**
 * Judges a plan by the cause of its removals (docs/trust-model.md, "The blast-radius guard"):
 * `baseline` is the plan the same clouds would get for the intent before this reconcile's
 * confirmed workload changes. Removals the baseline also makes (a policy that changed, a read
 * that came back partial, drift) are unexplained; removals that only follow from workloads
 * re-read and confirmed gone or changed are not a blast. Each place (an AWS account and region,
 * a subscription, a project) is judged on its own; a held place keeps only its narrowing
 * operations back, and only without an explicit override.
 */
export function checkBlastRadius(
  plan: CrossCloudPlan,
  baseline: CrossCloudPlan,
  limits: GuardLimits,
  override = false,
): GuardVerdict {
  const { removedRules, ownedRules } = planTotals(plan);
  const held: HeldPlace[] = [];
  let unexplainedRules = 0;
  for (const cloud of CLOUDS) {
    const part = plan[cloud];
    if (part === undefined) continue;
    const explainedBy = sumByPlace(baseline[cloud]);
    for (const [place, removed] of sumByPlace(part)) {
      const unexplained = Math.min(removed, explainedBy.get(place) ?? 0);
      unexplainedRules += unexplained;
      const owned = part.ownedRulesByPlace[place] ?? 0;
      const why = overLimits(unexplained, owned, limits);
      if (why === undefined) continue;
      held.push({
        cloud,
        place,
        unexplainedRules: unexplained,
        ownedRules: owned,
        reason: `${cloud} ${place}: the plan removes or narrows ${unexplained} owned rules that no confirmed workload change explains: ${why}`,
      });
    }
  }
  const numbers = { removedRules, unexplainedRules, ownedRules };
  if (held.length === 0 || override) return { ...numbers, allowed: true, overridden: held.length > 0 };
  return {
    ...numbers,
    allowed: false,
    held,
    reason: `${held.map((h) => h.reason).join("; ")}; their narrowing operations are held back (everything else is applied) until an explicit override`,
  };
}

/** The object an operation writes: the first word of its summary (`eni-1 of i-1 (aws)` is `eni-1`). */
const objectOf = (part: CloudPlan, index: number) => part.summaries[index]?.object.split(" ")[0] ?? "";

/**
 * By cloud, the indexes of the operations a verdict holds back: in each held place, those that
 * narrow owned rules, every delete, and every other write to an object one of those writes (the
 * make-before-break step of an ENI whose groups are not changed, forgetting the record of an ENI
 * whose groups were not restored). Additions (new groups and rules, a new workload's attachment)
 * go ahead.
 */
export function heldOperations(
  plan: CrossCloudPlan,
  verdict: GuardVerdict,
): Partial<Record<Cloud, Set<number>>> {
  if (verdict.allowed) return {};
  const held: Partial<Record<Cloud, Set<number>>> = {};
  for (const { cloud, place } of verdict.held) {
    const part = plan[cloud];
    if (part === undefined) continue;
    const indexes = held[cloud] ?? new Set<number>();
    const inPlace = part.places.flatMap((at, index) => (at === place ? [index] : []));
    const narrowed = new Set(
      inPlace
        .filter((index) => (part.narrowing[index] ?? 0) > 0 || part.summaries[index]?.action === "delete")
        .map((index) => objectOf(part, index)),
    );
    for (const index of inPlace) if (narrowed.has(objectOf(part, index))) indexes.add(index);
    held[cloud] = indexes;
  }
  return held;
}
