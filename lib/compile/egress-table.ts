import type { NetworkId } from "../inventory/model.js";
import { AddressRanges } from "../net/cidr.js";
import type { Policy } from "../policy/model.js";
import type { NetworkTopology } from "./address-view.js";
import type { DeltaRecorder } from "./delta.js";
import type { DenyTemplate } from "./deny.js";
import { cutSignature, type SeenAddresses } from "./deny-readers.js";
import {
  type ComputedEgress,
  computeEgress,
  computeEgressTemplate,
  type EgressTemplate,
  type Reach,
  reachedAnew,
  reachOf,
} from "./egress.js";
import { denyRuleReader, regionKeyOf } from "./intent-parts.js";
import type { EgressIntent, Finding } from "./model.js";
import type { IdentityState } from "./state.js";

export interface EgressEntry {
  readonly intent: EgressIntent;
  readonly addressSources: readonly string[];
  readonly findings: readonly Finding[];
  /** What its opens read of members' addresses (lib/compile/deny-readers.ts); "" when whole. */
  readonly cutSignature: string;
}

/**
 * The compiler's egress table (lib/compile/egress.ts), kept up to date like its destinations:
 * changes mark what they affect and `flush` recomputes exactly those entries. An entry depends on
 * its source identity's members in its network, on the rules from that identity (which targets
 * they match) and on its targets' members' addresses: a target's move recomputes only what it
 * changed (settle; docs/architecture.md, "What an event reads and writes for egress"). Inert when
 * no ruleset enforces egress.
 */
export class EgressTable {
  readonly entries = new Map<string, EgressEntry>();
  private readonly templates = new Map<string, EgressTemplate>();
  /** identity → networks where it has an entry now. */
  private readonly networksOf = new Map<string, Set<NetworkId>>();
  /** identity (or deny rule reader) → the entries computed with its members' addresses. */
  private readonly readers = new Map<string, Set<string>>();
  private readonly dirtyTemplates = new Set<string>();
  /** Entries to compute again: their members or template changed. */
  private readonly dirty = new Map<string, Set<NetworkId>>();
  /** Entry key → the moved identities it read: computed again only if its cut signature changed. */
  private readonly moved = new Map<string, Set<string>>();
  /** identity → network → how that network reaches its members, until they move. */
  private readonly reaches = new Map<string, Map<NetworkId, Reach>>();
  /** Those of identities that moved since the last flush, as they were: what their readers read. */
  private readonly reachesBefore = new Map<string, Map<NetworkId, Reach>>();
  /** Deny rule region key → network → every address its targets are reached at, until they move. */
  private readonly regions = new Map<string, Map<NetworkId, AddressRanges>>();
  /** identity → the region keys of the kept regions made with its members. */
  private readonly regionsOf = new Map<string, Set<string>>();

  constructor(
    private readonly deps: {
      readonly enabled: boolean;
      readonly policy: Policy;
      readonly topology: NetworkTopology;
      readonly identities: ReadonlyMap<string, IdentityState>;
      readonly hashOf: (identity: string) => string;
    },
  ) {}

  /** The identity came or went, or a rule from it gained or lost a target. */
  templateChanged(identity: string): void {
    if (this.deps.enabled) this.dirtyTemplates.add(identity);
  }

  /** A member of the identity with a NIC in this network came, went or changed. */
  membersChanged(identity: string, network: NetworkId): void {
    if (this.deps.enabled) setOf(this.dirty, identity).add(network);
  }

  /**
   * The identity's members came, went or moved: every entry that reached them, or a deny rule's
   * region with them, is checked in flush (settle).
   */
  addressesChanged(identity: string): void {
    const before = this.reaches.get(identity);
    if (before !== undefined) this.reachesBefore.set(identity, before);
    this.reaches.delete(identity);
    const denies = (this.deps.identities.get(identity)?.toRules ?? []).filter(
      (r) => r.rule.action === "deny",
    );
    // Regions it was in (it may have gone), and those it is in now (it may have come).
    for (const key of this.regionsOf.get(identity) ?? []) this.regions.delete(key);
    for (const deny of denies) this.regions.delete(regionKeyOf(deny.rule.to));
    this.regionsOf.delete(identity);
    for (const reader of [identity, ...denies.map((r) => denyRuleReader(r.rule.id))])
      for (const key of this.readers.get(reader) ?? []) setOf(this.moved, key).add(identity);
  }

  flush(delta: DeltaRecorder): void {
    const { identities, policy } = this.deps;
    for (const identity of this.dirtyTemplates) {
      const state = identities.get(identity);
      if (state?.egress === "enforced")
        this.templates.set(identity, computeEgressTemplate(state, identities, policy));
      else this.templates.delete(identity);
      for (const network of [
        ...(state?.membersByNetwork.keys() ?? []),
        ...(this.networksOf.get(identity) ?? []),
      ])
        setOf(this.dirty, identity).add(network);
    }
    this.dirtyTemplates.clear();
    for (const [key, moved] of this.moved) this.settle(key, moved, delta);
    this.moved.clear();
    this.reachesBefore.clear();
    for (const [identity, networks] of this.dirty)
      for (const network of networks) this.refresh(identity, network, delta);
    this.dirty.clear();
  }

  /**
   * An entry that read moved members, unless it is computed again anyway. Its network reaches
   * them as before: nothing to do. Where what its opens read of addresses is the same (the moved
   * identities' ranges, else its cut signature), only its whole targets' members and its findings
   * change (reachedAnew). Otherwise it is computed again.
   */
  private settle(key: string, moved: ReadonlySet<string>, delta: DeltaRecorder): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    const { identity, network } = entry.intent;
    if (this.dirty.get(identity)?.has(network)) return;
    const state = this.deps.identities.get(identity);
    const template = this.templates.get(identity);
    const change = this.reachChange(moved, network);
    if (change === "none") return;
    if (
      !state ||
      !template ||
      (change === "ranges" && this.signature(template, network) !== entry.cutSignature)
    ) {
      setOf(this.dirty, identity).add(network);
      return;
    }
    delta.egressTouched(key, entry.intent);
    const anew = reachedAnew(state, entry.intent, template, moved, (id) => this.reach(id, network));
    this.entries.set(key, { ...entry, ...anew });
  }

  private refresh(identity: string, network: NetworkId, delta: DeltaRecorder): void {
    const key = `${this.deps.hashOf(identity)}@${network}`;
    const previous = this.entries.get(key);
    delta.egressTouched(key, previous?.intent);
    for (const source of previous?.addressSources ?? []) this.readers.get(source)?.delete(key);
    const state = this.deps.identities.get(identity);
    const template = this.templates.get(identity);
    const members = state?.membersByNetwork.get(network);
    if (!state || !template || !members) {
      this.entries.delete(key);
      this.networksOf.get(identity)?.delete(network);
      return;
    }
    const computed: ComputedEgress = computeEgress(state, network, members, template, {
      hashOf: this.deps.hashOf,
      reach: (target) => this.reach(target, network),
      region: (deny) => this.region(deny, network),
    });
    for (const source of computed.addressSources) setOf(this.readers, source).add(key);
    this.entries.set(key, { ...computed, cutSignature: this.signature(template, network) });
    setOf(this.networksOf, identity).add(network);
  }

  /**
   * How the network's reach of the moved identities changed since the last flush: not at all, in
   * members only (the same ranges, so the same regions and cuts), or in ranges. Unknown (not kept)
   * counts as ranges.
   */
  private reachChange(moved: ReadonlySet<string>, network: NetworkId): "none" | "members" | "ranges" {
    let change: "none" | "members" = "none";
    for (const identity of moved) {
      const before = this.reachesBefore.get(identity)?.get(network);
      const now = this.reach(identity, network);
      if (before === undefined || !sameRanges(before, now)) return "ranges";
      if (!sameMembers(before, now)) change = "members";
    }
    return change;
  }

  /** What an entry's opens read of members' addresses now (lib/compile/deny-readers.ts). */
  private signature(template: EgressTemplate, network: NetworkId): string {
    if (template.denies.length === 0) return "";
    const seen: SeenAddresses = {
      source: (identity) => this.reach(identity, network).ranges.whole,
      nat: (identity) => this.reach(identity, network).ranges.nat,
      region: (deny) => this.region(deny, network),
    };
    return cutSignature(template, seen);
  }

  /** Every address a deny rule's targets are reached at, kept until one of them moves. */
  private region(deny: DenyTemplate, network: NetworkId): AddressRanges {
    let byNetwork = this.regions.get(deny.regionKey);
    if (byNetwork === undefined) {
      byNetwork = new Map();
      this.regions.set(deny.regionKey, byNetwork);
    }
    let region = byNetwork.get(network);
    if (region === undefined) {
      if (deny.kind === "ipList") region = AddressRanges.of(deny.cidrs);
      else {
        for (const identity of deny.identities) setOf(this.regionsOf, identity).add(deny.regionKey);
        region = AddressRanges.unionOf(
          [...deny.identities].map((id) => this.reach(id, network).ranges.whole),
        );
      }
      byNetwork.set(network, region);
    }
    return region;
  }

  private reach(identity: string, network: NetworkId): Reach {
    let byNetwork = this.reaches.get(identity);
    if (byNetwork === undefined) {
      byNetwork = new Map();
      this.reaches.set(identity, byNetwork);
    }
    let reach = byNetwork.get(network);
    if (reach === undefined) {
      reach = reachOf(
        this.deps.identities.get(identity)?.members.values() ?? [],
        network,
        this.deps.topology,
      );
      byNetwork.set(network, reach);
    }
    return reach;
  }
}

/** A NAT gives no address to reach (reachFrom): a reach's NAT ranges are empty, its whole ranges are all. */
function sameRanges(a: Reach, b: Reach): boolean {
  return a.ranges.whole.equals(b.ranges.whole);
}

function sameMembers(a: Reach, b: Reach): boolean {
  return sameList(a.local, b.local) && sameList(a.cidrs, b.cidrs) && sameList(a.unreachable, b.unreachable);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function setOf<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}
