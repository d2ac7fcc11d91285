import { natAddress } from "./addresses.js";
import type { NetworkSite } from "./networks.js";
import type { RawNetworks } from "./policy-document.js";
import type { Rng } from "./prng.js";

/** About this share of networks route privately to others (hybrid interconnects, peerings). */
const CONNECTED_SHARE = 0.3;
/** About this share of networks send outbound traffic through NAT addresses. */
const NAT_SHARE = 0.1;

/**
 * `networks.connected`: disjoint groups of 2 to 4 networks, mixing clouds; `networks.nat`: a few
 * networks with one or two egress addresses each.
 */
export function generateNetworkPolicy(rng: Rng, sites: readonly NetworkSite[]): RawNetworks {
  const ids = rng.shuffle(sites.map((site) => site.network.id));
  const connectedCount = Math.min(ids.length, Math.max(2, Math.round(ids.length * CONNECTED_SHARE)));
  const connected: string[][] = [];
  let cursor = 0;
  while (connectedCount - cursor >= 2) {
    const left = connectedCount - cursor;
    // Never leave a single network behind: it could not form a group on its own.
    const size = left <= 4 ? left : Math.min(left - 2, 2 + rng.int(3));
    connected.push(ids.slice(cursor, cursor + size).sort());
    cursor += size;
  }

  const natCount = Math.max(1, Math.round(ids.length * NAT_SHARE));
  const natNetworks = rng.shuffle(ids).slice(0, natCount).sort();
  const nat: Record<string, string[]> = {};
  let addressIndex = 0;
  for (const id of natNetworks) {
    const addresses = 1 + rng.int(2);
    nat[id] = Array.from({ length: addresses }, () => natAddress(addressIndex++));
  }
  return { connected, nat };
}
