import type { NetworkId } from "../inventory/model.js";
import { compareText } from "../util/compare-text.js";
import { deepEqual } from "./equal.js";
import type { DestinationIntent, EgressIntent, PeerSet } from "./model.js";

/** What one `apply` changed in the Intent. Keys are destination and peer set keys (`<hash>@<network>`). */
export interface IntentDelta {
  /** Identities whose running membership changed (including ones that appeared or disappeared). */
  readonly identities: readonly string[];
  /** Networks where a member came, went or changed, or where a destination or peer set changed. */
  readonly networks: readonly NetworkId[];
  readonly destinations: { readonly upserted: readonly string[]; readonly removed: readonly string[] };
  /** Peer address sets: a source identity's members as one network sees them. */
  readonly peerSets: { readonly upserted: readonly string[]; readonly removed: readonly string[] };
  /** Egress entries (v2), keyed like destinations; empty unless a ruleset enforces egress. */
  readonly egress: { readonly upserted: readonly string[]; readonly removed: readonly string[] };
  /**
   * What the changed destinations and peer sets were before the change (undefined: absent); a key
   * not here did not change. A targeted plan's baseline is built from them (lib/compile/slice.ts).
   */
  readonly before: {
    readonly destinations: ReadonlyMap<string, DestinationIntent | undefined>;
    readonly peerSets: ReadonlyMap<string, PeerSet | undefined>;
    readonly egress: ReadonlyMap<string, EgressIntent | undefined>;
  };
}

/** Collects touched keys with their value before the change; the result keeps only real changes. */
export class DeltaRecorder {
  private readonly identities = new Set<string>();
  private readonly networks = new Set<NetworkId>();
  private readonly destinationsBefore = new Map<string, DestinationIntent | undefined>();
  private readonly peerSetsBefore = new Map<string, PeerSet | undefined>();
  private readonly egressBefore = new Map<string, EgressIntent | undefined>();

  identityChanged(identity: string): void {
    this.identities.add(identity);
  }

  networkTouched(network: NetworkId): void {
    this.networks.add(network);
  }

  destinationTouched(key: string, before: DestinationIntent | undefined): void {
    if (!this.destinationsBefore.has(key)) this.destinationsBefore.set(key, before);
  }

  peerSetTouched(key: string, before: PeerSet | undefined): void {
    if (!this.peerSetsBefore.has(key)) this.peerSetsBefore.set(key, before);
  }

  egressTouched(key: string, before: EgressIntent | undefined): void {
    if (!this.egressBefore.has(key)) this.egressBefore.set(key, before);
  }

  result(
    destinationNow: (key: string) => DestinationIntent | undefined,
    peerSetNow: (key: string) => PeerSet | undefined,
    egressNow: (key: string) => EgressIntent | undefined = () => undefined,
  ): IntentDelta {
    const destinations = classify(this.destinationsBefore, destinationNow);
    const peerSets = classify(this.peerSetsBefore, peerSetNow);
    const egress = classify(this.egressBefore, egressNow);
    for (const key of [
      ...destinations.upserted,
      ...destinations.removed,
      ...peerSets.upserted,
      ...peerSets.removed,
      ...egress.upserted,
      ...egress.removed,
    ]) {
      this.networks.add(key.slice(key.indexOf("@") + 1));
    }
    const changed = <T>(before: ReadonlyMap<string, T | undefined>, keys: readonly string[]) =>
      new Map(keys.map((key) => [key, before.get(key)]));
    return {
      identities: [...this.identities].sort(compareText),
      networks: [...this.networks].sort(compareText),
      destinations,
      peerSets,
      egress,
      before: {
        destinations: changed(this.destinationsBefore, [...destinations.upserted, ...destinations.removed]),
        peerSets: changed(this.peerSetsBefore, [...peerSets.upserted, ...peerSets.removed]),
        egress: changed(this.egressBefore, [...egress.upserted, ...egress.removed]),
      },
    };
  }
}

function classify<T>(
  before: ReadonlyMap<string, T | undefined>,
  now: (key: string) => T | undefined,
): { upserted: string[]; removed: string[] } {
  const upserted: string[] = [];
  const removed: string[] = [];
  for (const [key, previous] of before) {
    const current = now(key);
    if (current === undefined) {
      if (previous !== undefined) removed.push(key);
    } else if (previous === undefined || !deepEqual(previous, current)) {
      upserted.push(key);
    }
  }
  return { upserted: upserted.sort(compareText), removed: removed.sort(compareText) };
}
