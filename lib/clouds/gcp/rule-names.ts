import { identityHash } from "../../inventory/identity.js";
import { OWNED_PREFIX } from "./ownership.js";

/**
 * The stem every owned rule of one destination (an identity in a network) is named from:
 * `segsync-<identity hash>-<network hash>`, then `-<service set>-t<n>` / `-r4-<n>` / `-r6-<n>` for
 * its allow rules and `-deny` / `-deny6` for its deny-all. A read by the stem (with its "-")
 * finds that destination's rules and no other's: hashes hold no "-".
 */
export function destinationStem(hash: string, network: string): string {
  return `${OWNED_PREFIX}${hash}-${identityHash(network).slice(0, 6)}`;
}

/** The name of a destination's IPv4 deny-all: there while the destination is applied. */
export function denyRuleName(hash: string, network: string): string {
  return `${destinationStem(hash, network)}-deny`;
}
