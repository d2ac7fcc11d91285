/**
 * The addresses of one inventory and one policy, indexed once for resolving connections
 * (docs/flows.md, "Resolution"): maps by interface id, instance name, private and public address,
 * and prefix tables for the policy's NAT addresses and ipLists. Built in one pass over the
 * inventory; every lookup is a map probe or a longest-prefix match.
 */
import { NetworkTopology } from "../compile/address-view.js";
import type { Inventory, NetworkId, Workload, WorkloadId } from "../inventory/model.js";
import type { Policy } from "../policy/model.js";
import { type AddressBits, canonicalAddress, PrefixTable } from "./address-prefixes.js";
import { FlowResolutionError } from "./errors.js";
import { instanceNames } from "./reporter-names.js";

/** What the index needs of a policy: its ipLists, connected networks and NAT addresses. */
export type ResolutionPolicy = Pick<Policy, "ipLists" | "networks">;

/** One NIC of one workload, as the index holds it. */
export interface IndexedNic {
  readonly workload: WorkloadId;
  readonly network: NetworkId;
  readonly privateIp: string;
  readonly publicIp?: string;
}

/** A NAT address's networks and the running workloads whose traffic leaves from it. */
export interface NatEntry {
  readonly networks: readonly NetworkId[];
  readonly workloads: readonly WorkloadId[];
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function addressOf(text: string, where: string): string {
  const address = canonicalAddress(text);
  if (address === undefined)
    throw new FlowResolutionError(`${where}: "${text}" is not an IPv4 or IPv6 address`);
  return address;
}

/** Unions two sorted lists of names, sorted. */
function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

export class AddressIndex {
  readonly topology: NetworkTopology;
  private readonly byInterface = new Map<string, IndexedNic>();
  private readonly byInstance = new Map<string, IndexedNic[]>();
  private readonly byPrivate = new Map<string, IndexedNic[]>();
  private readonly byPublic = new Map<string, IndexedNic[]>();
  /** Running workloads without a public address, per network: what a NAT address stands for. */
  private readonly natted = new Map<NetworkId, WorkloadId[]>();
  private readonly nat = new PrefixTable<readonly NetworkId[]>();
  private readonly ipLists = new PrefixTable<readonly string[]>();

  constructor(inventory: Inventory, policy: ResolutionPolicy) {
    this.topology = new NetworkTopology(policy.networks);
    for (const workload of inventory.workloads) this.addWorkload(workload);
    for (const [network, cidrs] of Object.entries(policy.networks.nat)) {
      for (const cidr of cidrs) this.nat.add(cidr, [network], union);
    }
    for (const [name, cidrs] of Object.entries(policy.ipLists)) {
      for (const cidr of cidrs) this.ipLists.add(cidr, [name], union);
    }
  }

  private addWorkload(workload: Workload): void {
    const nics = workload.nics.map((nic, index): IndexedNic => {
      const where = `workload ${workload.id}, NIC ${nic.id ?? index}`;
      const publicIp = nic.publicIp === undefined ? undefined : addressOf(nic.publicIp, where);
      return {
        workload: workload.id,
        network: nic.network,
        privateIp: addressOf(nic.privateIp, where),
        ...(publicIp === undefined ? {} : { publicIp }),
      };
    });
    workload.nics.forEach((nic, index) => {
      const indexed = nics[index] as IndexedNic;
      if (nic.id !== undefined) this.byInterface.set(nic.id, indexed);
      pushTo(this.byPrivate, indexed.privateIp, indexed);
      if (indexed.publicIp !== undefined) pushTo(this.byPublic, indexed.publicIp, indexed);
    });
    for (const name of [workload.id, ...instanceNames(workload.id)]) this.byInstance.set(name, nics);
    // As the compiler sees it (lib/compile/address-view.ts): a workload with a public address is seen by it, not by a NAT.
    if (workload.state !== "running" || nics.some((nic) => nic.publicIp !== undefined)) return;
    for (const network of new Set(nics.map((nic) => nic.network))) pushTo(this.natted, network, workload.id);
  }

  /** The NIC a log's interface id names, when the inventory knows it. */
  interfaceNamed(id: string): IndexedNic | undefined {
    return this.byInterface.get(id);
  }

  /** The NICs of the workload a log's instance name names (its id, AWS `i-…`, GCP's path). */
  instanceNamed(name: string): readonly IndexedNic[] {
    return this.byInstance.get(name) ?? [];
  }

  /** The NICs holding the private address, in every network. */
  privateHolders(address: string): readonly IndexedNic[] {
    return this.byPrivate.get(address) ?? [];
  }

  publicHolders(address: string): readonly IndexedNic[] {
    return this.byPublic.get(address) ?? [];
  }

  /** The policy's NAT address holding this address (most specific), with what it stands for. */
  natOf(bits: AddressBits): (NatEntry & { cidr: string }) | undefined {
    const match = this.nat.longestMatch(bits);
    if (match === undefined) return undefined;
    const workloads = match.value.flatMap((network) => this.natted.get(network) ?? []);
    return { cidr: match.cidr, networks: match.value, workloads: [...new Set(workloads)].sort() };
  }

  /** The ipLists whose most specific CIDR holds the address, sorted by name, with that CIDR. */
  ipListsOf(bits: AddressBits): { cidr: string; names: readonly string[] } | undefined {
    const match = this.ipLists.longestMatch(bits);
    return match === undefined ? undefined : { cidr: match.cidr, names: match.value };
  }
}
