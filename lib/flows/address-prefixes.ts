/**
 * Longest-prefix matching of addresses against CIDRs (an ipList's, a NAT's): one map per prefix
 * length in use, keyed by the address's bits above it, tried from the longest length down. A lookup
 * is at most 33 (IPv4) or 129 (IPv6) map probes whatever the number of CIDRs, and in practice as
 * many as the distinct lengths the policy uses.
 */
import ipaddr from "ipaddr.js";
import { FlowResolutionError } from "./errors.js";

/** An address as a family and its bits as one number (a bigint holds IPv6's 128), with its one text. */
export interface AddressBits {
  readonly family: 4 | 6;
  readonly value: bigint;
  /** IPv4 dotted quad, IPv6 lowercase with zeros compressed, as the flow parsers write them. */
  readonly text: string;
}

const WIDTH = { 4: 32, 6: 128 } as const;

/** A dotted quad without leading zeros: its own canonical text. Most addresses are this, and ipaddr.js costs more. */
const PLAIN_IPV4 = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

function plainIpv4(text: string): number | undefined {
  const match = PLAIN_IPV4.exec(text);
  if (match === null) return undefined;
  let value = 0;
  for (let octet = 1; octet <= 4; octet++) {
    const part = Number(match[octet]);
    if (part > 255) return undefined;
    value = value * 256 + part;
  }
  return value;
}

/** The bits of an IPv4 or IPv6 address, or undefined for any other text. */
export function addressBits(text: string): AddressBits | undefined {
  const plain = plainIpv4(text);
  if (plain !== undefined) return { family: 4, value: BigInt(plain), text };
  if (!ipaddr.isValid(text)) return undefined;
  const address = ipaddr.parse(text);
  let value = 0n;
  for (const byte of address.toByteArray()) value = (value << 8n) | BigInt(byte);
  return { family: address.kind() === "ipv4" ? 4 : 6, value, text: address.toString() };
}

/** The one text of an address (AddressBits' `text`), or undefined when it is no address. */
export function canonicalAddress(text: string): string | undefined {
  if (plainIpv4(text) !== undefined) return text;
  return ipaddr.isValid(text) ? ipaddr.parse(text).toString() : undefined;
}

interface Entry<T> {
  readonly cidr: string;
  readonly value: T;
}

/** CIDRs of both families, each with a value; `longestMatch` finds the most specific holding an address. */
export class PrefixTable<T> {
  /** Per family, per prefix length (longest first once sealed), the CIDRs by their network bits. */
  private readonly lengths = {
    4: new Map<number, Map<bigint, Entry<T>>>(),
    6: new Map<number, Map<bigint, Entry<T>>>(),
  };
  private sorted: { 4: number[]; 6: number[] } | undefined;

  /**
   * Adds a CIDR (canonical, host bits zero: as the policy resolves them) with its value, or merges
   * the value into the one already there.
   */
  add(cidr: string, value: T, merge: (existing: T, added: T) => T): void {
    const [address, prefixText] = cidr.split("/");
    const bits = address === undefined ? undefined : addressBits(address);
    const prefixLength = Number(prefixText ?? Number.NaN);
    if (bits === undefined || !Number.isInteger(prefixLength) || prefixLength > WIDTH[bits.family]) {
      throw new FlowResolutionError(`"${cidr}" is not a CIDR`);
    }
    let byBits = this.lengths[bits.family].get(prefixLength);
    if (byBits === undefined) {
      byBits = new Map();
      this.lengths[bits.family].set(prefixLength, byBits);
    }
    const key = bits.value >> BigInt(WIDTH[bits.family] - prefixLength);
    const existing = byBits.get(key);
    byBits.set(key, { cidr, value: existing === undefined ? value : merge(existing.value, value) });
    this.sorted = undefined;
  }

  /** The most specific CIDR holding the address, with its value; undefined when none does. */
  longestMatch(address: AddressBits): Entry<T> | undefined {
    this.sorted ??= {
      4: [...this.lengths[4].keys()].sort((a, b) => b - a),
      6: [...this.lengths[6].keys()].sort((a, b) => b - a),
    };
    const width = WIDTH[address.family];
    for (const length of this.sorted[address.family]) {
      const entry = this.lengths[address.family].get(length)?.get(address.value >> BigInt(width - length));
      if (entry !== undefined) return entry;
    }
    return undefined;
  }
}
