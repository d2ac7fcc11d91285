import { z } from "zod";

/**
 * GCP quotas and limits segsync plans against (docs/clouds.md, "GCP firewall rule limits",
 * "GCP network tags"); raise them here when yours are higher. The live config and the construct
 * call them `gcp.limits`.
 */
export const GcpQuotasSchema = z
  .object({
    /** Source ranges per rule: 256 is documented by some, 5,000 by others; 256 is safe. */
    sourceRangesPerRule: z.number().int().min(1).max(5000).default(256),
    sourceTagsPerRule: z.number().int().min(1).max(30).default(30),
    networkTagsPerInstance: z.number().int().min(1).max(64).default(64),
    /** The project's "VPC firewall rules" quota. */
    firewallRulesPerProject: z.number().int().min(1).default(500),
  })
  .strict();

export type GcpQuotas = z.infer<typeof GcpQuotasSchema>;

export const DEFAULT_GCP_QUOTAS: GcpQuotas = {
  sourceRangesPerRule: 256,
  sourceTagsPerRule: 30,
  networkTagsPerInstance: 64,
  firewallRulesPerProject: 500,
};

/**
 * Firewall priorities of segsync's rules (a configurable band: docs/architecture.md,
 * "How each cloud enforces an identity").
 */
export const GcpPrioritiesSchema = z
  .object({
    exclusive: z
      .object({ allow: z.number().int().min(0).max(65534), deny: z.number().int().min(0).max(65534) })
      .strict()
      .default({ allow: 900, deny: 910 }),
    additive: z
      .object({ allow: z.number().int().min(0).max(65534), deny: z.number().int().min(0).max(65534) })
      .strict()
      .default({ allow: 900, deny: 65000 }),
  })
  .strict()
  .refine((p) => p.exclusive.allow < p.exclusive.deny && p.additive.allow < p.additive.deny, {
    message: "allows must come before (be lower than) the deny-all",
  });

export type GcpPriorities = z.infer<typeof GcpPrioritiesSchema>;

export const DEFAULT_GCP_PRIORITIES: GcpPriorities = {
  exclusive: { allow: 900, deny: 910 },
  additive: { allow: 900, deny: 65000 },
};
