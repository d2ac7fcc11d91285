/**
 * The simulated Compute projects of an estate: one SimulatedCompute per project that holds a
 * network or a workload (with Shared VPC they differ), the customer firewall rules of
 * `native.gcp` in their network's project, every estate network, and every workload's instance
 * with its labels and, from `native.gcp.instances`, its existing network tags and its secondary
 * NICs (nic1 and on). A workload in another project's network makes its project a Shared VPC
 * service project of that host.
 */
import type { GcpQuotas } from "../../../lib/clouds/gcp/config.js";
import { type GcpFirewall, networkUrl, parseNetworkUrl } from "../../../lib/clouds/gcp/model.js";
import type { EstateFor } from "../../estate-core-schema.js";
import type { EstateIndex } from "../../estate-index.js";
import { refusedAt } from "../../refusal.js";
import { type InstanceInterfaceInput, SimulatedCompute } from "./api.js";
import { instanceWorkload } from "./native-check.js";
import type { NativeGcp, NativeGcpInstance } from "./native-schema.js";

export interface BuiltGcp {
  readonly sims: Map<string, SimulatedCompute>;
  /** Workload id → the numeric instance id Compute gave it. */
  readonly instanceIds: Map<string, string>;
}

export function buildGcp(
  estate: EstateFor<"gcp", NativeGcp>,
  index: EstateIndex,
  limits: GcpQuotas | undefined,
): BuiltGcp {
  const native = estate.native?.gcp ?? {};
  const sims = new Map<string, SimulatedCompute>();
  for (const project of projectsOf(index)) sims.set(project, buildProject(native, index, limits, project));
  return { sims, instanceIds: createInstances(native, index, sims) };
}

/** Every project that holds an estate network or workload (with Shared VPC they differ). */
function projectsOf(index: EstateIndex): Set<string> {
  const projects = new Set<string>();
  for (const { parts } of [...index.networks.values(), ...index.workloads.values()]) {
    if (parts.cloud === "gcp") projects.add(parts.project);
  }
  return projects;
}

/** One project's Compute: the native firewall rules in its networks, then every estate network of it. */
function buildProject(
  native: NativeGcp,
  index: EstateIndex,
  limits: GcpQuotas | undefined,
  project: string,
): SimulatedCompute {
  const firewalls = (native.firewalls ?? []).flatMap(({ selfLink: _derived, ...firewall }): GcpFirewall[] => {
    const ref = parseNetworkUrl(firewall.network);
    return ref?.project === project ? [{ ...firewall, network: networkUrl(ref.project, ref.name) }] : [];
  });
  const path = ["native", "gcp", "firewalls"];
  const sim = refusedAt(path, () => {
    const options = limits === undefined ? {} : { limits };
    return new SimulatedCompute({ project, instances: [], firewalls }, options);
  });
  // Loading the rules made their networks known; the others are created here.
  const loaded = new Set(firewalls.map((firewall) => parseNetworkUrl(firewall.network)?.name));
  for (const { parts, network, index: at } of index.networks.values()) {
    if (parts.cloud !== "gcp" || parts.project !== project) continue;
    refusedAt(["networks", at], () => {
      if (!loaded.has(parts.networkName)) sim.createNetwork({ name: parts.networkName });
      sim.setNetworkRange(parts.networkName, network.cidr);
    });
  }
  return sim;
}

/** What `native.gcp.instances` adds to each workload's instance: its network tags and secondary NICs. */
function nativeExtras(native: NativeGcp, index: EstateIndex) {
  const networkTags = new Map<string, readonly string[]>();
  const secondaries = new Map<string, InstanceInterfaceInput[]>();
  for (const entry of native.instances ?? []) {
    const found = instanceWorkload(index, entry);
    if (!found.ok) continue;
    networkTags.set(found.workload.workload.id, entry.tags.items);
    secondaries.set(found.workload.workload.id, secondaryInterfaces(entry));
  }
  return { networkTags, secondaries };
}

/** Each workload's instance in its project; returns workload id → the numeric id Compute gave it. */
function createInstances(
  native: NativeGcp,
  index: EstateIndex,
  sims: ReadonlyMap<string, SimulatedCompute>,
): Map<string, string> {
  const { networkTags, secondaries } = nativeExtras(native, index);
  const instanceIds = new Map<string, string>();
  for (const entry of index.workloads.values()) {
    const { parts, workload } = entry;
    const network = index.networkOf(workload)?.parts;
    const sim = parts.cloud === "gcp" ? sims.get(parts.project) : undefined;
    if (parts.cloud !== "gcp" || network?.cloud !== "gcp" || sim === undefined) continue;
    refusedAt(["workloads", entry.index], () => {
      // Compute accepts a NIC in another project's network only from one of its service projects.
      if (network.project !== parts.project) {
        sim.setXpnHost(network.project);
        sims.get(network.project)?.enableXpnResource(parts.project);
      }
      const created = sim.createInstance({
        zone: parts.zone,
        name: parts.instanceName,
        labels: workload.tags,
        tags: networkTags.get(workload.id) ?? [],
        network: networkUrl(network.project, network.networkName),
        networkIP: workload.privateIp,
        ...(workload.publicIp === undefined ? {} : { natIP: workload.publicIp }),
        moreInterfaces: secondaries.get(workload.id) ?? [],
      });
      if (created.id !== undefined) instanceIds.set(workload.id, created.id);
      if (workload.state === "stopped") sim.setStatus(parts.zone, parts.instanceName, "TERMINATED");
    });
  }
  return instanceIds;
}

/** nic1 and on, as pasted: each in its network (by URL, so that a Shared VPC network stays in its project). */
function secondaryInterfaces(entry: NativeGcpInstance): InstanceInterfaceInput[] {
  return (entry.networkInterfaces ?? []).slice(1).flatMap((nic) => {
    const ref = parseNetworkUrl(nic.network);
    const natIP = nic.accessConfigs.find((config) => config.natIP !== undefined)?.natIP;
    if (ref === undefined || nic.networkIP === undefined) return [];
    return [
      {
        network: networkUrl(ref.project, ref.name),
        networkIP: nic.networkIP,
        ...(natIP === undefined ? {} : { natIP }),
      },
    ];
  });
}
