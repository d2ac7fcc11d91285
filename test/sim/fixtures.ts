/** Shared test material for sim/: the repository's examples and a small estate written line by line. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Estate, formatIssue, loadEstateFile, loadEstateText } from "../../sim/estate.js";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const EXAMPLE_ESTATE = join(REPO_ROOT, "examples", "estate.yaml");
export const SCENARIOS_DIR = join(REPO_ROOT, "examples", "scenarios");

export const SUB = "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f";
export const AWS_VPC = "aws:111111111111:us-east-1:vpc-0a1b2c3d";
export const AZURE_VNET = `azure:${SUB}:rg-net:vnet-prod`;
export const GCP_NET = "gcp:shop-prod:prod-net";
export const AWS_WEB = "aws:111111111111:us-east-1:i-0a00000000000001";
export const AZURE_API = `azure:${SUB}:rg-shop:vm-api-1`;
export const GCP_DB = "gcp:shop-prod:us-central1-a:db-1";

/** Lines 1-6: the header and the three networks. */
export const HEADER = [
  "apiVersion: segsync/v1",
  "kind: Estate",
  "networks:",
  `  - { id: "${AWS_VPC}", cidr: 10.1.0.0/16 }`,
  `  - { id: "${AZURE_VNET}", region: eastus, cidr: 10.2.0.0/16 }`,
  `  - { id: "${GCP_NET}", cidr: 10.3.0.0/16 }`,
];

/** Lines 7-13: one workload in each cloud, one line each. */
export const WORKLOADS = [
  "workloads:",
  `  - { id: "${AWS_WEB}", network: "${AWS_VPC}", privateIp: 10.1.0.11, publicIp: 54.0.0.11, tags: { seg-app: shop, seg-role: web, Name: web-1 } }`,
  `  - { id: "${AZURE_API}", network: "${AZURE_VNET}", privateIp: 10.2.0.11, tags: { seg-app: shop, seg-role: api } }`,
  `  - { id: "${GCP_DB}", network: "${GCP_NET}", privateIp: 10.3.0.11, tags: { seg-app: shop, seg-role: db } }`,
];

export function text(...lines: readonly string[]): string {
  return `${lines.join("\n")}\n`;
}

export const SMALL_ESTATE = text(...HEADER, ...WORKLOADS);

/** The `file:line:col path: message` lines of an estate that must not load. */
export function estateIssues(source: string, fileName = "e.yaml"): string[] {
  const result = loadEstateText(source, fileName);
  if (result.ok) throw new Error("expected the estate to be refused");
  return result.issues.map((issue) => formatIssue(fileName, issue));
}

export function estateOf(source: string): Estate {
  const result = loadEstateText(source, "e.yaml");
  if (!result.ok) throw new Error(result.issues.map((issue) => formatIssue("e.yaml", issue)).join("\n"));
  return result.estate;
}

export async function exampleEstate(): Promise<Estate> {
  const result = await loadEstateFile(EXAMPLE_ESTATE);
  if (!result.ok) throw new Error(result.issues.map((issue) => formatIssue("estate.yaml", issue)).join("\n"));
  return result.estate;
}
