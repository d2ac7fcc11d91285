/**
 * Azure's part of `estate export --live` (docs/live.md, "Exporting your estate"): every
 * subscription of the live connection read (export-read.ts) and mapped (export.ts), one after another.
 */
import { AzureOwnership } from "../../../lib/clouds/azure/ownership.js";
import type { AzureConnection } from "../../../lib/clouds/azure/provider.js";
import type { Sealer } from "../../../lib/clouds/common/seals.js";
import type { LabelConfig } from "../../../lib/inventory/labels.js";
import { appendPlace, type CloudExport, emptyExport, exportOwners } from "../common/export-places.js";
import { exportAzure } from "./export.js";
import { readAzureForExport } from "./export-read.js";
import type { NativeAzure } from "./native-schema.js";

export async function exportAzurePlaces(
  azure: AzureConnection,
  recordKey: Sealer,
  labels: LabelConfig,
): Promise<CloudExport<NativeAzure>> {
  const owners = exportOwners((key) => new AzureOwnership(key), recordKey);
  const empty = { networkSecurityGroups: [], applicationSecurityGroups: [], networkInterfaces: [] };
  const part = emptyExport<NativeAzure>(empty, azure.subscriptions.length > 0);
  for (const subscription of azure.subscriptions) {
    const read = await readAzureForExport(azure.apiFor(subscription), labels, owners.live);
    appendPlace(part, exportAzure(read, owners), read.findings);
    part.places.push(`azure:${subscription}`);
  }
  return part;
}
