import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cidrContains, exactCidrs, parseCidr } from "../../lib/net/cidr.js";

function parsedText(text: string): string | undefined {
  const parsed = parseCidr(text);
  return parsed.ok ? parsed.cidr.text : undefined;
}

function problemOf(text: string): string {
  const parsed = parseCidr(text);
  if (parsed.ok) throw new Error(`expected ${text} to be rejected, got ${parsed.cidr.text}`);
  return parsed.message;
}

/** A dotted quad as someone may write it: octets up to 999, some with a leading zero, a prefix or none. */
const quadArb = fc.record({
  octets: fc.array(fc.tuple(fc.integer({ min: 0, max: 999 }), fc.boolean()), { minLength: 4, maxLength: 4 }),
  prefix: fc.option(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.boolean()), { nil: undefined }),
});

interface WrittenQuad {
  readonly octets: readonly (readonly [number, boolean])[];
  readonly prefix: readonly [number, boolean] | undefined;
}

function quadText({ octets, prefix }: WrittenQuad): string {
  const written = (value: number, padded: boolean) => (padded ? `0${value}` : String(value));
  const address = octets.map(([value, padded]) => written(value, padded)).join(".");
  return prefix === undefined ? address : `${address}/${written(...prefix)}`;
}

describe("parseCidr on dotted quads", () => {
  it("takes exactly the plain ones within range and without host bits, in the same text", () => {
    fc.assert(
      fc.property(quadArb, (quad) => {
        const { octets, prefix } = quad;
        const length = prefix?.[0] ?? 32;
        const value = octets.reduce((sum, [octet]) => sum * 256 + octet, 0);
        const valid =
          octets.every(([octet, padded]) => octet <= 255 && !padded) &&
          (prefix === undefined || (!prefix[1] && prefix[0] <= 32)) &&
          value % 2 ** (32 - length) === 0;
        const text = quadText(quad);
        expect(parsedText(text), text).toBe(
          valid ? `${octets.map(([o]) => o).join(".")}/${length}` : undefined,
        );
        if (valid) expect(cidrContains(text, octets.map(([o]) => o).join("."))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it("keeps the general path's messages for the ones it refuses", () => {
    expect(problemOf("10.0.0.1/24")).toBe('"10.0.0.1/24" has host bits set: the network is 10.0.0.0/24');
    expect(problemOf("10.0.0.256")).toBe('"10.0.0.256" is not an IPv4 or IPv6 address or CIDR');
    expect(problemOf("10.0.0.0/33")).toBe('"10.0.0.0/33" is not an IPv4 or IPv6 address or CIDR');
  });
});

describe("parseCidr", () => {
  it("takes a bare address as a /32 or /128", () => {
    expect(parseCidr("10.0.0.1")).toEqual({
      ok: true,
      cidr: { family: 4, prefixLength: 32, text: "10.0.0.1/32" },
    });
    expect(parseCidr("2001:db8::1")).toEqual({
      ok: true,
      cidr: { family: 6, prefixLength: 128, text: "2001:db8::1/128" },
    });
  });

  it("rejects host bits instead of widening, and names the network", () => {
    expect(problemOf("10.0.0.1/16")).toContain("host bits set: the network is 10.0.0.0/16");
    expect(problemOf("2001:db8::1/32")).toContain("the network is 2001:db8::/32");
    expect(parsedText("10.0.0.0/16")).toBe("10.0.0.0/16");
  });

  it("accepts the whole address space", () => {
    expect(parsedText("0.0.0.0/0")).toBe("0.0.0.0/0");
    expect(parsedText("::/0")).toBe("::/0");
    expect(problemOf("10.0.0.0/0")).toContain("host bits");
  });

  it("rejects legacy and ambiguous IPv4 forms", () => {
    for (const text of ["10.1", "10", "0x0a.0.0.1", "010.0.0.1", "10.0.0.00", "10.0.0.1.", "167772161"]) {
      expect(parseCidr(text).ok, text).toBe(false);
    }
    expect(problemOf("010.0.0.1")).toContain("dotted-quad");
  });

  it("rejects prefix lengths that are out of range or not plain decimal", () => {
    for (const text of [
      "10.0.0.0/33",
      "10.0.0.0/08",
      "10.0.0.0/-1",
      "10.0.0.0/",
      "2001:db8::/0032",
      "::/129",
    ]) {
      expect(parseCidr(text).ok, text).toBe(false);
    }
  });

  it("rejects text that is not an address at all", () => {
    for (const text of ["", " 10.0.0.1", "10.0.0.1 ", "10.0.0.256", "example.com", "10.0.0.0/8/8", ":::"]) {
      expect(parseCidr(text).ok, JSON.stringify(text)).toBe(false);
    }
  });

  it("writes IPv6 in canonical text (RFC 5952: lowercase, no leading zeros, longest zero run as ::)", () => {
    expect(parsedText("2001:DB8:0000:0000:0000:0000:0000:0001")).toBe("2001:db8::1/128");
    expect(parsedText("2001:0db8::/32")).toBe("2001:db8::/32");
    expect(parsedText("2001:db8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1/128");
    expect(parsedText("2001:db8:0:1:1:1:1:1")).toBe("2001:db8:0:1:1:1:1:1/128");
    expect(parsedText("::")).toBe("::/128");
  });

  it("rejects zone indexes and IPv4 embedded in IPv6 text, which ipaddr.js would misread", () => {
    expect(problemOf("fe80::1%eth0")).toContain("zone index");
    // ipaddr.js reads this as ::ffff:1.2.3.4, which is a different address.
    expect(problemOf("::1.2.3.4")).toContain("hexadecimal groups");
    expect(problemOf("::ffff:10.0.0.1/128")).toContain("hexadecimal groups");
  });
});

describe("cidrContains", () => {
  it("contains addresses and blocks of its own family only", () => {
    expect(cidrContains("10.0.0.0/8", "10.255.255.255")).toBe(true);
    expect(cidrContains("10.0.0.0/8", "11.0.0.0")).toBe(false);
    expect(cidrContains("10.0.0.0/8", "10.1.0.0/16")).toBe(true);
    expect(cidrContains("10.1.0.0/16", "10.0.0.0/8")).toBe(false);
    expect(cidrContains("0.0.0.0/0", "255.255.255.255")).toBe(true);
    expect(cidrContains("::/0", "10.0.0.1")).toBe(false);
  });
});

describe("exactCidrs", () => {
  it("merges only when the merged block contains nothing else", () => {
    expect(exactCidrs(["10.0.0.0", "10.0.0.1"])).toEqual(["10.0.0.0/31"]);
    expect(exactCidrs(["10.0.0.1", "10.0.0.2"])).toEqual(["10.0.0.1/32", "10.0.0.2/32"]);
    expect(exactCidrs(["10.0.0.0/25", "10.0.0.128/25"])).toEqual(["10.0.0.0/24"]);
    expect(exactCidrs(["10.0.0.0/24", "10.0.0.7", "10.0.0.0/24"])).toEqual(["10.0.0.0/24"]);
    expect(exactCidrs(["10.0.0.1", "10.0.0.2", "10.0.0.3"])).toEqual(["10.0.0.1/32", "10.0.0.2/31"]);
  });

  it("orders IPv4 before IPv6 and each family by address", () => {
    expect(exactCidrs(["2001:db8::1", "10.0.0.9", "2001:db8::", "10.0.0.1"])).toEqual([
      "10.0.0.1/32",
      "10.0.0.9/32",
      "2001:db8::/127",
    ]);
  });

  it("handles the edges of the address space", () => {
    expect(exactCidrs(["0.0.0.0/1", "128.0.0.0/1"])).toEqual(["0.0.0.0/0"]);
    expect(exactCidrs(["255.255.255.255", "255.255.255.254"])).toEqual(["255.255.255.254/31"]);
    expect(exactCidrs([])).toEqual([]);
  });

  it("throws on an invalid input rather than dropping it", () => {
    expect(() => exactCidrs(["10.0.0.1/16"])).toThrow(TypeError);
  });
});

// Properties in a small window, where every address can be enumerated: 10.0.0.0/24.
const WINDOW_BASE = 10 * 2 ** 24;
const WINDOW_SIZE = 256;

interface Block {
  readonly start: number;
  readonly size: number;
}

const blockArb: fc.Arbitrary<Block> = fc.integer({ min: 24, max: 32 }).chain((prefix) => {
  const size = 2 ** (32 - prefix);
  return fc.integer({ min: 0, max: WINDOW_SIZE / size - 1 }).map((index) => ({ start: index * size, size }));
});

function blockText(block: Block, bare: boolean): string {
  const address = `10.0.0.${block.start}`;
  return bare && block.size === 1 ? address : `${address}/${32 - Math.log2(block.size)}`;
}

/** Parses an output block back to offsets in the window; fails the property if it leaves the window. */
function blockOf(text: string): Block {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(text);
  if (!match) throw new Error(`not a canonical IPv4 CIDR: ${text}`);
  const [a, b, c, d, prefix] = match.slice(1).map(Number) as [number, number, number, number, number];
  const start = ((a * 256 + b) * 256 + c) * 256 + d - WINDOW_BASE;
  const size = 2 ** (32 - prefix);
  if (start < 0 || start + size > WINDOW_SIZE) throw new Error(`${text} leaves the window 10.0.0.0/24`);
  if (start % size !== 0) throw new Error(`${text} is not aligned`);
  return { start, size };
}

function coverage(blocks: readonly Block[]): boolean[] {
  const covered = new Array<boolean>(WINDOW_SIZE).fill(false);
  for (const block of blocks) for (let i = block.start; i < block.start + block.size; i++) covered[i] = true;
  return covered;
}

function fullyCovered(covered: readonly boolean[], start: number, size: number): boolean {
  for (let i = start; i < start + size; i++) if (!covered[i]) return false;
  return true;
}

describe("exactCidrs (properties in 10.0.0.0/24)", () => {
  const inputArb = fc.array(fc.tuple(blockArb, fc.boolean()), { maxLength: 12 });

  it("covers exactly the union of its input, with minimal, disjoint, ordered blocks", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const output = exactCidrs(input.map(([block, bare]) => blockText(block, bare))).map(blockOf);
        const wanted = coverage(input.map(([block]) => block));

        // Exact: the same set of addresses.
        expect(coverage(output)).toEqual(wanted);

        // Ordered and disjoint: each block starts after the previous one ends.
        for (let i = 1; i < output.length; i++) {
          const previous = output[i - 1] as Block;
          expect((output[i] as Block).start).toBeGreaterThanOrEqual(previous.start + previous.size);
        }

        // Minimal: no two blocks are the halves of one aligned block, and more strongly, no block's
        // parent lies inside the union (so every block is maximal, which makes the set the smallest).
        const starts = new Set(output.map((block) => `${block.start}/${block.size}`));
        for (const block of output) {
          const parentSize = block.size * 2;
          if (parentSize > WINDOW_SIZE) continue;
          const parentStart = block.start - (block.start % parentSize);
          const sibling = parentStart === block.start ? block.start + block.size : parentStart;
          expect(starts.has(`${sibling}/${block.size}`)).toBe(false);
          expect(fullyCovered(wanted, parentStart, parentSize)).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("does not depend on the order or repetition of its input, and is idempotent", () => {
    const textsArb = inputArb
      .map((input) => input.map(([block, bare]) => blockText(block, bare)))
      .chain((texts) => {
        const doubled = [...texts, ...texts];
        // A permutation of every input, each one twice.
        return fc.tuple(fc.constant(texts), fc.shuffledSubarray(doubled, { minLength: doubled.length }));
      });
    fc.assert(
      fc.property(textsArb, ([texts, reordered]) => {
        expect(exactCidrs(reordered)).toEqual(exactCidrs(texts));
        expect(exactCidrs(exactCidrs(texts))).toEqual(exactCidrs(texts));
      }),
      { numRuns: 500 },
    );
  });
  it("gives the same IPv4 blocks on the IPv4 fast path as on the general path", () => {
    // Any IPv6 input sends the whole set down the general (bigint) path.
    fc.assert(
      fc.property(inputArb, (input) => {
        const texts = input.map(([block, bare]) => blockText(block, bare));
        expect(exactCidrs([...texts, "2001:db8::1"])).toEqual([...exactCidrs(texts), "2001:db8::1/128"]);
      }),
      { numRuns: 1000 },
    );
  });

  it("merges IPv6 blocks exactly as the same IPv4 blocks", () => {
    // 2001:db8::/120 mirrors 10.0.0.0/24 offset for offset on the general path.
    const toIpv6 = (text: string) => {
      const [address = "", prefix = "32"] = text.split("/");
      const offset = Number(address.split(".")[3]);
      return `2001:db8::${offset === 0 ? "" : offset.toString(16)}/${Number(prefix) + 96}`;
    };
    fc.assert(
      fc.property(inputArb, (input) => {
        const texts = input.map(([block]) => blockText(block, false));
        expect(exactCidrs(texts.map(toIpv6))).toEqual(exactCidrs(texts).map(toIpv6));
      }),
      { numRuns: 1000 },
    );
  });
});
