/**
 * What each cloud's own tools do for a scenario step, through the simulators' controls (which
 * are not segsync's port calls: neither logged nor throttled): launch with tags, set the whole tag
 * map, stop (AWS stop, Azure deallocate, GCP stop), start, terminate or delete.
 */
import { networkUrl } from "../lib/clouds/gcp/model.js";
import type { Cloud } from "../lib/inventory/model.js";
import type { SimulatedClouds } from "./simulated-clouds.js";
import type { LiveWorkload } from "./workload-book.js";

/** One cloud's own tools for a workload's life: what a person or a pipeline does in that cloud. */
export interface NativeTools {
  /** Returns the GCP numeric instance id, when the cloud has one. */
  launch(clouds: SimulatedClouds, workload: LiveWorkload): string | undefined;
  retag(clouds: SimulatedClouds, workload: LiveWorkload, tags: Readonly<Record<string, string>>): void;
  stop(clouds: SimulatedClouds, workload: LiveWorkload): void;
  /** `publicIp`: the address it gets back, when it had one and nobody took it meanwhile. */
  start(clouds: SimulatedClouds, workload: LiveWorkload, publicIp: string | undefined): void;
  terminate(clouds: SimulatedClouds, workload: LiveWorkload): void;
}

function networkParts(clouds: SimulatedClouds, workload: LiveWorkload) {
  const parts = clouds.network(workload.network)?.parts;
  if (parts === undefined) throw new TypeError(`${workload.network} is not a network of the estate`);
  return parts;
}

function partsOf<C extends Cloud>(
  workload: LiveWorkload,
  cloud: C,
): Extract<LiveWorkload["parts"], { cloud: C }> {
  if (workload.parts.cloud !== cloud) throw new TypeError(`${workload.id} is not a ${cloud} workload`);
  return workload.parts as Extract<LiveWorkload["parts"], { cloud: C }>;
}

const aws: NativeTools = {
  launch(clouds, workload) {
    const { account, region, instanceId } = partsOf(workload, "aws");
    const network = networkParts(clouds, workload);
    if (network.cloud !== "aws") throw new TypeError(`${workload.network} is not an AWS network`);
    clouds.aws({ account, region }).runInstance({
      instanceId,
      vpcId: network.vpcId,
      privateIp: workload.privateIp,
      ...(workload.publicIp === undefined ? {} : { publicIp: workload.publicIp }),
      tags: workload.tags,
    });
    return undefined;
  },
  retag: (clouds, workload, tags) =>
    ec2Of(clouds, workload).setInstanceTags(partsOf(workload, "aws").instanceId, tags),
  stop: (clouds, workload) =>
    ec2Of(clouds, workload).setInstanceState(partsOf(workload, "aws").instanceId, "stopped"),
  start(clouds, workload, publicIp) {
    const options = publicIp === undefined ? {} : { publicIp };
    ec2Of(clouds, workload).setInstanceState(partsOf(workload, "aws").instanceId, "running", options);
  },
  terminate: (clouds, workload) =>
    ec2Of(clouds, workload).terminateInstance(partsOf(workload, "aws").instanceId),
};

function ec2Of(clouds: SimulatedClouds, workload: LiveWorkload) {
  const { account, region } = partsOf(workload, "aws");
  return clouds.aws({ account, region });
}

const azure: NativeTools = {
  launch(clouds, workload) {
    const { subscription, resourceGroup, vmName } = partsOf(workload, "azure");
    const network = networkParts(clouds, workload);
    if (network.cloud !== "azure") throw new TypeError(`${workload.network} is not an Azure network`);
    clouds.azure(subscription).createVm({
      resourceGroup,
      name: vmName,
      location: clouds.network(workload.network)?.network.region ?? "",
      vnet: { resourceGroup: network.resourceGroup, name: network.vnetName },
      privateIp: workload.privateIp,
      ...(workload.publicIp === undefined ? {} : { publicIp: workload.publicIp }),
      tags: workload.tags,
    });
    return undefined;
  },
  retag(clouds, workload, tags) {
    const { subscription, resourceGroup, vmName } = partsOf(workload, "azure");
    clouds.azure(subscription).setVmTags(resourceGroup, vmName, tags);
  },
  stop(clouds, workload) {
    const { subscription, resourceGroup, vmName } = partsOf(workload, "azure");
    clouds.azure(subscription).setPowerState(resourceGroup, vmName, "VM deallocated");
  },
  start(clouds, workload, publicIp) {
    const { subscription, resourceGroup, vmName } = partsOf(workload, "azure");
    const options = publicIp === undefined ? {} : { publicIp };
    clouds.azure(subscription).setPowerState(resourceGroup, vmName, "VM running", options);
  },
  terminate(clouds, workload) {
    const { subscription, resourceGroup, vmName } = partsOf(workload, "azure");
    clouds.azure(subscription).deleteVm(resourceGroup, vmName);
  },
};

const gcp: NativeTools = {
  launch(clouds, workload) {
    const { project, zone, instanceName } = partsOf(workload, "gcp");
    const network = networkParts(clouds, workload);
    if (network.cloud !== "gcp") throw new TypeError(`${workload.network} is not a GCP network`);
    // Compute accepts a NIC in another project's network only from one of its service projects.
    if (network.project !== project) clouds.attachServiceProject(network.project, project);
    const created = clouds.gcp(project).createInstance({
      zone,
      name: instanceName,
      labels: workload.tags,
      network: networkUrl(network.project, network.networkName),
      networkIP: workload.privateIp,
      ...(workload.publicIp === undefined ? {} : { natIP: workload.publicIp }),
    });
    return created.id;
  },
  retag(clouds, workload, tags) {
    const { project, zone, instanceName } = partsOf(workload, "gcp");
    clouds.gcp(project).setLabels(zone, instanceName, tags);
  },
  stop(clouds, workload) {
    const { project, zone, instanceName } = partsOf(workload, "gcp");
    clouds.gcp(project).setStatus(zone, instanceName, "TERMINATED");
  },
  start(clouds, workload, publicIp) {
    const { project, zone, instanceName } = partsOf(workload, "gcp");
    clouds
      .gcp(project)
      .setStatus(zone, instanceName, "RUNNING", publicIp === undefined ? {} : { natIP: publicIp });
  },
  terminate(clouds, workload) {
    const { project, zone, instanceName } = partsOf(workload, "gcp");
    clouds.gcp(project).deleteInstance(zone, instanceName);
  },
};

export const NATIVE_TOOLS: Readonly<Record<Cloud, NativeTools>> = { aws, azure, gcp };
