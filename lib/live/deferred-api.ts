/**
 * Cloud ports whose implementation is built on their first call. The connections hand out APIs
 * synchronously, but building the real one can take an import (the Azure SDK is about a second
 * of a cold CLI run, the GCP SDK more) or a call (a credential kept in Secrets Manager): a run
 * that never reads that cloud pays for neither. A failed build is not kept: the next call retries.
 */
import type { AzureApi } from "../clouds/azure/api.js";
import type { GcpApi } from "../clouds/gcp/api.js";

/** `build` once, shared by every caller, forgotten if it fails. */
export function once<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

export function deferredAzureApi(subscription: string, load: () => Promise<AzureApi>): AzureApi {
  let loaded: AzureApi | undefined;
  const remember = async () => {
    loaded = await load();
    return loaded;
  };
  return {
    subscription,
    takeUnreadable: () => loaded?.takeUnreadable() ?? [],
    listVirtualMachines: async () => (await remember()).listVirtualMachines(),
    getVirtualMachine: async (group, name) => (await remember()).getVirtualMachine(group, name),
    listNetworkInterfaces: async () => (await remember()).listNetworkInterfaces(),
    getNetworkInterface: async (group, name) => (await remember()).getNetworkInterface(group, name),
    listPublicIPAddresses: async () => (await remember()).listPublicIPAddresses(),
    listNetworkSecurityGroups: async () => (await remember()).listNetworkSecurityGroups(),
    getNetworkSecurityGroup: async (group, name) => (await remember()).getNetworkSecurityGroup(group, name),
    listApplicationSecurityGroups: async () => (await remember()).listApplicationSecurityGroups(),
    listVirtualNetworks: async () => (await remember()).listVirtualNetworks(),
    putNetworkSecurityGroup: async (input) => (await remember()).putNetworkSecurityGroup(input),
    deleteNetworkSecurityGroup: async (group, name) =>
      (await remember()).deleteNetworkSecurityGroup(group, name),
    putApplicationSecurityGroup: async (input) => (await remember()).putApplicationSecurityGroup(input),
    deleteApplicationSecurityGroup: async (group, name) =>
      (await remember()).deleteApplicationSecurityGroup(group, name),
    putNetworkInterface: async (nic, ifMatch) => (await remember()).putNetworkInterface(nic, ifMatch),
  };
}

export function deferredGcpApi(project: string, load: () => Promise<GcpApi>): GcpApi {
  let loaded: GcpApi | undefined;
  const remember = async () => {
    loaded = await load();
    return loaded;
  };
  return {
    project,
    takeUnreadable: () => loaded?.takeUnreadable() ?? [],
    listInstances: async () => (await remember()).listInstances(),
    getInstance: async (zone, name) => (await remember()).getInstance(zone, name),
    setTags: async (zone, name, items, fingerprint) =>
      (await remember()).setTags(zone, name, items, fingerprint),
    listFirewalls: async () => (await remember()).listFirewalls(),
    listSubnetworks: async () => (await remember()).listSubnetworks(),
    insertFirewall: async (firewall) => (await remember()).insertFirewall(firewall),
    patchFirewall: async (firewall) => (await remember()).patchFirewall(firewall),
    deleteFirewall: async (name) => (await remember()).deleteFirewall(name),
    getXpnResources: async () => (await remember()).getXpnResources(),
    getXpnHost: async () => (await remember()).getXpnHost(),
  };
}
