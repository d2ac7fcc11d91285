import { applyAzurePlan } from "../../../lib/clouds/azure/apply.js";
import type { AzureQuotas } from "../../../lib/clouds/azure/config.js";
import type { AzureDesired } from "../../../lib/clouds/azure/desired.js";
import { diffAzure } from "../../../lib/clouds/azure/diff.js";
import { discoverAzure } from "../../../lib/clouds/azure/discover.js";
import { materializeAzure } from "../../../lib/clouds/azure/materialize.js";
import type { AzureState } from "../../../lib/clouds/azure/model.js";
import type { AzureOperation } from "../../../lib/clouds/azure/operations.js";
import {
  type AzureConnection,
  type AzureProvider,
  createAzureProvider,
} from "../../../lib/clouds/azure/provider.js";
import { compile } from "../../../lib/compile/compile.js";
import type { Intent } from "../../../lib/compile/model.js";
import { parseNetworkId, parseWorkloadId } from "../../../lib/inventory/ids.js";
import type { Workload } from "../../../lib/inventory/model.js";
import type { Attachment, Policy } from "../../../lib/policy/model.js";
import { AZURE_WRITE_METHODS, SimulatedArm } from "../../../sim/clouds/azure/api.js";
import { AZURE_OWNERSHIP, SEALER } from "../../support/seals.js";

export const SUBSCRIPTION = "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f";
export const SEGSYNC_RESOURCE_GROUP = "rg-segsync";
/** The VNets the tests use: network id → region and address space. */
export const AZURE_VNETS: Record<string, { location: string; addressPrefix: string }> = {
  [`azure:${SUBSCRIPTION}:rg-net:vnet-prod`]: { location: "eastus", addressPrefix: "10.2.0.0/16" },
  [`azure:${SUBSCRIPTION}:rg-net:vnet-dev`]: { location: "westus", addressPrefix: "10.6.0.0/16" },
};

/** VNets in two more subscriptions, for the tests of narrowed reads: network id → region and address space. */
export const SUBSCRIPTION_B = "2b7e4f10-3c5d-4e6f-8a9b-0c1d2e3f4a5b";
export const SUBSCRIPTION_C = "c0ffee00-1234-4abc-8def-00112233aabb";
export const OTHER_SUBSCRIPTION_VNETS: Record<string, { location: string; addressPrefix: string }> = {
  [`azure:${SUBSCRIPTION_B}:rg-net:vnet-prod`]: { location: "eastus", addressPrefix: "10.3.0.0/16" },
  [`azure:${SUBSCRIPTION_B}:rg-net:vnet-dev`]: { location: "westus", addressPrefix: "10.7.0.0/16" },
  [`azure:${SUBSCRIPTION_C}:rg-core:vnet-hub`]: { location: "eastus", addressPrefix: "10.4.0.0/16" },
};

/**
 * Fills a simulated subscription: its VNets (those of `vnets` in its subscription), the customer
 * NSG legacy-ssh (rg-app, eastus), and a running VM with one NIC per workload of its subscription
 * (customerNsgFor: associated with legacy-ssh when in eastus); stopped workloads are deallocated.
 */
function populateSubscription(
  sim: SimulatedArm,
  vnets: Readonly<Record<string, { location: string; addressPrefix: string }>>,
  workloads: readonly Workload[],
  customerNsgFor: ReadonlySet<string>,
): void {
  for (const [id, vnet] of Object.entries(vnets)) {
    const network = parseNetworkId(id);
    if (network.cloud !== "azure" || network.subscription !== sim.subscription) continue;
    sim.createVirtualNetwork({
      resourceGroup: network.resourceGroup,
      name: network.vnetName,
      ...vnet,
    });
  }
  const customer = sim.createNetworkSecurityGroup({
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
    if (id.cloud !== "azure" || id.subscription !== sim.subscription || !nic) continue;
    const network = parseNetworkId(nic.network);
    if (network.cloud !== "azure") continue;
    const vnet = vnets[nic.network];
    sim.createVm({
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
      sim.setPowerState(id.resourceGroup, id.vmName, "VM deallocated", { keepPublicIp: true });
  }
}

/** One simulated subscription built from estate workloads, and the pipeline run over it. */
export class AzureTestbed {
  readonly sim: SimulatedArm;

  constructor(
    workloads: readonly Workload[],
    private readonly quotas: AzureQuotas,
    customerNsgFor: ReadonlySet<string> = new Set(),
    vnets: Readonly<Record<string, { location: string; addressPrefix: string }>> = AZURE_VNETS,
  ) {
    this.sim = SimulatedArm.empty(SUBSCRIPTION, { quotas });
    populateSubscription(this.sim, vnets, workloads, customerNsgFor);
  }

  state(): AzureState {
    return [this.sim.state()];
  }

  async reconcile(
    policy: Policy,
    others: readonly Workload[],
    attachment: Attachment,
  ): Promise<{ intent: Intent; desired: AzureDesired; plan: AzureOperation[] }> {
    const discovered = await discoverAzure(this.sim, policy.labels, AZURE_OWNERSHIP);
    const intent = compile(policy, { workloads: [...discovered.workloads, ...others], networks: [] });
    const state = this.state();
    const desired = materializeAzure(intent, state, this.options(policy, attachment));
    const plan = diffAzure(desired, state, AZURE_OWNERSHIP);
    await applyAzurePlan(plan, () => this.sim, AZURE_OWNERSHIP);
    return { intent, desired, plan };
  }

  options(policy: Policy, attachment: Attachment) {
    return {
      quotas: this.quotas,
      attachment,
      loadBalancerProbes: policy.platform.azureLoadBalancerProbes,
      resourceGroups: { [SUBSCRIPTION]: SEGSYNC_RESOURCE_GROUP },
      ownership: AZURE_OWNERSHIP,
    };
  }

  writes(): number {
    return this.sim.calls.filter((c) => AZURE_WRITE_METHODS.has(c.method)).length;
  }
}

/**
 * Several simulated subscriptions (one SimulatedArm each) built from estate workloads, read and
 * planned through the Azure provider as the reconciler does, whole or narrowed.
 */
export class AzureSubscriptionsTestbed {
  readonly sims: ReadonlyMap<string, SimulatedArm>;
  readonly provider: AzureProvider;

  constructor(
    workloads: readonly Workload[],
    private readonly quotas: AzureQuotas,
    readonly vnets: Readonly<Record<string, { location: string; addressPrefix: string }>>,
    /** subscription → segsync's resource group there (a subscription left out has none). */
    readonly resourceGroups: Readonly<Record<string, string>>,
    customerNsgFor: ReadonlySet<string> = new Set(),
  ) {
    const subscriptions = [
      ...new Set(
        Object.keys(vnets).flatMap((id) => {
          const network = parseNetworkId(id);
          return network.cloud === "azure" ? [network.subscription] : [];
        }),
      ),
    ].sort();
    const sims = new Map<string, SimulatedArm>();
    for (const subscription of subscriptions) {
      const sim = SimulatedArm.empty(subscription, { quotas });
      populateSubscription(sim, vnets, workloads, customerNsgFor);
      sims.set(subscription, sim);
    }
    this.sims = sims;
    this.provider = createAzureProvider({ quotas, resourceGroups, sealer: SEALER });
  }

  get subscriptions(): string[] {
    return [...this.sims.keys()];
  }

  connection(sims: ReadonlyMap<string, SimulatedArm> = this.sims): AzureConnection {
    return {
      apiFor: (subscription) => {
        const sim = sims.get(subscription);
        if (!sim) throw new Error(`no simulated subscription ${subscription}`);
        return sim;
      },
      subscriptions: [...sims.keys()],
    };
  }

  /** Copies of the simulated subscriptions, each from its state(). */
  copies(): Map<string, SimulatedArm> {
    return new Map(
      [...this.sims].map(([subscription, sim]) => [
        subscription,
        new SimulatedArm(sim.state(), { quotas: this.quotas }),
      ]),
    );
  }

  /** Reads (narrowed to `networks` when given), compiles with `others`, plans and applies. */
  async reconcile(
    policy: Policy,
    others: readonly Workload[],
    networks?: readonly string[],
  ): Promise<{ intent: Intent; state: AzureState; desired: AzureDesired; plan: AzureOperation[] }> {
    const { provider } = this;
    const full = this.connection();
    const connection = networks === undefined ? full : provider.narrow(full, networks);
    const discovered = await provider.discover(full, policy.labels);
    const read = await provider.discover(connection, policy.labels);
    const intent = compile(policy, { workloads: [...discovered.workloads, ...others], networks: [] });
    const desired = provider.materialize(intent, read.state, policy);
    const plan = provider.diff(desired, read.state);
    await provider.apply(plan, connection, () => {});
    return { intent, state: read.state, desired, plan };
  }
}
