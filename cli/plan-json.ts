import type { Finding } from "../lib/compile/model.js";
import { CLOUDS } from "../lib/inventory/model.js";
import { planTotals } from "../lib/reconcile/plan.js";
import type { ReconcileResult } from "../lib/reconcile/reconciler.js";
import { countWarnings } from "../lib/reconcile/render.js";

/**
 * `plan --json`: what a tool (a CI gate, a review bot) needs from a plan: the totals, each
 * cloud's operations as people read them and its findings, the compiler's findings, the
 * blast-radius guard's numbers and verdict, and the clouds that could not be read.
 */
export function planJson(result: ReconcileResult): object {
  const totals = planTotals(result.plan);
  const clouds = Object.fromEntries(
    CLOUDS.flatMap((cloud) => {
      const part = result.plan[cloud];
      return part === undefined
        ? []
        : [
            [
              cloud,
              {
                operations: part.summaries,
                findings: part.findings,
                removedRules: part.removedRules,
                ownedRules: part.ownedRules,
              },
            ],
          ];
    }),
  );
  const findings: readonly Finding[] = result.intent.findings;
  return {
    totals: {
      operations: totals.operations,
      create: totals.create,
      update: totals.update,
      delete: totals.delete,
    },
    clouds,
    findings,
    warnings: countWarnings(result.plan, findings),
    guard: result.guard,
    failures: result.failures,
  };
}
