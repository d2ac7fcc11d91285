import { applyEach } from "../common/apply-each.js";
import type { GcpApiFactory } from "./api.js";
import {
  GcpAccessError,
  GcpAlreadyExistsError,
  GcpInvalidRequestError,
  GcpNotFoundError,
  GcpQuotaExceededError,
} from "./errors.js";
import type { GcpOperation } from "./operations.js";

/**
 * Executes a plan in its order, one Compute call per operation (each waits for its own
 * operation). A failure about one object (refusesOneObject) is reported through onRefused and the
 * rest goes on; any other failure stops the plan and is rethrown; the next plan starts from there.
 */
export async function applyGcpPlan(
  operations: readonly GcpOperation[],
  apiFor: GcpApiFactory,
  onApplied: (operation: GcpOperation) => void = () => {},
  onRefused?: (operation: GcpOperation, error: unknown) => void,
): Promise<void> {
  const hooks = { onApplied, ...(onRefused === undefined ? {} : { onRefused }) };
  await applyEach(
    operations,
    async (operation) => {
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
    },
    hooks,
    refusesOneObject,
  );
}

/** Compute refusing one request about one object: retrying the same request cannot help. */
export function refusesOneObject(error: unknown): boolean {
  return (
    error instanceof GcpNotFoundError ||
    error instanceof GcpInvalidRequestError ||
    error instanceof GcpQuotaExceededError ||
    error instanceof GcpAlreadyExistsError ||
    error instanceof GcpAccessError
  );
}
