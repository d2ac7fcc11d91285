/**
 * The reads of `estate export` in one subscription, all lists: what a full sync discovers, the
 * ASGs that the discovered NSGs' rules name (an estate's references must resolve), and the VNets.
 */

import type { AzureApi } from "../../../lib/clouds/azure/api.js";
import { discoverAzure } from "../../../lib/clouds/azure/discover.js";
import type { AzureOwnership } from "../../../lib/clouds/azure/ownership.js";
import type { CloudFinding } from "../../../lib/clouds/provider.js";
import type { LabelConfig } from "../../../lib/inventory/labels.js";
import type { AzureExportRead } from "./export.js";

export async function readAzureForExport(
  api: AzureApi,
  labels: LabelConfig,
  ownership: AzureOwnership,
): Promise<AzureExportRead & { readonly findings: readonly CloudFinding[] }> {
  const discovery = await discoverAzure(api, labels, ownership);
  const { state } = discovery;
  const known = new Set(state.applicationSecurityGroups.map((asg) => asg.id.toLowerCase()));
  const named = new Set(
    state.networkSecurityGroups.flatMap((nsg) =>
      nsg.securityRules.flatMap((rule) =>
        [
          ...(rule.sourceApplicationSecurityGroups ?? []),
          ...(rule.destinationApplicationSecurityGroups ?? []),
        ].map((ref) => ref.id.toLowerCase()),
      ),
    ),
  );
  const missing = [...named].filter((id) => !known.has(id));
  const referenced =
    missing.length === 0
      ? []
      : (await api.listApplicationSecurityGroups()).filter((asg) => missing.includes(asg.id.toLowerCase()));
  const virtualNetworks = await api.listVirtualNetworks();
  return {
    state: { ...state, applicationSecurityGroups: [...state.applicationSecurityGroups, ...referenced] },
    virtualNetworks,
    findings: [...discovery.findings, ...api.takeUnreadable()],
  };
}
