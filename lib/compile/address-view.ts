import type { NetworkId, Workload } from "../inventory/model.js";
import type { Policy } from "../policy/model.js";
import type { AddressVia } from "./model.js";

/** Which networks route to each other privately, and where NATed traffic leaves from. */
export class NetworkTopology {
  private readonly peers = new Map<NetworkId, Set<NetworkId>>();
  private readonly natAddresses: ReadonlyMap<NetworkId, readonly string[]>;

  constructor(networks: Policy["networks"]) {
    // Connectivity is not transitive (VPC peering is not): two networks are connected iff they share a group.
    for (const group of networks.connected) {
      for (const network of group) {
        let set = this.peers.get(network);
        if (!set) {
          set = new Set();
          this.peers.set(network, set);
        }
        for (const other of group) if (other !== network) set.add(other);
      }
    }
    this.natAddresses = new Map(Object.entries(networks.nat));
  }

  connected(a: NetworkId, b: NetworkId): boolean {
    return this.peers.get(a)?.has(b) ?? false;
  }

  nat(network: NetworkId): readonly string[] | undefined {
    return this.natAddresses.get(network);
  }
}

export interface MemberView {
  /** The workload has a NIC in the viewing network. */
  readonly local: boolean;
  readonly via?: AddressVia;
  readonly addresses: readonly string[];
}

/**
 * How a network sees traffic from a workload (docs/policy.md, "Addresses"): its NIC in that
 * network, else its NICs in connected networks by private address, else its public addresses, else
 * the NAT addresses of its networks; with none of these it cannot be seen at all.
 */
export function viewFrom(viewer: NetworkId, workload: Workload, topology: NetworkTopology): MemberView {
  const local = workload.nics.filter((nic) => nic.network === viewer).map((nic) => nic.privateIp);
  if (local.length > 0) return { local: true, via: "private", addresses: sortUnique(local) };
  const connected = workload.nics
    .filter((nic) => topology.connected(viewer, nic.network))
    .map((nic) => nic.privateIp);
  if (connected.length > 0) return { local: false, via: "private", addresses: sortUnique(connected) };
  const publicIps = workload.nics.flatMap((nic) => (nic.publicIp === undefined ? [] : [nic.publicIp]));
  if (publicIps.length > 0) return { local: false, via: "public", addresses: sortUnique(publicIps) };
  const nat = workload.nics.flatMap((nic) => topology.nat(nic.network) ?? []);
  if (nat.length > 0) return { local: false, via: "nat", addresses: sortUnique(nat) };
  return { local: false, addresses: [] };
}

function sortUnique(values: string[]): string[] {
  return values.length === 1 ? values : [...new Set(values)].sort();
}

/**
 * How a workload's NIC in `viewer` reaches a destination workload (docs/policy.md, "Addresses",
 * egress): its NIC in that network, else its NICs in connected networks, else its public
 * addresses. A NAT is outbound only and gives no address to reach: with none of these the
 * destination cannot be reached from there.
 */
export function reachFrom(viewer: NetworkId, workload: Workload, topology: NetworkTopology): MemberView {
  const view = viewFrom(viewer, workload, topology);
  return view.via === "nat" ? { local: false, addresses: [] } : view;
}
