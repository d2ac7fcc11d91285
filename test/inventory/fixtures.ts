import type { Network, Workload } from "../../lib/inventory/model.js";

export const AWS_VPC = "aws:111111111111:us-east-1:vpc-0a1b2c3d";
export const AZURE_VNET = "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-net:vnet-prod";
export const GCP_NET = "gcp:shop-prod:prod-net";

export const AWS_WEB = "aws:111111111111:us-east-1:i-0a000000000000001";
export const AZURE_API = "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-app:vm-api-1";
export const GCP_DB = "gcp:shop-prod:us-central1-a:db-1";

export function awsWeb(overrides: Partial<Workload> = {}): Workload {
  return {
    id: AWS_WEB,
    state: "running",
    nics: [{ id: "eni-0a000000000000001", network: AWS_VPC, privateIp: "10.1.0.11", publicIp: "54.0.0.11" }],
    tags: { "seg-app": "shop", "seg-env": "prod", "seg-role": "web", Name: "web-1" },
    ...overrides,
  };
}

export function azureApi(overrides: Partial<Workload> = {}): Workload {
  return {
    id: AZURE_API,
    state: "running",
    nics: [{ network: AZURE_VNET, privateIp: "10.2.0.21" }],
    tags: { "seg-app": "shop", "seg-env": "prod", "seg-role": "api" },
    ...overrides,
  };
}

export function gcpDb(overrides: Partial<Workload> = {}): Workload {
  return {
    id: GCP_DB,
    state: "stopped",
    nics: [
      { id: "nic0", network: GCP_NET, privateIp: "10.3.0.31" },
      { network: GCP_NET, privateIp: "2001:db8::31" },
    ],
    tags: { "seg-app": "shop", "seg-env": "prod", "seg-role": "db" },
    ...overrides,
  };
}

export const NETWORKS: readonly Network[] = [
  { id: AWS_VPC, cidr: "10.1.0.0/16" },
  { id: AZURE_VNET, cidr: "10.2.0.0/16", region: "eastus" },
  { id: GCP_NET, cidr: "10.3.0.0/16" },
];
