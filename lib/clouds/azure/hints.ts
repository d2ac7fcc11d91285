/**
 * The Azure hint: Event Grid names the NIC that was written or deleted, not its VM, and the
 * ingest function holds no Azure credentials, so the reconciler asks ARM which VM the NIC is
 * attached to and re-reads that VM.
 */
import type { HintResolution } from "../provider.js";
import type { AzureApiFactory } from "./api.js";
import { workloadOfNetworkInterface } from "./discover.js";
import { parseResourceId } from "./model.js";

/** The NIC's VM as the workload to re-read; ignored when the NIC is not managed, gone or detached. */
export async function resolveNicHint(
  connection: { readonly apiFor: AzureApiFactory; readonly subscriptions: readonly string[] },
  nicId: string,
): Promise<HintResolution> {
  const nic = parseResourceId(nicId);
  if (nic === undefined || nic.type.toLowerCase() !== "networkinterfaces" || nic.child !== undefined) {
    return { kind: "ignored", why: `${nicId} is not the id of an Azure NIC` };
  }
  // Event Grid subjects do not promise the case of the subscription id; the config's are lowercase.
  const subscription = connection.subscriptions.find(
    (candidate) => candidate.toLowerCase() === nic.subscription.toLowerCase(),
  );
  if (subscription === undefined) {
    return { kind: "ignored", why: `Azure subscription ${nic.subscription} is not managed` };
  }
  const api = connection.apiFor(subscription);
  const workloadId = await workloadOfNetworkInterface(api, nic.resourceGroup, nic.name);
  if (workloadId === undefined) {
    return { kind: "ignored", why: `NIC ${nic.resourceGroup}/${nic.name} is attached to no VM (or is gone)` };
  }
  return { kind: "workload", workload: workloadId };
}
