/**
 * The Azure subjects of the CloudProvider contract: the simulated ARM of one subscription, and the
 * SDK adapter against the ARM fake (test/support/arm-fake.ts), each seeded with CONTRACT_ESTATE.
 */
import { DEFAULT_AZURE_QUOTAS } from "../../../lib/clouds/azure/config.js";
import {
  type AzureConnection,
  type AzureProvider,
  createAzureProvider,
} from "../../../lib/clouds/azure/provider.js";
import { createSdkAzureApiFactory } from "../../../lib/clouds/azure/sdk/api.js";
import { formatNetworkId, formatWorkloadId } from "../../../lib/inventory/ids.js";
import { SimulatedArm } from "../../../sim/clouds/azure/api.js";
import {
  LOCATION,
  networkId,
  RESOURCE_GROUP,
  SUBNET_ID,
  SUBSCRIPTION,
  vmId,
  wireNic,
  wireVm,
} from "../../clouds/azure/sdk/api-wire.js";
import { ArmFake, type ArmResource } from "../../support/arm-fake.js";
import { SEALER } from "../../support/seals.js";
import {
  CONTRACT_ESTATE,
  type ContractName,
  contractWorkloads,
  EGRESS_NOT_MODELLED,
  type SeededPlace,
  type SubjectOf,
} from "../provider.contract.js";

type AzureSubject = SubjectOf<AzureProvider>;

const provider = createAzureProvider({
  quotas: DEFAULT_AZURE_QUOTAS,
  resourceGroups: { [SUBSCRIPTION]: "rg-segsync" },
  sealer: SEALER,
});
const VNET = "vnet-1";
const NAMES = Object.keys(CONTRACT_ESTATE) as ContractName[];
const address = (name: ContractName) => `10.0.0.${CONTRACT_ESTATE[name].host}`;
const vmName = (name: ContractName) => `vm-${name}`;
/** The NIC `az vm create` makes, and the simulator names alike. */
const nicName = (name: ContractName) => `${vmName(name)}VMNic`;

function place(connection: AzureConnection): SeededPlace<AzureConnection> {
  const network = formatNetworkId({
    cloud: "azure",
    subscription: SUBSCRIPTION,
    resourceGroup: RESOURCE_GROUP,
    vnetName: VNET,
  });
  const workloadId = (vm: string) =>
    formatWorkloadId({
      cloud: "azure",
      subscription: SUBSCRIPTION,
      resourceGroup: RESOURCE_GROUP,
      vmName: vm,
    });
  return {
    connection,
    workloads: contractWorkloads((name) => workloadId(vmName(name)), network, address),
    network,
    goneWorkload: workloadId("vm-gone"),
    unmanagedNetwork: formatNetworkId({
      cloud: "azure",
      subscription: "2b7e4f10-3c5d-4e6f-8a9b-0c1d2e3f4a5b",
      resourceGroup: "rg-net",
      vnetName: "vnet-elsewhere",
    }),
  };
}

/** The seeded subscription of the running case. */
let simulated: SimulatedArm | undefined;

export const azureSimulator: AzureSubject = {
  name: "Azure simulator",
  provider,
  cannot: { evaluateEgress: EGRESS_NOT_MODELLED },
  async removeWorkload(name) {
    if (simulated === undefined) throw new Error("nothing seeded");
    simulated.deleteVm(RESOURCE_GROUP, vmName(name));
  },
  async seed() {
    const sim = SimulatedArm.empty(SUBSCRIPTION, { quotas: DEFAULT_AZURE_QUOTAS });
    simulated = sim;
    sim.createVirtualNetwork({
      resourceGroup: RESOURCE_GROUP,
      name: VNET,
      location: LOCATION,
      addressPrefix: "10.0.0.0/16",
    });
    for (const name of NAMES) {
      sim.createVm({
        resourceGroup: RESOURCE_GROUP,
        name: vmName(name),
        location: LOCATION,
        vnet: { resourceGroup: RESOURCE_GROUP, name: VNET },
        privateIp: address(name),
        tags: CONTRACT_ESTATE[name].tags,
      });
    }
    return place({ subscriptions: [SUBSCRIPTION], apiFor: () => sim });
  },
};

/** The VNet and, per workload, a running VM with one NIC, as ARM answers for them. */
function armResources(names: readonly ContractName[]): ArmResource[] {
  const vnet = {
    id: networkId("virtualNetworks", VNET),
    name: VNET,
    type: "Microsoft.Network/virtualNetworks",
    location: LOCATION,
    properties: {
      addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
      subnets: [{ id: SUBNET_ID, name: "default" }],
    },
  } as ArmResource;
  return [
    vnet,
    ...names.flatMap((name) => [
      { ...wireVm(vmName(name), "running", [nicName(name)]), tags: CONTRACT_ESTATE[name].tags },
      wireNic(
        nicName(name),
        { virtualMachine: { id: vmId(vmName(name)) } },
        { privateIPAddress: address(name), publicIPAddress: undefined },
      ),
    ]),
  ];
}

let fake: ArmFake | undefined;
let connection: AzureConnection | undefined;

export const azureOnArmFake: AzureSubject = {
  name: "Azure SDK on the ARM fake",
  provider,
  cannot: { evaluateEgress: EGRESS_NOT_MODELLED },
  async start() {
    const started = await ArmFake.start();
    fake = started;
    const apiFor = createSdkAzureApiFactory({
      credential: {
        getToken: async () => ({ token: started.token, expiresOnTimestamp: Date.now() + 3_600_000 }),
      },
      endpoint: started.endpoint,
      pollIntervalMs: 1,
      retryDelayMs: 5,
      pipelineHook: started.pipelineHook(),
    });
    connection = { subscriptions: [SUBSCRIPTION], apiFor };
  },
  async stop() {
    await fake?.close();
    fake = undefined;
  },
  // The fake deletes nothing by itself: it is seeded again without the workload (before any apply).
  async removeWorkload(name) {
    if (fake === undefined) throw new Error("the ARM fake did not start");
    fake.reset();
    fake.seed(...armResources(NAMES.filter((other) => other !== name)));
  },
  async seed() {
    if (fake === undefined || connection === undefined) throw new Error("the ARM fake did not start");
    fake.reset();
    fake.seed(...armResources(NAMES));
    return place(connection);
  },
};
