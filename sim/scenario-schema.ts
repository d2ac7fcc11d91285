/**
 * The scenario file (`kind: Scenario`, docs/formats.md, "Scenario"): what happens to the estate,
 * step by step. Each step is a map with exactly one key, the step's kind; every map is strict.
 */
import { z } from "zod";
import { NetworkIdSchema, WorkloadIdSchema } from "../lib/inventory/ids.js";
import { Ipv4AddressSchema } from "./address-schemas.js";
import { TagMapSchema } from "./estate-core-schema.js";
import { TrafficSchema, type TrafficSpec } from "./traffic-schema.js";

const placement = {
  id: WorkloadIdSchema,
  network: NetworkIdSchema,
  privateIp: Ipv4AddressSchema,
  publicIp: Ipv4AddressSchema.optional(),
};

export const PlacementSchema = z.strictObject(placement);
export const LaunchSchema = z.strictObject({ ...placement, tags: TagMapSchema });
export const RetagSchema = z.strictObject({ id: WorkloadIdSchema, tags: TagMapSchema });
const TargetSchema = z.strictObject({ id: WorkloadIdSchema });
export const MigrateSchema = z.strictObject({ from: WorkloadIdSchema, to: PlacementSchema });
const NothingSchema = z.strictObject({});

export type Placement = z.output<typeof PlacementSchema>;
export type LaunchSpec = z.output<typeof LaunchSchema>;

export type Step =
  | { readonly launch: LaunchSpec }
  | { readonly retag: z.output<typeof RetagSchema> }
  | { readonly stop: z.output<typeof TargetSchema> }
  | { readonly start: z.output<typeof TargetSchema> }
  | { readonly terminate: z.output<typeof TargetSchema> }
  | { readonly migrate: z.output<typeof MigrateSchema> }
  | { readonly traffic: TrafficSpec }
  | { readonly reconcile: Record<string, never> }
  | { readonly fullSync: Record<string, never> };

/** The steps that change the simulated clouds (and emit events); the others drive the pipeline or send traffic. */
export type CloudStep = Exclude<
  Step,
  { readonly reconcile: unknown } | { readonly fullSync: unknown } | { readonly traffic: unknown }
>;

export type StepKind = Step extends infer S ? (S extends unknown ? keyof S : never) : never;

const STEP_SHAPE = {
  launch: LaunchSchema.optional(),
  retag: RetagSchema.optional(),
  stop: TargetSchema.optional(),
  start: TargetSchema.optional(),
  terminate: TargetSchema.optional(),
  migrate: MigrateSchema.optional(),
  traffic: TrafficSchema.optional(),
  reconcile: NothingSchema.optional(),
  fullSync: NothingSchema.optional(),
};

export const STEP_KINDS = Object.keys(STEP_SHAPE) as StepKind[];

/** Checks that only make sense once every key is known: an unknown key is reported on its own. */
const whenKnown = { when: (payload: { readonly issues: readonly unknown[] }) => payload.issues.length === 0 };

const StepSchema = z
  .strictObject(STEP_SHAPE)
  .refine((step) => Object.keys(step).length > 0, {
    message: `a step is one of ${STEP_KINDS.join(", ")}`,
    ...whenKnown,
  })
  .refine((step) => Object.keys(step).length < 2, {
    error: (issue) =>
      `a step does one thing, not ${Object.keys(issue.input as object).join(", ")}: make them separate steps`,
    ...whenKnown,
  })
  .transform((step) => step as Step);

export const ScenarioSchema = z.strictObject({
  apiVersion: z.literal("segsync/v1"),
  kind: z.literal("Scenario"),
  steps: z.array(StepSchema).min(1),
});

export type Scenario = z.output<typeof ScenarioSchema>;

/** The kind of a step: its one key. */
export function stepKind(step: Step): StepKind {
  return Object.keys(step)[0] as StepKind;
}

export function isCloudStep(step: Step): step is CloudStep {
  return !("reconcile" in step) && !("fullSync" in step) && !("traffic" in step);
}
