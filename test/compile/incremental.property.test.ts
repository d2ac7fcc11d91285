import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile, serializeIntent } from "../../lib/compile/compile.js";
import { IncrementalCompiler } from "../../lib/compile/incremental.js";
import { applyChanges, changeArb, inventoryArb, policyArb } from "./arbitraries.js";
import { intentAccepts, naiveAccepts } from "./oracle.js";

describe("incremental compile", () => {
  it("equals a full compile of the final inventory after any change sequence", () => {
    fc.assert(
      fc.property(
        policyArb,
        inventoryArb,
        fc.array(fc.array(changeArb, { minLength: 1, maxLength: 4 }), { maxLength: 8 }),
        (policy, inventory, batches) => {
          const compiler = IncrementalCompiler.build(policy, inventory);
          let current = inventory;
          for (const batch of batches) {
            compiler.apply(batch);
            current = applyChanges(current, batch);
          }
          expect(serializeIntent(compiler.snapshot())).toBe(serializeIntent(compile(policy, current)));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("reports every destination and peer set whose content changed, and only those", () => {
    fc.assert(
      fc.property(
        policyArb,
        inventoryArb,
        fc.array(changeArb, { minLength: 1, maxLength: 4 }),
        (policy, inventory, batch) => {
          const compiler = IncrementalCompiler.build(policy, inventory);
          const before = compiler.snapshot();
          const delta = compiler.apply(batch);
          const after = compiler.snapshot();
          const changedKeys = (a: readonly { key: string }[], b: readonly { key: string }[]) => {
            const left = new Map(a.map((item) => [item.key, JSON.stringify(item)]));
            const right = new Map(b.map((item) => [item.key, JSON.stringify(item)]));
            const upserted = [...right].filter(([key, text]) => left.get(key) !== text).map(([key]) => key);
            const removed = [...left.keys()].filter((key) => !right.has(key));
            return { upserted: upserted.sort(), removed: removed.sort() };
          };
          expect(delta.destinations).toEqual(changedKeys(before.destinations, after.destinations));
          expect(delta.peerSets).toEqual(changedKeys(before.peerSets, after.peerSets));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("compile", () => {
  it("accepts exactly what a naive pair-by-pair reading of the policy accepts", () => {
    fc.assert(
      fc.property(policyArb, inventoryArb, (policy, inventory) => {
        expect(intentAccepts(compile(policy, inventory))).toEqual(naiveAccepts(policy, inventory));
      }),
      { numRuns: 1000 },
    );
  });

  it("is deterministic: the workload order does not change a byte", () => {
    fc.assert(
      fc.property(policyArb, inventoryArb, fc.integer(), (policy, inventory, seed) => {
        const shuffled = [...inventory.workloads].sort(
          (a, b) => ((a.id.length * seed) % 7) - ((b.id.length * seed) % 7) || (a.id < b.id ? 1 : -1),
        );
        expect(serializeIntent(compile(policy, { ...inventory, workloads: shuffled }))).toBe(
          serializeIntent(compile(policy, inventory)),
        );
      }),
      { numRuns: 300 },
    );
  });
});
