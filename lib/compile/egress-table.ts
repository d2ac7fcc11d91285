import type { NetworkId } from "../inventory/model.js";
import type { AddressRanges } from "../net/cidr.js";
import type { Policy } from "../policy/model.js";
import { type NetworkTopology, reachFrom } from "./address-view.js";
import type { DeltaRecorder } from "./delta.js";
import { type DenyTemplate, denyRegion } from "./deny.js";
import { computeEgress, computeEgressTemplate, type EgressTemplate, type ReachedMember } from "./egress.js";
import { denyRuleReader } from "./intent-parts.js";
import type { EgressIntent, Finding } from "./model.js";
import type { IdentityState } from "./state.js";

export interface EgressEntry {
  readonly intent: EgressIntent;
  readonly addressSources: readonly string[];
  readonly findings: readonly Finding[];
}

/**
 * The compiler's egress table (lib/compile/egress.ts), kept up to date like its destinations:
 * changes mark what they affect and `flush` recomputes exactly those entries. An entry depends on
 * its source identity's members in its network, on the rules from that identity (which targets
 * they match) and on its targets' members' addresses. Inert when no ruleset enforces egress.
 */
export class EgressTable {
  readonly entries = new Map<string, EgressEntry>();
  private readonly templates = new Map<string, EgressTemplate>();
  /** identity → networks where it has an entry now. */
  private readonly networksOf = new Map<string, Set<NetworkId>>();
  /** identity → the entries computed with its members' addresses. */
  private readonly readers = new Map<string, Set<string>>();
  private readonly dirtyTemplates = new Set<string>();
  private readonly dirty = new Map<string, Set<NetworkId>>();
  private readonly regions = new Map<string, AddressRanges>();

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

  /** The identity's members changed: every entry that reached them, or a deny rule's region with them, is recomputed. */
  addressesChanged(identity: string): void {
    const denies = (this.deps.identities.get(identity)?.toRules ?? []).filter(
      (r) => r.rule.action === "deny",
    );
    for (const reader of [identity, ...denies.map((r) => denyRuleReader(r.rule.id))]) {
      for (const key of this.readers.get(reader) ?? []) {
        const entry = this.entries.get(key);
        if (entry) setOf(this.dirty, entry.intent.identity).add(entry.intent.network);
      }
    }
  }

  flush(delta: DeltaRecorder): void {
    this.regions.clear();
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
    for (const [identity, networks] of this.dirty)
      for (const network of networks) this.refresh(identity, network, delta);
    this.dirty.clear();
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
    const computed = computeEgress(state, network, members, template, {
      hashOf: this.deps.hashOf,
      reach: (target, viewer) => this.reach(target, viewer),
      region: (deny, viewer) => this.region(deny, viewer),
    });
    for (const source of computed.addressSources) setOf(this.readers, source).add(key);
    this.entries.set(key, computed);
    setOf(this.networksOf, identity).add(network);
  }

  /** Every address a deny rule's targets are reached at, once per rule and network in a flush. */
  private region(deny: DenyTemplate, network: NetworkId): AddressRanges {
    const key = `${deny.regionKey}@${network}`;
    let region = this.regions.get(key);
    if (region === undefined) {
      region = denyRegion(deny, (identity) => this.reach(identity, network).map((member) => member.view));
      this.regions.set(key, region);
    }
    return region;
  }

  private reach(identity: string, network: NetworkId): ReachedMember[] {
    const members = this.deps.identities.get(identity)?.members.values() ?? [];
    return [...members].map((workload) => ({
      workload: workload.id,
      view: reachFrom(network, workload, this.deps.topology),
    }));
  }
}

function setOf<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}
