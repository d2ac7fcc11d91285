import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AddressRanges,
  cidrContains,
  exactCidrs,
  intersectCidrs,
  subtractCidrs,
} from "../../lib/net/cidr.js";

/** Blocks inside 10.0.0.0/26, so random sets overlap often; every address of the window is probed. */
const blockArb = fc
  .record({ host: fc.integer({ min: 0, max: 63 }), prefix: fc.integer({ min: 26, max: 32 }) })
  .map(({ host, prefix }) => {
    const size = 2 ** (32 - prefix);
    return `10.0.0.${host - (host % size)}/${prefix}`;
  });
const setArb = fc.array(blockArb, { maxLength: 5 });
const WINDOW = Array.from({ length: 64 }, (_, i) => `10.0.0.${i}`);
const holds = (cidrs: readonly string[], address: string) =>
  cidrs.some((cidr) => cidrContains(cidr, address));

describe("subtractCidrs", () => {
  it("cuts an address out of a block into the fewest prefixes", () => {
    expect(subtractCidrs(["10.0.0.0/29"], ["10.0.0.3/32"])).toEqual([
      "10.0.0.0/31",
      "10.0.0.2/32",
      "10.0.0.4/30",
    ]);
    expect(subtractCidrs(["0.0.0.0/0"], ["128.0.0.0/1"])).toEqual(["0.0.0.0/1"]);
    expect(subtractCidrs(["10.0.0.0/24", "2001:db8::/64"], ["2001:db8::/65"])).toEqual([
      "10.0.0.0/24",
      "2001:db8:0:0:8000::/65",
    ]);
  });

  it("holds an address exactly when the first set does and the second does not, minimally", () => {
    fc.assert(
      fc.property(setArb, setArb, (a, b) => {
        const difference = subtractCidrs(a, b);
        expect(exactCidrs(difference)).toEqual(difference);
        for (const address of WINDOW)
          expect(holds(difference, address), address).toBe(holds(a, address) && !holds(b, address));
      }),
      { numRuns: 500 },
    );
  });
});

describe("intersectCidrs", () => {
  it("holds an address exactly when both sets do, minimally", () => {
    fc.assert(
      fc.property(setArb, setArb, (a, b) => {
        const both = intersectCidrs(a, b);
        expect(exactCidrs(both)).toEqual(both);
        for (const address of WINDOW)
          expect(holds(both, address), address).toBe(holds(a, address) && holds(b, address));
      }),
      { numRuns: 500 },
    );
  });

  it("keeps families apart", () => {
    expect(intersectCidrs(["0.0.0.0/0"], ["::/0"])).toEqual([]);
    expect(intersectCidrs(["10.0.0.0/8"], ["10.1.2.0/24", "11.0.0.0/8"])).toEqual(["10.1.2.0/24"]);
  });
});

describe("AddressRanges.meets", () => {
  it("is true exactly when the two share an address, whichever side is larger", () => {
    fc.assert(
      fc.property(setArb, setArb, (a, b) => {
        const shared = WINDOW.some((address) => holds(a, address) && holds(b, address));
        expect(AddressRanges.of(a).meets(AddressRanges.of(b))).toBe(shared);
        expect(AddressRanges.of(b).meets(AddressRanges.of(a))).toBe(shared);
      }),
      { numRuns: 500 },
    );
  });

  it("keeps families apart", () => {
    expect(AddressRanges.of(["0.0.0.0/0"]).meets(AddressRanges.of(["::/0"]))).toBe(false);
    expect(AddressRanges.of(["10.0.0.0/8", "::1"]).meets(AddressRanges.of(["::/0"]))).toBe(true);
  });
});

describe("AddressRanges.unionOf", () => {
  it("holds exactly the addresses of its parts, as AddressRanges.of all their CIDRs does", () => {
    fc.assert(
      fc.property(fc.array(setArb, { maxLength: 4 }), (parts) => {
        const union = AddressRanges.unionOf(parts.map((part) => AddressRanges.of(part)));
        for (const address of WINDOW)
          expect(union.meets(AddressRanges.of([address]))).toBe(parts.some((part) => holds(part, address)));
        // Canonical: equal to the ranges made of every part's CIDRs at once.
        expect(union.equals(AddressRanges.of(parts.flat()))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
