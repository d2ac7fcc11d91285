/**
 * Each function's environment, as the CDK construct (infra/) sets it and the handlers parse it
 * with zod at cold start. A missing or malformed variable fails the cold start with its name.
 */
import { z } from "zod";
import { LiveConfigSchema } from "../live/config.js";
import { EnvironmentError } from "./errors.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/;
const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/** A JSON-valued variable, parsed and then checked against its schema. */
function json<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((text, context) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        context.addIssue({ code: "custom", message: "not JSON" });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

const QueueEnvironment = {
  /** The SQS FIFO queue the ingest functions write to. */
  SEGSYNC_QUEUE_URL: z.url(),
};

/**
 * The accounts and regions whose events are accepted: the live config's aws.accounts without
 * roleArn. Events from other accounts or regions are acknowledged, counted and dropped.
 */
export const AwsEventAccountsSchema = z
  .array(
    z
      .object({
        account: z.string().regex(/^\d{12}$/, "an AWS account id is 12 digits"),
        regions: z.array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "not an AWS region")).min(1),
      })
      .strict(),
  )
  .min(1);

export const AwsEventsEnvironmentSchema = z.object({
  ...QueueEnvironment,
  /** JSON, e.g. `[{"account":"111111111111","regions":["us-east-1"]}]`. */
  SEGSYNC_AWS_ACCOUNTS: json(AwsEventAccountsSchema),
});

/**
 * Event Grid webhook authentication. `secret`: a shared secret sent by Event Grid as a query
 * parameter (`?code=…` in the subscription's endpoint URL) or a delivery header, kept in Secrets
 * Manager and compared in constant time. `entra`: an Entra ID bearer token (Event Grid secure
 * webhook delivery), verified against the tenant's JWKS: issuer, audience, and the
 * AzureEventGridSecureWebhookSubscriber app role.
 */
export const EventGridAuthSchema = z.discriminatedUnion("mode", [
  z
    .object({
      mode: z.literal("secret"),
      secretArn: z.string().regex(SECRET_ARN, "not a Secrets Manager secret ARN"),
      queryParameter: z.string().min(1).default("code"),
      header: z.string().min(1).default("x-segsync-secret"),
    })
    .strict(),
  z
    .object({
      mode: z.literal("entra"),
      tenantId: z.string().regex(GUID, "a tenant id is a lowercase GUID"),
      /** The app registration's application id URI or client id that Event Grid asks tokens for. */
      audience: z.string().min(1),
    })
    .strict(),
]);

export type EventGridAuth = z.infer<typeof EventGridAuthSchema>;

export const AzureEventsEnvironmentSchema = z.object({
  ...QueueEnvironment,
  SEGSYNC_EVENTGRID_AUTH: json(EventGridAuthSchema),
  /**
   * The subscriptions whose events are accepted (JSON array of lowercase GUIDs, compared
   * case-insensitively); events of others are acknowledged, counted and dropped.
   */
  SEGSYNC_AZURE_SUBSCRIPTIONS: json(z.array(z.string().regex(GUID)).min(1)),
});

export const GcpEventsEnvironmentSchema = z.object({
  ...QueueEnvironment,
  /** The `aud` the push subscription's OIDC tokens carry (its configured audience, or the endpoint URL). */
  SEGSYNC_PUBSUB_AUDIENCE: z.string().min(1),
  /** The service account the push subscription signs its tokens as. */
  SEGSYNC_PUBSUB_EMAIL: z.email(),
  /** The projects whose entries are accepted (JSON array of project ids); others are acknowledged, counted and dropped. */
  SEGSYNC_GCP_PROJECTS: json(z.array(z.string().regex(GCP_PROJECT, "not a GCP project id")).min(1)),
  /**
   * "true": entries of other projects are accepted too, as possible Shared VPC service projects of
   * those (the reconciler confirms each before reading it); the config's `gcp.findServiceProjects`.
   */
  SEGSYNC_GCP_FIND_SERVICE_PROJECTS: z.enum(["true", "false"]).default("false"),
});

export const ReconcilerEnvironmentSchema = z.object({
  /** The live configuration (lib/live/config.ts) as JSON. */
  SEGSYNC_CONFIG: json(LiveConfigSchema),
  /** The policy file bundled beside the handler, relative to LAMBDA_TASK_ROOT (or absolute). */
  SEGSYNC_POLICY_FILE: z.string().min(1).default("policy.yaml"),
  /** The DynamoDB table of the InventoryStore. */
  SEGSYNC_TABLE: z.string().min(3).max(255),
  /** The construct's attachment mode, which replaces the policy's `attachment` when set. */
  SEGSYNC_ATTACHMENT: z.enum(["exclusive", "additive"]).optional(),
  /** The queue it consumes: its depth tells a burst, which is coalesced. Absent: never coalesced. */
  SEGSYNC_QUEUE_URL: z.url().optional(),
  LAMBDA_TASK_ROOT: z.string().min(1).default(process.cwd()),
});

/** The environment parsed, or an error naming each bad variable. */
export function parseEnvironment<T extends z.ZodType>(schema: T, environment = process.env): z.infer<T> {
  const parsed = schema.safeParse(environment);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.join(".") || "environment"}: ${issue.message}`,
  );
  throw new EnvironmentError(`bad function environment: ${problems.join("; ")}`, problems, {
    cause: parsed.error,
  });
}
