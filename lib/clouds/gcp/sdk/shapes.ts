import { GcpApiError } from "../errors.js";
import type {
  FirewallProtocol,
  GcpFirewall,
  GcpInstance,
  GcpInstanceStatus,
  GcpNetworkInterface,
  GcpSubnetwork,
} from "../model.js";
import type {
  SdkFirewall,
  SdkFirewallProtocol,
  SdkFirewallResource,
  SdkId,
  SdkInstance,
  SdkNetworkInterface,
  SdkSubnetwork,
} from "./clients.js";

/**
 * SDK messages → model.ts, shaped as the REST API's JSON: the SDK decodes every absent repeated
 * field as [] and every absent map as {}, and adds `_field` markers for optional fields; REST
 * leaves empty fields out, so these mappers do too and copy only the fields the model names.
 */

function requireField<T>(value: T | null | undefined, what: string, field: string): T {
  if (value === null || value === undefined || value === "") {
    throw new GcpApiError(`the Compute API returned ${what} without ${field}`, "MalformedResponse", 0);
  }
  return value;
}

function nonEmpty<T>(values: readonly T[] | null | undefined): T[] | undefined {
  return values && values.length > 0 ? [...values] : undefined;
}

function present<T>(value: T | null | undefined): T | undefined {
  return value === null || value === "" ? undefined : value;
}

function idText(id: SdkId): string | undefined {
  return id === null || id === undefined ? undefined : String(id);
}

/** Drops undefined fields, so that mapped objects compare and print like the REST JSON. */
function compact<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

function toNetworkInterface(nic: SdkNetworkInterface, instance: string): GcpNetworkInterface {
  const accessConfigs = (nic.accessConfigs ?? []).map((config) =>
    compact({ name: present(config.name), type: present(config.type), natIP: present(config.natIP) }),
  );
  return compact({
    name: present(nic.name),
    network: requireField(nic.network, `instance ${instance}`, "a NIC network"),
    subnetwork: present(nic.subnetwork),
    networkIP: requireField(nic.networkIP, `instance ${instance}`, "a NIC networkIP"),
    accessConfigs: nonEmpty(accessConfigs),
  });
}

/**
 * `zone` is the zone URL when the instance lacks one (an aggregated list names its scope
 * `zones/<zone>`). A status newer than the model's list passes through as it is: callers that ask
 * for RUNNING treat a state they do not know as not running.
 */
export function toInstance(instance: SdkInstance, zone?: string): GcpInstance {
  const name = requireField(instance.name, "an instance", "a name");
  const labels =
    instance.labels && Object.keys(instance.labels).length > 0 ? { ...instance.labels } : undefined;
  return compact({
    id: idText(instance.id),
    name,
    zone: requireField(present(instance.zone) ?? zone, `instance ${name}`, "a zone"),
    status: requireField(instance.status, `instance ${name}`, "a status") as GcpInstanceStatus,
    labels,
    labelFingerprint: present(instance.labelFingerprint),
    tags: compact({
      items: nonEmpty(instance.tags?.items),
      fingerprint: present(instance.tags?.fingerprint),
    }),
    networkInterfaces: (instance.networkInterfaces ?? []).map((nic) => toNetworkInterface(nic, name)),
    selfLink: present(instance.selfLink),
  });
}

function toProtocols(protocols: readonly SdkFirewallProtocol[] | null | undefined, rule: string) {
  return nonEmpty(
    (protocols ?? []).map(
      (protocol): FirewallProtocol =>
        compact({
          IPProtocol: requireField(protocol.IPProtocol, `firewall ${rule}`, "an IPProtocol"),
          ports: nonEmpty(protocol.ports),
        }),
    ),
  );
}

export function toSubnetwork(subnetwork: SdkSubnetwork): GcpSubnetwork {
  const name = requireField(subnetwork.name, "a subnetwork", "a name");
  return {
    name,
    network: requireField(subnetwork.network, `subnetwork ${name}`, "a network"),
    ipCidrRange: requireField(subnetwork.ipCidrRange, `subnetwork ${name}`, "an ipCidrRange"),
    ...(subnetwork.region ? { region: subnetwork.region } : {}),
  };
}

export function toFirewall(firewall: SdkFirewall): GcpFirewall {
  const name = requireField(firewall.name, "a firewall rule", "a name");
  const direction = firewall.direction ?? "INGRESS";
  if (direction !== "INGRESS" && direction !== "EGRESS") {
    throw new GcpApiError(`firewall ${name} has direction ${direction}`, "MalformedResponse", 0);
  }
  return compact({
    id: idText(firewall.id),
    name,
    network: requireField(firewall.network, `firewall ${name}`, "a network"),
    // Compute fills in 1000 when a rule is created without one; REST always returns it.
    priority: firewall.priority ?? 1000,
    direction,
    description: present(firewall.description),
    disabled: firewall.disabled ?? undefined,
    sourceRanges: nonEmpty(firewall.sourceRanges),
    sourceTags: nonEmpty(firewall.sourceTags),
    sourceServiceAccounts: nonEmpty(firewall.sourceServiceAccounts),
    targetTags: nonEmpty(firewall.targetTags),
    targetServiceAccounts: nonEmpty(firewall.targetServiceAccounts),
    destinationRanges: nonEmpty(firewall.destinationRanges),
    allowed: toProtocols(firewall.allowed, name),
    denied: toProtocols(firewall.denied, name),
    selfLink: present(firewall.selfLink),
  });
}

function toSdkProtocols(
  protocols: readonly FirewallProtocol[] | undefined,
): SdkFirewallProtocol[] | undefined {
  return protocols?.map((protocol) =>
    compact({ IPProtocol: protocol.IPProtocol, ports: protocol.ports ? [...protocol.ports] : undefined }),
  );
}

/** model → the request body: everything but the output-only id and selfLink. */
export function toSdkFirewall(firewall: GcpFirewall): SdkFirewallResource {
  const list = (values: readonly string[] | undefined) => (values ? [...values] : undefined);
  return compact({
    name: firewall.name,
    network: firewall.network,
    priority: firewall.priority,
    direction: firewall.direction,
    description: firewall.description,
    disabled: firewall.disabled,
    sourceRanges: list(firewall.sourceRanges),
    sourceTags: list(firewall.sourceTags),
    sourceServiceAccounts: list(firewall.sourceServiceAccounts),
    targetTags: list(firewall.targetTags),
    targetServiceAccounts: list(firewall.targetServiceAccounts),
    destinationRanges: list(firewall.destinationRanges),
    allowed: toSdkProtocols(firewall.allowed),
    denied: toSdkProtocols(firewall.denied),
  });
}
