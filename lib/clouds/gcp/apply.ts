import type { GcpApiFactory } from "./api.js";
import type { GcpOperation } from "./operations.js";

/**
 * Executes a plan in its order, one Compute call per operation (each waits for its own
 * operation). Stops at the first failure and rethrows it; the next plan starts from there.
 */
export async function applyGcpPlan(
  operations: readonly GcpOperation[],
  apiFor: GcpApiFactory,
  onApplied: (operation: GcpOperation) => void = () => {},
): Promise<void> {
  for (const operation of operations) {
    const api = apiFor(operation.project);
    switch (operation.kind) {
      case "insertFirewall":
        await api.insertFirewall(operation.firewall);
        break;
      case "setTags":
        await api.setTags(operation.zone, operation.name, operation.items, operation.fingerprint);
        break;
      case "patchFirewall":
        await api.patchFirewall(operation.firewall);
        break;
      case "deleteFirewall":
        await api.deleteFirewall(operation.name);
        break;
    }
    onApplied(operation);
  }
}
