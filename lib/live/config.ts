/**
 * The live configuration (`kind: Config`): which accounts, subscriptions and projects segsync
 * manages, how it authenticates to Azure and GCP, each cloud's quotas, and the blast-radius guard.
 * The CLI reads it with `--live --config F`; the CDK construct passes it to the reconciler function
 * as JSON. The policy is not part of it: it is a file of its own.
 */
import { z } from "zod";
import { AwsAccountsSchema, AwsQuotasSchema } from "../clouds/aws/config.js";
import { AzureQuotasSchema, AzureSubscriptionsSchema } from "../clouds/azure/config.js";
import { GcpPrioritiesSchema, GcpQuotasSchema } from "../clouds/gcp/config.js";
import { GuardLimitsSchema } from "../reconcile/guard.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/;

/**
 * How segsync gets an Azure token. `default`: DefaultAzureCredential (a developer's `az login`,
 * environment variables, managed identity). `federated`: keyless, an AWS IAM outbound web identity
 * token (STS GetWebIdentityToken) exchanged as an Entra client assertion for an app registration
 * whose federated credential trusts it. `secret`: a client secret kept in Secrets Manager.
 */
export const AzureAuthSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("default") }).strict(),
  z
    .object({
      kind: z.literal("federated"),
      tenantId: z.string().regex(GUID, "a tenant id is a lowercase GUID"),
      clientId: z.string().regex(GUID, "a client id is a lowercase GUID"),
      /** The audience the federated credential expects; Entra's default. */
      audience: z.string().min(1).default("api://AzureADTokenExchange"),
    })
    .strict(),
  z
    .object({
      kind: z.literal("secret"),
      tenantId: z.string().regex(GUID, "a tenant id is a lowercase GUID"),
      clientId: z.string().regex(GUID, "a client id is a lowercase GUID"),
      /** A Secrets Manager secret whose SecretString is the client secret. */
      secretArn: z.string().regex(SECRET_ARN, "not a Secrets Manager secret ARN"),
    })
    .strict(),
]);

export type AzureAuth = z.infer<typeof AzureAuthSchema>;

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
      secretArn: z.string().regex(SECRET_ARN, "not a Secrets Manager secret ARN"),
    })
    .strict(),
]);

export type GcpAuth = z.infer<typeof GcpAuthSchema>;

export const RecordKeySourceSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("secret"),
      /** A Secrets Manager secret whose SecretString is the key (at least 32 characters). */
      secretArn: z.string().regex(SECRET_ARN, "not a Secrets Manager secret ARN"),
    })
    .strict(),
  z
    .object({
      kind: z.literal("env"),
      variable: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "not an environment variable name"),
    })
    .strict(),
]);

export type RecordKeySource = z.infer<typeof RecordKeySourceSchema>;

const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

export const LiveConfigSchema = z
  .object({
    apiVersion: z.literal("segsync/v1"),
    kind: z.literal("Config"),
    aws: z
      .object({
        accounts: AwsAccountsSchema,
        quotas: AwsQuotasSchema.optional(),
      })
      .strict()
      .optional(),
    azure: z
      .object({
        subscriptions: AzureSubscriptionsSchema,
        auth: AzureAuthSchema.default({ kind: "default" }),
        quotas: AzureQuotasSchema.optional(),
      })
      .strict()
      .optional(),
    gcp: z
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
      .strict()
      .optional(),
    guard: GuardLimitsSchema.optional(),
    /**
     * The record key: the secret under which segsync seals what it owns and what it records for
     * restore (docs/trust-model.md). A Secrets Manager secret (the construct creates one), or an
     * environment variable holding at least 32 characters; default: SEGSYNC_RECORD_KEY.
     */
    recordKey: RecordKeySourceSchema.optional(),
  })
  .strict()
  .refine((config) => config.aws ?? config.azure ?? config.gcp, {
    message: "names no cloud: give at least one of aws, azure and gcp",
  });

export type LiveConfig = z.infer<typeof LiveConfigSchema>;
