/** Workload and network ids of one cloud, parsed (lib/inventory/ids.ts) and narrowed to that cloud. */
import {
  type NetworkIdParts,
  parseNetworkId,
  parseWorkloadId,
  type WorkloadIdParts,
} from "../../lib/inventory/ids.js";
import type { Cloud } from "../../lib/inventory/model.js";

/** A workload id's parts when it is one of `cloud`'s; undefined for other clouds. */
export function workloadOf<C extends Cloud>(
  cloud: C,
  workloadId: string,
): Extract<WorkloadIdParts, { cloud: C }> | undefined {
  if (!workloadId.startsWith(`${cloud}:`)) return undefined;
  const parsed = parseWorkloadId(workloadId);
  return parsed.cloud === cloud ? (parsed as Extract<WorkloadIdParts, { cloud: C }>) : undefined;
}

/** A network id's parts; a network of another cloud is a mistake. */
export function networkOf<C extends Cloud>(cloud: C, network: string): Extract<NetworkIdParts, { cloud: C }> {
  const parsed = parseNetworkId(network);
  if (parsed.cloud !== cloud) throw new TypeError(`${network} is not a network of ${cloud}`);
  return parsed as Extract<NetworkIdParts, { cloud: C }>;
}
