import type { NetworkId } from "../inventory/model.js";
import type { Policy } from "./model.js";

/**
 * Do two networks route to each other privately? A network reaches itself; otherwise two
 * networks are connected only when one `networks.connected` group holds both. Connectivity is
 * deliberately not transitive: groups [A, B] and [B, C] do not connect A and C, because a hub
 * network (B) that peers with two others does not make those two route to each other.
 */
export function networksConnected(networks: Policy["networks"], a: NetworkId, b: NetworkId): boolean {
  return a === b || networks.connected.some((group) => group.includes(a) && group.includes(b));
}
