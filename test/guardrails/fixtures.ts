import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../policy/fixtures.js";

export const FIXTURES = join(REPO_ROOT, "test", "fixtures", "guardrails");

export function fixture(path: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, path), "utf8"));
}

/** The example policy's labels, and principals of every kind. */
export const LABELS = { tagPrefix: "seg-", dimensions: ["app", "env", "role"] };
export const SEGSYNC_ROLE = "arn:aws:iam::111111111111:role/segsync-reconciler";
export const AZURE_PRINCIPAL = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
export const GCP_SERVICE_ACCOUNT = "segsync@shop-prod.iam.gserviceaccount.com";
export const GCP_SEGSYNC = `principal://iam.googleapis.com/projects/-/serviceAccounts/${GCP_SERVICE_ACCOUNT}`;
