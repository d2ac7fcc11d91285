/**
 * The construct's props checked at synth, so that a bad policy or configuration fails
 * `cdk synth` instead of a cold start: the policy with its own `file:line:col path: message`
 * issues, the configuration against the schema the reconciler parses it with.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { z } from "zod";
import { type LiveConfig, LiveConfigSchema } from "../lib/live/config.js";
import { type EventGridAuth, EventGridAuthSchema } from "../lib/pipeline/environment.js";
import { formatIssue, loadPolicyText } from "../lib/policy/load.js";
import { formatPath } from "../lib/util/source-issues.js";
import type { SegmentationSynchronizerProps } from "./props.js";

/** A synth-time problem with the props; each line of `problems` is one issue. */
export class SynchronizerConfigError extends Error {
  constructor(
    summary: string,
    readonly problems: readonly string[],
  ) {
    super(`${summary}\n${problems.map((problem) => `  ${problem}`).join("\n")}`);
    this.name = new.target.name;
  }
}

export interface PolicySettings {
  readonly path: string;
  readonly text: string;
  /** Its name inside the reconciler's bundle; the extension keeps JSON parsed as JSON. */
  readonly bundleName: "policy.yaml" | "policy.json";
}

export interface PubSubSettings {
  readonly audience: string;
  readonly serviceAccountEmail: string;
}

export interface Settings {
  readonly policy: PolicySettings;
  readonly config: LiveConfig;
  /** The configuration as the reconciler receives it (SEGSYNC_CONFIG). */
  readonly configJson: string;
  readonly attachment: "exclusive" | "additive" | undefined;
  readonly eventGridAuth: EventGridAuth | undefined;
  readonly pubSub: PubSubSettings | undefined;
  /** Changes whenever what the reconciler enforces changes: the policy, the config, the attachment. */
  readonly fingerprint: string;
  /** The reserved concurrency of each ingest function. */
  readonly ingestConcurrency: number;
  /** Role ARNs the queue policy lets send besides the pipeline's own producers. */
  readonly queueSenders: readonly string[];
}

/** Reserved for each ingest function unless `ingestConcurrency` says otherwise. */
export const DEFAULT_INGEST_CONCURRENCY = 10;

/**
 * Lambda allows 4 KB of environment variables per function; the reconciler's other variables
 * (table name, policy file, Node options…) take at most about 500 bytes.
 */
const CONFIG_JSON_LIMIT = 3_500;
/**
 * The `recordKey` member the construct adds to SEGSYNC_CONFIG at deploy (its secret's ARN is a
 * token at synth): `,"recordKey":{"kind":"secret","secretArn":"…"}` with an ARN of up to 200 bytes.
 */
const RECORD_KEY_JSON_ALLOWANCE = 250;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

function loadPolicy(policyFile: string): PolicySettings {
  const path = resolve(policyFile);
  const shown = isAbsolute(policyFile) ? policyFile : relative(process.cwd(), path);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new SynchronizerConfigError("segsync: cannot read the policy file", [`${shown}: ${reason}`]);
  }
  const loaded = loadPolicyText(text, path);
  if (!loaded.ok) {
    const problems = loaded.issues.map((issue) => formatIssue(shown, issue));
    throw new SynchronizerConfigError(
      `segsync: the policy ${shown} is not valid (${problems.length} issue${problems.length === 1 ? "" : "s"})`,
      problems,
    );
  }
  return { path, text, bundleName: path.toLowerCase().endsWith(".json") ? "policy.json" : "policy.yaml" };
}

function zodProblems(prefix: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path.filter((segment) => typeof segment !== "symbol"));
    return `${prefix}${path === "(root)" ? "" : `.${path}`}: ${issue.message}`;
  });
}

function configDocument(props: SegmentationSynchronizerProps) {
  // A JSON round trip drops undefined members, so that SEGSYNC_CONFIG holds only what was given.
  return JSON.parse(
    JSON.stringify({
      apiVersion: "segsync/v1",
      kind: "Config",
      aws: props.aws,
      azure: props.azure,
      gcp: props.gcp,
      guard: props.guard,
    }),
  ) as unknown;
}

function ingestProblems(props: SegmentationSynchronizerProps, config: LiveConfig) {
  const problems: string[] = [];
  let eventGridAuth: EventGridAuth | undefined;
  let pubSub: PubSubSettings | undefined;
  if (config.azure !== undefined) {
    if (props.eventGridAuth === undefined) {
      problems.push("eventGridAuth: required with azure (how the Azure ingest function authenticates)");
    } else {
      const parsed = EventGridAuthSchema.safeParse(props.eventGridAuth);
      if (parsed.success) eventGridAuth = parsed.data;
      else problems.push(...zodProblems("eventGridAuth", parsed.error));
    }
  } else if (props.eventGridAuth !== undefined) {
    problems.push("eventGridAuth: given without azure");
  }
  const local = new Set(
    (config.aws?.accounts ?? []).filter((entry) => entry.roleArn === undefined).map((entry) => entry.account),
  );
  if (local.size > 1) {
    problems.push(
      `aws.accounts: ${[...local].join(", ")} have no roleArn, but the reconciler's own role reaches one account only (give the others a roleArn)`,
    );
  }
  if (props.attachment !== undefined && props.attachment !== "exclusive" && props.attachment !== "additive") {
    problems.push(`attachment: "${String(props.attachment)}" is neither exclusive nor additive`);
  }
  const pubSubGiven = props.pubSubAudience !== undefined || props.pubSubServiceAccountEmail !== undefined;
  if (config.gcp !== undefined) {
    const parsed = z
      .object({ pubSubAudience: z.string().min(1), pubSubServiceAccountEmail: z.email() })
      .safeParse(props);
    if (parsed.success) {
      pubSub = {
        audience: parsed.data.pubSubAudience,
        serviceAccountEmail: parsed.data.pubSubServiceAccountEmail,
      };
    } else {
      problems.push(...zodProblems("props", parsed.error).map((line) => line.replace(/^props\./, "")));
    }
  } else if (pubSubGiven) {
    problems.push("pubSubAudience, pubSubServiceAccountEmail: given without gcp");
  }
  return { problems, eventGridAuth, pubSub };
}

function deploymentProblems(props: SegmentationSynchronizerProps) {
  const parsed = z
    .object({
      ingestConcurrency: z
        .number()
        .int("must be a whole number")
        .min(1, "must be at least 1 (0 would stop the function)")
        .default(DEFAULT_INGEST_CONCURRENCY),
      queueSenders: z.array(z.string().regex(ROLE_ARN, "not an IAM role ARN")).default([]),
    })
    .safeParse({ ingestConcurrency: props.ingestConcurrency, queueSenders: props.queueSenders });
  if (parsed.success) return { problems: [], ...parsed.data };
  return {
    problems: zodProblems("props", parsed.error).map((line) => line.replace(/^props\./, "")),
    ingestConcurrency: DEFAULT_INGEST_CONCURRENCY,
    queueSenders: [],
  };
}

/** Every issue with the props at once, or the settings the construct deploys. */
export function resolveSettings(props: SegmentationSynchronizerProps): Settings {
  const policy = loadPolicy(props.policyFile);
  const document = configDocument(props);
  const parsed = LiveConfigSchema.safeParse(document);
  if (!parsed.success) {
    throw new SynchronizerConfigError(
      "segsync: the SegmentationSynchronizer configuration is not valid",
      zodProblems("config", parsed.error),
    );
  }
  const config = parsed.data;
  const ingest = ingestProblems(props, config);
  const deployment = deploymentProblems(props);
  ingest.problems.push(...deployment.problems);
  const configJson = JSON.stringify(document);
  const limit = CONFIG_JSON_LIMIT - RECORD_KEY_JSON_ALLOWANCE;
  if (configJson.length > limit) {
    ingest.problems.push(
      `config: ${configJson.length} bytes as JSON, more than the ${limit} that fit in the reconciler's environment beside the record key (Lambda allows 4 KB)`,
    );
  }
  if (ingest.problems.length > 0) {
    throw new SynchronizerConfigError(
      "segsync: the SegmentationSynchronizer configuration is not valid",
      ingest.problems,
    );
  }
  const fingerprint = createHash("sha256")
    .update(policy.text)
    .update("\0")
    .update(configJson)
    .update("\0")
    .update(props.attachment ?? "")
    .digest("hex");
  return {
    policy,
    config,
    configJson,
    attachment: props.attachment,
    eventGridAuth: ingest.eventGridAuth,
    pubSub: ingest.pubSub,
    fingerprint,
    ingestConcurrency: deployment.ingestConcurrency,
    queueSenders: deployment.queueSenders,
  };
}
