/**
 * The keys and names that the guardrails reserve, taken from the clouds' ownership modules so that
 * a renamed key cannot leave its guardrail behind (test/guardrails/keys.test.ts checks the prefixes).
 */
import * as awsOwnership from "../clouds/aws/ownership.js";
import * as azureOwnership from "../clouds/azure/ownership.js";
import * as gcpOwnership from "../clouds/gcp/ownership.js";

/** The policy's labels: what the label guardrails protect. */
export interface LabelKeys {
  readonly tagPrefix: string;
  readonly dimensions: readonly string[];
}

/** Every AWS tag key of segsync starts with it (`segsync:managed`, `segsync:seal`, …). */
export const AWS_RESERVED_PREFIX = "segsync:";

/** The AWS keys segsync writes, for the tag policy (each must start with AWS_RESERVED_PREFIX). */
export const AWS_RESERVED_KEYS: readonly string[] = [
  awsOwnership.OWNERSHIP_TAG.Key,
  awsOwnership.IDENTITY_TAG_KEY,
  awsOwnership.SEAL_TAG_KEY,
  awsOwnership.ORIGINAL_GROUPS_TAG_KEY,
  awsOwnership.ORIGINAL_GROUPS_SEAL_TAG_KEY,
];
export const AWS_OWNERSHIP_KEY = awsOwnership.OWNERSHIP_TAG.Key;
export const AWS_OWNERSHIP_VALUE = awsOwnership.OWNERSHIP_TAG.Value;

/** Azure tags segsync writes on its own NSGs and ASGs. */
export const AZURE_OWNED_KEYS: readonly string[] = [
  azureOwnership.OWNERSHIP_TAG_KEY,
  azureOwnership.IDENTITY_TAG_KEY,
  azureOwnership.SEAL_TAG_KEY,
];
/** Azure tags segsync writes on NICs: its record of their original NSG. */
export const AZURE_RECORD_KEYS: readonly string[] = [
  azureOwnership.ORIGINAL_NSG_TAG_KEY,
  azureOwnership.ORIGINAL_NSG_SEAL_TAG_KEY,
];

/** GCP firewall rules and network tags of segsync start with it. */
export const GCP_OWNED_PREFIX = gcpOwnership.OWNED_PREFIX;

/**
 * The label keys as patterns for a policy language with a `*` wildcard: `<tagPrefix>*` covers
 * dimensions added later; with an empty prefix, `*` would cover every key, so the keys themselves.
 */
export function labelKeyPatterns(labels: LabelKeys): readonly string[] {
  if (labels.tagPrefix !== "") return [`${labels.tagPrefix}*`];
  return [...labels.dimensions].sort();
}

/** The label keys themselves (`<tagPrefix><dimension>`). */
export function labelKeys(labels: LabelKeys): readonly string[] {
  return labels.dimensions.map((dimension) => `${labels.tagPrefix}${dimension}`).sort();
}
