/**
 * Coalescing a burst (docs/architecture.md, "Coalescing a burst"). In a burst, a source identity
 * gains members in batch after batch, and every destination that admits it from another network
 * (a prefix list, an NSG rule's prefixes, a firewall rule's source ranges) would be rewritten in
 * each. While more events wait in the queue, a peer set whose only change is new remote members
 * keeps, in this batch's plan, the remote members last written; the growth is written once, when
 * the queue is empty or the deferral reaches its limits. Only growth waits: a member leaving or
 * changing address, and every workload's own attachment, are written at once. Waiting opens later,
 * never closes later (docs/trust-model.md).
 */
import type { Intent, PeerMember, PeerSet } from "../compile/model.js";
import type { ChangeSlices } from "../compile/slice.js";
import { cloudOfId } from "../inventory/ids.js";
import type { Cloud, NetworkId } from "../inventory/model.js";

export interface CoalesceLimits {
  /** The longest a peer set's growth waits, from its first deferred batch. */
  readonly maxDelayMs: number;
  /** The most batches a peer set's growth waits through. */
  readonly maxBatches: number;
}

/** A new member's peers see it within half a minute, or 20 batches, in the longest burst. */
export const DEFAULT_COALESCE_LIMITS: CoalesceLimits = { maxDelayMs: 30_000, maxBatches: 20 };

interface Deferral {
  /** The peer set as the cloud holds it: what the last plan that wrote it planned. */
  readonly written: PeerSet;
  readonly since: number;
  readonly batches: number;
}

export class PeerSetCoalescer {
  private readonly deferred = new Map<string, Deferral>();

  constructor(private readonly limits: CoalesceLimits) {}

  /** Peer set keys whose growth waits now. */
  get waiting(): string[] {
    return [...this.deferred.keys()];
  }

  /**
   * Starts a batch: every deferral ages by one batch. Returns the deferred peer sets this batch
   * must write: all of them when no event waits, else those that reached a limit.
   */
  startBatch(now: number, eventsWaiting: number): string[] {
    const due: string[] = [];
    for (const [key, deferral] of this.deferred) {
      const aged = { ...deferral, batches: deferral.batches + 1 };
      this.deferred.set(key, aged);
      if (eventsWaiting === 0 || this.expired(aged, now)) due.push(key);
    }
    return due;
  }

  /**
   * The slices to plan from: while events wait, each peer set that only gained remote members
   * keeps the remote members last written (and is remembered as deferred), unless it is `due`
   * (startBatch); every other peer set is planned as it is now, and its deferral ends. A due
   * deferral ends too when the slice does not hold its peer set (nothing uses it any more); a
   * deferral neither due nor in the slice waits on.
   */
  plan(slices: ChangeSlices, now: number, eventsWaiting: number, due: readonly string[]): ChangeSlices {
    const written = new Map(slices.before.peerSets.map((peerSet) => [peerSet.key, peerSet]));
    const ending = new Set(due);
    const peerSets = slices.after.peerSets.map((peerSet) => {
      const deferral = this.deferred.get(peerSet.key);
      const last = deferral?.written ?? written.get(peerSet.key);
      if (eventsWaiting === 0 || ending.has(peerSet.key) || last === undefined || !onlyGrew(last, peerSet)) {
        this.deferred.delete(peerSet.key);
        return peerSet;
      }
      this.deferred.set(peerSet.key, deferral ?? { written: last, since: now, batches: 0 });
      return { ...peerSet, remote: last.remote, remoteCidrs: last.remoteCidrs };
    });
    for (const key of ending) this.deferred.delete(key);
    const after: Intent = Object.freeze({ ...slices.after, peerSets: Object.freeze(peerSets) });
    return { ...slices, after };
  }

  /**
   * Forgets the deferrals of a cloud whose plan did not come from the slices, or was not applied
   * in full: the whole intent was planned there, or the cloud is read whole next time, and either
   * writes every peer set as it is.
   */
  forget(cloud: Cloud): void {
    for (const key of this.deferred.keys()) if (cloudOfPeerSet(key) === cloud) this.deferred.delete(key);
  }

  clear(): void {
    this.deferred.clear();
  }

  private expired(deferral: Deferral, now: number): boolean {
    return deferral.batches >= this.limits.maxBatches || now - deferral.since >= this.limits.maxDelayMs;
  }
}

/** `<hash>@<network>` → the network that sees the peer set, where the destinations using it are. */
export function networkOfPeerSet(key: string): NetworkId {
  return key.slice(key.indexOf("@") + 1) as NetworkId;
}

function cloudOfPeerSet(key: string): Cloud {
  return cloudOfId(networkOfPeerSet(key));
}

/**
 * Whether `now` differs from `last` only by remote members added: every remote member last
 * written is still there, seen the same way from the same addresses, and there are more.
 */
export function onlyGrew(last: PeerSet, now: PeerSet): boolean {
  if (now.remote.length <= last.remote.length) return false;
  const current = new Map(now.remote.map((member) => [member.workload, member]));
  return last.remote.every((member) => sameMember(member, current.get(member.workload)));
}

function sameMember(a: PeerMember, b: PeerMember | undefined): boolean {
  if (b === undefined || a.via !== b.via || a.addresses.length !== b.addresses.length) return false;
  return a.addresses.every((address, index) => b.addresses[index] === address);
}
