/**
 * The reads of `estate export` in one subscription, all lists: what a full sync discovers, the
 * ASGs that the discovered NSGs' rules name (an estate's references must resolve), and the VNets.
 */
import type { LabelConfig } from "../../inventory/labels.js";
import type { CloudFinding } from "../provider.js";
import type { AzureApi } from "./api.js";
import { discoverAzure } from "./discover.js";
import type { AzureExportRead } from "./export.js";
import type { AzureOwnership } from "./ownership.js";

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
