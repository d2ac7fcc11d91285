/**
 * A change's slices (lib/compile/slice.ts): what a targeted plan is made from. For any inventory,
 * policy and batch of changes, the slice after the change is the whole intent restricted to the
 * scope, the slice before it the whole intent before restricted the same way, and the scope holds
 * every destination that changed and every destination using a peer set that changed.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IncrementalCompiler } from "../../lib/compile/incremental.js";
import type { Intent } from "../../lib/compile/model.js";
import { peerKeysOf, wholeBefore } from "../../lib/compile/slice.js";
import { changeArb, changedWorkloads, egressPolicyArb, inventoryArb, policyArb } from "./arbitraries.js";

/** The whole intent restricted to these destinations, the peer sets they use and these workloads. */
function restricted(intent: Intent, destinations: readonly string[], workloads: readonly string[]) {
  const kept = intent.destinations.filter((d) => destinations.includes(d.key));
  const peers = new Set(kept.flatMap(peerKeysOf));
  return {
    destinations: kept,
    peerSets: intent.peerSets.filter((p) => peers.has(p.key)),
    workloads: intent.workloads.filter((w) => workloads.includes(w.workload)),
  };
}

const withoutFindings = ({ destinations, peerSets, workloads }: Intent) => ({
  destinations,
  peerSets,
  workloads,
});

describe("IncrementalCompiler.changeSlices", () => {
  it("slices the whole intent after and before the change, over every destination the change concerns", () => {
    fc.assert(
      fc.property(
        policyArb,
        inventoryArb,
        fc.array(changeArb, { minLength: 1, maxLength: 4 }),
        (policy, inventory, batch) => {
          const compiler = IncrementalCompiler.build(policy, inventory);
          const before = compiler.snapshot();
          const workloads = changedWorkloads(batch);
          const reports = new Map(workloads.map((id) => [id, compiler.report(id)]));
          const delta = compiler.apply(batch);
          const after = compiler.snapshot();
          const {
            scope,
            after: sliceAfter,
            before: sliceBefore,
          } = compiler.changeSlices(delta, workloads, reports);

          expect(withoutFindings(sliceAfter)).toEqual(restricted(after, scope.destinations, workloads));
          expect(withoutFindings(sliceBefore)).toEqual(restricted(before, scope.destinations, workloads));
          const changedPeers = new Set([...delta.peerSets.upserted, ...delta.peerSets.removed]);
          for (const destination of [...before.destinations, ...after.destinations]) {
            const text = (intent: Intent) =>
              JSON.stringify(intent.destinations.find((d) => d.key === destination.key));
            const changed = text(before) !== text(after);
            const usesChanged = peerKeysOf(destination).some((key) => changedPeers.has(key));
            if (changed || usesChanged) expect(scope.destinations).toContain(destination.key);
          }
          for (const peer of [...sliceAfter.peerSets, ...sliceBefore.peerSets])
            expect(scope.peerSets).toContain(peer.key);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("puts the whole intent before the change back together from the intent after it and the slices (wholeBefore)", () => {
    fc.assert(
      fc.property(
        egressPolicyArb,
        inventoryArb,
        fc.array(changeArb, { minLength: 1, maxLength: 4 }),
        (policy, inventory, batch) => {
          const compiler = IncrementalCompiler.build(policy, inventory);
          const before = compiler.snapshot();
          const workloads = changedWorkloads(batch);
          const reports = new Map(workloads.map((id) => [id, compiler.report(id)]));
          const heldBefore = workloads.flatMap((id) => compiler.heldKeys(id));
          const delta = compiler.apply(batch);
          const rebuilt = wholeBefore(
            compiler.snapshot(),
            compiler.changeSlices(delta, workloads, reports, heldBefore),
          );
          expect(rebuilt.destinations).toEqual(before.destinations);
          expect(rebuilt.egress ?? []).toEqual(before.egress ?? []);
          expect(rebuilt.workloads).toEqual(before.workloads);
          // Every peer set a destination used before, as it was; one nothing used may stay.
          const kept = new Map(rebuilt.peerSets.map((peerSet) => [peerSet.key, peerSet]));
          for (const peerSet of before.peerSets) expect(kept.get(peerSet.key)).toEqual(peerSet);
        },
      ),
      { numRuns: 300 },
    );
  });
});
