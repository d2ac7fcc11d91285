import { formatWorkloadId } from "../../inventory/ids.js";
import type { WorkloadId } from "../../inventory/model.js";

/**
 * `azure:<subscription>:<resourceGroup>:<vmName>`, all lowercase. ARM compares resource group and
 * VM names ignoring case and spells them as each reference was written: a VM's own id may say
 * `TEST_VM` where its NIC says `test_vm`, and an event's subject may say either. One spelling per
 * VM keeps a workload one id whichever of them names it (discovery, a VM event, a NIC event).
 * Throws InvalidIdError when a part breaks the id rules.
 */
export function azureWorkloadId(subscription: string, resourceGroup: string, vmName: string): WorkloadId {
  return formatWorkloadId({
    cloud: "azure",
    subscription: subscription.toLowerCase(),
    resourceGroup: resourceGroup.toLowerCase(),
    vmName: vmName.toLowerCase(),
  });
}
