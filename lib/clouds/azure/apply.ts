import { applyEach } from "../common/apply-each.js";
import type { AzureApiFactory } from "./api.js";
import {
  AzureAccessError,
  AzureInUseError,
  AzureInvalidRequestError,
  AzureNotFoundError,
  AzureQuotaExceededError,
} from "./errors.js";
import type { NetworkInterface } from "./model.js";
import { resourceId } from "./model.js";
import type { AzureOperation } from "./operations.js";
import type { AzureOwnership } from "./ownership.js";

/**
 * Executes a plan in its order, one ARM PUT or DELETE per operation. A NIC written twice in one
 * plan is written the second time with the etag the first write returned. A failure about one
 * resource (refusesOneObject) is reported through onRefused and the rest goes on (a NIC that
 * names a resource refused before is refused by ARM in turn); any other failure stops the plan
 * and is rethrown; the next plan starts from what was applied.
 */
export async function applyAzurePlan(
  operations: readonly AzureOperation[],
  apiFor: AzureApiFactory,
  ownership: AzureOwnership,
  onApplied: (operation: AzureOperation) => void = () => {},
  onRefused?: (operation: AzureOperation, error: unknown) => void,
): Promise<void> {
  const hooks = { onApplied, ...(onRefused === undefined ? {} : { onRefused }) };
  const etags = new Map<string, string | undefined>();
  const putNic = async (subscription: string, nic: NetworkInterface) => {
    const key = nic.id.toLowerCase();
    const ifMatch = etags.has(key) ? etags.get(key) : nic.etag;
    const written = await apiFor(subscription).putNetworkInterface(nic, ifMatch);
    etags.set(key, written.etag);
  };
  await applyEach(
    operations,
    async (operation) => applyOperation(operation, apiFor(operation.subscription), ownership, putNic),
    hooks,
    refusesOneObject,
  );
}

/** One operation; NICs go through `putNic`, which chains their etags across the plan. */
async function applyOperation(
  operation: AzureOperation,
  api: ReturnType<AzureApiFactory>,
  ownership: AzureOwnership,
  putNic: (subscription: string, nic: NetworkInterface) => Promise<void>,
): Promise<void> {
  switch (operation.kind) {
    case "putApplicationSecurityGroup":
      await api.putApplicationSecurityGroup({
        resourceGroup: operation.resourceGroup,
        name: operation.name,
        location: operation.location,
        tags: sealedTags(ownership, "applicationSecurityGroups", operation),
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
        tags: sealedTags(ownership, "networkSecurityGroups", operation),
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
}

/** The tags of an NSG or ASG segsync writes: ownership, identity, and its seal over its id. */
function sealedTags(
  ownership: AzureOwnership,
  type: "networkSecurityGroups" | "applicationSecurityGroups",
  operation: { subscription: string; resourceGroup: string; name: string; identity: string },
) {
  return ownership.ownedTags(
    resourceId(operation.subscription, operation.resourceGroup, type, operation.name),
    operation.identity,
  );
}

/** ARM refusing one request about one resource: retrying the same request cannot help. */
export function refusesOneObject(error: unknown): boolean {
  return (
    error instanceof AzureNotFoundError ||
    error instanceof AzureInvalidRequestError ||
    error instanceof AzureQuotaExceededError ||
    error instanceof AzureInUseError ||
    error instanceof AzureAccessError
  );
}
