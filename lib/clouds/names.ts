/**
 * The registry of the clouds' names: one line per cloud, its `ids.ts` (its name and the formats of
 * its workload and network ids). CLOUDS, the Cloud type and the id parsing of lib/inventory are
 * derived from it, so it and each `ids.ts` are leaves: they import nothing that imports the
 * inventory (docs/architecture.md, "Adding a cloud").
 */
import { AWS_IDS } from "./aws/ids.js";
import { AZURE_IDS } from "./azure/ids.js";
import { GCP_IDS } from "./gcp/ids.js";

/** Every cloud, in the order segsync reads, plans and reports them. */
export const CLOUD_ID_FORMATS = [AWS_IDS, AZURE_IDS, GCP_IDS] as const;
