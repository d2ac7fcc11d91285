/** The exact checks of lib/flows/parsers/fields.ts, against node:net's own and by their edges. */
import { isIPv4, isIPv6 } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addressField, FieldError, integerField } from "../../lib/flows/parsers/fields.js";

function accepted(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch (error) {
    if (error instanceof FieldError) return false;
    throw error;
  }
}

describe("addressField", () => {
  it("accepts exactly what node:net calls IPv4 or IPv6 (without a zone)", () => {
    const text = fc.oneof(
      fc.ipV4(),
      fc.ipV4Extended(),
      fc.ipV6(),
      fc.stringMatching(/^[0-9.]{0,17}$/),
      fc.stringMatching(/^[0-9a-f:.]{0,24}$/),
      fc.string(),
    );
    fc.assert(
      fc.property(text, (value) => {
        const expected = isIPv4(value) || (isIPv6(value) && !value.includes("%"));
        expect([value, accepted(() => addressField("a", value))]).toEqual([value, expected]);
      }),
      { numRuns: 5000 },
    );
  });

  it("writes IPv6 in one canonical form, lowercase and compressed", () => {
    expect(addressField("a", "2001:DB8:0:0:0:0:0:1")).toBe("2001:db8::1");
    expect(addressField("a", "2a02:cf40::")).toBe("2a02:cf40::");
  });
});

describe("integerField", () => {
  it("reads whole numbers in range and refuses signs, fractions, exponents and what a number cannot hold", () => {
    expect(integerField("n", "0", 0, 10)).toBe(0);
    expect(integerField("n", "9007199254740991", 0, Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    for (const bad of [
      "",
      "-1",
      "+1",
      "1.0",
      "1e3",
      " 1",
      "0x10",
      "9007199254740992",
      "99999999999999999999",
    ]) {
      expect([bad, accepted(() => integerField("n", bad, 0, Number.MAX_SAFE_INTEGER))]).toEqual([bad, false]);
    }
  });
});
