import { applyAzurePlan } from "../../../lib/clouds/azure/apply.js";
import type { AzureQuotas } from "../../../lib/clouds/azure/config.js";
import type { AzureDesired } from "../../../lib/clouds/azure/desired.js";
import { diffAzure } from "../../../lib/clouds/azure/diff.js";
import { discoverAzure } from "../../../lib/clouds/azure/discover.js";
import { materializeAzure } from "../../../lib/clouds/azure/materialize.js";
import type { AzureState } from "../../../lib/clouds/azure/model.js";
import type { AzureOperation } from "../../../lib/clouds/azure/operations.js";
import { AZURE_WRITE_METHODS, SimulatedArm } from "../../../lib/clouds/azure/sim-api.js";
import { compile } from "../../../lib/compile/compile.js";
import type { Intent } from "../../../lib/compile/model.js";
import { parseNetworkId, parseWorkloadId } from "../../../lib/inventory/ids.js";
import type { Workload } from "../../../lib/inventory/model.js";
import type { Attachment, Policy } from "../../../lib/policy/model.js";

export const SUBSCRIPTION = "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f";
export const SEGSYNC_RESOURCE_GROUP = "rg-segsync";
/** The VNets the tests use: network id → region and address space. */
export const AZURE_VNETS: Record<string, { location: string; addressPrefix: string }> = {
  [`azure:${SUBSCRIPTION}:rg-net:vnet-prod`]: { location: "eastus", addressPrefix: "10.2.0.0/16" },
  [`azure:${SUBSCRIPTION}:rg-net:vnet-dev`]: { location: "westus", addressPrefix: "10.6.0.0/16" },
};

/** One simulated subscription built from estate workloads, and the pipeline run over it. */
export class AzureTestbed {
  readonly sim: SimulatedArm;

  constructor(
    workloads: readonly Workload[],
    private readonly quotas: AzureQuotas,
    customerNsgFor: ReadonlySet<string> = new Set(),
  ) {
    this.sim = SimulatedArm.empty(SUBSCRIPTION, { quotas });
    for (const [id, vnet] of Object.entries(AZURE_VNETS)) {
      const network = parseNetworkId(id);
      if (network.cloud !== "azure") continue;
      this.sim.createVirtualNetwork({
        resourceGroup: network.resourceGroup,
        name: network.vnetName,
        ...vnet,
      });
    }
    const customer = this.sim.createNetworkSecurityGroup({
      resourceGroup: "rg-app",
      name: "legacy-ssh",
      location: "eastus",
      securityRules: [
        {
          name: "ssh",
          priority: 300,
          direction: "Inbound",
          access: "Allow",
          protocol: "Tcp",
          sourcePortRange: "*",
          sourceAddressPrefix: "Internet",
          destinationAddressPrefix: "*",
          destinationPortRange: "22",
        },
      ],
    });
    for (const workload of workloads) {
      const id = parseWorkloadId(workload.id);
      const nic = workload.nics[0];
      if (id.cloud !== "azure" || !nic) continue;
      const network = parseNetworkId(nic.network);
      if (network.cloud !== "azure") continue;
      const vnet = AZURE_VNETS[nic.network];
      this.sim.createVm({
        resourceGroup: id.resourceGroup,
        name: id.vmName,
        location: vnet?.location ?? "eastus",
        vnet: { resourceGroup: network.resourceGroup, name: network.vnetName },
        privateIp: nic.privateIp,
        ...(nic.publicIp === undefined ? {} : { publicIp: nic.publicIp }),
        tags: workload.tags,
        ...(customerNsgFor.has(workload.id) && vnet?.location === "eastus"
          ? { networkSecurityGroupId: customer.id }
          : {}),
      });
      if (workload.state === "stopped")
        this.sim.setPowerState(id.resourceGroup, id.vmName, "VM deallocated", { keepPublicIp: true });
    }
  }

  state(): AzureState {
    return [this.sim.state()];
  }

  async reconcile(
    policy: Policy,
    others: readonly Workload[],
    attachment: Attachment,
  ): Promise<{ intent: Intent; desired: AzureDesired; plan: AzureOperation[] }> {
    const discovered = await discoverAzure(this.sim, policy.labels);
    const intent = compile(policy, { workloads: [...discovered.workloads, ...others], networks: [] });
    const state = this.state();
    const desired = materializeAzure(intent, state, this.options(policy, attachment));
    const plan = diffAzure(desired, state);
    await applyAzurePlan(plan, () => this.sim);
    return { intent, desired, plan };
  }

  options(policy: Policy, attachment: Attachment) {
    return {
      quotas: this.quotas,
      attachment,
      loadBalancerProbes: policy.platform.azureLoadBalancerProbes,
      resourceGroups: { [SUBSCRIPTION]: SEGSYNC_RESOURCE_GROUP },
    };
  }

  writes(): number {
    return this.sim.calls.filter((c) => AZURE_WRITE_METHODS.has(c.method)).length;
  }
}
