/** The examples' intent, and resolved connections on it, for the check and suggest tests (test/flows/check*.test.ts, suggest*.test.ts). */
import { compile } from "../../lib/compile/compile.js";
import type { Intent } from "../../lib/compile/model.js";
import { inventoryResolver, type ResolvedConnection, resolveConnection } from "../../lib/flows/resolve.js";
import type { Inventory } from "../../lib/inventory/model.js";
import type { Policy } from "../../lib/policy/model.js";
import { connection, examples } from "./resolve-support.js";

export const WEB = "aws:111111111111:us-east-1:i-0a00000000000001";
export const API = "aws:111111111111:us-east-1:i-0a00000000000003";
export const DB = "aws:111111111111:us-east-1:i-0a00000000000004";
export const AZURE_BATCH = "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-shop-prod:vm-batch-1";
/** Addresses of examples/estate.yaml. */
export const ADDRESS = {
  web: "10.1.0.11",
  web2: "10.1.0.12",
  api: "10.1.0.21",
  db: "10.1.0.31",
  prometheus: "10.1.0.41",
  azureBatch: "10.2.0.21",
  blogWeb: "10.2.0.31",
  gcpNat: "203.0.113.10",
} as const;

export interface Examples {
  readonly inventory: Inventory;
  readonly policy: Policy;
  readonly intent: Intent;
  /** One observed connection (tcp/5432 accepted unless said) resolved against the examples. */
  resolved(fields: Parameters<typeof connection>[0]): ResolvedConnection;
}

export async function examplesFor(adapt: (policy: Policy) => Policy = (policy) => policy): Promise<Examples> {
  const loaded = await examples();
  const policy = adapt(loaded.policy as Policy);
  const resolver = inventoryResolver(loaded.inventory, policy);
  return {
    inventory: loaded.inventory,
    policy,
    intent: compile(policy, loaded.inventory),
    resolved: (fields) => resolveConnection(connection(fields), resolver),
  };
}
