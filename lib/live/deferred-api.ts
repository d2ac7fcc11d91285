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
  return {
    subscription,
    listVirtualMachines: async () => (await load()).listVirtualMachines(),
    getVirtualMachine: async (group, name) => (await load()).getVirtualMachine(group, name),
    listNetworkInterfaces: async () => (await load()).listNetworkInterfaces(),
    getNetworkInterface: async (group, name) => (await load()).getNetworkInterface(group, name),
    listPublicIPAddresses: async () => (await load()).listPublicIPAddresses(),
    listNetworkSecurityGroups: async () => (await load()).listNetworkSecurityGroups(),
    getNetworkSecurityGroup: async (group, name) => (await load()).getNetworkSecurityGroup(group, name),
    listApplicationSecurityGroups: async () => (await load()).listApplicationSecurityGroups(),
    putNetworkSecurityGroup: async (input) => (await load()).putNetworkSecurityGroup(input),
    deleteNetworkSecurityGroup: async (group, name) => (await load()).deleteNetworkSecurityGroup(group, name),
    putApplicationSecurityGroup: async (input) => (await load()).putApplicationSecurityGroup(input),
    deleteApplicationSecurityGroup: async (group, name) =>
      (await load()).deleteApplicationSecurityGroup(group, name),
    putNetworkInterface: async (nic, ifMatch) => (await load()).putNetworkInterface(nic, ifMatch),
  };
}

export function deferredGcpApi(project: string, load: () => Promise<GcpApi>): GcpApi {
  return {
    project,
    listInstances: async () => (await load()).listInstances(),
    getInstance: async (zone, name) => (await load()).getInstance(zone, name),
    setTags: async (zone, name, items, fingerprint) => (await load()).setTags(zone, name, items, fingerprint),
    listFirewalls: async () => (await load()).listFirewalls(),
    insertFirewall: async (firewall) => (await load()).insertFirewall(firewall),
    patchFirewall: async (firewall) => (await load()).patchFirewall(firewall),
    deleteFirewall: async (name) => (await load()).deleteFirewall(name),
  };
}
