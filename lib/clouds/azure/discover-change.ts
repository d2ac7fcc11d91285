/**
 * One subscription's read of a change alone (docs/architecture.md, "Targeted reads (Azure)"):
 * the re-read VMs with their NICs and public IPs; the owned ASG of each of the change's
 * destinations and peer sets, and the ASGs the NICs are members of, each by name; the owned NSG
 * of each destination's identity and region, and the NSGs the NICs have or recorded, each by
 * name. What is read only to be referenced is marked so, and the plan made from this state
 * (materialize and diff with the change's slices) writes only the change's objects. Costs what
 * the change names, not what the subscription holds.
 */

import type { ChangeScope } from "../../compile/slice.js";
import { parseNetworkId } from "../../inventory/ids.js";
import type { LabelConfig } from "../../inventory/labels.js";
import { workloadOf } from "../common/ids.js";
import type { CloudFinding } from "../provider.js";
import type { AzureApi } from "./api.js";
import { namedSources } from "./coverage.js";
import {
  type AzureDiscovery,
  NetworkNames,
  sortById,
  toAzureWorkload,
  unsealedObject,
  unsealedRecord,
  workloadState,
} from "./discover.js";
import { asgName, networkOfNic, nsgName } from "./materialize.js";
import {
  type ApplicationSecurityGroup,
  type AzureSubscriptionState,
  type NetworkInterface,
  type NetworkSecurityGroup,
  parseResourceId,
  resourceId,
  type VirtualMachine,
} from "./model.js";
import { type AzureOwnership, hasOwnershipTag, tagOf } from "./ownership.js";
import { ORIGINAL_NSG_TAG_KEY } from "./ownership-keys.js";
import { readPublicIps, readVmInterfaces } from "./read-vm.js";

/** A destination or peer set of the change in this subscription: `<hash>@<network>`. */
interface ScopeKey {
  readonly hash: string;
  readonly network: string;
}

/** The change's re-read VMs (those still a workload) with their NICs. */
interface Reread {
  readonly vms: VirtualMachine[];
  readonly nics: NetworkInterface[];
}

export async function discoverAzureChange(
  api: AzureApi,
  labels: LabelConfig,
  ownership: AzureOwnership,
  resourceGroup: string | undefined,
  change: ChangeScope,
): Promise<AzureDiscovery> {
  const subscription = api.subscription.toLowerCase();
  const reread = await rereadWorkloads(api, change.workloads, subscription);
  const { asgs, nsgs, regions, destinationAsgs, scopeNsgs } = await readOwned(
    api,
    change,
    reread.nics,
    ownership,
    resourceGroup,
  );
  const kept = keptVms(reread, labels, ownership, nsgs, asgs);
  const nics = reread.nics.filter((nic) => kept.has(nic.virtualMachine?.id.toLowerCase() ?? ""));
  const publicIPAddresses = await readPublicIps(api, nics);
  const inScope = new Set([...destinationAsgs, ...scopeNsgs].map((id) => id.toLowerCase()));
  const state: AzureSubscriptionState = {
    subscription: api.subscription,
    virtualMachines: sortById(reread.vms.filter((vm) => kept.has(vm.id.toLowerCase()))),
    networkInterfaces: sortById(nics),
    networkSecurityGroups: sortById(nsgs),
    applicationSecurityGroups: sortById(asgs),
    publicIPAddresses: sortById(publicIPAddresses),
    change: {
      workloads: change.workloads.map((id) => id.toLowerCase()),
      destinationAsgs: destinationAsgs.map((id) => id.toLowerCase()),
      regions: Object.fromEntries(regions),
      referenceOnly: [...nsgs, ...asgs].map((o) => o.id.toLowerCase()).filter((id) => !inScope.has(id)),
    },
  };
  const networks = new NetworkNames();
  const workloads = state.virtualMachines.flatMap((vm) => {
    const own = nics.filter((nic) => nic.virtualMachine?.id.toLowerCase() === vm.id.toLowerCase());
    const workload = toAzureWorkload(api.subscription, vm, own, publicIPAddresses, networks);
    return workload === undefined ? [] : [workload];
  });
  const findings = changeFindings(api, [...nsgs, ...asgs], nics, ownership);
  return { workloads, networks: networks.list(), state, skipped: [], findings };
}

/** The keys (`<hash>@<network>`) of Azure networks in this subscription. */
function keysIn(keys: readonly string[], subscription: string): ScopeKey[] {
  return keys.flatMap((key) => {
    const at = key.indexOf("@");
    const network = key.slice(at + 1);
    if (!network.startsWith("azure:")) return [];
    const parts = parseNetworkId(network);
    if (parts.cloud !== "azure" || parts.subscription.toLowerCase() !== subscription) return [];
    return [{ hash: key.slice(0, at), network }];
  });
}

/** Each re-read workload of this subscription that is still a VM with a workload's power state, and its NICs. */
async function rereadWorkloads(
  api: AzureApi,
  workloads: readonly string[],
  subscription: string,
): Promise<Reread> {
  const vms: VirtualMachine[] = [];
  const nics: NetworkInterface[] = [];
  for (const id of workloads) {
    if (!id.startsWith("azure:")) continue;
    const parts = workloadOf("azure", id);
    if (parts.subscription.toLowerCase() !== subscription) continue;
    const vm = await api.getVirtualMachine(parts.resourceGroup, parts.vmName);
    // A power state that is no workload state (creating, unknown): left alone, as discover does.
    if (vm === undefined || workloadState(vm.powerState) === undefined) continue;
    vms.push(vm);
    nics.push(...(await readVmInterfaces(api, vm)));
  }
  return { vms, nics };
}

/**
 * The change's owned ASGs and NSGs, and those the NICs name: the destinations' ASGs and the NICs'
 * memberships first (their locations give the VNets' regions), then each destination's NSG and
 * the NICs' NSGs, then, in a VNet where a destination is new, the ASG of each peer set that no
 * NSG read names as a source already (a peer named so was a carrier at the last plan and,
 * outside the change, still is).
 */
async function readOwned(
  api: AzureApi,
  change: ChangeScope,
  nics: readonly NetworkInterface[],
  ownership: AzureOwnership,
  resourceGroup: string | undefined,
) {
  const subscription = api.subscription.toLowerCase();
  const destinations = keysIn(change.destinations, subscription);
  const owned = (key: ScopeKey) =>
    resourceId(
      subscription,
      resourceGroup ?? "",
      "applicationSecurityGroups",
      asgName(key.hash, key.network),
    );
  const destinationAsgs = destinations.map(owned);
  const memberships = nics.flatMap((nic) =>
    nic.ipConfigurations.flatMap((c) => c.applicationSecurityGroups.map((a) => a.id)),
  );
  const first = await readAsgs(api, [
    ...(resourceGroup === undefined ? [] : destinationAsgs),
    ...memberships,
  ]);
  const regions = regionsOf(nics, destinations, first, owned, ownership);
  const scopeNsgs =
    resourceGroup === undefined ? [] : nsgsOfScope(subscription, resourceGroup, destinations, regions);
  const nsgs = await readNsgs(api, [...scopeNsgs, ...nicNsgs(nics, ownership)]);
  const known = new Set(
    [...first.map((asg) => asg.id), ...namedSources(nsgs, ownership)].map((id) => id.toLowerCase()),
  );
  // A destination whose ASG exists was placed at the last plan: its NSG's rules name its carrier
  // peers. Only where a destination is new must the peers' ASGs tell which carry one.
  const placed = new Set(first.filter((asg) => ownership.owns(asg)).map((asg) => asg.id.toLowerCase()));
  const fresh = new Set(
    destinations
      .filter((key) => !placed.has(owned(key).toLowerCase()))
      .map((key) => key.network.toLowerCase()),
  );
  const peers = resourceGroup === undefined ? [] : keysIn(change.peerSets, subscription);
  const unknown = peers
    .filter((key) => fresh.has(key.network.toLowerCase()))
    .map(owned)
    .filter((id) => !known.has(id.toLowerCase()));
  const asgs = [...first, ...(await readAsgs(api, unknown))];
  return { asgs, nsgs, regions, destinationAsgs, scopeNsgs };
}

/** Each ASG by id, once; one that is not there is left out. */
async function readAsgs(api: AzureApi, ids: readonly string[]): Promise<ApplicationSecurityGroup[]> {
  const read: ApplicationSecurityGroup[] = [];
  for (const parsed of distinctResources(ids, api.subscription)) {
    const asg = await api.getApplicationSecurityGroup(parsed.resourceGroup, parsed.name);
    if (asg !== undefined) read.push(asg);
  }
  return read;
}

/** Each NSG by id, once; one that is not there is left out. */
async function readNsgs(api: AzureApi, ids: readonly string[]): Promise<NetworkSecurityGroup[]> {
  const read: NetworkSecurityGroup[] = [];
  for (const parsed of distinctResources(ids, api.subscription)) {
    const nsg = await api.getNetworkSecurityGroup(parsed.resourceGroup, parsed.name);
    if (nsg !== undefined) read.push(nsg);
  }
  return read;
}

/** The resources these ids name in this subscription, each once (ids compare ignoring case). */
function distinctResources(ids: readonly string[], subscription: string) {
  const byKey = new Map<string, NonNullable<ReturnType<typeof parseResourceId>>>();
  for (const id of ids) {
    const parsed = parseResourceId(id);
    if (parsed === undefined || parsed.subscription.toLowerCase() !== subscription.toLowerCase()) continue;
    byKey.set(id.toLowerCase(), parsed);
  }
  return [...byKey.values()];
}

/**
 * Each network's region (network id lowercase): its NICs' location (a NIC is in its VNet's
 * region), else the location of an owned ASG of it (created in its NICs' region).
 */
function regionsOf(
  nics: readonly NetworkInterface[],
  keys: readonly ScopeKey[],
  asgs: readonly ApplicationSecurityGroup[],
  asgIdOf: (key: ScopeKey) => string,
  ownership: AzureOwnership,
): Map<string, string> {
  const regions = new Map<string, string>();
  const byId = new Map(asgs.filter((asg) => ownership.owns(asg)).map((asg) => [asg.id.toLowerCase(), asg]));
  for (const key of keys) {
    const asg = byId.get(asgIdOf(key).toLowerCase());
    if (asg !== undefined) regions.set(key.network.toLowerCase(), asg.location);
  }
  for (const nic of nics) {
    const network = networkOfNic(nic)?.toLowerCase();
    if (network !== undefined) regions.set(network, nic.location);
  }
  return regions;
}

/** The owned NSG ids of the change's destinations: one per identity and region known. */
function nsgsOfScope(
  subscription: string,
  resourceGroup: string,
  keys: readonly ScopeKey[],
  regions: ReadonlyMap<string, string>,
): string[] {
  return keys.flatMap((key) => {
    const region = regions.get(key.network.toLowerCase());
    if (region === undefined) return [];
    return [resourceId(subscription, resourceGroup, "networkSecurityGroups", nsgName(key.hash, region))];
  });
}

/** The NSGs the NICs have, and those their sealed records name (to restore them, or find them gone). */
function nicNsgs(nics: readonly NetworkInterface[], ownership: AzureOwnership): string[] {
  return nics.flatMap((nic) => {
    const recorded = ownership.recordedNsg(nic)?.original;
    return [
      ...(nic.networkSecurityGroup === undefined ? [] : [nic.networkSecurityGroup.id]),
      ...(recorded === undefined ? [] : [recorded]),
    ];
  });
}

/** The VMs (lowercase ids) discover would keep: labelled, or with a NIC segsync changed. */
function keptVms(
  reread: Reread,
  labels: LabelConfig,
  ownership: AzureOwnership,
  nsgs: readonly NetworkSecurityGroup[],
  asgs: readonly ApplicationSecurityGroup[],
): Set<string> {
  const labelKeys = new Set(labels.dimensions.map((d) => `${labels.tagPrefix}${d}`.toLowerCase()));
  const owned = new Set(
    [...nsgs, ...asgs].filter((resource) => ownership.owns(resource)).map((r) => r.id.toLowerCase()),
  );
  const touched = (nic: NetworkInterface) =>
    ownership.recordedNsg(nic) !== undefined ||
    owned.has(nic.networkSecurityGroup?.id.toLowerCase() ?? "") ||
    nic.ipConfigurations.some((c) => c.applicationSecurityGroups.some((a) => owned.has(a.id.toLowerCase())));
  const kept = new Set<string>();
  for (const vm of reread.vms)
    if (Object.keys(vm.tags).some((name) => labelKeys.has(name.toLowerCase()))) kept.add(vm.id.toLowerCase());
  for (const nic of reread.nics)
    if (nic.virtualMachine !== undefined && touched(nic)) kept.add(nic.virtualMachine.id.toLowerCase());
  return kept;
}

/** As discover reports them, about what was read: objects left out, ownership tags and records without a seal. */
function changeFindings(
  api: AzureApi,
  resources: readonly (NetworkSecurityGroup | ApplicationSecurityGroup)[],
  nics: readonly NetworkInterface[],
  ownership: AzureOwnership,
): CloudFinding[] {
  return [
    ...api.takeUnreadable(),
    ...resources
      .filter((resource) => hasOwnershipTag(resource.tags) && !ownership.owns(resource))
      .map((resource) => unsealedObject(resource.id)),
    ...nics
      .filter((nic) => tagOf(nic.tags, ORIGINAL_NSG_TAG_KEY) !== undefined)
      .filter((nic) => ownership.recordedNsg(nic) === undefined)
      .map((nic) => unsealedRecord(nic.id)),
  ];
}
