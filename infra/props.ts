import type { Schedule } from "aws-cdk-lib/aws-events";
import type { IKey } from "aws-cdk-lib/aws-kms";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { z } from "zod";
import type { AwsQuotasSchema } from "../lib/clouds/aws/config.js";
import type { AzureAuthSchema, AzureQuotasSchema } from "../lib/clouds/azure/config.js";
import type { GcpAuthSchema, GcpPrioritiesSchema, GcpQuotasSchema } from "../lib/clouds/gcp/config.js";
import type { EventGridAuthSchema } from "../lib/pipeline/environment.js";
import type { GuardLimitsSchema } from "../lib/reconcile/guard.js";

/** The `guardrails` prop of the SegmentationSynchronizer. */
export interface GuardrailsSettings {
  /** Who may write label keys: IAM ARNs, Entra object ids, Google emails or principal:// URIs. */
  readonly labelWriters?: readonly string[];
  /** segsync's Entra object id; with `azure`, adds the Azure Policy definition output. */
  readonly azurePrincipalId?: string;
  /** segsync's Google service account; default: the gcp auth's federated serviceAccount. */
  readonly gcpServiceAccount?: string;
  /**
   * Deploys the SCP and attaches it to these roots (r-…), OUs (ou-…) or accounts. Only valid in
   * the organization's management account (or a delegated administrator for SCPs): elsewhere the
   * deployment fails with AccessDenied.
   */
  readonly deployScp?: { readonly targetIds: readonly string[] };
}

/** One AWS account that segsync manages (lib/clouds/aws/config.ts). */
export interface AwsAccountSettings {
  /** The 12-digit account id. */
  readonly account: string;
  /** The regions of the account whose instances segsync manages. */
  readonly regions: readonly string[];
  /**
   * The role the reconciler assumes in this account. Absent: the reconciler's own role acts
   * there, so the account must be the one the stack is deployed in (checked at synth when the
   * stack's account is known; otherwise its EC2 permissions name this account and grant
   * nothing elsewhere).
   */
  readonly roleArn?: string;
  /**
   * The VPCs (`vpc-…`) of this account whose instances segsync manages. Given, the reconciler's
   * role may change ENIs and create groups in these VPCs only; absent, in any VPC of the
   * account's regions (synth warns). docs/iam.md.
   */
  readonly vpcs?: readonly string[];
}

export interface AwsSettings {
  readonly accounts: readonly AwsAccountSettings[];
  /** Quotas that segsync plans against; AWS's defaults when absent. */
  readonly quotas?: Readonly<z.input<typeof AwsQuotasSchema>>;
}

export interface AzureSubscriptionSettings {
  /** The subscription id (a lowercase GUID). */
  readonly subscription: string;
  /** The existing resource group where segsync creates its NSGs and ASGs. */
  readonly resourceGroup: string;
}

export interface AzureSettings {
  readonly subscriptions: readonly AzureSubscriptionSettings[];
  /** How the reconciler gets an Azure token; `default` when absent. `federated` needs no secret. */
  readonly auth?: Readonly<z.input<typeof AzureAuthSchema>>;
  readonly quotas?: Readonly<z.input<typeof AzureQuotasSchema>>;
}

export interface GcpSettings {
  /** The project ids segsync manages. */
  readonly projects: readonly string[];
  /** How the reconciler gets a Google token; `default` when absent. `federated` needs no secret. */
  readonly auth?: Readonly<z.input<typeof GcpAuthSchema>>;
  readonly limits?: Readonly<z.input<typeof GcpQuotasSchema>>;
  readonly priorities?: Readonly<z.input<typeof GcpPrioritiesSchema>>;
}

/** What `SegmentationSynchronizer` deploys. Everything is validated at synth time. */
export interface SegmentationSynchronizerProps {
  /**
   * The policy file (YAML, or JSON when its name ends in `.json`), absolute or relative to the
   * directory `cdk synth` runs in. It is validated at synth (every issue fails the synth as
   * `file:line:col path: message`), bundled into the reconciler, and a changed policy triggers
   * a full sync after the deploy.
   */
  readonly policyFile: string;
  /** The AWS accounts and regions to manage. At least one of `aws`, `azure` and `gcp` is required. */
  readonly aws?: AwsSettings;
  /** The Azure subscriptions to manage, their resource groups, and the reconciler's Azure auth. */
  readonly azure?: AzureSettings;
  /** The GCP projects to manage and the reconciler's Google auth. */
  readonly gcp?: GcpSettings;
  /** When the reconciler re-reads every cloud and repairs drift. Default: every 6 hours. */
  readonly fullSyncSchedule?: Schedule;
  /** The blast-radius guard's limits (lib/reconcile/guard.ts); its defaults when absent. */
  readonly guard?: Readonly<z.input<typeof GuardLimitsSchema>>;
  /** Replaces the policy's `attachment` when set: `exclusive` or `additive` (docs/policy.md). */
  readonly attachment?: "exclusive" | "additive";
  /**
   * How the Azure ingest function authenticates Event Grid deliveries: a shared secret kept in
   * Secrets Manager, or Entra ID tokens. Required with `azure`.
   */
  readonly eventGridAuth?: Readonly<z.input<typeof EventGridAuthSchema>>;
  /**
   * The `aud` of the OIDC tokens that the Pub/Sub push subscription sends (its configured
   * audience). Required with `gcp`. It cannot default to the function URL: the URL is only
   * known after the function exists.
   */
  readonly pubSubAudience?: string;
  /** The service account the Pub/Sub push subscription signs its tokens as. Required with `gcp`. */
  readonly pubSubServiceAccountEmail?: string;
  /**
   * A customer managed key for the inventory table. Default: the AWS managed key `aws/dynamodb`,
   * whose use is logged in CloudTrail without a key policy to maintain; the table holds
   * workload addresses and labels, no secrets.
   */
  readonly tableEncryptionKey?: IKey;
  /**
   * The most concurrent executions of each ingest function (aws-events, azure-events,
   * gcp-events), reserved from the account's pool, so that a flood of events cannot starve the
   * account's other functions nor flood the queue. Default 10. Throttled EventBridge events are
   * retried by Lambda's async queue; Event Grid and Pub/Sub retry a throttled (429) delivery.
   * Reserved concurrency must leave the account 100 unreserved executions: with the default
   * quota of 1,000 that is no concern, with a new account's lower quota ask for an increase.
   */
  readonly ingestConcurrency?: number;
  /**
   * The record key (docs/iam.md): the secret under which segsync seals what it owns and what it
   * records for restore. Default: a secret the construct generates (64 letters and digits,
   * encrypted with `tableEncryptionKey` when given, kept when the stack is deleted). Give your
   * own to share it with the CLI; its SecretString must be at least 32 characters. Only the
   * reconciler may read it.
   */
  readonly recordKeySecret?: ISecret;
  /**
   * IAM role ARNs that may send to the queue besides segsync's own producers (the ingest
   * functions, the schedule, the deploy sync): for instance the role you redrive the dead-letter
   * queue with, which needs sqs:SendMessage on the queue. Everyone else is denied by the queue
   * policy, account administrators included. It compares aws:PrincipalArn: the role's ARN with
   * its path, not a session's.
   */
  readonly queueSenders?: readonly string[];
  /**
   * The organisation policies that keep segsync's tag keys to segsync (docs/guardrails.md): stack
   * outputs with each document, and the SCP deployed when `deployScp` is set.
   */
  readonly guardrails?: GuardrailsSettings;
}
