/**
 * The registry of the clouds' names: one line per cloud, its `ids.ts` (its name and the formats of
 * its workload and network ids) and its `ownership-keys.ts` (the tag keys it writes, which the
 * guardrails reserve). CLOUDS, the Cloud type and the id parsing of lib/inventory are derived from
 * it, so it and those files are leaves: they import nothing that imports the inventory
 * (docs/architecture.md, "Adding a cloud").
 */
import { AWS_IDS } from "./aws/ids.js";
import { AWS_OWNERSHIP_KEYS } from "./aws/ownership-keys.js";
import { AZURE_IDS } from "./azure/ids.js";
import { AZURE_OWNERSHIP_KEYS } from "./azure/ownership-keys.js";
import type { CloudIdFormat } from "./common/id-format.js";
import type { ReservedKeys } from "./common/reserved-keys.js";
import { GCP_IDS } from "./gcp/ids.js";
import { GCP_OWNERSHIP_KEYS } from "./gcp/ownership-keys.js";

export interface CloudEntry {
  readonly ids: CloudIdFormat;
  readonly ownershipKeys: ReservedKeys;
}

/** Every cloud, in the order segsync reads, plans and reports them. */
export const CLOUD_ENTRIES = [
  { ids: AWS_IDS, ownershipKeys: AWS_OWNERSHIP_KEYS },
  { ids: AZURE_IDS, ownershipKeys: AZURE_OWNERSHIP_KEYS },
  { ids: GCP_IDS, ownershipKeys: GCP_OWNERSHIP_KEYS },
] as const satisfies readonly CloudEntry[];
