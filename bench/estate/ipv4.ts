/** IPv4 dotted-quad ↔ 32-bit integer, for carving network blocks and numbering hosts. */
export function ipv4ToInt(address: string): number {
  const parts = address.split(".").map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) {
    throw new Error(`not an IPv4 address: ${address}`);
  }
  return (
    (((parts[0] as number) << 24) |
      ((parts[1] as number) << 16) |
      ((parts[2] as number) << 8) |
      (parts[3] as number)) >>>
    0
  );
}

export function intToIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

/** A network block: `base` is the first address, `size` the number of addresses. */
export interface Block {
  readonly base: number;
  readonly prefixLength: number;
}

export function blockSize(block: Block): number {
  return 2 ** (32 - block.prefixLength);
}

export function blockCidr(block: Block): string {
  return `${intToIpv4(block.base)}/${block.prefixLength}`;
}

/**
 * Splits 10.0.0.0/8 into `count` equal, disjoint blocks (at most /16 each), so that every network
 * gets its own private range whatever the estate size.
 */
export function carvePrivateBlocks(count: number): Block[] {
  const bits = Math.max(8, Math.ceil(Math.log2(Math.max(count, 1))));
  if (bits > 22) throw new Error(`cannot carve ${count} networks out of 10.0.0.0/8`);
  const prefixLength = 8 + bits;
  const base = ipv4ToInt("10.0.0.0");
  return Array.from({ length: count }, (_, i) => ({
    base: base + i * 2 ** (32 - prefixLength),
    prefixLength,
  }));
}

/** Whether `address` lies in `block`. */
export function blockContains(block: Block, address: string): boolean {
  const value = ipv4ToInt(address);
  return value >= block.base && value < block.base + blockSize(block);
}

/** Parses `a.b.c.d/len` (IPv4 only: the generator's networks). */
export function parseBlock(cidr: string): Block {
  const [address, length] = cidr.split("/");
  const prefixLength = Number(length);
  if (address === undefined || !Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 32) {
    throw new Error(`not an IPv4 CIDR: ${cidr}`);
  }
  return { base: ipv4ToInt(address), prefixLength };
}
