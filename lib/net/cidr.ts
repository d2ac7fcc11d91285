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
  const withPrefix = text.includes("/") ? text : `${text}/${text.includes(":") ? 128 : 32}`;
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  let prefixLength: number;
  try {
    if (!ipaddr.isValidCIDR(withPrefix)) throw new Error("invalid");
    [address, prefixLength] = ipaddr.parseCIDR(withPrefix);
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

const V4_BITS = 32n;
const V6_BITS = 128n;

function toRange(text: string): { family: IpFamily; start: bigint; end: bigint } {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new TypeError(parsed.message);
  const [address, prefix] = ipaddr.parseCIDR(parsed.cidr.text);
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
  const ranges = [...new Set(addresses)].map(toRange);
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
