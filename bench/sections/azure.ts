/**
 * The `azure` section: materializeAzure and diffAzure timed on the estate's Azure workloads, what
 * they produce counted, then the ARM writes of single-workload changes through SimulatedArm
 * compared with the minimal (common/cloud-section.ts, bench/azure/minimal-writes.ts). Default
 * quotas, exclusive attachment, segsync's objects in `rg-segsync` of every subscription.
 */
import { DEFAULT_AZURE_QUOTAS } from "../../lib/clouds/azure/config.js";
import type { AzureDesired } from "../../lib/clouds/azure/desired.js";
import type { Inventory } from "../../lib/inventory/model.js";
import type { Policy } from "../../lib/policy/model.js";
import { azureStateOf, SEGSYNC_RESOURCE_GROUP, vnetOf } from "../azure/estate-state.js";
import { azurePipeline } from "../azure/pipeline.js";
import { type CloudResult, defineCloudSection } from "../common/cloud-section.js";
import { AZURE_OWNERSHIP } from "../common/seals.js";
import { formatCount } from "../format.js";

export interface AzureCounts {
  readonly networkSecurityGroups: number;
  /** Custom rules over every owned NSG (segsync's deny-all and load-balancer rules included). */
  readonly rules: number;
  readonly applicationSecurityGroups: number;
  /** NICs whose NSG and owned ASGs segsync sets (enforced, or given back). */
  readonly interfaces: number;
}

export type AzureResult = CloudResult<AzureCounts>;

/** Default quotas, exclusive attachment, the policy's load-balancer probes, rg-segsync everywhere. */
function pipeline(inventory: Inventory, policy: Policy) {
  const resourceGroups: Record<string, string> = {};
  for (const network of inventory.networks) {
    if (network.id.startsWith("azure:"))
      resourceGroups[vnetOf(network.id).subscription] = SEGSYNC_RESOURCE_GROUP;
  }
  return azurePipeline(inventory, {
    quotas: DEFAULT_AZURE_QUOTAS,
    attachment: "exclusive",
    loadBalancerProbes: policy.platform.azureLoadBalancerProbes,
    resourceGroups,
    ownership: AZURE_OWNERSHIP,
  });
}

export const azureSection = defineCloudSection({
  name: "azure",
  description:
    "materializeAzure and diffAzure on the estate's Azure workloads (default quotas, exclusive attachment); ARM writes of single-workload changes through SimulatedArm against the minimal",
  pipeline: ({ inventory, policy }) => pipeline(inventory, policy),
  stateOf: azureStateOf,
  instances: (state) => state.reduce((sum, subscription) => sum + subscription.virtualMachines.length, 0),
  counts: (desired: AzureDesired): AzureCounts => ({
    networkSecurityGroups: desired.networkSecurityGroups.length,
    rules: desired.networkSecurityGroups.reduce((sum, nsg) => sum + nsg.securityRules.length, 0),
    applicationSecurityGroups: desired.applicationSecurityGroups.length,
    interfaces: desired.networkInterfaces.length,
  }),
  findings: (desired) => desired.findings,
  // SimulatedArm checks every NIC PUT against every NIC of the subscription, and its state()
  // scans every NIC for every NSG.
  fullWritesMaxInstances: 10_000,
  instancesHeader: "VMs",
  countColumns: [
    { header: "NSGs", cell: (c) => formatCount(c.networkSecurityGroups) },
    { header: "NSG rules", cell: (c) => formatCount(c.rules) },
    { header: "ASGs", cell: (c) => formatCount(c.applicationSecurityGroups) },
    { header: "NICs", cell: (c) => formatCount(c.interfaces) },
  ],
  countsNote:
    "VMs: Azure VMs. NSGs, NSG rules, ASGs, NICs: what materializeAzure wants (owned NSGs, their custom rules, owned ASGs, NICs whose NSG and owned ASGs it sets); plan ops: the first diffAzure plan; findings by code.",
  names: {
    api: "ARM",
    materialize: "materializeAzure",
    diff: "diffAzure",
    simulatorState: "SimulatedArm.state()",
    stateBuiltDirectly:
      "building it directly skips the checks of each VM created through the simulator's controls",
    simulators: "SimulatedArm per subscription",
    instances: "Azure VMs",
    estateState: "bench/azure/estate-state.ts",
    minimalWrites:
      "bench/azure/minimal-writes.ts, which counts a NIC's make-before-break ASG join as its own PUT where an NSG written in the same plan names the ASG",
  },
});
