/**
 * The cloud-neutral parts of the estate file (`kind: Estate`, docs/formats.md, "Estate"): its
 * networks and workloads, each value's shape on its own (strict: unknown keys are errors). The
 * whole file's schema, with each cloud's `native:` section from its simulator, is estate-schema.ts;
 * this part is what the simulators themselves may import.
 */
import { z } from "zod";
import { NetworkIdSchema, WorkloadIdSchema } from "../lib/inventory/ids.js";
import type { Cloud } from "../lib/inventory/model.js";
import { Ipv4AddressSchema, Ipv4CidrSchema } from "./address-schemas.js";

/** A network; `region` has the form that the cloud whose networks need one gives (estate-schema.ts). */
export function estateNetworkSchema(region: z.ZodType<string>) {
  return z.strictObject({
    id: NetworkIdSchema,
    cidr: Ipv4CidrSchema,
    /** Azure VNets only: NSGs are regional. */
    region: region.optional(),
  });
}

export const TagMapSchema = z.record(z.string(), z.string());

export const EstateWorkloadSchema = z.strictObject({
  id: WorkloadIdSchema,
  network: NetworkIdSchema,
  privateIp: Ipv4AddressSchema,
  /** For a stopped workload: the address it gets back when it starts (clouds release it on stop). */
  publicIp: Ipv4AddressSchema.optional(),
  state: z.enum(["running", "stopped"]).default("running"),
  tags: TagMapSchema,
});

export type EstateNetwork = z.output<ReturnType<typeof estateNetworkSchema>>;
export type EstateWorkload = z.output<typeof EstateWorkloadSchema>;

/** An estate's networks and workloads, whatever its clouds. */
export interface EstateCore {
  readonly networks: readonly EstateNetwork[];
  readonly workloads: readonly EstateWorkload[];
}

/** An estate as one cloud's simulator reads it: the networks, the workloads and its own `native` section. */
export interface EstateFor<C extends Cloud, Native> extends EstateCore {
  readonly native?: { readonly [K in C]?: Native } | undefined;
}
