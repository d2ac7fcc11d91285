/**
 * The intent restricted to what an event batch changed (docs/architecture.md, "What a reconcile
 * costs"): the destinations the change touches (their members or grants changed, or a peer set
 * they use did), the peer sets those destinations use, and the reports of the workloads re-read.
 * A targeted plan materializes and diffs exactly these, before and after the change, instead of
 * whole places; building a slice costs what it holds, not what the estate holds.
 */
import type { WorkloadId } from "../inventory/model.js";
import { compareText } from "../util/compare-text.js";
import type { DestinationIntent, EgressIntent, Intent, PeerSet, WorkloadReport } from "./model.js";

/** What a targeted read and plan cover: the keys of a change, before and after it. */
export interface ChangeScope {
  /** The workloads the batch re-read, sorted. */
  readonly workloads: readonly WorkloadId[];
  /** Destination keys (`<hash>@<network>`) whose objects may change, sorted. */
  readonly destinations: readonly string[];
  /** Peer set keys those destinations use, before or after the change, sorted. */
  readonly peerSets: readonly string[];
  /**
   * Egress targets (v2) that have members in their source's network, before or after the change,
   * keyed like their destination there (`<hash>@<network>`), sorted: a cloud that names such a
   * target natively (an AWS security group reference) reads whether it carries its object, as a
   * whole read would, even when the target is no destination of the change.
   */
  readonly egressTargets: readonly string[];
}

/** A change's scope with the intent it is planned from and the intent before it (the guard's baseline). */
export interface ChangeSlices {
  readonly scope: ChangeScope;
  readonly after: Intent;
  readonly before: Intent;
}

/** Where a slice's parts are looked up: the compiler's current tables, or their values before a change. */
export interface SliceSource {
  destination(key: string): DestinationIntent | undefined;
  peerSet(key: string): PeerSet | undefined;
  report(workload: WorkloadId): WorkloadReport | undefined;
  /** The egress entry keyed like a destination (v2); absent where egress is never computed. */
  egress?(key: string): EgressIntent | undefined;
}

/** The partial Intent of these destinations, the peer sets their grants name, and these workloads. */
export function sliceIntent(
  source: SliceSource,
  destinationKeys: readonly string[],
  workloads: readonly WorkloadId[],
): Intent {
  const destinations = destinationKeys.flatMap((key) => {
    const destination = source.destination(key);
    return destination === undefined ? [] : [destination];
  });
  const peerKeys = new Set(destinations.flatMap(peerKeysOf));
  const peerSets = [...peerKeys].sort(compareText).flatMap((key) => {
    const peerSet = source.peerSet(key);
    return peerSet === undefined ? [] : [peerSet];
  });
  const reports = workloads.flatMap((id) => {
    const report = source.report(id);
    return report === undefined ? [] : [report];
  });
  // An identity's egress in a network goes with its destination there: the same objects carry both.
  const egress = [...destinationKeys].sort(compareText).flatMap((key) => {
    const entry = source.egress?.(key);
    return entry === undefined ? [] : [entry];
  });
  return Object.freeze({
    destinations: Object.freeze(destinations.sort((a, b) => compareText(a.key, b.key))),
    peerSets: Object.freeze(peerSets),
    workloads: Object.freeze(reports.sort((a, b) => compareText(a.workload, b.workload))),
    findings: Object.freeze([]),
    ...(egress.length === 0 ? {} : { egress: Object.freeze(egress) }),
  });
}

/** The peer sets a destination's grants name, whole or split by deny rules. */
export function peerKeysOf(destination: DestinationIntent): string[] {
  const keys = destination.grants.flatMap((grant) => {
    if (grant.source.kind === "peerSet") return [grant.source.key];
    if (grant.source.kind === "addresses" && !grant.source.of.startsWith("ipList:")) return [grant.source.of];
    return [];
  });
  return [...new Set(keys)];
}

/** The scope of two slices: every destination and peer set either holds. */
export function scopeOf(
  workloads: readonly WorkloadId[],
  destinationKeys: readonly string[],
  slices: readonly Intent[],
): ChangeScope {
  const peerSets = new Set(slices.flatMap((intent) => intent.peerSets.map((peerSet) => peerSet.key)));
  return {
    workloads: [...workloads].sort(compareText),
    destinations: [...destinationKeys].sort(compareText),
    peerSets: [...peerSets].sort(compareText),
    egressTargets: [...new Set(slices.flatMap(localEgressTargets))].sort(compareText),
  };
}

/** The keys of the identities an intent's egress opens to that have members in the source's network. */
function localEgressTargets(intent: Intent): string[] {
  return (intent.egress ?? []).flatMap((entry) =>
    entry.opens.flatMap(({ target }) =>
      target.kind === "identity" && target.local.length > 0 ? [target.key] : [],
    ),
  );
}

/**
 * The whole intent before a change, from the whole intent after it and the change's slices: every
 * destination, egress entry and report the change touched is in its slices, and every peer set it
 * changed is in the slice before with its value then (its destinations are in the scope), so
 * taking those from the slice before and the rest from the intent now gives the intent as it was
 * (a peer set no destination used before may stay: nothing looks it up). Costs what the estate
 * holds: built only where a whole plan needs a baseline (a cloud that failed or was held is read
 * whole next time, judged against the intent before the change).
 */
export function wholeBefore(now: Intent, slices: ChangeSlices): Intent {
  const { scope, before } = slices;
  const keys = new Set(scope.destinations);
  const workloads = new Set(scope.workloads);
  const peersBefore = new Set(before.peerSets.map((peerSet) => peerSet.key));
  const byKey = <T extends { readonly key: string }>(a: T, b: T) => compareText(a.key, b.key);
  const egress = [...(now.egress ?? []).filter((entry) => !keys.has(entry.key)), ...(before.egress ?? [])];
  return Object.freeze({
    destinations: Object.freeze(
      [...now.destinations.filter((d) => !keys.has(d.key)), ...before.destinations].sort(byKey),
    ),
    peerSets: Object.freeze(
      [...now.peerSets.filter((p) => !peersBefore.has(p.key)), ...before.peerSets].sort(byKey),
    ),
    workloads: Object.freeze(
      [...now.workloads.filter((w) => !workloads.has(w.workload)), ...before.workloads].sort((a, b) =>
        compareText(a.workload, b.workload),
      ),
    ),
    findings: now.findings,
    ...(egress.length === 0 ? {} : { egress: Object.freeze(egress.sort(byKey)) }),
  });
}
