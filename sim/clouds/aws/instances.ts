import type { AwsInstanceStateName, AwsTag } from "../../../lib/clouds/aws/model.js";
import { parseCidr } from "../../../lib/net/cidr.js";
import { fail, SimulationInputError } from "./failures.js";
import { checkInterfaceGroups } from "./interfaces.js";
import type { SimInterface } from "./records.js";
import type { SimRegion } from "./region.js";
import { checkTags, mergedTags } from "./tags.js";

/**
 * What happens to instances outside segsync: launches, stops, re-tags, terminations. These are
 * the simulation's controls, not EC2 calls, so they are neither logged nor throttled; they fail
 * with SimulationInputError for a scenario that could not happen, and with EC2's own errors
 * where EC2 would refuse the same launch (groups over quota, in another VPC, …).
 */

export interface RunInstanceInput {
  readonly instanceId?: string;
  readonly vpcId: string;
  readonly subnetId?: string;
  readonly privateIp: string;
  readonly publicIp?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** The primary ENI's groups; absent: the VPC's default group. */
  readonly groupIds?: readonly string[];
}

export interface AttachInterfaceInput {
  /** Absent: the instance's VPC (EC2 also attaches ENIs of other VPCs in the same account). */
  readonly vpcId?: string;
  readonly subnetId?: string;
  readonly privateIp: string;
  readonly publicIp?: string;
  readonly groupIds?: readonly string[];
}

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
const VPC_ID = /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

export function addVpc(region: SimRegion, vpcId: string): void {
  if (!VPC_ID.test(vpcId))
    throw new SimulationInputError(`"${vpcId}" is not a VPC id (vpc- and 8 or 17 hex digits)`);
  region.vpcs.add(vpcId);
}

export function runInstance(
  region: SimRegion,
  input: RunInstanceInput,
): { instanceId: string; networkInterfaceId: string } {
  if (input.instanceId !== undefined) {
    if (!INSTANCE_ID.test(input.instanceId)) {
      throw new SimulationInputError(
        `"${input.instanceId}" is not an instance id (i- and 8 to 17 hex digits)`,
      );
    }
    if (region.instances.has(input.instanceId)) {
      throw new SimulationInputError(`instance ${input.instanceId} already exists`);
    }
  }
  addVpc(region, input.vpcId);
  const tags = instanceTags(input.instanceId ?? "the new instance", input.tags);
  checkAddresses(region, input.vpcId, input.privateIp, input.publicIp);
  const groupIds = input.groupIds ?? [region.defaultGroup(input.vpcId).groupId];
  checkInterfaceGroups(region, "the primary network interface", input.vpcId, groupIds);

  const instanceId = input.instanceId ?? region.ids.next("i");
  region.instances.set(instanceId, { instanceId, vpcId: input.vpcId, state: "running", tags });
  const eni = addInterface(region, instanceId, 0, { ...input, groupIds });
  return { instanceId, networkInterfaceId: eni.networkInterfaceId };
}

/** Attaches another ENI at the next device index. */
export function attachNetworkInterface(
  region: SimRegion,
  instanceId: string,
  input: AttachInterfaceInput,
): { networkInterfaceId: string } {
  const instance = region.instance(instanceId);
  const vpcId = input.vpcId ?? instance.vpcId;
  addVpc(region, vpcId);
  checkAddresses(region, vpcId, input.privateIp, input.publicIp);
  const groupIds = input.groupIds ?? [region.defaultGroup(vpcId).groupId];
  checkInterfaceGroups(region, "the new network interface", vpcId, groupIds);
  const interfaces = region.interfacesOf(instanceId);
  const deviceIndex = Math.max(-1, ...interfaces.map((eni) => eni.attachment?.deviceIndex ?? 0)) + 1;
  const eni = addInterface(region, instanceId, deviceIndex, { ...input, vpcId, groupIds });
  return { networkInterfaceId: eni.networkInterfaceId };
}

/**
 * Attaches an existing, unattached ENI at `deviceIndex` (EC2's AttachNetworkInterface): the way an
 * estate's pasted secondary ENI keeps its own id. Like attachNetworkInterface, it does not insist
 * on the instance's VPC; the estate's checks do (docs/clouds.md, "AWS secondary network interfaces").
 */
export function attachExistingInterface(
  region: SimRegion,
  networkInterfaceId: string,
  instanceId: string,
  deviceIndex: number,
  attachmentId?: string,
): void {
  region.instance(instanceId);
  const eni = region.networkInterface(networkInterfaceId);
  if (eni.attachment !== undefined) {
    throw fail.invalid("InvalidNetworkInterface.InUse", `Interface: [${networkInterfaceId}] in use.`);
  }
  if (!Number.isInteger(deviceIndex) || deviceIndex < 1) {
    throw fail.invalid("InvalidParameterValue", `Invalid value '${deviceIndex}' for deviceIndex.`);
  }
  if (region.interfacesOf(instanceId).some((other) => other.attachment?.deviceIndex === deviceIndex)) {
    throw fail.invalid(
      "InvalidParameterValue",
      `Instance '${instanceId}' already has an interface attached at device index '${deviceIndex}'.`,
    );
  }
  if (attachmentId !== undefined) region.reserveAttachmentId(attachmentId);
  eni.attachment = { instanceId, deviceIndex, attachmentId: attachmentId ?? region.newAttachmentId() };
  region.refile(eni);
}

function addInterface(
  region: SimRegion,
  instanceId: string,
  deviceIndex: number,
  input: {
    vpcId: string;
    subnetId?: string;
    privateIp: string;
    publicIp?: string;
    groupIds: readonly string[];
  },
): SimInterface {
  const networkInterfaceId = region.ids.next("eni");
  const eni: SimInterface = {
    networkInterfaceId,
    vpcId: input.vpcId,
    ...(input.subnetId === undefined ? {} : { subnetId: input.subnetId }),
    privateIp: input.privateIp,
    ...(input.publicIp === undefined ? {} : { publicIp: input.publicIp }),
    groupIds: [...input.groupIds],
    attachment: { instanceId, deviceIndex, attachmentId: region.newAttachmentId() },
    tags: new Map(),
  };
  region.interfaces.set(networkInterfaceId, eni);
  return eni;
}

/**
 * Moves an instance to another state. Stopping releases its public addresses (segsync treats
 * every public IP as ephemeral: no Elastic IPs here); starting assigns `publicIp` to the primary
 * ENI when given. `terminated` is terminateInstance.
 */
export function setInstanceState(
  region: SimRegion,
  instanceId: string,
  state: AwsInstanceStateName,
  options: { readonly publicIp?: string } = {},
): void {
  const instance = region.instance(instanceId);
  if (state === "terminated") {
    terminateInstance(region, instanceId);
    return;
  }
  const interfaces = region.interfacesOf(instanceId);
  if (state === "stopping" || state === "stopped") {
    if (options.publicIp !== undefined) {
      throw new SimulationInputError(
        `a ${state} instance has no public IP: ${instanceId} cannot get ${options.publicIp}`,
      );
    }
    for (const eni of interfaces) {
      delete eni.publicIp;
      region.refile(eni);
    }
  } else if (options.publicIp !== undefined) {
    const primary = interfaces[0];
    if (primary === undefined)
      throw new SimulationInputError(`instance ${instanceId} has no network interface`);
    if (primary.publicIp !== options.publicIp) {
      checkPublicIp(region, options.publicIp);
      primary.publicIp = options.publicIp;
      region.refile(primary);
    }
  }
  instance.state = state;
}

/** The instance and its ENIs are gone (DeleteOnTermination); describe calls no longer return them. */
export function terminateInstance(region: SimRegion, instanceId: string): void {
  region.instance(instanceId);
  for (const eni of region.interfacesOf(instanceId)) region.interfaces.delete(eni.networkInterfaceId);
  region.instances.delete(instanceId);
}

/** Replaces the instance's tags with a complete new map. */
export function setInstanceTags(
  region: SimRegion,
  instanceId: string,
  tags: Readonly<Record<string, string>>,
): void {
  const instance = region.instance(instanceId);
  instance.tags = instanceTags(instanceId, tags);
}

function instanceTags(instanceId: string, tags: Readonly<Record<string, string>>) {
  const list: AwsTag[] = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  checkTags(list);
  return mergedTags(instanceId, new Map(), list);
}

function checkAddresses(
  region: SimRegion,
  vpcId: string,
  privateIp: string,
  publicIp: string | undefined,
): void {
  checkIpv4(privateIp, "private IP");
  const [holder] = region.interfacesWithPrivateIp(vpcId, privateIp);
  if (holder !== undefined) {
    throw new SimulationInputError(
      `private IP ${privateIp} is already used in ${vpcId} by ${holder.networkInterfaceId}`,
    );
  }
  if (publicIp !== undefined) checkPublicIp(region, publicIp);
}

function checkPublicIp(region: SimRegion, publicIp: string): void {
  checkIpv4(publicIp, "public IP");
  const [holder] = region.interfacesWithPublicIp(publicIp);
  if (holder !== undefined) {
    throw new SimulationInputError(`public IP ${publicIp} is already used by ${holder.networkInterfaceId}`);
  }
}

function checkIpv4(text: string, what: string): void {
  const parsed = parseCidr(text);
  if (text.includes("/") || !parsed.ok || parsed.cidr.family !== 4 || parsed.cidr.text !== `${text}/32`) {
    throw new SimulationInputError(`${what} "${text}" is not an IPv4 address in canonical form`);
  }
}
