import type { Inventory } from "../lib/inventory/model.js";
import { generateNetworkPolicy } from "./estate/network-policy.js";
import { generateNetworks } from "./estate/networks.js";
import { generatePolicyDocument } from "./estate/policy.js";
import type { PolicyDocument } from "./estate/policy-document.js";
import { Rng } from "./estate/prng.js";
import { generateWorkloads } from "./estate/workloads.js";

export { applyChanges, randomChanges } from "./estate/changes.js";
export type { PolicyDocument } from "./estate/policy-document.js";

export interface EstateOptions {
  readonly workloads: number;
  /** Total rules across all rulesets, exactly. */
  readonly rules: number;
  readonly seed: number;
}

export interface GeneratedEstate {
  readonly inventory: Inventory;
  /** A raw segsync/v1 Policy document, to be resolved with `resolvePolicyDocument`. */
  readonly policyDocument: PolicyDocument;
}

/**
 * A synthetic multi-cloud estate and a policy for it, the same for the same options: the
 * benchmark's input. See bench/estate/ for the distributions (catalog.ts holds the shares).
 */
export function generateEstate(options: EstateOptions): GeneratedEstate {
  if (!Number.isInteger(options.workloads) || options.workloads < 1) {
    throw new Error(`workloads must be a positive whole number, got ${options.workloads}`);
  }
  const rng = new Rng(options.seed);
  const sites = generateNetworks(rng, options.workloads);
  // Connectivity comes first: teams extend their apps over the interconnects that exist.
  const networks = generateNetworkPolicy(rng, sites);
  const estate = generateWorkloads(rng, sites, networks, options.workloads);
  const policyDocument = generatePolicyDocument(rng, sites, networks, estate, options.rules);
  return {
    inventory: { networks: sites.map((site) => site.network), workloads: estate.workloads },
    policyDocument,
  };
}
