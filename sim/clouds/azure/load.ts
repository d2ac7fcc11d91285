import { AzureApiError } from "../../../lib/clouds/azure/errors.js";
import {
  type AzureSubscriptionState,
  parseResourceId,
  resourceId,
  type SecurityRule,
  sameResource,
} from "../../../lib/clouds/azure/model.js";
import { SimulationInputError } from "./failures.js";
import { checkNetworkInterface } from "./interfaces.js";
import { checkName, checkTags, type NameKind, normalizeLocation } from "./names.js";
import { canonicalRules, checkSecurityRules, DEFAULT_SECURITY_RULES } from "./rules.js";
import { type ArmStore, key } from "./store.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function checkSubscriptionId(subscription: string): void {
  if (!GUID.test(subscription)) {
    throw new SimulationInputError(`subscription "${subscription}" is not a lowercase GUID`);
  }
}

/**
 * Fills the store with a starting state (a previous state(), or an estate's `native.azure`).
 * Every object must be one ARM could hold: ids that match names and the subscription, references
 * that resolve, rules and NICs that pass ARM's checks. VNets are not part of the state: they are
 * inferred from the NICs' subnets, in the NICs' region. The NSGs get ARM's default rules; etags
 * are kept (or made). Anything else is a SimulationInputError naming what is wrong.
 */
export function loadSubscriptionState(store: ArmStore, initial: AzureSubscriptionState): void {
  if (initial.subscription !== store.subscription) {
    throw new SimulationInputError(
      `the state is of subscription ${initial.subscription}, not ${store.subscription}`,
    );
  }
  try {
    insertAll(store, initial);
    checkReferences(store);
  } catch (error) {
    if (error instanceof AzureApiError) {
      throw new SimulationInputError(`the starting state could not exist in Azure: ${error.message}`);
    }
    throw error;
  }
}

function insertAll(store: ArmStore, initial: AzureSubscriptionState): void {
  for (const address of initial.publicIPAddresses) {
    checkOwnId(store, address, "Microsoft.Network", "publicIPAddresses", "network");
    insert(store.publicIPAddresses, address.id, {
      ...structuredClone(address),
      location: normalizeLocation(address.location),
    });
  }
  for (const asg of initial.applicationSecurityGroups) {
    checkOwnId(store, asg, "Microsoft.Network", "applicationSecurityGroups", "network");
    checkTags(asg.tags);
    insert(store.applicationSecurityGroups, asg.id, {
      ...structuredClone(asg),
      location: normalizeLocation(asg.location),
    });
  }
  for (const nsg of initial.networkSecurityGroups) {
    checkOwnId(store, nsg, "Microsoft.Network", "networkSecurityGroups", "network");
    checkTags(nsg.tags);
    // `networkInterfaces` is read-only: views derive it from the NICs.
    const { networkInterfaces: _derived, ...rest } = structuredClone(nsg);
    insert(store.networkSecurityGroups, nsg.id, {
      ...rest,
      securityRules: canonicalRules(rest.securityRules),
      location: normalizeLocation(nsg.location),
      etag: nsg.etag ?? store.newEtag(),
      defaultSecurityRules: structuredClone(DEFAULT_SECURITY_RULES) as SecurityRule[],
    });
  }
  for (const vm of initial.virtualMachines) {
    checkOwnId(store, vm, "Microsoft.Compute", "virtualMachines", "virtualMachine");
    checkTags(vm.tags);
    insert(store.virtualMachines, vm.id, {
      ...structuredClone(vm),
      location: normalizeLocation(vm.location),
    });
  }
  for (const nic of initial.networkInterfaces) {
    checkOwnId(store, nic, "Microsoft.Network", "networkInterfaces", "network");
    const location = normalizeLocation(nic.location);
    insert(store.networkInterfaces, nic.id, {
      ...structuredClone(nic),
      location,
      etag: nic.etag ?? store.newEtag(),
    });
    for (const configuration of nic.ipConfigurations)
      inferVirtualNetwork(store, configuration.subnet.id, location);
  }
}

function checkOwnId(
  store: ArmStore,
  resource: { readonly id: string; readonly name: string; readonly resourceGroup: string },
  provider: string,
  type: string,
  kind: NameKind,
): void {
  const parsed = parseResourceId(resource.id);
  const same = (a: string | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();
  if (
    parsed === undefined ||
    parsed.child !== undefined ||
    !same(parsed.subscription, store.subscription) ||
    !same(parsed.provider, provider) ||
    !same(parsed.type, type) ||
    !same(parsed.resourceGroup, resource.resourceGroup) ||
    !same(parsed.name, resource.name)
  ) {
    throw new SimulationInputError(
      `"${resource.id}" is not the id of ${provider}/${type} ${resource.name} in resource group ${resource.resourceGroup} of subscription ${store.subscription}`,
    );
  }
  checkName("resourceGroup", resource.resourceGroup, "Resource group");
  checkName(kind, resource.name, type);
}

function insert<T>(map: Map<string, T>, id: string, value: T): void {
  if (map.has(key(id))) throw new SimulationInputError(`${id} is given twice`);
  map.set(key(id), value);
}

function inferVirtualNetwork(store: ArmStore, subnetId: string, location: string): void {
  const parsed = parseResourceId(subnetId);
  if (
    parsed?.type.toLowerCase() !== "virtualnetworks" ||
    parsed.child?.type.toLowerCase() !== "subnets" ||
    parsed.subscription.toLowerCase() !== store.subscription
  ) {
    throw new SimulationInputError(
      `"${subnetId}" is not a subnet of a virtual network of ${store.subscription}`,
    );
  }
  const id = resourceId(store.subscription, parsed.resourceGroup, "virtualNetworks", parsed.name);
  const known = store.virtualNetworks.get(key(id));
  if (known !== undefined && known.location !== location) {
    throw new SimulationInputError(
      `${id} has NICs in ${known.location} and in ${location}; a VNet is in one region`,
    );
  }
  if (known === undefined) {
    store.virtualNetworks.set(key(id), {
      id,
      resourceGroup: parsed.resourceGroup,
      name: parsed.name,
      location,
    });
  }
}

function checkReferences(store: ArmStore): void {
  for (const nsg of store.networkSecurityGroups.values()) {
    checkSecurityRules(store, { id: nsg.id, location: nsg.location }, nsg.securityRules);
  }
  for (const nic of store.networkInterfaces.values()) {
    checkNetworkInterface(store, nic);
    const vmId = nic.virtualMachine?.id;
    if (vmId === undefined) continue;
    const vm = store.virtualMachines.get(key(vmId));
    if (
      vm === undefined ||
      !vm.networkProfile.networkInterfaces.some((ref) => sameResource(ref.id, nic.id))
    ) {
      throw new SimulationInputError(`${nic.id} names ${vmId} as its VM, but that VM does not list it`);
    }
  }
  for (const vm of store.virtualMachines.values()) {
    for (const ref of vm.networkProfile.networkInterfaces) {
      const nic = store.networkInterfaces.get(key(ref.id));
      if (nic === undefined || !sameResource(nic.virtualMachine?.id, vm.id)) {
        throw new SimulationInputError(
          `${vm.id} lists NIC ${ref.id}, which is not in the state or not attached to it`,
        );
      }
      if (nic.location !== vm.location) {
        throw new SimulationInputError(
          `${vm.id} is in ${vm.location} but its NIC ${nic.id} is in ${nic.location}`,
        );
      }
    }
  }
}
