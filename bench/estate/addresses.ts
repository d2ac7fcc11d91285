import type { Cloud, NetworkId } from "../../lib/inventory/model.js";
import { type Block, blockSize, intToIpv4, ipv4ToInt } from "./ipv4.js";

/** Clouds reserve the first addresses of a subnet; hosts are numbered from here. */
const FIRST_HOST_OFFSET = 10;

/** Hands out private addresses per network, each one once. */
export class PrivateAddresses {
  private readonly nextOffset = new Map<NetworkId, number>();

  /** Records an address already in use, so that later allocations come after it. */
  reserve(network: NetworkId, block: Block, address: string): void {
    const offset = ipv4ToInt(address) - block.base;
    const next = this.nextOffset.get(network) ?? FIRST_HOST_OFFSET;
    if (offset >= next) this.nextOffset.set(network, offset + 1);
  }

  allocate(network: NetworkId, block: Block): string {
    const offset = this.nextOffset.get(network) ?? FIRST_HOST_OFFSET;
    if (offset >= blockSize(block) - 1) throw new Error(`network ${network} is full`);
    this.nextOffset.set(network, offset + 1);
    return intToIpv4(block.base + offset);
  }
}

/** First octets of each cloud's public ranges, so that public addresses look like the cloud's own. */
const PUBLIC_FIRST_OCTETS: Readonly<Record<Cloud, readonly number[]>> = {
  aws: [54, 3],
  azure: [20, 40],
  gcp: [34, 35],
};

/** Hands out unique public addresses per cloud, skipping any already taken. */
export class PublicAddresses {
  private readonly counters: Record<Cloud, number> = { aws: 0, azure: 0, gcp: 0 };

  constructor(private readonly taken: Set<string> = new Set()) {}

  allocate(cloud: Cloud): string {
    for (;;) {
      const address = publicAddress(cloud, this.counters[cloud]++);
      if (!this.taken.has(address)) {
        this.taken.add(address);
        return address;
      }
    }
  }
}

function publicAddress(cloud: Cloud, counter: number): string {
  const octets = PUBLIC_FIRST_OCTETS[cloud];
  const first = octets[counter % octets.length] as number;
  const rest = Math.floor(counter / octets.length);
  const host = (rest % 254) + 1;
  const middle = Math.floor(rest / 254);
  if (middle > 0xffff) throw new Error(`out of public addresses for ${cloud}`);
  return intToIpv4(((first << 24) | (middle << 8) | host) >>> 0);
}

/** NAT egress addresses come from the documentation ranges, apart from every workload address. */
export function natAddress(index: number): string {
  const ranges = ["203.0.113.0", "198.51.100.0"];
  const range = ranges[Math.floor(index / 254)];
  if (range === undefined) throw new Error("out of NAT addresses");
  return `${intToIpv4(ipv4ToInt(range) + (index % 254) + 1)}/32`;
}
