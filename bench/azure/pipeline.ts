/**
 * The Azure pipeline the writes measurement drives (common/writes.ts): materializeAzure,
 * diffAzure, one SimulatedArm per subscription, and the minimal of minimal-writes.ts.
 */
import type { AzureDesired } from "../../lib/clouds/azure/desired.js";
import { diffAzure } from "../../lib/clouds/azure/diff.js";
import { type AzureMaterializeOptions, materializeAzure } from "../../lib/clouds/azure/materialize.js";
import type { AzureState } from "../../lib/clouds/azure/model.js";
import type { AzureOperation } from "../../lib/clouds/azure/operations.js";
import type { Inventory } from "../../lib/inventory/model.js";
import type { CloudPipeline } from "../common/writes.js";
import { azureMismatches, minimalAzureWrites } from "./minimal-writes.js";
import { AzureSimulators } from "./simulators.js";

export function azurePipeline(
  inventory: Inventory,
  options: AzureMaterializeOptions,
): CloudPipeline<AzureState, AzureDesired, AzureOperation> {
  const networks = new Map(inventory.networks.map((network) => [network.id, network]));
  return {
    cloud: "azure",
    materialize: (intent, state) => materializeAzure(intent, state, options),
    diff: (desired, state) => diffAzure(desired, state, options.ownership),
    simulators: (state) => new AzureSimulators(state, networks, options.quotas),
    minimal: (before, after, state) => ({ ...minimalAzureWrites(before, after, state), approximate: false }),
    mismatches: azureMismatches,
  };
}
