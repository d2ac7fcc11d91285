import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AddressIndex } from "../../lib/net/address-index.js";
import { AddressRanges } from "../../lib/net/cidr.js";

/** Blocks inside 10.0.0.0/26, a few IPv6 ones, and now and then a wide one, so that sets overlap. */
const blockArb = fc.oneof(
  fc
    .record({ host: fc.integer({ min: 0, max: 63 }), prefix: fc.integer({ min: 26, max: 32 }) })
    .map(({ host, prefix }) => `10.0.0.${host - (host % 2 ** (32 - prefix))}/${prefix}`),
  fc.constantFrom("10.0.0.0/24", "0.0.0.0/0", "fd00::1", "fd00::/64"),
);
const setArb = fc.array(blockArb, { maxLength: 4 }).map((cidrs) => AddressRanges.of(cidrs));

describe("AddressIndex", () => {
  it("finds exactly the sets that meet the query", () => {
    fc.assert(
      fc.property(fc.array(setArb, { maxLength: 8 }), setArb, (sets, query) => {
        const index = AddressIndex.of(sets.map((set, i) => [i, set] as const));
        const expected = sets.flatMap((set, i) => (set.meets(query) ? [i] : []));
        expect([...index.meeting(query)].sort((a, b) => a - b)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it("finds a set behind a wide one that starts earlier and a narrow one that ends before the query", () => {
    const index = AddressIndex.of([
      ["wide", AddressRanges.of(["10.0.0.0/8"])],
      ["narrow", AddressRanges.of(["10.1.0.0/32"])],
      ["v6", AddressRanges.of(["::/0"])],
    ]);
    expect([...index.meeting(AddressRanges.of(["10.2.0.1"]))]).toEqual(["wide"]);
    expect([...index.meeting(AddressRanges.of(["fd00::1"]))]).toEqual(["v6"]);
    expect(index.meeting(AddressRanges.of(["11.0.0.1"])).size).toBe(0);
  });
});
