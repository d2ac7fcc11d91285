import { randomUUID } from "node:crypto";

/** A resource as ARM sends it on the wire: `properties` nested, unlike the SDK's flattened objects. */
export interface ArmResource {
  id: string;
  name: string;
  type: string;
  location?: string;
  tags?: Record<string, string>;
  etag?: string;
  properties?: Record<string, unknown>;
}

export const NETWORK_API_VERSION = "2025-05-01";
export const COMPUTE_API_VERSION = "2026-03-01";

export function newEtag(): string {
  return `W/"${randomUUID()}"`;
}

type Properties = Record<string, unknown>;
interface Child {
  name?: string;
  properties?: Properties;
}

/** The six rules ARM adds to every NSG (docs/clouds.md, "Azure default rules"). */
export function defaultSecurityRules(nsgId: string): ArmResource[] {
  const rule = (
    name: string,
    priority: number,
    direction: string,
    access: string,
    source: string,
    destination: string,
  ) => ({
    id: `${nsgId}/defaultSecurityRules/${name}`,
    name,
    type: "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
    etag: newEtag(),
    properties: {
      provisioningState: "Succeeded",
      description: `Default rule ${name}`,
      protocol: "*",
      sourcePortRange: "*",
      destinationPortRange: "*",
      sourceAddressPrefix: source,
      destinationAddressPrefix: destination,
      access,
      priority,
      direction,
      sourcePortRanges: [],
      destinationPortRanges: [],
      sourceAddressPrefixes: [],
      destinationAddressPrefixes: [],
    },
  });
  return [
    rule("AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
    rule("AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer", "*"),
    rule("DenyAllInBound", 65500, "Inbound", "Deny", "*", "*"),
    rule("AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
    rule("AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "Internet"),
    rule("DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*"),
  ];
}

/** Children get their ids, types, etags and provisioning states, as ARM gives them. */
function children(
  parentId: string,
  kind: string,
  type: string,
  values: unknown,
  defaults: Properties = {},
): ArmResource[] {
  return ((values as Child[] | undefined) ?? []).map((child) => ({
    id: `${parentId}/${kind}/${child.name}`,
    name: child.name ?? "",
    type,
    etag: newEtag(),
    properties: { ...defaults, ...child.properties, provisioningState: "Succeeded" },
  }));
}

/** ARM reads back the list fields a rule was written without as empty lists (test/fixtures/azure/arm). */
export const RULE_LISTS: Properties = {
  sourcePortRanges: [],
  destinationPortRanges: [],
  sourceAddressPrefixes: [],
  destinationAddressPrefixes: [],
};

/**
 * The resource a PUT body makes, with what ARM adds: ids of children, default rules, read-only
 * properties kept from the resource it replaces, and provisioningState "Updating" until the
 * long-running operation ends.
 */
export function resourceFromPut(
  id: string,
  name: string,
  type: string,
  body: Partial<ArmResource>,
  previous: ArmResource | undefined,
): ArmResource {
  const properties: Properties = { ...body.properties, provisioningState: "Updating" };
  const kept = previous?.properties ?? {};
  if (type === "Microsoft.Network/networkSecurityGroups") {
    properties.securityRules = children(
      id,
      "securityRules",
      `${type}/securityRules`,
      properties.securityRules,
      RULE_LISTS,
    );
    properties.defaultSecurityRules = kept.defaultSecurityRules ?? defaultSecurityRules(id);
    properties.resourceGuid = kept.resourceGuid ?? randomUUID();
  }
  if (type === "Microsoft.Network/networkInterfaces") {
    properties.ipConfigurations = children(
      id,
      "ipConfigurations",
      `${type}/ipConfigurations`,
      properties.ipConfigurations,
    );
    for (const readOnly of ["virtualMachine", "macAddress", "primary", "resourceGuid"]) {
      if (kept[readOnly] !== undefined) properties[readOnly] = kept[readOnly];
    }
  }
  return {
    id,
    name,
    type,
    location: body.location,
    tags: body.tags ?? {},
    etag: newEtag(),
    properties,
  };
}

export function withProvisioningState(resource: ArmResource, state: string): ArmResource {
  return { ...resource, properties: { ...resource.properties, provisioningState: state } };
}

/** A VM as ListAll and a plain GET return it: no instance view. */
export function vmModel(vm: ArmResource): ArmResource {
  const { instanceView: _, ...properties } = vm.properties ?? {};
  return { ...vm, properties };
}

/** A VM as ListAll?statusOnly=true returns it: its instance view and nothing of its model. */
export function vmStatusOnly(vm: ArmResource): ArmResource {
  return {
    id: vm.id,
    name: vm.name,
    type: vm.type,
    properties: { instanceView: vm.properties?.instanceView },
  };
}

export function sameId(a: unknown, b: string): boolean {
  return typeof a === "string" && a.toLowerCase() === b.toLowerCase();
}
