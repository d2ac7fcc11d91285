/**
 * The estate file (`kind: Estate`, docs/formats.md, "Estate"): the simulated clouds' starting
 * point. This is the shape of each value on its own (strict: unknown keys are errors); what needs
 * the whole document (references, addresses, regions) is checked by estate-check.ts. The networks
 * and workloads are estate-core-schema.ts's; each cloud's `native:` section, and the form of a
 * network's region, are its simulator's (sim/clouds/registry.ts), so a new cloud adds nothing here.
 */
import { z } from "zod";
import { CLOUDS, type Cloud } from "../lib/inventory/model.js";
import { type Simulators, simulatorOf } from "./clouds/registry.js";
import { EstateWorkloadSchema, estateNetworkSchema } from "./estate-core-schema.js";

type NativeSectionsShape = { [C in Cloud]: z.ZodOptional<Simulators[C]["nativeSchema"]> };

/** `native.<cloud>` for every cloud, in the order of CLOUDS. */
function nativeSections(): NativeSectionsShape {
  const sections = CLOUDS.map((cloud) => [cloud, simulatorOf(cloud).nativeSchema.optional()]);
  return Object.fromEntries(sections) as NativeSectionsShape;
}

/**
 * A network's `region`: in the form of the cloud whose networks take one; with none, any text
 * (estate-check.ts refuses a region where the network's cloud takes none).
 */
function networkRegionSchema(): z.ZodType<string> {
  const [first, ...more] = CLOUDS.flatMap((cloud) => simulatorOf(cloud).networkRegionSchema ?? []);
  if (first === undefined) return z.string();
  return more.length === 0 ? first : z.union([first, ...more]);
}

export const EstateSchema = z.strictObject({
  apiVersion: z.literal("segsync/v1"),
  kind: z.literal("Estate"),
  networks: z.array(estateNetworkSchema(networkRegionSchema())),
  workloads: z.array(EstateWorkloadSchema),
  native: z.strictObject(nativeSections()).optional(),
});

export type Estate = z.output<typeof EstateSchema>;
export type EstateNative = NonNullable<Estate["native"]>;
export type { EstateNetwork, EstateWorkload } from "./estate-core-schema.js";
