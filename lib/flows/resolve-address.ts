/**
 * One address of a connection → what it is (docs/flows.md, "Resolution"): a workload (by the
 * reporting interface or instance, else by private address, an address two networks share being
 * told apart by the reporter's network or left ambiguous), else a NAT address of the policy (every
 * running workload behind it), else a workload by public address, else the ipList whose CIDR is the
 * most specific, else outside.
 */
import type { NetworkId, WorkloadId } from "../inventory/model.js";
import type { AddressIndex, IndexedNic } from "./address-index.js";
import { type AddressBits, addressBits, canonicalAddress } from "./address-prefixes.js";
import { FlowResolutionError } from "./errors.js";

/** How an address was found to be a workload's. */
export type WorkloadMatch = "interface" | "instance" | "private" | "public";

export type ResolvedEndpoint =
  | {
      readonly kind: "workload";
      readonly address: string;
      readonly workload: WorkloadId;
      /** The network of the NIC that holds the address. */
      readonly network: NetworkId;
      readonly by: WorkloadMatch;
    }
  | {
      /** A private (or public) address that several workloads hold and nothing tells apart. */
      readonly kind: "ambiguous";
      readonly address: string;
      readonly candidates: readonly { readonly workload: WorkloadId; readonly network: NetworkId }[];
    }
  | {
      /** A NAT address (policy `networks.nat`): it stands for every running workload behind it. */
      readonly kind: "nat";
      readonly address: string;
      readonly cidr: string;
      readonly networks: readonly NetworkId[];
      /** Running workloads without a public address in those networks, sorted. */
      readonly workloads: readonly WorkloadId[];
    }
  | {
      readonly kind: "ipList";
      readonly address: string;
      /** The first by name of the ipLists holding the most specific CIDR; the others in `alsoIn`. */
      readonly ipList: string;
      readonly cidr: string;
      readonly alsoIn: readonly string[];
    }
  | { readonly kind: "outside"; readonly address: string };

/** What the connection's log says about where it was seen: the reporters the inventory knows, and their networks. */
export interface ResolveContext {
  readonly reporters: readonly { readonly nic: IndexedNic; readonly by: "interface" | "instance" }[];
  readonly networks: ReadonlySet<NetworkId>;
}

function workloadAt(address: string, nic: IndexedNic, by: WorkloadMatch): ResolvedEndpoint {
  return { kind: "workload", address, workload: nic.workload, network: nic.network, by };
}

function distinctWorkloads(nics: readonly IndexedNic[]): number {
  return nics.length === 1 ? 1 : new Set(nics.map((nic) => nic.workload)).size;
}

/** A reporting interface or instance that holds the address itself: it beats any address lookup. */
function byReporter(address: string, context: ResolveContext): ResolvedEndpoint | undefined {
  const holders = context.reporters.filter(
    ({ nic }) => nic.privateIp === address || nic.publicIp === address,
  );
  const first = holders[0];
  if (first === undefined || distinctWorkloads(holders.map(({ nic }) => nic)) !== 1) return undefined;
  return workloadAt(address, first.nic, first.by);
}

/**
 * Several NICs hold the address: those in the reporter's networks, else in networks connected to
 * them, when they are one workload's; else ambiguous.
 */
function tellApart(
  address: string,
  holders: readonly IndexedNic[],
  match: WorkloadMatch,
  context: ResolveContext,
  index: AddressIndex,
): ResolvedEndpoint {
  if (distinctWorkloads(holders) === 1) return workloadAt(address, holders[0] as IndexedNic, match);
  const seen = [...context.networks];
  const local = holders.filter((nic) => context.networks.has(nic.network));
  const connected = holders.filter((nic) =>
    seen.some((network) => index.topology.connected(network, nic.network)),
  );
  for (const narrowed of [local, connected]) {
    if (narrowed.length > 0 && distinctWorkloads(narrowed) === 1) {
      return workloadAt(address, narrowed[0] as IndexedNic, match);
    }
  }
  const candidates = holders
    .map((nic) => ({ workload: nic.workload, network: nic.network }))
    .sort((a, b) => (a.workload < b.workload ? -1 : a.workload > b.workload ? 1 : 0));
  return { kind: "ambiguous", address, candidates };
}

/** Resolves one address of a connection against one inventory's index. */
export function resolveAddress(text: string, index: AddressIndex, context: ResolveContext): ResolvedEndpoint {
  const address = canonicalAddress(text);
  if (address === undefined) throw new FlowResolutionError(`"${text}" is not an IPv4 or IPv6 address`);
  const reported = byReporter(address, context);
  if (reported !== undefined) return reported;
  const privateHolders = index.privateHolders(address);
  if (privateHolders.length > 0) return tellApart(address, privateHolders, "private", context, index);
  // Only addresses that no NIC holds privately are matched against CIDRs: their bits are needed then.
  const bits = addressBits(address) as AddressBits;
  const nat = index.natOf(bits);
  if (nat !== undefined) return { kind: "nat", address, ...nat };
  const publicHolders = index.publicHolders(address);
  if (publicHolders.length > 0) return tellApart(address, publicHolders, "public", context, index);
  const lists = index.ipListsOf(bits);
  if (lists !== undefined) {
    const [ipList, ...alsoIn] = lists.names as [string, ...string[]];
    return { kind: "ipList", address, ipList, cidr: lists.cidr, alsoIn };
  }
  return { kind: "outside", address };
}
