/**
 * The inventory and policy the resolve figure resolves against: a generated estate
 * (bench/estate-generator.ts, the same for the same size), and the addresses its logs use.
 */
import type { Inventory } from "../../lib/inventory/model.js";
import { resolvePolicyDocument } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import { generateEstate } from "../estate-generator.js";
import type { AddressPool } from "./generate.js";

const SEED = 17;
const RULES = 500;

export function resolveEstate(workloads: number): { inventory: Inventory; policy: Policy } {
  const estate = generateEstate({ workloads, rules: RULES, seed: SEED });
  const loaded = resolvePolicyDocument(estate.policyDocument);
  if (!loaded.ok) throw new Error(`the generated policy does not resolve: ${loaded.issues[0]?.message}`);
  return { inventory: estate.inventory, policy: loaded.policy };
}

/** Every NIC's private address, with its interface id where an AWS log would name it (an ENI), in inventory order. */
export function addressPool(inventory: Inventory): AddressPool {
  return inventory.workloads.flatMap((workload) =>
    workload.nics.map((nic) =>
      nic.id?.startsWith("eni-")
        ? { address: nic.privateIp, interfaceId: nic.id }
        : { address: nic.privateIp },
    ),
  );
}
