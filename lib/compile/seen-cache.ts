/**
 * Members' addresses as each network sees them (as ranges) and deny rules' regions, kept from one
 * flush to the next: an event recomputes only those of identities whose members moved and of the
 * deny rules that match them (docs/architecture.md, "Deny rules and events"), not every region a
 * destination reads.
 */
import type { NetworkId } from "../inventory/model.js";
import type { AddressRanges } from "../net/cidr.js";
import { type MemberView, type NetworkTopology, viewFrom } from "./address-view.js";
import { type DenyTemplate, denyRegion, type SeenRanges, seenRanges } from "./deny.js";
import type { IdentityState } from "./state.js";

/** Per identity (or region key), per network: nested, so a lookup builds no key text. */
type ByNetwork<T> = Map<string, Map<NetworkId, T>>;

export class SeenCache {
  private readonly ranges: ByNetwork<SeenRanges> = new Map();
  private readonly regions: ByNetwork<AddressRanges> = new Map();

  constructor(
    private readonly identities: ReadonlyMap<string, IdentityState>,
    private readonly topology: NetworkTopology,
  ) {}

  /**
   * How a network sees an identity's running members now (docs/policy.md, "Addresses"). Not kept:
   * only what ranges and regions make of it is, which is smaller.
   */
  seen(identity: string, network: NetworkId): MemberView[] {
    const members = this.identities.get(identity)?.members.values() ?? [];
    return [...members].map((workload) => viewFrom(network, workload, this.topology));
  }

  /** An identity's seen addresses from a network as ranges. */
  seenRanges(identity: string, network: NetworkId): SeenRanges {
    return cached(this.ranges, identity, network, () => seenRanges(this.seen(identity, network)));
  }

  /** Every address a deny rule covers from a network. */
  region(deny: DenyTemplate, network: NetworkId): AddressRanges {
    return cached(this.regions, deny.regionKey, network, () =>
      denyRegion(deny, (identity) => this.seen(identity, network)),
    );
  }

  /** The identity's members came, went or moved. */
  forgetIdentity(identity: string): void {
    this.ranges.delete(identity);
  }

  /** A deny rule's side gained, lost or moved a member (its region key: lib/compile/intent-parts.ts). */
  forgetRegion(regionKey: string): void {
    this.regions.delete(regionKey);
  }
}

function cached<T>(map: ByNetwork<T>, key: string, network: NetworkId, compute: () => T): T {
  let byNetwork = map.get(key);
  if (byNetwork === undefined) {
    byNetwork = new Map();
    map.set(key, byNetwork);
  }
  let value = byNetwork.get(network);
  if (value === undefined) {
    value = compute();
    byNetwork.set(network, value);
  }
  return value;
}
