/**
 * AWS's part of `estate export --live` (docs/live.md, "Exporting your estate"): every account and
 * region of the live connection read (export-read.ts) and mapped (export.ts), one after another.
 */
import { locationKey } from "../../../lib/clouds/aws/model.js";
import { AwsOwnership } from "../../../lib/clouds/aws/ownership.js";
import type { AwsConnection } from "../../../lib/clouds/aws/provider.js";
import type { Sealer } from "../../../lib/clouds/common/seals.js";
import type { LabelConfig } from "../../../lib/inventory/labels.js";
import { appendPlace, type CloudExport, emptyExport, exportOwners } from "../common/export-places.js";
import { exportAws } from "./export.js";
import { readAwsForExport } from "./export-read.js";
import type { NativeAws } from "./native-schema.js";

export async function exportAwsPlaces(
  aws: AwsConnection,
  recordKey: Sealer,
  labels: LabelConfig,
): Promise<CloudExport<NativeAws>> {
  const owners = exportOwners((key) => new AwsOwnership(key), recordKey);
  const empty = { securityGroups: [], managedPrefixLists: [], networkInterfaces: [] };
  const part = emptyExport<NativeAws>(empty, aws.locations.length > 0);
  for (const location of aws.locations) {
    const vpcs = aws.vpcs?.[locationKey(location)];
    const read = await readAwsForExport(aws.apiFor(location), labels, owners.live, vpcs);
    appendPlace(part, exportAws(read, owners), read.findings);
    part.places.push(`aws:${locationKey(location)}`);
  }
  return part;
}
