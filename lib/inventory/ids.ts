/**
 * Workload and network ids (docs/architecture.md, "Vocabulary"), checked part by part against each
 * cloud's own naming rules (ASCII only), so that a malformed id is caught where it enters rather
 * than silently never matching anything:
 *   workload  aws:<account>:<region>:<instanceId> | azure:<subscription>:<resourceGroup>:<vmName> | gcp:<project>:<zone>:<instanceName>
 *   network   aws:<account>:<region>:<vpcId>      | azure:<subscription>:<resourceGroup>:<vnetName> | gcp:<project>:<networkName>
 * No part can contain `:`, so splitting on it is unambiguous.
 */
import { z } from "zod";
import { InvalidIdError } from "./errors.js";
import { CLOUDS, type Cloud, type NetworkId, type WorkloadId } from "./model.js";

export type WorkloadIdParts =
  | { readonly cloud: "aws"; readonly account: string; readonly region: string; readonly instanceId: string }
  | {
      readonly cloud: "azure";
      readonly subscription: string;
      readonly resourceGroup: string;
      readonly vmName: string;
    }
  | { readonly cloud: "gcp"; readonly project: string; readonly zone: string; readonly instanceName: string };

export type NetworkIdParts =
  | { readonly cloud: "aws"; readonly account: string; readonly region: string; readonly vpcId: string }
  | {
      readonly cloud: "azure";
      readonly subscription: string;
      readonly resourceGroup: string;
      readonly vnetName: string;
    }
  | { readonly cloud: "gcp"; readonly project: string; readonly networkName: string };

interface PartRule {
  readonly key: string;
  readonly pattern: RegExp;
  /** Completes "<key> ... must be ..." in error messages. */
  readonly rule: string;
}

const RFC_1035 = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const RFC_1035_RULE = "1-63 of a-z, 0-9 and -, starting with a letter and not ending with -";

const AWS_ACCOUNT: PartRule = { key: "account", pattern: /^\d{12}$/, rule: "12 digits" };
const AWS_REGION: PartRule = {
  key: "region",
  pattern: /^[a-z]{2}(?:-gov)?-[a-z]+-\d$/,
  rule: "a region such as us-east-1",
};
const AZURE_SUBSCRIPTION: PartRule = {
  key: "subscription",
  pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  rule: "a lowercase GUID",
};
const AZURE_RESOURCE_GROUP: PartRule = {
  key: "resourceGroup",
  pattern: /^[\w.()-]{0,89}[\w()-]$/,
  rule: "1-90 of letters, digits, _ - . ( ), not ending with .",
};
const GCP_PROJECT: PartRule = {
  key: "project",
  pattern: /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
  rule: "6-30 of a-z, 0-9 and -, starting with a letter and not ending with -",
};

const WORKLOAD_FORMS: Readonly<Record<Cloud, readonly PartRule[]>> = {
  aws: [
    AWS_ACCOUNT,
    AWS_REGION,
    // EC2 issues 8 or 17 hex digits; samples and users' estates use other lengths: accept 8 to 17.
    { key: "instanceId", pattern: /^i-[0-9a-f]{8,17}$/, rule: "i- and 8 to 17 hex digits" },
  ],
  azure: [
    AZURE_SUBSCRIPTION,
    AZURE_RESOURCE_GROUP,
    { key: "vmName", pattern: /^[\w.-]{1,64}$/, rule: "1-64 of letters, digits, - _ and ." },
  ],
  gcp: [
    GCP_PROJECT,
    { key: "zone", pattern: /^[a-z]+-[a-z]+\d+-[a-z]$/, rule: "a zone such as us-central1-a" },
    { key: "instanceName", pattern: RFC_1035, rule: RFC_1035_RULE },
  ],
};

const NETWORK_FORMS: Readonly<Record<Cloud, readonly PartRule[]>> = {
  aws: [
    AWS_ACCOUNT,
    AWS_REGION,
    { key: "vpcId", pattern: /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, rule: "vpc- and 8 or 17 hex digits" },
  ],
  azure: [
    AZURE_SUBSCRIPTION,
    AZURE_RESOURCE_GROUP,
    {
      key: "vnetName",
      pattern: /^[A-Za-z0-9][\w.-]{0,62}\w$/,
      rule: "2-64 of letters, digits, _ - and ., starting with a letter or digit, ending with one or _",
    },
  ],
  gcp: [GCP_PROJECT, { key: "networkName", pattern: RFC_1035, rule: RFC_1035_RULE }],
};

type ParseResult = { ok: true; parts: Record<string, string> } | { ok: false; message: string };

function expectedForm(cloud: Cloud, forms: Readonly<Record<Cloud, readonly PartRule[]>>): string {
  return [cloud, ...forms[cloud].map((part) => `<${part.key}>`)].join(":");
}

function parseWith(
  text: string,
  kind: "workload" | "network",
  forms: Readonly<Record<Cloud, readonly PartRule[]>>,
): ParseResult {
  const [prefix, ...values] = text.split(":");
  if (!isCloud(prefix)) {
    const all = CLOUDS.map((cloud) => expectedForm(cloud, forms)).join(", ");
    return { ok: false, message: `"${text}" is not a ${kind} id: expected one of ${all}` };
  }
  const rules = forms[prefix];
  const form = expectedForm(prefix, forms);
  if (values.length !== rules.length) {
    return { ok: false, message: `"${text}" is not a valid ${prefix} ${kind} id: expected ${form}` };
  }
  const parts: Record<string, string> = { cloud: prefix };
  for (const [index, rule] of rules.entries()) {
    const value = values[index] ?? "";
    if (!rule.pattern.test(value)) {
      return {
        ok: false,
        message: `"${text}" is not a valid ${prefix} ${kind} id (${form}): ${rule.key} "${value}" must be ${rule.rule}`,
      };
    }
    parts[rule.key] = value;
  }
  return { ok: true, parts };
}

function formatWith(
  parts: { readonly cloud: Cloud },
  kind: "workload" | "network",
  forms: Readonly<Record<Cloud, readonly PartRule[]>>,
): string {
  // The parts types mirror the form tables key for key; read them by key to join in order.
  const byKey = parts as unknown as Readonly<Record<string, unknown>>;
  const text = [parts.cloud, ...(forms[parts.cloud] ?? []).map((rule) => String(byKey[rule.key]))].join(":");
  const parsed = parseWith(text, kind, forms);
  if (!parsed.ok) throw new InvalidIdError(text, parsed.message);
  return text;
}

export function isCloud(text: string | undefined): text is Cloud {
  return (CLOUDS as readonly (string | undefined)[]).includes(text);
}

/** The cloud of a workload or network id, from its prefix alone (cheap; does not check the rest). */
export function cloudOfId(id: WorkloadId | NetworkId): Cloud {
  const prefix = id.slice(0, id.indexOf(":"));
  if (!isCloud(prefix)) {
    throw new InvalidIdError(id, `"${id}" is not an id: it must start with ${CLOUDS.join(":, ")}:`);
  }
  return prefix;
}

/** Why `text` is not a workload id, or undefined when it is one. */
export function workloadIdProblem(text: string): string | undefined {
  const parsed = parseWith(text, "workload", WORKLOAD_FORMS);
  return parsed.ok ? undefined : parsed.message;
}

/** Why `text` is not a network id, or undefined when it is one. */
export function networkIdProblem(text: string): string | undefined {
  const parsed = parseWith(text, "network", NETWORK_FORMS);
  return parsed.ok ? undefined : parsed.message;
}

export function isWorkloadId(text: string): boolean {
  return parseWith(text, "workload", WORKLOAD_FORMS).ok;
}

export function isNetworkId(text: string): boolean {
  return parseWith(text, "network", NETWORK_FORMS).ok;
}

/** Splits a workload id into its cloud's parts; throws InvalidIdError naming the first bad part. */
export function parseWorkloadId(text: string): WorkloadIdParts {
  const parsed = parseWith(text, "workload", WORKLOAD_FORMS);
  if (!parsed.ok) throw new InvalidIdError(text, parsed.message);
  return parsed.parts as unknown as WorkloadIdParts;
}

/** Splits a network id into its cloud's parts; throws InvalidIdError naming the first bad part. */
export function parseNetworkId(text: string): NetworkIdParts {
  const parsed = parseWith(text, "network", NETWORK_FORMS);
  if (!parsed.ok) throw new InvalidIdError(text, parsed.message);
  return parsed.parts as unknown as NetworkIdParts;
}

/** Builds a workload id; throws InvalidIdError when a part breaks its cloud's naming rules. */
export function formatWorkloadId(parts: WorkloadIdParts): WorkloadId {
  return formatWith(parts, "workload", WORKLOAD_FORMS);
}

/** Builds a network id; throws InvalidIdError when a part breaks its cloud's naming rules. */
export function formatNetworkId(parts: NetworkIdParts): NetworkId {
  return formatWith(parts, "network", NETWORK_FORMS);
}

export const WorkloadIdSchema = z.string().superRefine((text, ctx) => {
  const problem = workloadIdProblem(text);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});

export const NetworkIdSchema = z.string().superRefine((text, ctx) => {
  const problem = networkIdProblem(text);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});
