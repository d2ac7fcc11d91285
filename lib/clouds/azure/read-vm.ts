/**
 * One VM's NICs and public IP resources read by name: what the event path reads for a workload
 * (discoverAzureWorkload) and what a change's read re-reads (discover-change.ts), so that reading
 * a workload costs what it has, not what its subscription holds (docs/architecture.md, "Targeted
 * reads (Azure)").
 */
import type { AzureApi } from "./api.js";
import {
  type NetworkInterface,
  type PublicIPAddress,
  parseResourceId,
  type VirtualMachine,
} from "./model.js";

/** The VM's NICs as its network profile names them; one gone since is left out. */
export async function readVmInterfaces(api: AzureApi, vm: VirtualMachine): Promise<NetworkInterface[]> {
  const nics: NetworkInterface[] = [];
  for (const ref of vm.networkProfile.networkInterfaces) {
    const parsed = parseResourceId(ref.id);
    const nic =
      parsed === undefined ? undefined : await api.getNetworkInterface(parsed.resourceGroup, parsed.name);
    if (nic !== undefined) nics.push(nic);
  }
  return nics;
}

/** The public IP resources these NICs' IP configurations name, each read once; one gone is left out. */
export async function readPublicIps(
  api: AzureApi,
  nics: readonly NetworkInterface[],
): Promise<PublicIPAddress[]> {
  const ids = new Map<string, string>();
  for (const nic of nics)
    for (const configuration of nic.ipConfigurations)
      if (configuration.publicIPAddress !== undefined)
        ids.set(configuration.publicIPAddress.id.toLowerCase(), configuration.publicIPAddress.id);
  const addresses: PublicIPAddress[] = [];
  for (const id of ids.values()) {
    const parsed = parseResourceId(id);
    // A public IP is in its NIC's subscription: one named elsewhere is not this API's to read.
    if (parsed === undefined || parsed.subscription.toLowerCase() !== api.subscription.toLowerCase())
      continue;
    const address = await api.getPublicIPAddress(parsed.resourceGroup, parsed.name);
    if (address !== undefined) addresses.push(address);
  }
  return addresses;
}
