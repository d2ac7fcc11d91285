/**
 * Where the simulated segsync keeps its NSGs and ASGs in each Azure subscription: where the
 * estate's own segsync objects are (an estate exported from a subscription segsync already wrote
 * to: docs/live.md, "Exporting your estate"), else SIMULATED_SEGSYNC_RESOURCE_GROUP. Otherwise the
 * simulation would plan segsync's objects anew in another resource group, and delete the old ones.
 */

import { parseResourceId } from "../../../lib/clouds/azure/model.js";
import { AzureOwnership } from "../../../lib/clouds/azure/ownership.js";
import { SIMULATOR_RECORD_KEY } from "../../../lib/clouds/common/seals.js";
import type { EstateFor } from "../../estate-core-schema.js";
import type { NativeAzure } from "./native-schema.js";

const OWNERSHIP = new AzureOwnership(SIMULATOR_RECORD_KEY);

/** Where the simulated segsync keeps its NSGs and ASGs in a subscription whose estate holds none. */
export const SIMULATED_SEGSYNC_RESOURCE_GROUP = "rg-segsync";

/** Subscription (lowercase) → the resource group of its first segsync NSG or ASG in the estate. */
export function segsyncResourceGroups(estate: EstateFor<"azure", NativeAzure>): Record<string, string> {
  const native = estate.native?.azure;
  const found: Record<string, string> = {};
  for (const resource of [
    ...(native?.networkSecurityGroups ?? []),
    ...(native?.applicationSecurityGroups ?? []),
  ]) {
    const parsed = parseResourceId(resource.id);
    if (parsed === undefined || !OWNERSHIP.owns(resource)) continue;
    found[parsed.subscription.toLowerCase()] ??= parsed.resourceGroup;
  }
  return found;
}
