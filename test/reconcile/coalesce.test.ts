import { describe, expect, it } from "vitest";
import type { Intent, PeerMember, PeerSet } from "../../lib/compile/model.js";
import type { ChangeSlices } from "../../lib/compile/slice.js";
import type { WorkloadId } from "../../lib/inventory/model.js";
import { networkOfPeerSet, onlyGrew, PeerSetCoalescer } from "../../lib/reconcile/coalesce.js";

const AZURE_NET = "azure:sub:rg-net:vnet-prod";
const KEY = `abc@${AZURE_NET}`;
const LIMITS = { maxDelayMs: 30_000, maxBatches: 3 };

function member(name: string, address: string, via: PeerMember["via"] = "private"): PeerMember {
  return { workload: `aws:111111111111:us-east-1:${name}` as WorkloadId, via, addresses: [address] };
}

function peerSet(remote: readonly PeerMember[], key = KEY): PeerSet {
  return {
    identity: "app=shop",
    hash: "abc",
    key,
    network: networkOfPeerSet(key),
    local: [],
    remote,
    localCidrs: [],
    remoteCidrs: remote.flatMap((m) => m.addresses.map((a) => `${a}/32`)),
  };
}

function intent(peerSets: readonly PeerSet[]): Intent {
  return { destinations: [], peerSets, workloads: [], findings: [] };
}

function slices(before: readonly PeerSet[], after: readonly PeerSet[]): ChangeSlices {
  return {
    scope: { workloads: [], destinations: [], peerSets: after.map((p) => p.key), egressTargets: [] },
    before: intent(before),
    after: intent(after),
  };
}

const one = [member("i-1", "10.1.0.1")];
const two = [...one, member("i-2", "10.1.0.2")];
const three = [...two, member("i-3", "10.1.0.3")];

describe("onlyGrew", () => {
  it("is true only when every member last written is still there, seen the same way, and there are more", () => {
    expect(onlyGrew(peerSet(one), peerSet(two))).toBe(true);
    expect(onlyGrew(peerSet(two), peerSet(two))).toBe(false);
    expect(onlyGrew(peerSet(two), peerSet(one))).toBe(false);
    // Same count, one replaced: a member left.
    expect(onlyGrew(peerSet(two), peerSet([one[0] as PeerMember, member("i-3", "10.1.0.3")]))).toBe(false);
    // A member that moved address, or is now seen through NAT, is not growth.
    expect(onlyGrew(peerSet(one), peerSet([member("i-1", "10.1.0.9"), member("i-2", "10.1.0.2")]))).toBe(
      false,
    );
    expect(
      onlyGrew(peerSet(one), peerSet([member("i-1", "10.1.0.1", "nat"), member("i-2", "10.1.0.2")])),
    ).toBe(false);
  });
});

describe("PeerSetCoalescer", () => {
  it("keeps the remote members last written while events wait, and remembers the deferral", () => {
    const coalescer = new PeerSetCoalescer(LIMITS);
    const due = coalescer.startBatch(0, 5);
    const planned = coalescer.plan(slices([peerSet(one)], [peerSet(two)]), 0, 5, due);
    expect(planned.after.peerSets[0]?.remote).toEqual(one);
    expect(planned.after.peerSets[0]?.remoteCidrs).toEqual(["10.1.0.1/32"]);
    expect(coalescer.waiting).toEqual([KEY]);
    // The next batch grows it again: still what was first written.
    const again = coalescer.plan(slices([peerSet(two)], [peerSet(three)]), 1, 4, coalescer.startBatch(1, 4));
    expect(again.after.peerSets[0]?.remote).toEqual(one);
  });

  it("writes at once when nothing waits, when a member leaves, and for a peer set never written", () => {
    const idle = new PeerSetCoalescer(LIMITS);
    expect(idle.plan(slices([peerSet(one)], [peerSet(two)]), 0, 0, []).after.peerSets[0]?.remote).toEqual(
      two,
    );
    expect(idle.waiting).toEqual([]);
    const shrinking = new PeerSetCoalescer(LIMITS);
    shrinking.plan(slices([peerSet(one)], [peerSet(two)]), 0, 5, []);
    expect(shrinking.plan(slices([peerSet(two)], [peerSet([])]), 0, 5, []).after.peerSets[0]?.remote).toEqual(
      [],
    );
    expect(shrinking.waiting).toEqual([]);
    const fresh = new PeerSetCoalescer(LIMITS);
    expect(fresh.plan(slices([], [peerSet(two)]), 0, 5, []).after.peerSets[0]?.remote).toEqual(two);
  });

  it("makes a deferral due after maxBatches batches, after maxDelayMs, or once the queue is empty", () => {
    const byBatches = new PeerSetCoalescer(LIMITS);
    byBatches.plan(slices([peerSet(one)], [peerSet(two)]), 0, 9, byBatches.startBatch(0, 9));
    expect(byBatches.startBatch(0, 9)).toEqual([]);
    expect(byBatches.startBatch(0, 9)).toEqual([]);
    expect(byBatches.startBatch(0, 9)).toEqual([KEY]);
    const byTime = new PeerSetCoalescer(LIMITS);
    byTime.plan(slices([peerSet(one)], [peerSet(two)]), 1_000, 9, []);
    expect(byTime.startBatch(30_999, 9)).toEqual([]);
    expect(byTime.startBatch(31_000, 9)).toEqual([KEY]);
    const byQueue = new PeerSetCoalescer(LIMITS);
    byQueue.plan(slices([peerSet(one)], [peerSet(two)]), 0, 9, []);
    expect(byQueue.startBatch(0, 0)).toEqual([KEY]);
  });

  it("plans a due peer set as it is and forgets it, even where the batch no longer holds it", () => {
    const coalescer = new PeerSetCoalescer(LIMITS);
    coalescer.plan(slices([peerSet(one)], [peerSet(two)]), 0, 9, []);
    const due = coalescer.startBatch(40_000, 9);
    expect(
      coalescer.plan(slices([peerSet(two)], [peerSet(three)]), 40_000, 9, due).after.peerSets[0]?.remote,
    ).toEqual(three);
    expect(coalescer.waiting).toEqual([]);
    const orphan = new PeerSetCoalescer(LIMITS);
    orphan.plan(slices([peerSet(one)], [peerSet(two)]), 0, 9, []);
    orphan.plan(slices([], []), 0, 0, orphan.startBatch(0, 0));
    expect(orphan.waiting).toEqual([]);
  });

  it("forgets the deferrals of one cloud only", () => {
    const coalescer = new PeerSetCoalescer(LIMITS);
    const gcpKey = "def@gcp:proj:net";
    coalescer.plan(
      slices([peerSet(one), peerSet(one, gcpKey)], [peerSet(two), peerSet(two, gcpKey)]),
      0,
      9,
      [],
    );
    expect(coalescer.waiting.sort()).toEqual([KEY, gcpKey].sort());
    coalescer.forget("azure");
    expect(coalescer.waiting).toEqual([gcpKey]);
  });
});
