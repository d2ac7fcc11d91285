import ipaddr from "ipaddr.js";

export type IpFamily = 4 | 6;

export interface ParsedCidr {
  readonly family: IpFamily;
  /** Canonical text, e.g. `10.0.0.0/16`, `2001:db8::/32`. */
  readonly text: string;
  readonly prefixLength: number;
}

export type CidrParseResult = { ok: true; cidr: ParsedCidr } | { ok: false; message: string };

/**
 * Parses a CIDR or a bare address (taken as /32 or /128). Host bits must be zero: `10.0.0.1/16`
 * is rejected rather than silently widened, because segsync only ever writes exact sets.
 */
export function parseCidr(text: string): CidrParseResult {
  const block = plainIpv4Block(text);
  if (block !== undefined) return { ok: true, cidr: block.cidr };
  const ambiguity = ambiguousFormProblem(text);
  if (ambiguity !== undefined) return { ok: false, message: ambiguity };
  const withPrefix = text.includes("/") ? text : `${text}/${text.includes(":") ? 128 : 32}`;
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  let prefixLength: number;
  try {
    [address, prefixLength] = parseEitherCidr(withPrefix);
  } catch {
    return { ok: false, message: `"${text}" is not an IPv4 or IPv6 address or CIDR` };
  }
  if (address.kind() === "ipv4" && !/^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}(\/\d{1,2})?$/.test(text)) {
    // ipaddr.js also accepts legacy forms (`10.1`, hex, octal `010`); policies must be unambiguous.
    return { ok: false, message: `"${text}" is not a dotted-quad IPv4 address or CIDR` };
  }
  const network =
    address.kind() === "ipv4"
      ? ipaddr.IPv4.networkAddressFromCIDR(withPrefix)
      : ipaddr.IPv6.networkAddressFromCIDR(withPrefix);
  if (network.toString() !== address.toString()) {
    return {
      ok: false,
      message: `"${text}" has host bits set: the network is ${network.toString()}/${prefixLength}`,
    };
  }
  const family: IpFamily = address.kind() === "ipv4" ? 4 : 6;
  return { ok: true, cidr: { family, prefixLength, text: `${address.toString()}/${prefixLength}` } };
}

/** A dotted quad without leading zeros, with an optional prefix length without one. */
const PLAIN_IPV4 =
  /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})(?:\/(0|[1-9]\d?))?$/;

/**
 * The valid IPv4 address or CIDR in its canonical text (octets at most 255, prefix at most 32,
 * host bits zero), with its first address as a number; undefined for any other text, which the
 * general path answers (with its messages). Most of what segsync parses is this, and ipaddr.js
 * made it most of the cost of a simulated estate.
 */
function plainIpv4Block(text: string): { readonly cidr: ParsedCidr; readonly start: number } | undefined {
  const match = PLAIN_IPV4.exec(text);
  if (match === null) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefixLength = match[5] === undefined ? 32 : Number(match[5]);
  if (prefixLength > 32 || octets.some((octet) => octet > 255)) return undefined;
  const start = octets.reduce((value, octet) => value * 256 + octet, 0);
  if (start % 2 ** (32 - prefixLength) !== 0) return undefined;
  return { cidr: { family: 4, prefixLength, text: `${octets.join(".")}/${prefixLength}` }, start };
}

/**
 * ipaddr.parseCIDR, without its cost: it tries IPv6 first and throws, and text without a colon
 * is no IPv6 form.
 */
function parseEitherCidr(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  return text.includes(":") ? ipaddr.IPv6.parseCIDR(text) : ipaddr.IPv4.parseCIDR(text);
}

/**
 * Forms that ipaddr.js accepts but that would not mean what they say, or not the same to every
 * reader: a zone index (`fe80::1%eth0`, meaningless in a rule), an IPv6 address with an embedded
 * dotted quad (ipaddr.js reads `::1.2.3.4` as `::ffff:1.2.3.4`), a prefix length with a leading zero.
 */
function ambiguousFormProblem(text: string): string | undefined {
  if (text.includes("%")) return `"${text}" has a zone index: only plain addresses and CIDRs are allowed`;
  const [address = "", prefix] = text.split("/", 2);
  if (address.includes(":") && address.includes(".")) {
    return `"${text}" embeds an IPv4 address in IPv6 text: write the IPv6 address in hexadecimal groups`;
  }
  if (prefix !== undefined && !/^(?:0|[1-9]\d{0,2})$/.test(prefix)) {
    return `"${text}" has a malformed prefix length "${prefix}"`;
  }
  return undefined;
}

const V4_BITS = 32n;
const V6_BITS = 128n;

function toRange(text: string): { family: IpFamily; start: bigint; end: bigint } {
  const block = plainIpv4Block(text);
  if (block !== undefined) {
    const start = BigInt(block.start);
    return { family: 4, start, end: start + (1n << BigInt(32 - block.cidr.prefixLength)) - 1n };
  }
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new TypeError(parsed.message);
  const [address, prefix] = parseEitherCidr(parsed.cidr.text);
  const bits = address.kind() === "ipv4" ? V4_BITS : V6_BITS;
  let start = 0n;
  for (const byte of address.toByteArray()) start = (start << 8n) | BigInt(byte);
  const size = 1n << (bits - BigInt(prefix));
  return { family: parsed.cidr.family, start, end: start + size - 1n };
}

function formatAddress(value: bigint, family: IpFamily): string {
  const bytes: number[] = [];
  let rest = value;
  for (let i = 0; i < (family === 4 ? 4 : 16); i++) {
    bytes.unshift(Number(rest & 0xffn));
    rest >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

/** Splits [start, end] into the fewest aligned CIDR blocks that cover exactly that range. */
function rangeToCidrs(start: bigint, end: bigint, family: IpFamily, out: string[]): void {
  const bits = family === 4 ? V4_BITS : V6_BITS;
  let cursor = start;
  while (cursor <= end) {
    let size = 1n;
    let prefix = bits;
    // Grow the block while it stays aligned at cursor and inside the range.
    while (prefix > 0n && cursor % (size * 2n) === 0n && cursor + size * 2n - 1n <= end) {
      size *= 2n;
      prefix -= 1n;
    }
    out.push(`${formatAddress(cursor, family)}/${prefix}`);
    cursor += size;
  }
}

/**
 * The fewest CIDRs whose union is exactly the union of the given addresses and CIDRs: adjacent
 * or overlapping blocks merge only when the merged prefix contains nothing else. IPv4 first,
 * each family in address order, so the result is canonical.
 */
export function exactCidrs(addresses: Iterable<string>): string[] {
  const unique = [...new Set(addresses)];
  return exactIpv4Cidrs(unique) ?? exactCidrsAnyFamily(unique);
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/;

/**
 * The hot path of exactCidrs (the compiler calls it for every peer set): plain IPv4 on doubles,
 * which hold 32-bit values exactly. Undefined when any input is not a canonical IPv4 address or
 * CIDR, so that the general path parses (and rejects) it.
 */
function exactIpv4Cidrs(inputs: readonly string[]): string[] | undefined {
  const ranges: [number, number][] = [];
  for (const text of inputs) {
    const match = IPV4_CIDR.exec(text);
    if (!match) return undefined;
    let start = 0;
    for (let octet = 1; octet <= 4; octet++) {
      const digits = match[octet] as string;
      const value = Number(digits);
      if (value > 255 || (digits.length > 1 && digits[0] === "0")) return undefined;
      start = start * 256 + value;
    }
    const prefixText = match[5];
    const prefix = prefixText === undefined ? 32 : Number(prefixText);
    if (prefix > 32 || (prefixText !== undefined && prefixText.length > 1 && prefixText[0] === "0"))
      return undefined;
    const size = 2 ** (32 - prefix);
    if (start % size !== 0) return undefined;
    ranges.push([start, start + size - 1]);
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: string[] = [];
  let current: [number, number] | undefined;
  for (const range of ranges) {
    if (current && range[0] <= current[1] + 1) {
      if (range[1] > current[1]) current[1] = range[1];
      continue;
    }
    if (current) ipv4RangeToCidrs(current[0], current[1], out);
    current = [range[0], range[1]];
  }
  if (current) ipv4RangeToCidrs(current[0], current[1], out);
  return out;
}

function ipv4RangeToCidrs(start: number, end: number, out: string[]): void {
  let cursor = start;
  while (cursor <= end) {
    let size = 1;
    let prefix = 32;
    while (prefix > 0 && cursor % (size * 2) === 0 && cursor + size * 2 - 1 <= end) {
      size *= 2;
      prefix -= 1;
    }
    out.push(
      `${Math.floor(cursor / 16777216)}.${Math.floor(cursor / 65536) % 256}.${Math.floor(cursor / 256) % 256}.${cursor % 256}/${prefix}`,
    );
    cursor += size;
  }
}

function exactCidrsAnyFamily(unique: readonly string[]): string[] {
  const ranges = unique.map(toRange);
  ranges.sort((a, b) => a.family - b.family || (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: string[] = [];
  let current: { family: IpFamily; start: bigint; end: bigint } | undefined;
  for (const range of ranges) {
    if (current && current.family === range.family && range.start <= current.end + 1n) {
      if (range.end > current.end) current.end = range.end;
      continue;
    }
    if (current) rangeToCidrs(current.start, current.end, current.family, out);
    current = { ...range };
  }
  if (current) rangeToCidrs(current.start, current.end, current.family, out);
  return out;
}

/** Is the address inside the CIDR? Both must be of one family to match. */
export function cidrContains(cidr: string, address: string): boolean {
  const outer = toRange(cidr);
  const inner = toRange(address);
  return outer.family === inner.family && inner.start >= outer.start && inner.end <= outer.end;
}

/** The smallest CIDR holding every one of these IPv4 CIDRs, or undefined when there are none or one is not IPv4. */
export function coveringIpv4Cidr(cidrs: readonly string[]): string | undefined {
  if (cidrs.length === 0) return undefined;
  const ranges = cidrs.map((cidr) => (parseCidr(cidr).ok ? toRange(cidr) : undefined));
  if (ranges.some((range) => range === undefined || range.family !== 4)) return undefined;
  const start = ranges.reduce(
    (low, range) => ((range?.start ?? low) < low ? (range?.start ?? low) : low),
    V4_MAX,
  );
  const end = ranges.reduce((high, range) => ((range?.end ?? high) > high ? (range?.end ?? high) : high), 0n);
  let prefix = 32n;
  while (prefix > 0n && start >> (32n - prefix) !== end >> (32n - prefix)) prefix -= 1n;
  const network = prefix === 0n ? 0n : (start >> (32n - prefix)) << (32n - prefix);
  return `${formatAddress(network, 4)}/${prefix}`;
}

const V4_MAX = (1n << 32n) - 1n;

export interface AddressRange {
  family: IpFamily;
  start: bigint;
  end: bigint;
}

/** Sorted (family, start), overlapping and adjacent ranges merged. */
function mergedRanges(cidrs: Iterable<string>): AddressRange[] {
  return mergeSorted([...new Set(cidrs)].map(toRange));
}

function mergeSorted(ranges: AddressRange[]): AddressRange[] {
  ranges.sort((a, b) => a.family - b.family || (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const merged: AddressRange[] = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && last.family === range.family && range.start <= last.end + 1n) {
      if (range.end > last.end) last.end = range.end;
    } else merged.push({ ...range });
  }
  return merged;
}

function rangesToCidrs(ranges: readonly AddressRange[]): string[] {
  const out: string[] = [];
  for (const range of ranges) rangeToCidrs(range.start, range.end, range.family, out);
  return out;
}

/**
 * A set of addresses as sorted, disjoint, non-adjacent ranges: parsed once, then intersected and
 * subtracted without parsing again, each range of one side found in the other by binary search
 * (deny rules cut many small sources with one large region).
 */
export class AddressRanges {
  static readonly EMPTY = new AddressRanges([]);

  private constructor(private readonly ranges: readonly AddressRange[]) {}

  /** Throws on text that is not an address or CIDR. */
  static of(cidrs: Iterable<string>): AddressRanges {
    return new AddressRanges(mergedRanges(cidrs));
  }

  get empty(): boolean {
    return this.ranges.length === 0;
  }

  /** Its ranges, sorted by family then start, disjoint. */
  get spans(): readonly Readonly<AddressRange>[] {
    return this.ranges;
  }

  /** The fewest CIDRs holding exactly these addresses, canonical (like exactCidrs). */
  toCidrs(): string[] {
    return rangesToCidrs(this.ranges);
  }

  /** The union of many at once: one sort, however many parts. */
  static unionOf(parts: Iterable<AddressRanges>): AddressRanges {
    const ranges: AddressRange[] = [];
    for (const part of parts) ranges.push(...part.ranges);
    return ranges.length === 0 ? AddressRanges.EMPTY : new AddressRanges(mergeSorted(ranges));
  }

  union(other: AddressRanges): AddressRanges {
    if (other.empty) return this;
    if (this.empty) return other;
    return new AddressRanges(mergeSorted([...this.ranges, ...other.ranges]));
  }

  intersect(other: AddressRanges): AddressRanges {
    const result: AddressRange[] = [];
    for (const range of this.ranges) {
      for (let i = other.firstEndingAtOrAfter(range); i < other.ranges.length; i++) {
        const cut = other.ranges[i] as AddressRange;
        if (cut.family !== range.family || cut.start > range.end) break;
        const start = range.start > cut.start ? range.start : cut.start;
        const end = range.end < cut.end ? range.end : cut.end;
        result.push({ family: range.family, start, end });
      }
    }
    return new AddressRanges(result);
  }

  subtract(other: AddressRanges): AddressRanges {
    const result: AddressRange[] = [];
    for (const range of this.ranges) {
      let cursor = range.start;
      for (let i = other.firstEndingAtOrAfter(range); i < other.ranges.length; i++) {
        const cut = other.ranges[i] as AddressRange;
        if (cut.family !== range.family || cut.start > range.end) break;
        if (cut.start > cursor) result.push({ family: range.family, start: cursor, end: cut.start - 1n });
        cursor = cut.end + 1n;
        if (cursor > range.end) break;
      }
      if (cursor <= range.end) result.push({ family: range.family, start: cursor, end: range.end });
    }
    return new AddressRanges(result);
  }

  /** Whether the two share an address: each range of the smaller side looked up in the larger. */
  meets(other: AddressRanges): boolean {
    const [small, large] = this.ranges.length <= other.ranges.length ? [this, other] : [other, this];
    for (const range of small.ranges) {
      const found = large.ranges[large.firstEndingAtOrAfter(range)];
      if (found !== undefined && found.family === range.family && found.start <= range.end) return true;
    }
    return false;
  }

  equals(other: AddressRanges): boolean {
    return (
      this.ranges.length === other.ranges.length &&
      this.ranges.every((range, i) => {
        const o = other.ranges[i] as AddressRange;
        return range.family === o.family && range.start === o.start && range.end === o.end;
      })
    );
  }

  /** Index of the first range of the same family that ends at or after `range` starts (or past the family). */
  private firstEndingAtOrAfter(range: AddressRange): number {
    let low = 0;
    let high = this.ranges.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const probe = this.ranges[middle] as AddressRange;
      const before =
        probe.family < range.family || (probe.family === range.family && probe.end < range.start);
      if (before) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/**
 * The fewest CIDRs holding exactly the addresses of `from` that `minus` does not hold (canonical,
 * like exactCidrs): `10.0.0.0/24` minus `10.0.0.7/32` is eight blocks. Throws on text that is not
 * an address or CIDR.
 */
export function subtractCidrs(from: Iterable<string>, minus: Iterable<string>): string[] {
  return AddressRanges.of(from).subtract(AddressRanges.of(minus)).toCidrs();
}

/** The fewest CIDRs holding exactly the addresses both sides hold (canonical, like exactCidrs). */
export function intersectCidrs(a: Iterable<string>, b: Iterable<string>): string[] {
  return AddressRanges.of(a).intersect(AddressRanges.of(b)).toCidrs();
}
