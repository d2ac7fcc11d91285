/**
 * A plan saved by `plan --out FILE` for `apply --plan FILE`: the native operations of each cloud,
 * exactly as they would be written. `apply --plan` plans again and writes only if the new plan's
 * operations are these, so what is applied is what was reviewed (a CI job plans, a person
 * approves the file, another job applies it).
 */
import { z } from "zod";
import { CLOUDS } from "../lib/inventory/model.js";
import type { CrossCloudPlan } from "../lib/reconcile/plan.js";
import { renderPlan } from "../lib/reconcile/render.js";

const SavedPlanSchema = z
  .object({
    apiVersion: z.literal("segsync/v1"),
    kind: z.literal("Plan"),
    /** Per cloud, its operations as JSON text: compared as written, never interpreted. */
    operations: z.record(z.enum(CLOUDS), z.string()),
    /** The plan as `plan` printed it, for people. */
    text: z.string(),
  })
  .strict();

export type SavedPlan = z.infer<typeof SavedPlanSchema>;

function operationsOf(plan: CrossCloudPlan): Record<string, string> {
  return Object.fromEntries(
    CLOUDS.flatMap((cloud) => {
      const part = plan[cloud];
      return part === undefined || part.operations.length === 0
        ? []
        : [[cloud, JSON.stringify(part.operations)]];
    }),
  );
}

export function savePlan(plan: CrossCloudPlan): string {
  const saved: SavedPlan = {
    apiVersion: "segsync/v1",
    kind: "Plan",
    operations: operationsOf(plan),
    text: renderPlan(plan, { color: false }),
  };
  return `${JSON.stringify(saved, null, 2)}\n`;
}

export type SavedPlanRead = { ok: true; plan: SavedPlan } | { ok: false; error: string };

export function readSavedPlan(text: string): SavedPlanRead {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { ok: false, error: "not JSON: a plan file is what `segsync plan --out FILE` writes" };
  }
  const parsed = SavedPlanSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      error: `not a saved plan: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? ""}`,
    };
  }
  return { ok: true, plan: parsed.data };
}

/** The approve hook of apply --plan: the new plan must make exactly the saved writes. */
export function matchesSaved(saved: SavedPlan): (plan: CrossCloudPlan) => boolean {
  const expected = JSON.stringify(Object.entries(saved.operations).sort());
  return (plan) => JSON.stringify(Object.entries(operationsOf(plan)).sort()) === expected;
}
