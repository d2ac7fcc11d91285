import {
  type NetworkIdParts,
  parseNetworkId,
  parseWorkloadId,
  type WorkloadIdParts,
} from "../../inventory/ids.js";
import type { Cloud, WorkloadId } from "../../inventory/model.js";
import { CLOUD_ENTRIES } from "../names.js";
import type { ReachabilityProbe } from "../provider.js";

/** Each cloud as a sentence names one of its things ("… is not an AWS workload"). */
const ONE_OF = Object.fromEntries(CLOUD_ENTRIES.map(({ ids }) => [ids.cloud, ids.oneOf])) as Readonly<
  Record<Cloud, string>
>;

/** A workload's parts, when it is one of `cloud`'s; another cloud's is a programming error. */
export function workloadOf<C extends Cloud>(
  cloud: C,
  workload: WorkloadId,
): Extract<WorkloadIdParts, { cloud: C }> {
  const id = parseWorkloadId(workload);
  if (id.cloud !== cloud) throw new TypeError(`${workload} is not ${ONE_OF[cloud]} workload`);
  return id as Extract<WorkloadIdParts, { cloud: C }>;
}

/** A probe's workload and network parts; undefined unless both are `cloud`'s (it cannot explain the probe). */
export function probeOf<C extends Cloud>(
  cloud: C,
  probe: Pick<ReachabilityProbe, "workload" | "network">,
):
  | {
      readonly workload: Extract<WorkloadIdParts, { cloud: C }>;
      readonly network: Extract<NetworkIdParts, { cloud: C }>;
    }
  | undefined {
  const workload = parseWorkloadId(probe.workload);
  const network = parseNetworkId(probe.network);
  if (workload.cloud !== cloud || network.cloud !== cloud) return undefined;
  return {
    workload: workload as Extract<WorkloadIdParts, { cloud: C }>,
    network: network as Extract<NetworkIdParts, { cloud: C }>,
  };
}
