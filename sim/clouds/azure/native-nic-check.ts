/**
 * `native.azure.networkInterfaces`: a NIC whose virtualMachine.id names an estate VM is that
 * VM's primary NIC (one per VM) and must agree with the workload (its subscription, the VNet's
 * region, its address, a public IP only if the workload has one), unless it says `primary: false`:
 * a secondary NIC holds its own address in the same VNet (docs/clouds.md, "Azure secondary
 * network interfaces"). A NIC of no VM needs its own region, subnet of an estate VNet and
 * address. Its NSG and ASGs are listed groups of its region.
 */
import { parseResourceId } from "../../../lib/clouds/azure/model.js";
import type { DraftIssue, PathSegment } from "../../../lib/util/source-issues.js";
import type { AddressBook } from "../../address-book.js";
import { addressIssues } from "../../address-book.js";
import {
  azureVnetId,
  type EstateIndex,
  type IndexedNetwork,
  type IndexedWorkload,
} from "../../estate-index.js";
import { type NativeAzure, type NativeAzureNic, primaryIpConfiguration } from "./native-schema.js";

interface Groups {
  readonly nsgs: ReadonlyMap<string, { readonly location: string }>;
  readonly asgs: ReadonlyMap<string, { readonly location: string }>;
}

/** The lowercased id of the VNet that a subnet id belongs to. */
function vnetOfSubnet(subnetId: string): string | undefined {
  const parsed = parseResourceId(subnetId);
  if (parsed?.child?.type.toLowerCase() !== "subnets" || parsed.type.toLowerCase() !== "virtualnetworks")
    return undefined;
  return azureVnetId(parsed.subscription, parsed.resourceGroup, parsed.name).toLowerCase();
}

function vnetIdOf(network: IndexedNetwork): string | undefined {
  const p = network.parts;
  return p.cloud === "azure"
    ? azureVnetId(p.subscription, p.resourceGroup, p.vnetName).toLowerCase()
    : undefined;
}

/** The estate VNet that a subnet id belongs to. */
export function networkOfSubnet(index: EstateIndex, subnetId: string): IndexedNetwork | undefined {
  const vnet = vnetOfSubnet(subnetId);
  if (vnet === undefined) return undefined;
  return [...index.networks.values()].find((entry) => vnetIdOf(entry) === vnet);
}

export function checkAzureNics(
  native: NativeAzure,
  index: EstateIndex,
  addresses: AddressBook,
  groups: Groups,
): DraftIssue[] {
  const issues: DraftIssue[] = [];
  const primaries = new Map<string, number>();
  const seen = new Set<string>();
  (native.networkInterfaces ?? []).forEach((nic, at) => {
    const path = ["native", "azure", "networkInterfaces", at];
    const key = nic.id.toLowerCase();
    if (seen.has(key)) {
      issues.push({ path: [...path, "id"], message: `${nic.id} is listed twice` });
      return;
    }
    seen.add(key);
    const vmId = nic.virtualMachine?.id;
    const placed =
      vmId === undefined
        ? detached(nic, index, addresses, path)
        : attached(nic, vmId, index, addresses, primaries, at, path);
    issues.push(...placed.issues);
    if (placed.location === undefined) return;
    if (nic.networkSecurityGroup !== undefined) {
      const ref = nic.networkSecurityGroup.id;
      issues.push(
        ...sameRegionRef(groups.nsgs, ref, placed.location, "networkSecurityGroups", "the NIC", [
          ...path,
          "networkSecurityGroup",
          "id",
        ]),
      );
    }
    nic.ipConfigurations.forEach((config, k) => {
      config.applicationSecurityGroups.forEach((ref, m) => {
        const where = [...path, "ipConfigurations", k, "applicationSecurityGroups", m, "id"];
        issues.push(
          ...sameRegionRef(
            groups.asgs,
            ref.id,
            placed.location,
            "applicationSecurityGroups",
            "the NIC",
            where,
          ),
        );
      });
    });
  });
  return issues;
}

interface Placed {
  readonly issues: DraftIssue[];
  /** The NIC's region, once known. */
  readonly location?: string | undefined;
}

function attached(
  nic: NativeAzureNic,
  vmId: string,
  index: EstateIndex,
  addresses: AddressBook,
  primaries: Map<string, number>,
  at: number,
  path: readonly PathSegment[],
): Placed {
  const entry = index.azureVms.get(vmId.toLowerCase());
  if (entry === undefined) {
    return {
      issues: [
        { path: [...path, "virtualMachine", "id"], message: `${vmId} is not a workload of the estate` },
      ],
    };
  }
  const issues: DraftIssue[] = [];
  const secondary = nic.primary === false;
  const other = secondary ? undefined : primaries.get(entry.workload.id);
  if (other !== undefined) {
    issues.push({
      path: nic.primary === undefined ? [...path, "virtualMachine", "id"] : [...path, "primary"],
      message: `the VM already has its primary NIC at native.azure.networkInterfaces[${other}]: a VM has one (the others say primary: false)`,
    });
  } else if (!secondary) primaries.set(entry.workload.id, at);
  const subscription = parseResourceId(nic.id)?.subscription;
  if (
    entry.parts.cloud === "azure" &&
    subscription !== undefined &&
    subscription !== entry.parts.subscription
  ) {
    issues.push({
      path: [...path, "id"],
      message: `is in subscription ${subscription}, but its VM is in ${entry.parts.subscription}`,
    });
  }
  const network = index.networkOf(entry.workload);
  const region = network?.network.region;
  if (network === undefined || region === undefined) return { issues };
  if (nic.location !== undefined && nic.location !== region) {
    issues.push({
      path: [...path, "location"],
      message: `is ${nic.location}, but ${network.network.id} is in ${region}`,
    });
  }
  issues.push(
    ...(secondary
      ? secondaryConfigurationIssues(nic, network, addresses, path)
      : configurationIssues(nic, entry, network, path)),
  );
  return { issues, location: region };
}

/** A secondary NIC's own address, in the VM's VNet: Azure puts every NIC of a VM in one VNet. */
function secondaryConfigurationIssues(
  nic: NativeAzureNic,
  network: IndexedNetwork,
  addresses: AddressBook,
  path: readonly PathSegment[],
): DraftIssue[] {
  const { config, at } = primaryIpConfiguration(nic);
  const where = [...path, "ipConfigurations", at];
  const issues: DraftIssue[] = [];
  if (config.subnet !== undefined && vnetOfSubnet(config.subnet.id) !== vnetIdOf(network)) {
    issues.push({
      path: [...where, "subnet", "id"],
      message: `is not a subnet of ${network.network.id}, the VNet of the VM: all the NICs of a VM are in one VNet (docs/clouds.md, "Azure secondary network interfaces")`,
    });
  }
  if (config.publicIPAddress !== undefined) {
    issues.push({
      path: [...where, "publicIPAddress"],
      message: "a secondary NIC's public IP is not simulated: the workload's publicIp is its primary NIC's",
    });
  }
  if (config.privateIPAddress === undefined) {
    issues.push({
      path: [...where, "privateIPAddress"],
      message: "a secondary NIC needs its private IP address",
    });
  }
  if (issues.length > 0 || config.privateIPAddress === undefined) return issues;
  const fields = { privateIp: [...where, "privateIPAddress"], publicIp: [...where, "publicIPAddress"] };
  return addressIssues({ privateIp: config.privateIPAddress }, network, addresses, nic.id, fields);
}

function configurationIssues(
  nic: NativeAzureNic,
  entry: IndexedWorkload,
  network: IndexedNetwork,
  path: readonly PathSegment[],
): DraftIssue[] {
  const issues: DraftIssue[] = [];
  const { config, at } = primaryIpConfiguration(nic);
  const where = [...path, "ipConfigurations", at];
  const { workload } = entry;
  if (config.privateIPAddress !== undefined && config.privateIPAddress !== workload.privateIp) {
    issues.push({
      path: [...where, "privateIPAddress"],
      message: `is ${config.privateIPAddress}, but workloads[${entry.index}] has privateIp ${workload.privateIp}`,
    });
  }
  if (config.subnet !== undefined && vnetOfSubnet(config.subnet.id) !== vnetIdOf(network)) {
    issues.push({ path: [...where, "subnet", "id"], message: `is not a subnet of ${network.network.id}` });
  }
  if (config.publicIPAddress !== undefined && workload.publicIp === undefined) {
    issues.push({
      path: [...where, "publicIPAddress"],
      message: `workloads[${entry.index}] has no publicIp`,
    });
  }
  return issues;
}

function detached(
  nic: NativeAzureNic,
  index: EstateIndex,
  addresses: AddressBook,
  path: readonly PathSegment[],
): Placed {
  const issues: DraftIssue[] = [];
  const { config, at } = primaryIpConfiguration(nic);
  const where = [...path, "ipConfigurations", at];
  if (nic.location === undefined)
    issues.push({ path: [...path, "location"], message: "a NIC of no VM needs its location" });
  if (config?.privateIPAddress === undefined) {
    issues.push({
      path: [...where, "privateIPAddress"],
      message: "a NIC of no VM needs its private IP address",
    });
  }
  // A public IP on a NIC of no VM (az network nic create --public-ip-address) carries no traffic:
  // it is accepted and not simulated.
  const network = config?.subnet === undefined ? undefined : networkOfSubnet(index, config.subnet.id);
  if (config?.subnet === undefined) {
    issues.push({
      path: [...where, "subnet"],
      message: "a NIC of no VM needs the subnet of an Azure network in networks",
    });
  } else if (network === undefined) {
    issues.push({
      path: [...where, "subnet", "id"],
      message: `${config.subnet.id} is not a subnet of an Azure network in networks`,
    });
  }
  if (issues.length > 0 || network === undefined || config?.privateIPAddress === undefined) return { issues };
  const region = network.network.region;
  if (nic.location !== region) {
    issues.push({
      path: [...path, "location"],
      message: `is ${nic.location}, but ${network.network.id} is in ${region}`,
    });
  }
  const fields = { privateIp: [...where, "privateIPAddress"], publicIp: [...where, "publicIPAddress"] };
  issues.push(...addressIssues({ privateIp: config.privateIPAddress }, network, addresses, nic.id, fields));
  return { issues, location: nic.location };
}

/** A reference to a listed group of one region. */
export function sameRegionRef(
  groups: ReadonlyMap<string, { readonly location: string }>,
  id: string,
  location: string | undefined,
  field: string,
  user: string,
  path: readonly PathSegment[],
): DraftIssue[] {
  const group = groups.get(id.toLowerCase());
  if (group === undefined) return [{ path, message: `${id} is not a group of native.azure.${field}` }];
  if (location !== undefined && group.location !== location) {
    return [{ path, message: `${id} is in ${group.location}, but ${user} is in ${location}` }];
  }
  return [];
}
