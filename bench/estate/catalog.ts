import type { Cloud } from "../../lib/inventory/model.js";

/**
 * The fixed vocabulary of generated estates: clouds, regions, label values and their weights.
 * Shares are the rough shape of a multi-cloud enterprise estate, not measurements.
 */
export const CLOUD_SHARES: Readonly<Record<Cloud, number>> = { aws: 0.4, azure: 0.3, gcp: 0.3 };

export const AWS_REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"] as const;
export const AZURE_REGIONS = ["eastus", "westeurope", "centralus"] as const;
/** GCP region → its zones (a workload id names the zone, its loc label the region). */
export const GCP_ZONES: Readonly<Record<string, readonly string[]>> = {
  "us-central1": ["us-central1-a", "us-central1-b", "us-central1-c"],
  "europe-west1": ["europe-west1-b", "europe-west1-c", "europe-west1-d"],
  "asia-east1": ["asia-east1-a", "asia-east1-b"],
};

export const AWS_ACCOUNTS = 3;
export const AZURE_SUBSCRIPTIONS = 2;
export const GCP_PROJECTS = ["acme-prod", "acme-shared", "acme-data"] as const;

export const ENVS = ["prod", "staging", "dev"] as const;
export const ENV_WEIGHTS = [60, 20, 20] as const;

export const ROLES = ["web", "api", "db", "cache", "worker", "batch"] as const;
export const ROLE_WEIGHTS = [25, 25, 12, 8, 18, 12] as const;

/** The monitoring app whose prometheus scrapers are the extra-scope source of many rulesets. */
export const MONITORING_APP = "monitoring";
export const MONITORING_ROLE = "prometheus";

/** Base names for apps; beyond the list, names get a numeric suffix (`shop-3`). */
export const APP_WORDS = [
  "shop",
  "billing",
  "search",
  "checkout",
  "catalog",
  "payments",
  "inventory",
  "auth",
  "profile",
  "orders",
  "shipping",
  "reviews",
  "ads",
  "analytics",
  "chat",
  "media",
  "notify",
  "ledger",
  "pricing",
  "recommend",
  "fraud",
  "loyalty",
  "support",
  "identity",
  "gateway",
  "reports",
  "booking",
  "content",
  "mailer",
  "tracking",
] as const;

export function appName(index: number): string {
  const word = APP_WORDS[index % APP_WORDS.length] as string;
  const round = Math.floor(index / APP_WORDS.length);
  return round === 0 ? word : `${word}-${round}`;
}

/** Probabilities per workload. */
export const SHARES = {
  stopped: 0.03,
  unmanaged: 0.02,
  /** Among all workloads; applied to AWS and Azure only, since GCP labels cannot hold such values. */
  nonPortable: 0.005,
  /** web gets a public IP this often, the other roles `publicOther`: about 20% overall. */
  publicWeb: 0.6,
  publicOther: 0.0667,
  /** A workload lands in its (app, env)'s home network this often, anywhere otherwise. */
  homeNetwork: 0.75,
  /** Prometheus scrapers per workload. */
  monitoring: 0.002,
} as const;

/** One network per this many workloads (at least 3, one per cloud). */
export const WORKLOADS_PER_NETWORK = 500;
/** Apps: about one per this many workloads. */
export const WORKLOADS_PER_APP = 40;

/** The generated policy's tagPrefix; tags are `seg-app`, `seg-env`, `seg-role`, `seg-loc`. */
export const TAG_PREFIX = "seg-";
export const DIMENSIONS = ["app", "env", "role", "loc"] as const;
