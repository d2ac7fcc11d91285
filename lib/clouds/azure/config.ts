import { z } from "zod";
import { SecretArnSchema } from "../../live/secret-arn.js";

/** Azure quotas segsync plans against (docs/clouds.md, "Azure NSG and ASG limits"). */
export const AzureQuotasSchema = z
  .object({
    rulesPerNetworkSecurityGroup: z.number().int().min(2).max(1000).default(1000),
    /** Addresses and ranges per rule, each side. */
    prefixesPerRule: z.number().int().min(1).max(4000).default(4000),
    /** ASGs referenced as source or destination per rule (the docs conflict: 1 or 10; 1 is always safe). */
    applicationSecurityGroupsPerRule: z.number().int().min(1).max(10).default(1),
    applicationSecurityGroupsPerIpConfiguration: z.number().int().min(1).max(20).default(20),
    /** ASGs used across all rules of one NSG. */
    applicationSecurityGroupsPerNetworkSecurityGroup: z.number().int().min(1).max(100).default(100),
    /**
     * Not a quota: whether segsync's own NSGs re-evaluate open flows when their rules change
     * (ARM's `flushConnection`). Without it Azure keeps a revoked flow open until it ends
     * (docs/connection-tracking.md). Kept with the quotas so that every path that plans reads it.
     */
    flushConnection: z.boolean().default(true),
  })
  .strict();

export type AzureQuotas = z.infer<typeof AzureQuotasSchema>;

export const DEFAULT_AZURE_QUOTAS: AzureQuotas = {
  rulesPerNetworkSecurityGroup: 1000,
  prefixesPerRule: 4000,
  applicationSecurityGroupsPerRule: 1,
  applicationSecurityGroupsPerIpConfiguration: 20,
  applicationSecurityGroupsPerNetworkSecurityGroup: 100,
  flushConnection: true,
};

/** The subscriptions segsync manages, and the resource group that holds its own NSGs and ASGs in each. */
export const AzureSubscriptionsSchema = z
  .array(
    z
      .object({
        subscription: z
          .string()
          .regex(
            /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
            "a subscription id is a lowercase GUID",
          ),
        /** Where segsync creates its NSGs and ASGs (must exist). */
        resourceGroup: z.string().regex(/^[\w.()-]{1,89}[\w()-]$/, "not a resource group name"),
      })
      .strict(),
  )
  .min(1);

export type AzureSubscriptions = z.infer<typeof AzureSubscriptionsSchema>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

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
      secretArn: SecretArnSchema,
    })
    .strict(),
]);

export type AzureAuth = z.infer<typeof AzureAuthSchema>;

/** The `azure` section of the live configuration (docs/live.md). */
export const AzureSectionSchema = z
  .object({
    subscriptions: AzureSubscriptionsSchema,
    auth: AzureAuthSchema.default({ kind: "default" }),
    quotas: AzureQuotasSchema.optional(),
  })
  .strict();

export type AzureSection = z.infer<typeof AzureSectionSchema>;
