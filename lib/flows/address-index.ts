/**
 * The addresses of one inventory and one policy, indexed once for resolving connections
 * (docs/flows.md, "Resolution"): maps by interface id, instance name, private and public address,
 * and prefix tables for the policy's NAT addresses and ipLists. Built in one pass over the
 * inventory; every lookup is a map probe or a longest-prefix match.
 */
import { NetworkTopology } from "../compile/address-view.js";
import type { Inventory, NetworkId, Nic, Workload, WorkloadId } from "../inventory/model.js";
import type { Policy } from "../policy/model.js";
import { type AddressBits, canonicalAddress, PrefixTable } from "./address-prefixes.js";
import { FlowResolutionError } from "./errors.js";
import { instanceName } from "./reporter-names.js";

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

/** One NIC, or the NICs, at a key: most addresses have one holder, and an array each would double the index's garbage. */
type Holders = IndexedNic | IndexedNic[];

function addHolder(map: Map<string, Holders>, key: string, nic: IndexedNic): void {
  const held = map.get(key);
  if (held === undefined) map.set(key, nic);
  else if (Array.isArray(held)) held.push(nic);
  else map.set(key, [held, nic]);
}

function holdersAt(map: ReadonlyMap<string, Holders>, key: string): readonly IndexedNic[] {
  const held = map.get(key);
  return held === undefined ? [] : Array.isArray(held) ? held : [held];
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function addressOf(text: string, workload: WorkloadId, nic: Nic, position: number): string {
  const address = canonicalAddress(text);
  if (address !== undefined) return address;
  throw new FlowResolutionError(
    `workload ${workload}, NIC ${nic.id ?? position}: "${text}" is not an IPv4 or IPv6 address`,
  );
}

function indexedNic(workload: WorkloadId, nic: Nic, position: number): IndexedNic {
  const privateIp = addressOf(nic.privateIp, workload, nic, position);
  return nic.publicIp === undefined
    ? { workload, network: nic.network, privateIp }
    : {
        workload,
        network: nic.network,
        privateIp,
        publicIp: addressOf(nic.publicIp, workload, nic, position),
      };
}

/** Unions two sorted lists of names, sorted. */
function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

export class AddressIndex {
  readonly topology: NetworkTopology;
  /** Interface ids held by one NIC; an id several NICs carry (GCP's `nic0`) tells nothing and is left out. */
  private readonly byInterface = new Map<string, IndexedNic>();
  private readonly sharedInterfaceIds = new Set<string>();
  private readonly byInstance = new Map<string, IndexedNic[]>();
  private readonly byPrivate = new Map<string, Holders>();
  private readonly byPublic = new Map<string, Holders>();
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
    const nics: IndexedNic[] = [];
    let natted = workload.state === "running";
    for (const nic of workload.nics) {
      const indexed = indexedNic(workload.id, nic, nics.length);
      nics.push(indexed);
      if (nic.id !== undefined) this.addInterface(nic.id, indexed);
      addHolder(this.byPrivate, indexed.privateIp, indexed);
      if (indexed.publicIp !== undefined) {
        addHolder(this.byPublic, indexed.publicIp, indexed);
        // As the compiler sees it (lib/compile/address-view.ts): a workload with a public address is seen by it, not by a NAT.
        natted = false;
      }
    }
    const instance = instanceName(workload.id);
    if (instance !== undefined) this.byInstance.set(instance, nics);
    if (!natted) return;
    for (const [position, nic] of nics.entries()) {
      if (nics.findIndex((other) => other.network === nic.network) === position) {
        pushTo(this.natted, nic.network, workload.id);
      }
    }
  }

  private addInterface(id: string, nic: IndexedNic): void {
    if (this.sharedInterfaceIds.has(id)) return;
    if (this.byInterface.has(id)) {
      this.byInterface.delete(id);
      this.sharedInterfaceIds.add(id);
    } else this.byInterface.set(id, nic);
  }

  /** The NIC a log's interface id names, when the inventory knows it as one NIC's. */
  interfaceNamed(id: string): IndexedNic | undefined {
    return this.byInterface.get(id);
  }

  /** The NICs of the workload a log's instance name names (AWS `i-…`, GCP's path). */
  instanceNamed(name: string): readonly IndexedNic[] {
    return this.byInstance.get(name) ?? [];
  }

  /** The NICs holding the private address, in every network. */
  privateHolders(address: string): readonly IndexedNic[] {
    return holdersAt(this.byPrivate, address);
  }

  publicHolders(address: string): readonly IndexedNic[] {
    return holdersAt(this.byPublic, address);
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
