/**
 * The reads of `estate export` in one project, all lists: what a full sync discovers, and the
 * project's subnetworks, whose ranges make its networks' estate CIDRs.
 */

import type { GcpApi } from "../../../lib/clouds/gcp/api.js";
import { discoverGcp } from "../../../lib/clouds/gcp/discover.js";
import type { GcpProjectState, GcpSubnetwork } from "../../../lib/clouds/gcp/model.js";
import type { GcpOwnership } from "../../../lib/clouds/gcp/ownership.js";
import type { CloudFinding } from "../../../lib/clouds/provider.js";
import type { LabelConfig } from "../../../lib/inventory/labels.js";

export interface GcpProjectRead {
  readonly state: GcpProjectState;
  readonly subnetworks: readonly GcpSubnetwork[];
  readonly findings: readonly CloudFinding[];
}

export async function readGcpForExport(
  api: GcpApi,
  labels: LabelConfig,
  ownership: GcpOwnership,
): Promise<GcpProjectRead> {
  const discovery = await discoverGcp(api, labels, ownership);
  const subnetworks = await api.listSubnetworks();
  return { state: discovery.state, subnetworks, findings: [...discovery.findings, ...api.takeUnreadable()] };
}
