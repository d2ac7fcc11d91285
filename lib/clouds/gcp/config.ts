import { z } from "zod";
import { SecretArnSchema } from "../../live/secret-arn.js";

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

/**
 * How segsync gets a Google token. `default`: application default credentials. `federated`:
 * keyless, an AWS IAM outbound web identity token exchanged through workload identity federation
 * (Google STS), optionally impersonating a service account. `secret`: a service account key JSON
 * kept in Secrets Manager.
 */
export const GcpAuthSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("default") }).strict(),
  z
    .object({
      kind: z.literal("federated"),
      /** //iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER */
      audience: z
        .string()
        .regex(
          /^\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]+\/providers\/[a-z0-9-]+$/,
          "not a workload identity pool provider audience (//iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/X)",
        ),
      /** A service account to impersonate; absent: the federated principal is granted directly. */
      serviceAccount: z.email().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal("secret"),
      /** A Secrets Manager secret whose SecretString is a service account key JSON. */
      secretArn: SecretArnSchema,
    })
    .strict(),
]);

export type GcpAuth = z.infer<typeof GcpAuthSchema>;

const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/** The `gcp` section of the live configuration (docs/live.md). */
export const GcpSectionSchema = z
  .object({
    projects: z.array(z.string().regex(GCP_PROJECT, "not a GCP project id")).min(1),
    /**
     * Shared VPC service projects of the configured hosts, named: read at every full sync as
     * the configured projects are, their events accepted by the ingest function
     * (docs/live.md, "GCP Shared VPC").
     */
    serviceProjects: z.array(z.string().regex(GCP_PROJECT, "not a GCP project id")).optional(),
    /**
     * Whether the service projects attached to a configured project (a Shared VPC host) are
     * read too, named or not: found through the host at each full sync, and through the
     * project itself (its host must be configured) when an event names one first. Absent: true.
     */
    findServiceProjects: z.boolean().optional(),
    auth: GcpAuthSchema.default({ kind: "default" }),
    limits: GcpQuotasSchema.optional(),
    priorities: GcpPrioritiesSchema.optional(),
  })
  .strict();

export type GcpSection = z.infer<typeof GcpSectionSchema>;
