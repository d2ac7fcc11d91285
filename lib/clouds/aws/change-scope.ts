/**
 * A change's scope (lib/compile/slice.ts) split by AWS location: the instances it re-reads, and
 * the destinations and peer sets whose owned objects it reads by name (docs/architecture.md,
 * "Targeted reads (AWS)"). Other clouds' keys are left out.
 */
import type { ChangeScope } from "../../compile/slice.js";
import { cloudOfId, parseNetworkId, parseWorkloadId } from "../../inventory/ids.js";
import { locationKey } from "./model.js";

/** A destination or peer set key (`<hash>@<network>`) in one VPC. */
export interface KeyInVpc {
  readonly key: string;
  readonly hash: string;
  readonly vpcId: string;
}

/** What a change names in one location. */
export interface LocationChange {
  readonly instanceIds: string[];
  readonly destinations: KeyInVpc[];
  readonly peerSets: KeyInVpc[];
  /** Egress targets with members in the source's VPC (slice.ts, ChangeScope): named by group where they carry one. */
  readonly egressTargets: KeyInVpc[];
}

/** The change's parts by location key; a location the change does not name has none. */
export function changeByLocation(change: ChangeScope): Map<string, LocationChange> {
  const parts = new Map<string, LocationChange>();
  const partAt = (location: { account: string; region: string }) => {
    const key = locationKey(location);
    let part = parts.get(key);
    if (part === undefined) {
      part = { instanceIds: [], destinations: [], peerSets: [], egressTargets: [] };
      parts.set(key, part);
    }
    return part;
  };
  for (const id of change.workloads) {
    if (cloudOfId(id) !== "aws") continue;
    const workload = parseWorkloadId(id);
    if (workload.cloud === "aws") partAt(workload).instanceIds.push(workload.instanceId);
  }
  for (const [keys, pick] of [
    [change.destinations, (part: LocationChange) => part.destinations],
    [change.peerSets, (part: LocationChange) => part.peerSets],
    [change.egressTargets, (part: LocationChange) => part.egressTargets],
  ] as const) {
    for (const key of keys) {
      const at = key.indexOf("@");
      const networkId = key.slice(at + 1);
      if (at < 0 || cloudOfId(networkId) !== "aws") continue;
      const network = parseNetworkId(networkId);
      if (network.cloud === "aws")
        pick(partAt(network)).push({ key, hash: key.slice(0, at), vpcId: network.vpcId });
    }
  }
  return parts;
}
