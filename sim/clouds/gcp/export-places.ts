/**
 * GCP's part of `estate export --live` (docs/live.md, "Exporting your estate"): every project of
 * the live connection, and the Shared VPC service projects of its hosts, read (export-read.ts) and
 * mapped (export.ts).
 */
import type { Sealer } from "../../../lib/clouds/common/seals.js";
import { GcpOwnership } from "../../../lib/clouds/gcp/ownership.js";
import type { GcpConnection } from "../../../lib/clouds/gcp/provider.js";
import { projectsToRead } from "../../../lib/clouds/gcp/service-projects.js";
import type { LabelConfig } from "../../../lib/inventory/labels.js";
import { appendPlace, type CloudExport, emptyExport, exportOwners } from "../common/export-places.js";
import { exportGcp } from "./export.js";
import { readGcpForExport } from "./export-read.js";
import type { NativeGcp } from "./native-schema.js";

/**
 * Every configured project and the Shared VPC service projects of the configured hosts, as every
 * full read covers them. A Shared VPC network's subnetworks are in its host project: every
 * project's are offered to each, and a network two projects' parts name is written once.
 */
export async function exportGcpPlaces(
  gcp: GcpConnection,
  recordKey: Sealer,
  labels: LabelConfig,
): Promise<CloudExport<NativeGcp>> {
  const owners = exportOwners((key) => new GcpOwnership(key), recordKey);
  const part = emptyExport<NativeGcp>({ firewalls: [], instances: [] }, gcp.projects.length > 0);
  const projects = await projectsToRead(gcp);
  part.findings.push(...projects.findings);
  const reads = [];
  for (const project of projects.projects) {
    reads.push(await readGcpForExport(gcp.apiFor(project), labels, owners.live));
    part.places.push(`gcp:${project}`);
  }
  const subnetworks = reads.flatMap((read) => read.subnetworks);
  for (const read of reads) {
    const parts = exportGcp({ state: read.state, subnetworks }, owners);
    appendPlace(part, { ...parts, networks: [] }, read.findings);
    for (const network of parts.networks) {
      if (!part.networks.some((known) => known.id === network.id)) part.networks.push(network);
    }
  }
  return part;
}
