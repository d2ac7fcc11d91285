/**
 * Each function's environment (lib/pipeline/environment.ts) from the checked settings. Pure, so that
 * the `bundles` benchmark can start the bundles with the environment they are deployed with.
 */

import type { RecordKeySource } from "../lib/live/config.js";
import { FUNCTION_NODE_OPTIONS, type FunctionName } from "./bundling.js";
import type { Settings } from "./settings.js";

/** The environment every function gets besides its own (lib/pipeline/environment.ts). */
export function commonEnvironment(name: FunctionName): Record<string, string> {
  return {
    NODE_OPTIONS: FUNCTION_NODE_OPTIONS,
    POWERTOOLS_SERVICE_NAME: `segsync-${name}`,
    POWERTOOLS_METRICS_NAMESPACE: "segsync",
  };
}

export interface DeployedNames {
  readonly queueUrl: string;
  readonly tableName: string;
  /** The record key's secret (a token at synth: its ARN is resolved in the JSON at deploy). */
  readonly recordKeySecretArn: string;
}

/** What the reconciler parses as its configuration: the checked one, and where its record key is. */
export function reconcilerConfigJson(settings: Settings, recordKeySecretArn: string): string {
  const recordKey: RecordKeySource = { kind: "secret", secretArn: recordKeySecretArn };
  return JSON.stringify({ ...(JSON.parse(settings.configJson) as object), recordKey });
}

export type IngestFunctionName = Exclude<FunctionName, "reconciler">;

/** The ingest functions that the settings need: one per configured cloud (the reconciler always). */
export function ingestFunctions(settings: Settings): IngestFunctionName[] {
  return [
    ...(settings.config.aws === undefined ? [] : (["aws-events"] as const)),
    ...(settings.config.azure === undefined ? [] : (["azure-events"] as const)),
    ...(settings.config.gcp === undefined ? [] : (["gcp-events"] as const)),
  ];
}

export function functionEnvironment(
  name: FunctionName,
  settings: Settings,
  names: DeployedNames,
): Record<string, string> {
  switch (name) {
    case "aws-events":
      return {
        SEGSYNC_QUEUE_URL: names.queueUrl,
        // The places whose events it may enqueue; never the roles that reach them.
        SEGSYNC_AWS_ACCOUNTS: JSON.stringify(
          (settings.config.aws?.accounts ?? []).map(({ account, regions }) => ({ account, regions })),
        ),
      };
    case "azure-events":
      return {
        SEGSYNC_QUEUE_URL: names.queueUrl,
        SEGSYNC_EVENTGRID_AUTH: JSON.stringify(settings.eventGridAuth),
        SEGSYNC_AZURE_SUBSCRIPTIONS: JSON.stringify(
          (settings.config.azure?.subscriptions ?? []).map((entry) => entry.subscription),
        ),
      };
    case "gcp-events":
      return {
        SEGSYNC_QUEUE_URL: names.queueUrl,
        SEGSYNC_PUBSUB_AUDIENCE: settings.pubSub?.audience ?? "",
        SEGSYNC_PUBSUB_EMAIL: settings.pubSub?.serviceAccountEmail ?? "",
        SEGSYNC_GCP_PROJECTS: JSON.stringify([
          ...(settings.config.gcp?.projects ?? []),
          ...(settings.config.gcp?.serviceProjects ?? []),
        ]),
        SEGSYNC_GCP_FIND_SERVICE_PROJECTS: String(
          settings.config.gcp !== undefined && settings.config.gcp.findServiceProjects !== false,
        ),
      };
    case "reconciler":
      return {
        SEGSYNC_CONFIG: reconcilerConfigJson(settings, names.recordKeySecretArn),
        SEGSYNC_POLICY_FILE: settings.policy.bundleName,
        SEGSYNC_TABLE: names.tableName,
        // Its own queue's depth, read to coalesce bursts (docs/architecture.md, "Coalescing a burst").
        SEGSYNC_QUEUE_URL: names.queueUrl,
        ...(settings.attachment === undefined ? {} : { SEGSYNC_ATTACHMENT: settings.attachment }),
      };
  }
}
