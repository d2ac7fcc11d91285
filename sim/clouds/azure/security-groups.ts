import type {
  ApplicationSecurityGroup,
  NetworkSecurityGroup,
  SecurityRule,
} from "../../../lib/clouds/azure/model.js";
import { sameResource } from "../../../lib/clouds/azure/model.js";
import { fail } from "./failures.js";
import { checkName, checkSameLocation, checkTags, normalizeLocation } from "./names.js";
import { canonicalRules, checkSecurityRules, DEFAULT_SECURITY_RULES } from "./rules.js";
import { type ArmStore, checkIfMatch, key, sortById } from "./store.js";

export interface PutNetworkSecurityGroupInput {
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly flushConnection?: boolean;
  readonly securityRules: readonly SecurityRule[];
  readonly ifMatch?: string;
}

/** A whole-NSG PUT: the custom rules are replaced; the default rules are ARM's own, always. */
export function putNetworkSecurityGroup(
  store: ArmStore,
  input: PutNetworkSecurityGroupInput,
): NetworkSecurityGroup {
  checkName("resourceGroup", input.resourceGroup, "Resource group");
  checkName("network", input.name, "Network security group");
  const id = store.networkResourceId("networkSecurityGroups", input.resourceGroup, input.name);
  const existing = store.networkSecurityGroups.get(key(id));
  checkIfMatch(id, existing?.etag, input.ifMatch);
  const location = normalizeLocation(input.location);
  if (existing !== undefined) checkSameLocation(existing.id, existing.location, location);
  checkTags(input.tags);
  const securityRules = canonicalRules(structuredClone(input.securityRules));
  checkSecurityRules(store, { id: existing?.id ?? id, location }, securityRules);
  const nsg: NetworkSecurityGroup = {
    id: existing?.id ?? id,
    name: existing?.name ?? input.name,
    location,
    resourceGroup: existing?.resourceGroup ?? input.resourceGroup,
    etag: store.newEtag(),
    tags: { ...input.tags },
    // A PUT replaces the whole NSG: a property it leaves out is false again, as in ARM.
    ...(input.flushConnection === true ? { flushConnection: true } : {}),
    securityRules,
    defaultSecurityRules: structuredClone(DEFAULT_SECURITY_RULES) as SecurityRule[],
  };
  store.networkSecurityGroups.set(key(nsg.id), nsg);
  return store.nsgView(nsg);
}

/** ARM answers a DELETE of a missing resource with 204: deleting twice is not an error. */
export function deleteNetworkSecurityGroup(store: ArmStore, resourceGroup: string, name: string): void {
  const id = store.networkResourceId("networkSecurityGroups", resourceGroup, name);
  const nsg = store.networkSecurityGroups.get(key(id));
  if (nsg === undefined) return;
  const users = sortById(store.nsgUsers(nsg.id));
  if (users.length > 0) {
    throw fail.inUse(
      "InUseNetworkSecurityGroupCannotBeDeleted",
      `Network security group ${nsg.id} cannot be deleted because it is in use by the following resources: ${users.map((nic) => nic.id).join(", ")}. In order to delete the Network security group, remove the association with the resource(s).`,
    );
  }
  store.networkSecurityGroups.delete(key(id));
}

export interface PutApplicationSecurityGroupInput {
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  readonly tags: Readonly<Record<string, string>>;
}

export function putApplicationSecurityGroup(
  store: ArmStore,
  input: PutApplicationSecurityGroupInput,
): ApplicationSecurityGroup {
  checkName("resourceGroup", input.resourceGroup, "Resource group");
  checkName("network", input.name, "Application security group");
  const id = store.networkResourceId("applicationSecurityGroups", input.resourceGroup, input.name);
  const existing = store.applicationSecurityGroups.get(key(id));
  const location = normalizeLocation(input.location);
  if (existing !== undefined) checkSameLocation(existing.id, existing.location, location);
  checkTags(input.tags);
  const asg: ApplicationSecurityGroup = {
    id: existing?.id ?? id,
    name: existing?.name ?? input.name,
    location,
    resourceGroup: existing?.resourceGroup ?? input.resourceGroup,
    tags: { ...input.tags },
  };
  store.applicationSecurityGroups.set(key(asg.id), asg);
  return structuredClone(asg);
}

/** Refused while an IP configuration is a member or a security rule names it; 204 when missing. */
export function deleteApplicationSecurityGroup(store: ArmStore, resourceGroup: string, name: string): void {
  const id = store.networkResourceId("applicationSecurityGroups", resourceGroup, name);
  const asg = store.applicationSecurityGroups.get(key(id));
  if (asg === undefined) return;
  const configurations = sortById(store.membersOf(asg.id)).flatMap((nic) =>
    nic.ipConfigurations
      .filter((c) => c.applicationSecurityGroups.some((ref) => sameResource(ref.id, asg.id)))
      .map((c) => `${nic.id}/ipConfigurations/${c.name}`),
  );
  if (configurations.length > 0) {
    throw fail.inUse(
      "ApplicationSecurityGroupInUseByIpConfigurations",
      `Application Security Group ${asg.name} cannot be deleted because it is referenced by IpConfiguration(s) ${configurations.join(", ")}.`,
    );
  }
  const rules = sortById([...store.networkSecurityGroups.values()]).flatMap((nsg) =>
    nsg.securityRules
      .filter((rule) =>
        [
          ...(rule.sourceApplicationSecurityGroups ?? []),
          ...(rule.destinationApplicationSecurityGroups ?? []),
        ].some((ref) => sameResource(ref.id, asg.id)),
      )
      .map((rule) => `${nsg.id}/securityRules/${rule.name}`),
  );
  if (rules.length > 0) {
    throw fail.inUse(
      "ApplicationSecurityGroupInUseBySecurityRules",
      `Application Security Group ${asg.name} cannot be deleted because it is referenced by security rule(s) ${rules.join(", ")}.`,
    );
  }
  store.applicationSecurityGroups.delete(key(id));
}
