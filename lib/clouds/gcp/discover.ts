/**
 * Native Compute → inventory: the instances segsync cares about as Workloads, the networks of
 * their NICs as Networks, and the Compute objects that materialize, diff and evaluate read back
 * (docs/real-data.md, "GCP"). One aggregated instance list and one firewall list; nothing here
 * writes. An instance that cannot be a workload is left out, and reported as a finding.
 */

import { InvalidIdError } from "../../inventory/errors.js";
import { formatNetworkId, formatWorkloadId } from "../../inventory/ids.js";
import type { LabelConfig } from "../../inventory/labels.js";
import type { Network, Nic, Workload, WorkloadState } from "../../inventory/model.js";
import { compareText } from "../../util/compare-text.js";
import { UnreadableObjects } from "../common/unreadable.js";
import type { CloudFinding } from "../provider.js";
import type { GcpApi } from "./api.js";
import { GcpUnmodelableInstanceError } from "./errors.js";
import {
  type GcpFirewall,
  type GcpInstance,
  type GcpProjectState,
  parseNetworkUrl,
  zoneName,
} from "./model.js";
import { type GcpOwnership, hasMarker, isOwnedTag } from "./ownership.js";

export interface GcpDiscovery {
  /** Sorted by id. */
  readonly workloads: Workload[];
  /** The networks of the workloads' NICs, sorted by id. */
  readonly networks: Network[];
  /**
   * The discovered instances (by zone, then name) and the project's firewall rules (by name):
   * every rule in the networks those instances use, segsync's and the customer's (evaluate needs
   * both), and every owned rule wherever it is, so that one left in a network without workloads
   * can be deleted.
   */
  readonly state: GcpProjectState;
  /** Objects the reads left out (segsync cannot model them), each reported. */
  readonly findings: CloudFinding[];
}

/**
 * Every status Compute reports (keyed by text, so that PENDING and DEPROVISIONING count whether
 * or not model.ts lists them). TERMINATED is a stopped VM, not a deleted one: deleted instances
 * are simply absent.
 */
const WORKLOAD_STATES: Readonly<Record<string, WorkloadState>> = {
  PENDING: "running",
  PROVISIONING: "running",
  STAGING: "running",
  RUNNING: "running",
  REPAIRING: "running",
  STOPPING: "stopped",
  STOPPED: "stopped",
  SUSPENDING: "stopped",
  SUSPENDED: "stopped",
  DEPROVISIONING: "stopped",
  TERMINATED: "stopped",
};

export async function discoverGcp(
  api: GcpApi,
  labels: LabelConfig,
  ownership: GcpOwnership,
): Promise<GcpDiscovery> {
  const findings: CloudFinding[] = [];
  const isManaged = managedInstances(api.project, labels, ownership, findings);
  const listed = (await api.listInstances()).filter(isManaged);
  // Found by the API's read but no workload: left out of the state too, so that nothing acts on it.
  const unmodelable = new UnreadableObjects("gcp-unreadable-object");
  const modelled = unmodelable.modelEach(
    listed,
    (instance) => ({ instance, workload: toGcpWorkload(api.project, instance) }),
    (instance) => `instance ${api.project}/${zoneName(instance.zone)}/${instance.name}`,
  );
  const instances = modelled.map(({ instance }) => instance);
  const workloads = modelled.flatMap(({ workload }) => (workload === undefined ? [] : [workload]));
  const networkIds = new Set(workloads.flatMap((workload) => workload.nics.map((nic) => nic.network)));
  const all = await api.listFirewalls();
  const firewalls = all.filter(
    (firewall) =>
      ownership.ownsFirewall(api.project, firewall) || networkIds.has(networkIdOf(firewall.network) ?? ""),
  );
  return {
    workloads: sortBy(workloads, (workload) => workload.id),
    networks: [...networkIds].sort(compareText).map((id) => ({ id })),
    state: {
      project: api.project,
      instances: sortBy(instances, (instance) => `${zoneName(instance.zone)}/${instance.name}`),
      firewalls: sortBy(firewalls, (firewall) => firewall.name),
      ...(all.length > firewalls.length ? { unlistedRules: all.length - firewalls.length } : {}),
    },
    findings: [
      ...findings,
      ...unsealedRules(api.project, all, ownership),
      ...api.takeUnreadable(),
      ...unmodelable.take(),
    ],
  };
}

/**
 * Which read instances segsync manages: those with a label of the policy's dimensions, and those
 * that lost them but keep owned tags segsync sealed (to clean up; a tag alone never makes segsync
 * adopt an instance: such an instance is a finding).
 */
export function managedInstances(
  project: string,
  labels: LabelConfig,
  ownership: GcpOwnership,
  findings: CloudFinding[],
): (instance: GcpInstance) => boolean {
  const labelKeys = new Set(labels.dimensions.map((dimension) => `${labels.tagPrefix}${dimension}`));
  return (instance) => {
    if (Object.keys(instance.labels ?? {}).some((key) => labelKeys.has(key))) return true;
    const items = instance.tags.items ?? [];
    if (!items.some(isOwnedTag)) return false;
    if (ownership.sealedTags(project, zoneName(instance.zone), instance.name, items)) return true;
    findings.push({
      code: "gcp-unsealed-tags",
      severity: "warning",
      subject: `${project}/${zoneName(instance.zone)}/${instance.name}`,
      message: `instance ${instance.name} carries segsync-… network tags that segsync did not set (no valid seal tag); not managed, left as it is`,
    });
    return false;
  };
}

/** Rules with segsync's marker but not its seal: not segsync's, never changed by it. */
export function unsealedRules(
  project: string,
  firewalls: readonly GcpFirewall[],
  ownership: GcpOwnership,
): CloudFinding[] {
  return firewalls
    .filter((firewall) => hasMarker(firewall) && !ownership.ownsFirewall(project, firewall))
    .map((firewall) => ({
      code: "gcp-unsealed-object",
      severity: "warning" as const,
      subject: `${project}/${firewall.name}`,
      message: `firewall rule ${firewall.name} carries segsync's marker without its seal: segsync did not create it (or its record key changed); treated as a customer rule and never changed`,
    }));
}

/** One instance, for the event path: undefined when it is gone (deleted). */
export async function discoverGcpWorkload(
  api: GcpApi,
  zone: string,
  name: string,
): Promise<Workload | undefined> {
  const instance = await api.getInstance(zone, name);
  return instance === undefined ? undefined : toGcpWorkload(api.project, instance);
}

/**
 * The Compute instance as a cloud-neutral workload; undefined when it has no NIC to be reached on.
 * Throws GcpUnmodelableInstanceError for an instance that cannot be one.
 */
export function toGcpWorkload(project: string, instance: GcpInstance): Workload | undefined {
  if (instance.networkInterfaces.length === 0) return undefined;
  const nics: Nic[] = instance.networkInterfaces.map((nic, index) => {
    const network = networkIdOf(nic.network);
    if (network === undefined) {
      throw new GcpUnmodelableInstanceError(
        `instance ${instance.name}: networkInterfaces[${index}].network "${nic.network}" is not a network URL segsync can name`,
      );
    }
    const publicIp = nic.accessConfigs?.find((config) => config.natIP !== undefined)?.natIP;
    return {
      id: nic.name ?? `nic${index}`,
      network,
      privateIp: nic.networkIP,
      ...(publicIp === undefined ? {} : { publicIp }),
    };
  });
  const labels = Object.entries(instance.labels ?? {}).sort(([a], [b]) => compareText(a, b));
  return {
    id: formatWorkloadId({
      cloud: "gcp",
      project,
      zone: zoneName(instance.zone),
      instanceName: instance.name,
    }),
    // A status newer than this table is not counted as running: such a VM joins no peer set.
    state: WORKLOAD_STATES[instance.status] ?? "stopped",
    nics,
    tags: Object.fromEntries(labels),
  };
}

/**
 * The network id of a network URL: the URL's project, which differs from the instance's under
 * Shared VPC. Undefined for a URL that names no network, or one no network id can hold.
 */
export function networkIdOf(url: string): string | undefined {
  const parsed = parseNetworkUrl(url);
  if (parsed === undefined) return undefined;
  try {
    return formatNetworkId({ cloud: "gcp", project: parsed.project, networkName: parsed.name });
  } catch (error) {
    if (error instanceof InvalidIdError) return undefined;
    throw error;
  }
}

function sortBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => compareText(key(a), key(b)));
}
