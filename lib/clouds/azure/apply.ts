import type { AzureApiFactory } from "./api.js";
import type { NetworkInterface } from "./model.js";
import type { AzureOperation } from "./operations.js";
import { ownedTags } from "./ownership.js";

/**
 * Executes a plan in its order, one ARM PUT or DELETE per operation. A NIC written twice in one
 * plan is written the second time with the etag the first write returned. Stops at the first
 * failure and rethrows it; the next plan starts from what was applied.
 */
export async function applyAzurePlan(
  operations: readonly AzureOperation[],
  apiFor: AzureApiFactory,
  onApplied: (operation: AzureOperation) => void = () => {},
): Promise<void> {
  const etags = new Map<string, string | undefined>();
  const putNic = async (subscription: string, nic: NetworkInterface) => {
    const key = nic.id.toLowerCase();
    const ifMatch = etags.has(key) ? etags.get(key) : nic.etag;
    const written = await apiFor(subscription).putNetworkInterface(nic, ifMatch);
    etags.set(key, written.etag);
  };
  for (const operation of operations) {
    const api = apiFor(operation.subscription);
    switch (operation.kind) {
      case "putApplicationSecurityGroup":
        await api.putApplicationSecurityGroup({
          resourceGroup: operation.resourceGroup,
          name: operation.name,
          location: operation.location,
          tags: ownedTags(operation.identity),
        });
        break;
      case "joinApplicationSecurityGroups":
        await putNic(operation.subscription, operation.nic);
        break;
      case "putNetworkSecurityGroup":
        await api.putNetworkSecurityGroup({
          resourceGroup: operation.resourceGroup,
          name: operation.name,
          location: operation.location,
          tags: ownedTags(operation.identity),
          flushConnection: operation.flushConnection,
          securityRules: operation.securityRules,
          ...(operation.ifMatch === undefined ? {} : { ifMatch: operation.ifMatch }),
        });
        break;
      case "putNetworkInterface":
        await putNic(operation.subscription, operation.nic);
        break;
      case "deleteNetworkSecurityGroup":
        await api.deleteNetworkSecurityGroup(operation.resourceGroup, operation.name);
        break;
      case "deleteApplicationSecurityGroup":
        await api.deleteApplicationSecurityGroup(operation.resourceGroup, operation.name);
        break;
    }
    onApplied(operation);
  }
}
