import {
  cloudOfId,
  type NetworkIdParts,
  parseNetworkId,
  parseWorkloadId,
  type WorkloadIdParts,
} from "../inventory/ids.js";
import type { Cloud, NetworkId, WorkloadId } from "../inventory/model.js";

/** A network's or a workload's parts in one cloud: both name the place (location, subscription, project) they are in. */
export type PlaceParts<C extends Cloud> = Extract<NetworkIdParts | WorkloadIdParts, { cloud: C }>;

/**
 * The places (by `placeOf`'s key) that hold one of these networks or workloads of `cloud`; other
 * clouds' ids are left out. What CloudProvider.narrow filters a connection by.
 */
export function placesNamed<C extends Cloud>(
  cloud: C,
  networks: readonly NetworkId[],
  workloads: readonly WorkloadId[],
  placeOf: (parts: PlaceParts<C>) => string,
): Set<string> {
  const places = new Set<string>();
  const add = (parts: NetworkIdParts | WorkloadIdParts) => {
    if (parts.cloud === cloud) places.add(placeOf(parts as PlaceParts<C>));
  };
  for (const id of networks) if (cloudOfId(id) === cloud) add(parseNetworkId(id));
  for (const id of workloads) if (cloudOfId(id) === cloud) add(parseWorkloadId(id));
  return places;
}
