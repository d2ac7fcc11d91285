/**
 * The estate file (`kind: Estate`, docs/formats.md, "Estate"): the simulated clouds' starting
 * point. This is the shape of each value on its own (strict: unknown keys are errors); what needs
 * the whole document (references, addresses, regions) is checked by estate-check.ts.
 */
import { z } from "zod";
import { NetworkIdSchema, WorkloadIdSchema } from "../lib/inventory/ids.js";
import { Ipv4AddressSchema, Ipv4CidrSchema } from "./address-schemas.js";
import { NativeAwsSchema } from "./clouds/aws/native-schema.js";
import { AZURE_REGION, NativeAzureSchema } from "./clouds/azure/native-schema.js";
import { NativeGcpSchema } from "./clouds/gcp/native-schema.js";

export const EstateNetworkSchema = z.strictObject({
  id: NetworkIdSchema,
  cidr: Ipv4CidrSchema,
  /** Azure VNets only: NSGs are regional. */
  region: AZURE_REGION.optional(),
});

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

export const EstateSchema = z.strictObject({
  apiVersion: z.literal("segsync/v1"),
  kind: z.literal("Estate"),
  networks: z.array(EstateNetworkSchema),
  workloads: z.array(EstateWorkloadSchema),
  native: z
    .strictObject({
      aws: NativeAwsSchema.optional(),
      azure: NativeAzureSchema.optional(),
      gcp: NativeGcpSchema.optional(),
    })
    .optional(),
});

export type Estate = z.output<typeof EstateSchema>;
export type EstateNetwork = z.output<typeof EstateNetworkSchema>;
export type EstateWorkload = z.output<typeof EstateWorkloadSchema>;
export type EstateNative = NonNullable<Estate["native"]>;
