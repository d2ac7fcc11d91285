/**
 * ARM as read → the parts of an Estate file (docs/live.md, "Exporting your estate"): the VNets of
 * the exported VMs as networks (region, address space), the VMs discovery read as workloads (on
 * their primary NIC), and the NSGs, ASGs and primary NICs as `native.azure`. Pure: the reads are
 * export-read.ts's.
 *
 * What segsync owns is sealed under the live record key, which the simulator does not hold: each
 * seal that verifies is sealed again under the simulator's key, one that does not stays as it is.
 */

import { networkOfSubnet, toAzureWorkload } from "../../../lib/clouds/azure/discover.js";
import type {
  ApplicationSecurityGroup,
  AzureSubscriptionState,
  NetworkInterface,
  NetworkSecurityGroup,
  SecurityRule,
  VirtualNetwork,
} from "../../../lib/clouds/azure/model.js";
import { type AzureOwnership, tagOf } from "../../../lib/clouds/azure/ownership.js";
import {
  ORIGINAL_NSG_SEAL_TAG_KEY,
  ORIGINAL_NSG_TAG_KEY,
  SEAL_TAG_KEY,
} from "../../../lib/clouds/azure/ownership-keys.js";
import type { CloudFinding } from "../../../lib/clouds/provider.js";
import { cidrContains } from "../../../lib/net/cidr.js";
import { Ipv4CidrSchema } from "../../address-schemas.js";
import type { EstateNetwork, EstateWorkload } from "../../estate-core-schema.js";
import { acceptedTags, type EstateParts, exportFinding } from "../common/export.js";
import type {
  NativeApplicationSecurityGroup,
  NativeAzure,
  NativeAzureNic,
  NativeNetworkSecurityGroup,
} from "./native-schema.js";
import { azureTagRules } from "./tag-rules.js";

export interface AzureExportRead {
  readonly state: AzureSubscriptionState;
  readonly virtualNetworks: readonly VirtualNetwork[];
}

export interface AzureOwners {
  readonly live: AzureOwnership;
  readonly simulator: AzureOwnership;
}

export type AzureEstateParts = EstateParts<NativeAzure>;

export function exportAzure(read: AzureExportRead, owners: AzureOwners): AzureEstateParts {
  const { state } = read;
  const findings: CloudFinding[] = [];
  const counter = { resealed: 0 };
  // Each VM on its primary NIC, then the VNets those NICs are in.
  const placed = placeOnPrimaryNics(state, findings);
  const networks = exportNetworks(
    placed.map(({ workload }) => workload),
    read.virtualNetworks,
    findings,
  );
  const listed = new Set(networks.map((network) => network.id.toLowerCase()));
  const kept = placed.filter(({ workload }) => listed.has(workload.network.toLowerCase()));

  const asgIds = new Set(state.applicationSecurityGroups.map((asg) => asg.id.toLowerCase()));
  return {
    networks,
    workloads: kept.map(({ workload }) => workload),
    native: {
      networkSecurityGroups: state.networkSecurityGroups.map((nsg) =>
        exportNsg(nsg, asgIds, owners, findings, counter),
      ),
      applicationSecurityGroups: state.applicationSecurityGroups.map((asg) =>
        exportAsg(asg, owners, counter),
      ),
      networkInterfaces: kept.map(({ nic, workload }) => exportNic(nic, workload, owners, counter)),
    },
    findings,
    resealed: counter.resealed,
  };
}

/** Each VM as an estate workload on its primary NIC (an estate workload has one); the others are findings. */
function placeOnPrimaryNics(
  state: AzureExportRead["state"],
  findings: CloudFinding[],
): { workload: EstateWorkload; nic: NetworkInterface }[] {
  const nicsByVm = new Map<string, NetworkInterface[]>();
  for (const nic of state.networkInterfaces) {
    const vm = nic.virtualMachine?.id.toLowerCase();
    if (vm !== undefined) nicsByVm.set(vm, [...(nicsByVm.get(vm) ?? []), nic]);
  }

  const placed: { workload: EstateWorkload; nic: NetworkInterface }[] = [];
  for (const vm of state.virtualMachines) {
    const nics = nicsByVm.get(vm.id.toLowerCase()) ?? [];
    const workload = toAzureWorkload(state.subscription, vm, nics, state.publicIPAddresses);
    const [primary, ...secondary] = workload?.nics ?? [];
    const nic = nics.find((candidate) => candidate.id === primary?.id);
    if (workload === undefined || primary === undefined || nic === undefined) continue;
    if (secondary.length > 0) {
      findings.push(
        exportFinding(
          "azure-export-secondary-nic",
          workload.id,
          `${vm.id}: only its primary NIC is exported (an estate workload has one NIC); ${secondary.map((other) => other.id).join(", ")} left out`,
        ),
      );
    }
    placed.push({
      nic,
      workload: {
        id: workload.id,
        network: primary.network,
        privateIp: primary.privateIp,
        ...(primary.publicIp === undefined ? {} : { publicIp: primary.publicIp }),
        state: workload.state,
        tags: acceptedTags("azure", azureTagRules, workload.id, workload.tags, findings),
      },
    });
  }
  return placed;
}

/** The VNets of the workloads, each with the one range of its address space that holds them all. */
function exportNetworks(
  workloads: readonly EstateWorkload[],
  vnets: readonly VirtualNetwork[],
  findings: CloudFinding[],
): EstateNetwork[] {
  const networks: EstateNetwork[] = [];
  const ids = [...new Set(workloads.map((workload) => workload.network))];
  for (const id of ids) {
    const vnet = vnets.find((candidate) => networkOfVnet(candidate)?.toLowerCase() === id.toLowerCase());
    const addresses = workloads.filter((workload) => workload.network === id).map((w) => w.privateIp);
    const cidr = vnet?.addressPrefixes.find(
      (prefix) =>
        Ipv4CidrSchema.safeParse(prefix).success &&
        addresses.every((address) => cidrContains(prefix, address)),
    );
    if (vnet === undefined || cidr === undefined) {
      const why =
        vnet === undefined
          ? "the VNet was not read"
          : `no range of its address space (${vnet.addressPrefixes.join(", ") || "none"}) is a canonical IPv4 CIDR holding all its VMs`;
      findings.push(
        exportFinding(
          "azure-export-vnet-range",
          id,
          `${id}: ${why}; the VNet and its VMs are left out of the export`,
        ),
      );
      continue;
    }
    if (vnet.addressPrefixes.length > 1) {
      findings.push(
        exportFinding(
          "azure-export-vnet-range",
          id,
          `${id}: its address space has ${vnet.addressPrefixes.length} ranges; the estate holds one, ${cidr}`,
        ),
      );
    }
    networks.push({ id, cidr, region: vnet.location });
  }
  return networks;
}

function networkOfVnet(vnet: VirtualNetwork): string | undefined {
  return networkOfSubnet(`${vnet.id}/subnets/any`);
}

function exportNsg(
  nsg: NetworkSecurityGroup,
  asgIds: ReadonlySet<string>,
  owners: AzureOwners,
  findings: CloudFinding[],
  counter: { resealed: number },
): NativeNetworkSecurityGroup {
  return {
    id: nsg.id,
    name: nsg.name,
    resourceGroup: nsg.resourceGroup,
    location: nsg.location,
    ...(nsg.etag === undefined ? {} : { etag: nsg.etag }),
    ...(nsg.flushConnection === undefined ? {} : { flushConnection: nsg.flushConnection }),
    tags: resealedTags(nsg, owners, counter),
    securityRules: nsg.securityRules.map((rule) => knownGroups(rule, asgIds, nsg.id, findings)),
  };
}

/** The rule without ASGs the read could not find: an estate's references must resolve. */
function knownGroups(
  rule: SecurityRule,
  asgIds: ReadonlySet<string>,
  nsg: string,
  findings: CloudFinding[],
): NativeNetworkSecurityGroup["securityRules"][number] {
  const result: Record<string, unknown> = { ...structuredClone(rule) };
  for (const field of ["sourceApplicationSecurityGroups", "destinationApplicationSecurityGroups"] as const) {
    const refs = rule[field];
    if (refs === undefined) continue;
    for (const ref of refs.filter((candidate) => !asgIds.has(candidate.id.toLowerCase()))) {
      findings.push(
        exportFinding(
          "azure-export-reference",
          nsg,
          `${nsg}: rule ${rule.name} names ${ref.id}, which the read did not find; left out of the rule`,
        ),
      );
    }
    result[field] = refs.filter((candidate) => asgIds.has(candidate.id.toLowerCase()));
  }
  return result as NativeNetworkSecurityGroup["securityRules"][number];
}

function exportAsg(
  asg: ApplicationSecurityGroup,
  owners: AzureOwners,
  counter: { resealed: number },
): NativeApplicationSecurityGroup {
  return {
    id: asg.id,
    name: asg.name,
    resourceGroup: asg.resourceGroup,
    location: asg.location,
    tags: resealedTags(asg, owners, counter),
  };
}

function resealedTags(
  resource: { readonly id: string; readonly name: string; readonly tags: Readonly<Record<string, string>> },
  owners: AzureOwners,
  counter: { resealed: number },
): Record<string, string> {
  if (!owners.live.owns(resource)) return { ...resource.tags };
  counter.resealed++;
  const seal = owners.simulator.ownedTags(resource.id, "")[SEAL_TAG_KEY] ?? "";
  return replaceTag(resource.tags, SEAL_TAG_KEY, seal);
}

function exportNic(
  nic: NetworkInterface,
  workload: EstateWorkload,
  owners: AzureOwners,
  counter: { resealed: number },
): NativeAzureNic {
  let tags: Record<string, string> = { ...nic.tags };
  if (owners.live.recordedNsg(nic) !== undefined) {
    const value = tagOf(nic.tags, ORIGINAL_NSG_TAG_KEY);
    const record = owners.simulator.recordTags(nic.id, value === "none" ? undefined : value);
    tags = replaceTag(tags, ORIGINAL_NSG_SEAL_TAG_KEY, record[ORIGINAL_NSG_SEAL_TAG_KEY] ?? "");
    counter.resealed++;
  }
  const primary =
    nic.ipConfigurations.find((configuration) => configuration.primary) ?? nic.ipConfigurations[0];
  return {
    id: nic.id,
    name: nic.name,
    resourceGroup: nic.resourceGroup,
    location: nic.location,
    ...(nic.etag === undefined ? {} : { etag: nic.etag }),
    tags,
    ...(nic.virtualMachine === undefined ? {} : { virtualMachine: { id: nic.virtualMachine.id } }),
    ...(nic.networkSecurityGroup === undefined
      ? {}
      : { networkSecurityGroup: { id: nic.networkSecurityGroup.id } }),
    // The NIC of an estate VM is its primary NIC.
    primary: true,
    // The simulated NIC holds its primary configuration only.
    ipConfigurations:
      primary === undefined
        ? []
        : [
            {
              name: primary.name,
              primary: true,
              privateIPAddress: primary.privateIPAddress,
              subnet: { id: primary.subnet.id },
              // A stopped VM's dynamic address is released: the estate says so by its missing publicIp.
              ...(primary.publicIPAddress === undefined || workload.publicIp === undefined
                ? {}
                : { publicIPAddress: { id: primary.publicIPAddress.id } }),
              applicationSecurityGroups: primary.applicationSecurityGroups.map((asg) => ({ id: asg.id })),
            },
          ],
  };
}

/** The tags with `name` (found as Azure finds it, ignoring case) set to `value`, its spelling kept. */
function replaceTag(
  tags: Readonly<Record<string, string>>,
  name: string,
  value: string,
): Record<string, string> {
  const spelled = Object.keys(tags).find((key) => key.toLowerCase() === name.toLowerCase()) ?? name;
  return { ...tags, [spelled]: value };
}
