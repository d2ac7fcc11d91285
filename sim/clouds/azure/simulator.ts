/** The Azure simulator as the simulation sees it (sim/clouds/simulator.ts): one SimulatedArm per subscription. */
import { type AzureQuotas, DEFAULT_AZURE_QUOTAS } from "../../../lib/clouds/azure/config.js";
import { parseAzureEvents } from "../../../lib/clouds/azure/ingest/events.js";
import { azureQueueMessages } from "../../../lib/clouds/azure/ingest/queue-messages.js";
import type { AzureSubscriptionState } from "../../../lib/clouds/azure/model.js";
import type { AzureConnection } from "../../../lib/clouds/azure/provider.js";
import { compareText } from "../../../lib/util/compare-text.js";
import { azureVmId } from "../../estate-index.js";
import type {
  Change,
  CloudSimulator,
  NativeTools,
  SimulatedPlaces,
  SimulatedWorkload,
} from "../simulator.js";
import { AZURE_WRITE_METHODS, SimulatedArm } from "./api.js";
import { buildAzure } from "./build.js";
import { type AzureEventBody, type AzureVmOperation, azureVmEvent } from "./events.js";
import { exportAzurePlaces } from "./export-places.js";
import { AzureFlowLog } from "./flow-log.js";
import { checkNativeAzure } from "./native-check.js";
import { AZURE_REGION, type NativeAzure, NativeAzureSchema } from "./native-schema.js";
import { SIMULATED_SEGSYNC_RESOURCE_GROUP, segsyncResourceGroups } from "./segsync-resource-groups.js";
import { azureTagRules } from "./tag-rules.js";
import { type AzureNicNative, azureTrafficView } from "./traffic.js";

/** The State document's Azure part: each list flat across subscriptions, in ARM id order. */
export interface AzureStateDocument {
  readonly virtualMachines: AzureSubscriptionState["virtualMachines"];
  readonly networkInterfaces: AzureSubscriptionState["networkInterfaces"];
  readonly networkSecurityGroups: AzureSubscriptionState["networkSecurityGroups"];
  readonly applicationSecurityGroups: AzureSubscriptionState["applicationSecurityGroups"];
  readonly publicIPAddresses: AzureSubscriptionState["publicIPAddresses"];
}

/** The VM operation behind each change: a re-tag is a VM PUT, so Event Grid says write. */
const OPERATIONS: Readonly<Record<Change, AzureVmOperation>> = {
  launched: "create",
  retagged: "update",
  stopped: "deallocate",
  started: "start",
  terminated: "delete",
};

/** ARM ids ignore case: by the lowercased id, then as written. */
function armOrder<T extends { readonly id: string }>(items: T[]): T[] {
  return items.sort((a, b) => compareText(a.id.toLowerCase(), b.id.toLowerCase()) || compareText(a.id, b.id));
}

function armOf(places: SimulatedPlaces<SimulatedArm>, workload: SimulatedWorkload<"azure">): SimulatedArm {
  return places.at(workload.parts.subscription);
}

const tools: NativeTools<"azure", SimulatedArm> = {
  launch(places, workload) {
    const { resourceGroup, vmName } = workload.parts;
    const indexed = places.network(workload.network);
    const network = indexed?.parts;
    if (network?.cloud !== "azure")
      throw new TypeError(`${workload.network} is not an Azure network of the estate`);
    armOf(places, workload).createVm({
      resourceGroup,
      name: vmName,
      location: indexed?.network.region ?? "",
      vnet: { resourceGroup: network.resourceGroup, name: network.vnetName },
      privateIp: workload.privateIp,
      ...(workload.publicIp === undefined ? {} : { publicIp: workload.publicIp }),
      tags: workload.tags,
    });
    return undefined;
  },
  retag(places, workload, tags) {
    armOf(places, workload).setVmTags(workload.parts.resourceGroup, workload.parts.vmName, tags);
  },
  stop(places, workload) {
    armOf(places, workload).setPowerState(
      workload.parts.resourceGroup,
      workload.parts.vmName,
      "VM deallocated",
    );
  },
  start(places, workload, publicIp) {
    const options = publicIp === undefined ? {} : { publicIp };
    const { resourceGroup, vmName } = workload.parts;
    armOf(places, workload).setPowerState(resourceGroup, vmName, "VM running", options);
  },
  terminate(places, workload) {
    armOf(places, workload).deleteVm(workload.parts.resourceGroup, workload.parts.vmName);
  },
};

export const azureSimulator: CloudSimulator<
  "azure",
  SimulatedArm,
  AzureSubscriptionState,
  AzureConnection,
  AzureQuotas,
  NativeAzure,
  AzureEventBody[],
  AzureStateDocument,
  AzureNicNative
> = {
  cloud: "azure",
  writeMethods: AZURE_WRITE_METHODS,
  // ARM chooses its own page size (nextLink): each list counts as one request, a lower bound.
  pageSizes: {},
  build: (estate, index, quotas) => ({ sims: buildAzure(estate, index, quotas) }),
  providerSettings(estate, subscriptions) {
    const found = segsyncResourceGroups(estate);
    const resourceGroups = subscriptions.map((s) => [
      s,
      found[s.toLowerCase()] ?? SIMULATED_SEGSYNC_RESOURCE_GROUP,
    ]);
    return { quotas: DEFAULT_AZURE_QUOTAS, resourceGroups: Object.fromEntries(resourceGroups) };
  },
  empty: (key, quotas) => SimulatedArm.empty(key, quotas ? { quotas } : {}),
  connection: (keys, port) => ({ apiFor: (subscription) => port(subscription), subscriptions: [...keys] }),
  placeOf: (workload) => workload.parts.subscription,
  placementProblem: (workload, network, networkId) =>
    workload.subscription === network.subscription
      ? undefined
      : `network ${networkId} is in subscription ${network.subscription}, but the workload is in ${workload.subscription}: a NIC and its VNet share a subscription`,
  nativeSchema: NativeAzureSchema,
  networkRegionSchema: AZURE_REGION,
  checkNative: checkNativeAzure,
  tagRules: azureTagRules,
  exportLive: exportAzurePlaces,
  eventsOf(change, workload, _before, { ids, tick }) {
    const { subscription, resourceGroup, vmName } = workload.parts;
    const vmId = azureVmId(subscription, resourceGroup, vmName);
    return [azureVmEvent(ids, subscription, vmId, OPERATIONS[change], tick())];
  },
  // The same messages as the azure-events function enqueues.
  queueMessagesOf(body) {
    const result = parseAzureEvents(body);
    return result.kind === "events" ? azureQueueMessages(result) : [];
  },

  stateOut: (states) => ({
    virtualMachines: armOrder(states.flatMap((s) => s.virtualMachines)),
    networkInterfaces: armOrder(states.flatMap((s) => s.networkInterfaces)),
    networkSecurityGroups: armOrder(states.flatMap((s) => s.networkSecurityGroups)),
    applicationSecurityGroups: armOrder(states.flatMap((s) => s.applicationSecurityGroups)),
    publicIPAddresses: armOrder(states.flatMap((s) => s.publicIPAddresses)),
  }),
  tools,
  traffic: { view: azureTrafficView, newLog: () => new AzureFlowLog() },
};
