import { canonicalIdentity, identityHash } from "../inventory/identity.js";
import { type LabelReading, labelReader } from "../inventory/labels.js";
import type { Inventory, NetworkId, Workload, WorkloadChange, WorkloadId } from "../inventory/model.js";
import type { AddressRanges } from "../net/cidr.js";
import type { Egress, Enforcement, Policy } from "../policy/model.js";
import { NetworkTopology } from "./address-view.js";
import { DeltaRecorder, type IntentDelta } from "./delta.js";
import type { DenyTemplate, SeenRanges } from "./deny.js";
import { cutSignature, type SeenAddresses } from "./deny-readers.js";
import { EgressTable } from "./egress-table.js";
import { CompilerInvariantError, DuplicateWorkloadError } from "./errors.js";
import {
  type CancelledRule,
  computeDestination,
  computePeerSet,
  computeTemplate,
  denyRuleReader,
  type GrantTemplate,
  regionKeyOf,
} from "./intent-parts.js";
import type { DestinationIntent, Finding, IdentityRef, Intent, PeerSet, WorkloadReport } from "./model.js";
import { SeenCache } from "./seen-cache.js";
import { SelectorIndex } from "./selector-index.js";
import { type ChangeSlices, type SliceSource, scopeOf, sliceIntent } from "./slice.js";
import { buildSnapshot, reportOf } from "./snapshot.js";
import type { IdentityState, RuleState, WorkloadEntry } from "./state.js";

export type { IntentDelta } from "./delta.js";

interface PeerSetEntry {
  readonly identity: string;
  readonly network: NetworkId;
  readonly peerSet: PeerSet;
  readonly findings: readonly Finding[];
  refs: number;
}

interface DestinationEntry {
  readonly intent: DestinationIntent;
  readonly peerKeys: readonly string[];
  /** Identities whose members' addresses its grants were cut with (deny rules). */
  readonly addressSources: readonly string[];
  /** What its grants read of members' addresses (lib/compile/deny-readers.ts); "" when whole. */
  readonly cutSignature: string;
  readonly findings: readonly Finding[];
  readonly cancelled: readonly CancelledRule[];
}

/**
 * The compiler's state: policy + inventory → Intent, kept up to date change by change.
 *
 * Changes only mark what they affect (dirty sets); `flush` recomputes exactly those parts:
 * - an identity's grant template, when a rule source it accepts gains or loses an identity;
 * - a destination (identity, network), when its members or its template change;
 * - an identity's peer sets, when its members or their addresses change.
 * A full compile is the same machinery with everything dirty.
 */
export class IncrementalCompiler {
  private readonly topology: NetworkTopology;
  private readonly readLabels: (tags: Readonly<Record<string, string>>) => LabelReading;
  private readonly rules: readonly RuleState[];
  private readonly toIndex = new SelectorIndex<RuleState>();
  private readonly fromIndex = new SelectorIndex<RuleState>();
  private readonly scopeIndex = new SelectorIndex<{ enforcement: Enforcement; egress: Egress }>();

  private readonly entries = new Map<WorkloadId, WorkloadEntry>();
  private readonly identities = new Map<string, IdentityState>();
  private readonly hashes = new Map<string, string>();
  private readonly templates = new Map<string, GrantTemplate>();
  private readonly destinations = new Map<string, DestinationEntry>();
  private readonly peerSets = new Map<string, PeerSetEntry>();
  /** identity → networks where it has a destination / a peer set now (outlives the identity's state). */
  private readonly destinationNetworks = new Map<string, Set<NetworkId>>();
  private readonly peerNetworks = new Map<string, Set<NetworkId>>();
  /** peer set key → the destinations whose grants use it: who a peer set's change concerns. */
  private readonly referrers = new Map<string, Set<string>>();
  /** identity → the destinations whose grants deny rules cut with its addresses: who its moves concern. */
  private readonly addressReaders = new Map<string, Set<string>>();
  private readonly seenCache: SeenCache;

  private readonly dirtyTemplates = new Set<string>();
  private readonly dirtyDestinations = new Map<string, Set<NetworkId>>();
  private readonly dirtyPeers = new Set<string>();
  /** Deny rules whose `from` side had members come, go or move since the last flush. */
  private readonly movedDenies = new Set<RuleState>();
  private bulk = false;
  private readonly egress: EgressTable;

  private constructor(private readonly policy: Policy) {
    this.topology = new NetworkTopology(policy.networks);
    this.seenCache = new SeenCache(this.identities, this.topology);
    this.readLabels = labelReader(policy.labels);
    const rules: RuleState[] = [];
    for (const ruleset of policy.rulesets) {
      this.scopeIndex.add(ruleset.scope, { enforcement: ruleset.enforcement, egress: ruleset.egress });
      for (const rule of [...ruleset.rules, ...ruleset.deny]) {
        const state: RuleState = {
          rule,
          order: rules.length,
          fromIdentities: new Set(),
          toIdentities: new Set(),
        };
        rules.push(state);
        if (rule.to.kind === "labels") this.toIndex.add(rule.to.selector, state);
        if (rule.from.kind === "labels") this.fromIndex.add(rule.from.selector, state);
      }
    }
    this.rules = rules;
    const enforcesEgress = policy.rulesets.some(
      (rs) => rs.enforcement === "enforced" && rs.egress === "enforced",
    );
    this.egress = new EgressTable({
      enabled: enforcesEgress,
      policy,
      topology: this.topology,
      identities: this.identities,
      hashOf: (identity) => this.hashOf(identity),
    });
  }

  /** The compiler over a whole inventory, every workload new; throws DuplicateWorkloadError. */
  static build(policy: Policy, inventory: Inventory): IncrementalCompiler {
    const compiler = new IncrementalCompiler(policy);
    const seen = new Set<WorkloadId>();
    for (const workload of inventory.workloads) {
      if (seen.has(workload.id)) throw new DuplicateWorkloadError(workload.id);
      seen.add(workload.id);
    }
    // In bulk, every identity is new: mark all templates dirty once instead of per source.
    compiler.bulk = true;
    compiler.apply(inventory.workloads.map((workload) => ({ kind: "upsert", workload }) as const));
    compiler.bulk = false;
    return compiler;
  }

  /** How segsync treats one workload now (undefined: not in the inventory). */
  report(id: WorkloadId): WorkloadReport | undefined {
    const entry = this.entries.get(id);
    return entry === undefined ? undefined : reportOf(entry, this.identities);
  }

  /**
   * The destination keys a workload's NICs hold, running or not: its identity in each of its
   * networks. A stopped member's NICs keep its destination's objects after the destination goes,
   * so a change to it concerns them (changeSlices).
   */
  heldKeys(id: WorkloadId): string[] {
    const entry = this.entries.get(id);
    const identity = entry?.identity;
    if (entry === undefined || identity === undefined) return [];
    return entry.workload.nics.map((nic) => peerKey(identity.hash, nic.network));
  }

  /**
   * The slices of a change just applied (`delta`, with the re-read `workloads`, their reports and
   * the keys they held from before it): the destinations it touched, those using a peer set it
   * changed and those the workloads' NICs held or hold, after and before the change
   * (lib/compile/slice.ts). `peerSets` are peer sets to write whether the change touched them or
   * not (a burst's deferred growth, lib/reconcile/coalesce.ts): the destinations using them join.
   * Costs what the change touched.
   */
  changeSlices(
    delta: IntentDelta,
    workloads: readonly WorkloadId[],
    reportsBefore: ReadonlyMap<WorkloadId, WorkloadReport | undefined>,
    heldBefore: readonly string[] = [],
    peerSets: readonly string[] = [],
  ): ChangeSlices {
    const keys = new Set([
      ...delta.destinations.upserted,
      ...delta.destinations.removed,
      ...delta.egress.upserted,
      ...delta.egress.removed,
    ]);
    // What the re-read workloads' NICs held before and hold now (heldKeys), changed or not.
    for (const key of [...heldBefore, ...workloads.flatMap((id) => this.heldKeys(id))]) keys.add(key);
    for (const peer of [...delta.peerSets.upserted, ...peerSets])
      for (const key of this.referrers.get(peer) ?? []) keys.add(key);
    const destinationKeys = [...keys];
    const now: SliceSource = {
      destination: (key) => this.destinations.get(key)?.intent,
      peerSet: (key) => this.peerSets.get(key)?.peerSet,
      report: (id) => this.report(id),
      egress: (key) => this.egress.entries.get(key)?.intent,
    };
    const before: SliceSource = {
      destination: (key) =>
        delta.before.destinations.has(key) ? delta.before.destinations.get(key) : now.destination(key),
      peerSet: (key) => (delta.before.peerSets.has(key) ? delta.before.peerSets.get(key) : now.peerSet(key)),
      report: (id) => (reportsBefore.has(id) ? reportsBefore.get(id) : now.report(id)),
      egress: (key) => (delta.before.egress.has(key) ? delta.before.egress.get(key) : now.egress?.(key)),
    };
    const after = sliceIntent(now, destinationKeys, workloads);
    const previous = sliceIntent(before, destinationKeys, workloads);
    return { scope: scopeOf(workloads, destinationKeys, [after, previous]), after, before: previous };
  }

  /** Applies the changes in order and recomputes what they affect; reports what changed. */
  apply(changes: readonly WorkloadChange[]): IntentDelta {
    const delta = new DeltaRecorder();
    for (const change of changes) {
      if (change.kind === "delete") this.remove(change.id, delta);
      else this.upsert(change.workload, delta);
    }
    if (this.bulk)
      for (const key of this.identities.keys()) {
        this.dirtyTemplates.add(key);
        this.egress.templateChanged(key);
      }
    this.flush(delta);
    return delta.result(
      (key) => this.destinations.get(key)?.intent,
      (key) => this.peerSets.get(key)?.peerSet,
      (key) => this.egress.entries.get(key)?.intent,
    );
  }

  /** The whole Intent as of now: sorted, frozen, byte-identical for equal inputs. */
  snapshot(): Intent {
    return buildSnapshot({
      destinations: this.destinations,
      peerSets: this.peerSets,
      entries: this.entries,
      identities: this.identities,
      rules: this.rules,
      tagPrefix: this.policy.labels.tagPrefix,
      egress: this.egress.entries,
    });
  }

  private upsert(workload: Workload, delta: DeltaRecorder): void {
    const previous = this.entries.get(workload.id);
    if (previous && sameWorkload(previous.workload, workload)) return;
    if (previous) this.detach(previous, delta);
    const { labels, problems } = this.readLabels(workload.tags);
    const entry: WorkloadEntry = { workload, labels, problems, identity: this.identityRef(labels) };
    this.entries.set(workload.id, entry);
    this.attach(entry, delta);
  }

  private remove(id: WorkloadId, delta: DeltaRecorder): void {
    const previous = this.entries.get(id);
    if (!previous) return;
    this.detach(previous, delta);
    this.entries.delete(id);
  }

  private attach(entry: WorkloadEntry, delta: DeltaRecorder): void {
    const { workload, identity } = entry;
    if (!identity || workload.state !== "running") return;
    const state = this.identities.get(identity.identity) ?? this.createIdentity(identity, entry.labels);
    state.members.set(workload.id, workload);
    for (const nic of workload.nics) {
      let members = state.membersByNetwork.get(nic.network);
      if (!members) {
        members = new Set();
        state.membersByNetwork.set(nic.network, members);
      }
      members.add(workload.id);
    }
    this.markMembersChanged(identity.identity, workload, delta);
  }

  private detach(entry: WorkloadEntry, delta: DeltaRecorder): void {
    const { workload, identity } = entry;
    if (!identity || workload.state !== "running") return;
    const state = this.identities.get(identity.identity);
    if (!state) return;
    state.members.delete(workload.id);
    for (const nic of workload.nics) {
      const members = state.membersByNetwork.get(nic.network);
      members?.delete(workload.id);
      if (members?.size === 0) state.membersByNetwork.delete(nic.network);
    }
    this.markMembersChanged(identity.identity, workload, delta);
    if (state.members.size === 0) this.removeIdentity(state);
  }

  private markMembersChanged(identity: string, workload: Workload, delta: DeltaRecorder): void {
    delta.identityChanged(identity);
    // In bulk every template is dirty, which already covers every destination and peer set.
    if (this.bulk) return;
    for (const nic of workload.nics) {
      this.markDestination(identity, nic.network);
      this.egress.membersChanged(identity, nic.network);
      delta.networkTouched(nic.network);
    }
    this.dirtyPeers.add(identity);
    for (const rule of this.identities.get(identity)?.fromRules ?? [])
      if (rule.rule.action === "deny") this.movedDenies.add(rule);
  }

  private createIdentity(ref: IdentityRef, labels: Readonly<Record<string, string>>): IdentityState {
    const scopes = this.scopeIndex.matching(labels);
    const enforced = scopes.filter((scope) => scope.enforcement === "enforced");
    const state: IdentityState = {
      ref,
      labels,
      enforcement: enforced.length > 0 ? "enforced" : scopes.length > 0 ? "visibility" : "unscoped",
      egress: enforced.some((scope) => scope.egress === "enforced") ? "enforced" : "open",
      members: new Map(),
      membersByNetwork: new Map(),
      toRules: this.toIndex.matching(labels),
      fromRules: this.fromIndex.matching(labels),
    };
    this.identities.set(ref.identity, state);
    this.hashes.set(ref.identity, ref.hash);
    for (const rule of state.toRules) {
      rule.toIdentities.add(ref.identity);
      // A new target of the rules from these sources: their egress changes.
      if (!this.bulk) for (const source of rule.fromIdentities) this.egress.templateChanged(source);
    }
    for (const rule of state.fromRules) {
      rule.fromIdentities.add(ref.identity);
      // A deny rule's templates hold its live identities: what it cuts is checked in flush (markIfCut).
      if (!this.bulk && rule.rule.action === "allow")
        for (const destination of rule.toIdentities) this.dirtyTemplates.add(destination);
    }
    this.dirtyTemplates.add(ref.identity);
    this.egress.templateChanged(ref.identity);
    return state;
  }

  private removeIdentity(state: IdentityState): void {
    const key = state.ref.identity;
    this.identities.delete(key);
    for (const rule of state.toRules) {
      rule.toIdentities.delete(key);
      for (const source of rule.fromIdentities) this.egress.templateChanged(source);
    }
    for (const rule of state.fromRules) {
      rule.fromIdentities.delete(key);
      if (rule.rule.action === "allow")
        for (const destination of rule.toIdentities) this.dirtyTemplates.add(destination);
    }
    this.dirtyTemplates.add(key);
    this.egress.templateChanged(key);
  }

  private markDestination(identity: string, network: NetworkId): void {
    let networks = this.dirtyDestinations.get(identity);
    if (!networks) {
      networks = new Set();
      this.dirtyDestinations.set(identity, networks);
    }
    networks.add(network);
  }

  private flush(delta: DeltaRecorder): void {
    for (const identity of this.dirtyPeers) this.seenCache.forgetIdentity(identity);
    for (const rule of this.movedDenies) this.seenCache.forgetRegion(regionKeyOf(rule.rule.from));
    for (const identity of this.dirtyTemplates) {
      const state = this.identities.get(identity);
      if (state && state.enforcement !== "unscoped") {
        this.templates.set(identity, computeTemplate(state, this.identities, this.policy));
      } else this.templates.delete(identity);
      for (const network of state?.membersByNetwork.keys() ?? []) this.markDestination(identity, network);
      for (const network of this.destinationNetworks.get(identity) ?? [])
        this.markDestination(identity, network);
    }
    this.dirtyTemplates.clear();
    // A member that came, went or moved changes the addresses that deny rules cut other grants with.
    const readers = [
      ...this.dirtyPeers,
      ...[...this.movedDenies].map((rule) => denyRuleReader(rule.rule.id)),
    ];
    for (const reader of readers)
      for (const key of this.addressReaders.get(reader) ?? []) this.markIfCut(key);
    this.movedDenies.clear();
    for (const identity of this.dirtyPeers) this.egress.addressesChanged(identity);
    this.egress.flush(delta);

    const freshPeerSets = new Set<string>();
    for (const [identity, networks] of this.dirtyDestinations) {
      for (const network of networks) this.refreshDestination(identity, network, delta, freshPeerSets);
    }
    this.dirtyDestinations.clear();

    for (const identity of this.dirtyPeers) {
      for (const network of this.peerNetworks.get(identity) ?? []) {
        const key = peerKey(this.hashOf(identity), network);
        if (!freshPeerSets.has(key)) this.refreshPeerSet(identity, network, delta);
      }
    }
    this.dirtyPeers.clear();
  }

  /** Marks a destination that reads a moved identity's addresses if what it read of them changed. */
  private markIfCut(key: string): void {
    const entry = this.destinations.get(key);
    if (!entry) return;
    const { identity, network } = entry.intent;
    if (this.dirtyDestinations.get(identity)?.has(network)) return;
    const template = this.templates.get(identity);
    if (!template || cutSignature(template, this.seenAddresses(network)) !== entry.cutSignature)
      this.markDestination(identity, network);
  }

  private seenAddresses(network: NetworkId): SeenAddresses {
    return {
      source: (identity) => this.seenRanges(identity, network).whole,
      nat: (identity) => this.seenRanges(identity, network).nat,
      region: (deny) => this.denyRegion(deny, network),
    };
  }

  private refreshDestination(
    identity: string,
    network: NetworkId,
    delta: DeltaRecorder,
    freshPeerSets: Set<string>,
  ): void {
    const key = peerKey(this.hashOf(identity), network);
    const previous = this.destinations.get(key);
    const state = this.identities.get(identity);
    const template = this.templates.get(identity);
    const members = state?.membersByNetwork.get(network);
    delta.destinationTouched(key, previous?.intent);
    for (const peer of previous?.peerKeys ?? []) this.referrers.get(peer)?.delete(key);
    for (const source of previous?.addressSources ?? []) this.releaseAddressReader(source, key);
    if (!state || !template || !members) {
      if (!previous) return;
      this.destinations.delete(key);
      this.destinationNetworks.get(identity)?.delete(network);
      for (const peer of previous.peerKeys) this.releasePeerSet(peer, delta);
      return;
    }
    const { intent, peerSources, addressSources, findings, cancelled } = computeDestination(
      state,
      network,
      members,
      template,
      {
        hashOf: (id) => this.hashOf(id),
        region: (deny, viewer) => this.denyRegion(deny, viewer),
        seenRanges: (id, viewer) => this.seenRanges(id, viewer),
      },
    );
    for (const source of addressSources) setOf(this.addressReaders, source).add(key);
    // Acquire the new peer sets before releasing the old, so a set kept by both is never recomputed.
    const peerKeys: string[] = [];
    for (const source of peerSources) {
      const peer = this.acquirePeerSet(source, network, delta, freshPeerSets);
      peerKeys.push(peer);
      setOf(this.referrers, peer).add(key);
    }
    for (const peer of previous?.peerKeys ?? []) this.releasePeerSet(peer, delta);
    const signature = template.denies.length > 0 ? cutSignature(template, this.seenAddresses(network)) : "";
    this.destinations.set(key, {
      intent,
      peerKeys,
      addressSources,
      findings,
      cancelled,
      cutSignature: signature,
    });
    setOf(this.destinationNetworks, identity).add(network);
  }

  private acquirePeerSet(
    identity: string,
    network: NetworkId,
    delta: DeltaRecorder,
    freshPeerSets: Set<string>,
  ): string {
    const key = peerKey(this.hashOf(identity), network);
    const existing = this.peerSets.get(key);
    if (existing) {
      existing.refs += 1;
      return key;
    }
    delta.peerSetTouched(key, undefined);
    this.peerSets.set(key, { ...this.computePeerSetEntry(identity, network), refs: 1 });
    setOf(this.peerNetworks, identity).add(network);
    freshPeerSets.add(key);
    return key;
  }

  private releasePeerSet(key: string, delta: DeltaRecorder): void {
    const entry = this.peerSets.get(key);
    if (!entry) return;
    entry.refs -= 1;
    if (entry.refs > 0) return;
    delta.peerSetTouched(key, entry.peerSet);
    this.peerSets.delete(key);
    this.peerNetworks.get(entry.identity)?.delete(entry.network);
    if (this.referrers.get(key)?.size === 0) this.referrers.delete(key);
  }

  private refreshPeerSet(identity: string, network: NetworkId, delta: DeltaRecorder): void {
    const key = peerKey(this.hashOf(identity), network);
    const existing = this.peerSets.get(key);
    if (!existing) return;
    delta.peerSetTouched(key, existing.peerSet);
    this.peerSets.set(key, { ...this.computePeerSetEntry(identity, network), refs: existing.refs });
  }

  private computePeerSetEntry(identity: string, network: NetworkId): Omit<PeerSetEntry, "refs"> {
    const state = this.identities.get(identity);
    const ref = state?.ref ?? { identity, hash: this.hashOf(identity) };
    const { peerSet, findings } = computePeerSet(ref, network, state?.members.values() ?? [], this.topology);
    return { identity, network, peerSet, findings };
  }

  private seenRanges(identity: string, network: NetworkId): SeenRanges {
    return this.seenCache.seenRanges(identity, network);
  }

  private denyRegion(deny: DenyTemplate, network: NetworkId): AddressRanges {
    return this.seenCache.region(deny, network);
  }

  private releaseAddressReader(identity: string, key: string): void {
    const readers = this.addressReaders.get(identity);
    readers?.delete(key);
    if (readers?.size === 0) this.addressReaders.delete(identity);
  }

  /** Identities recur across many workloads: hash each canonical tuple once. */
  private identityRef(labels: Readonly<Record<string, string>>): IdentityRef | undefined {
    const identity = canonicalIdentity(labels);
    if (identity === undefined) return undefined;
    let hash = this.hashes.get(identity);
    if (hash === undefined) {
      hash = identityHash(identity);
      this.hashes.set(identity, hash);
    }
    return { identity, hash };
  }

  private hashOf(identity: string): string {
    const hash = this.hashes.get(identity);
    if (hash === undefined) throw new CompilerInvariantError(`identity ${identity} was never seen`);
    return hash;
  }
}

export function peerKey(hash: string, network: NetworkId): string {
  return `${hash}@${network}`;
}

function setOf<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}

function sameWorkload(a: Workload, b: Workload): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
