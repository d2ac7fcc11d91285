/**
 * The reads of `estate export` in one project, all lists: what a full sync discovers, and the
 * project's subnetworks, whose ranges make its networks' estate CIDRs.
 */
import type { LabelConfig } from "../../inventory/labels.js";
import type { CloudFinding } from "../provider.js";
import type { GcpApi } from "./api.js";
import { discoverGcp } from "./discover.js";
import type { GcpProjectState, GcpSubnetwork } from "./model.js";
import type { GcpOwnership } from "./ownership.js";

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
