/**
 * The simulated EC2 locations of an estate: one SimulatedEc2 per account and region, holding the
 * customer groups and prefix lists of `native.aws`, every estate VPC, and every workload (with
 * its native primary ENI when `native.aws.networkInterfaces` has one, else a plain ENI in the
 * VPC's default group), each native secondary ENI attached to its workload's instance at its
 * device index, keeping its id.
 */
import type { AwsQuotas } from "../../../lib/clouds/aws/config.js";
import type {
  AwsLocation,
  AwsTag,
  Instance,
  ManagedPrefixList,
  NetworkInterface,
  SecurityGroup,
} from "../../../lib/clouds/aws/model.js";
import type { EstateFor } from "../../estate-core-schema.js";
import type { EstateIndex, IndexedWorkload } from "../../estate-index.js";
import { refusedAt } from "../../refusal.js";
import { SimulatedEc2 } from "./api.js";
import { awsLocations, locationKey, prefixListLocation, vpcLocation } from "./native-place.js";
import type { NativeAws, NativeNetworkInterface } from "./native-schema.js";

export function buildAws(
  estate: EstateFor<"aws", NativeAws>,
  index: EstateIndex,
  quotas: AwsQuotas | undefined,
): Map<string, SimulatedEc2> {
  const sims = new Map<string, SimulatedEc2>();
  for (const location of awsLocations(index)) {
    sims.set(locationKey(location), buildLocation(estate, index, quotas, location));
  }
  return sims;
}

type NativeGroups = NativeAws["securityGroups"] & object;

/** What `native.aws` holds in one location, and which instance each primary ENI is attached to. */
interface NativeInLocation {
  readonly groups: NativeGroups;
  readonly lists: NonNullable<NativeAws["managedPrefixLists"]>;
  readonly enis: NativeNetworkInterface[];
  /** The native primary ENI of each instance that has one, by instance id. */
  readonly attached: ReadonlyMap<string, NativeNetworkInterface>;
  readonly inHere: (vpcId: string) => boolean;
}

/** One account and region: the native objects, then the VPCs, the plain workloads, the secondary ENIs. */
function buildLocation(
  estate: EstateFor<"aws", NativeAws>,
  index: EstateIndex,
  quotas: AwsQuotas | undefined,
  location: AwsLocation,
): SimulatedEc2 {
  const native: NativeAws = estate.native?.aws ?? {};
  const here = locationKey(location);
  const found = nativeInLocation(native, index, here);
  const workloads = [...index.workloads.values()].filter(
    ({ parts }) => parts.cloud === "aws" && `${parts.account}:${parts.region}` === here,
  );
  const path = estate.native?.aws === undefined ? ["workloads"] : ["native", "aws"];
  const sim = refusedAt(path, () => seededEc2(location, index, quotas, found, workloads));
  addVpcs(sim, index, here);
  runPlainInstances(sim, index, workloads, found.attached);
  attachSecondaryInterfaces(sim, native, found.inHere);
  return sim;
}

function nativeInLocation(native: NativeAws, index: EstateIndex, here: string): NativeInLocation {
  const inHere = (vpcId: string) => {
    const found = vpcLocation(index, vpcId);
    return found !== undefined && locationKey(found) === here;
  };
  const groups = (native.securityGroups ?? []).filter((group) => inHere(group.VpcId));
  const lists = (native.managedPrefixLists ?? []).filter((list) => {
    const place = prefixListLocation(list, native, index);
    return place.ok && locationKey(place.location) === here;
  });
  const enis = (native.networkInterfaces ?? []).filter((eni) => inHere(eni.VpcId));
  const attached = new Map<string, NativeNetworkInterface>();
  for (const eni of enis)
    if (eni.Attachment?.InstanceId !== undefined && !isSecondary(eni))
      attached.set(eni.Attachment.InstanceId, eni);
  return { groups, lists, enis, attached, inHere };
}

/** The location's EC2 holding the native groups, prefix lists and ENIs, and the instances on a native ENI. */
function seededEc2(
  location: AwsLocation,
  index: EstateIndex,
  quotas: AwsQuotas | undefined,
  found: NativeInLocation,
  workloads: readonly IndexedWorkload[],
): SimulatedEc2 {
  const { groups, lists, enis, attached } = found;
  const withEni = workloads.flatMap((entry) => {
    const eni = entry.parts.cloud === "aws" ? attached.get(entry.parts.instanceId) : undefined;
    return eni === undefined ? [] : [{ entry, eni }];
  });
  const state = {
    ...location,
    securityGroups: groups.map(
      (group): SecurityGroup => ({ ...group, OwnerId: group.OwnerId ?? location.account }),
    ),
    managedPrefixLists: lists.map(
      ({ PrefixListArn: _arn, ...list }): ManagedPrefixList => ({
        ...list,
        OwnerId: list.OwnerId ?? location.account,
      }),
    ),
    // A secondary ENI enters unattached and is attached once its instance runs (attachSecondaryInterfaces).
    networkInterfaces: enis.map((eni) =>
      isSecondary(eni) ? secondaryBeforeAttaching(eni, index, groups) : interfaceOf(eni, index, groups),
    ),
    instances: withEni.map(({ entry, eni }) => instanceOf(entry, interfaceOf(eni, index, groups))),
  };
  return new SimulatedEc2(state, quotas === undefined ? {} : { quotas });
}

function addVpcs(sim: SimulatedEc2, index: EstateIndex, here: string): void {
  for (const { parts, index: at, network } of index.networks.values()) {
    if (parts.cloud === "aws" && `${parts.account}:${parts.region}` === here) {
      refusedAt(["networks", at], () => sim.addVpc(parts.vpcId, network.cidr));
    }
  }
}

/** Each workload without a native ENI: an instance on a plain ENI in its VPC's default group. */
function runPlainInstances(
  sim: SimulatedEc2,
  index: EstateIndex,
  workloads: readonly IndexedWorkload[],
  attached: ReadonlyMap<string, NativeNetworkInterface>,
): void {
  for (const entry of workloads) {
    const parts = entry.parts;
    if (parts.cloud !== "aws" || attached.has(parts.instanceId)) continue;
    const { workload } = entry;
    const network = index.networkOf(workload)?.parts;
    if (network?.cloud !== "aws") continue;
    refusedAt(["workloads", entry.index], () => {
      sim.runInstance({
        instanceId: parts.instanceId,
        vpcId: network.vpcId,
        privateIp: workload.privateIp,
        ...(workload.state === "running" && workload.publicIp !== undefined
          ? { publicIp: workload.publicIp }
          : {}),
        tags: workload.tags,
      });
      if (workload.state === "stopped") sim.setInstanceState(parts.instanceId, "stopped");
    });
  }
}

/** Each native secondary ENI of the location, attached to its instance at its device index. */
function attachSecondaryInterfaces(
  sim: SimulatedEc2,
  native: NativeAws,
  inHere: (vpcId: string) => boolean,
): void {
  (native.networkInterfaces ?? []).forEach((eni, at) => {
    const instanceId = eni.Attachment?.InstanceId;
    if (!inHere(eni.VpcId) || !isSecondary(eni) || instanceId === undefined) return;
    refusedAt(["native", "aws", "networkInterfaces", at], () =>
      sim.attachExistingInterface(
        eni.NetworkInterfaceId,
        instanceId,
        eni.Attachment?.DeviceIndex ?? 0,
        eni.Attachment?.AttachmentId,
      ),
    );
  });
}

/** An ENI attached at a device index above 0: a secondary ENI of its instance. */
function isSecondary(eni: NativeNetworkInterface): boolean {
  return eni.Attachment?.InstanceId !== undefined && (eni.Attachment.DeviceIndex ?? 0) > 0;
}

/**
 * A secondary ENI as it is before its attachment: its own addresses (no public IP while its
 * instance is stopped: stopping released it), available.
 */
function secondaryBeforeAttaching(
  eni: NativeNetworkInterface,
  index: EstateIndex,
  groups: NativeGroups,
): NetworkInterface {
  const { Attachment: _attachment, ...detached } = eni;
  const location = vpcLocation(index, eni.VpcId);
  const instanceId = eni.Attachment?.InstanceId;
  const entry =
    instanceId === undefined || location === undefined
      ? undefined
      : index.awsInstance(location.account, location.region, instanceId);
  const running = entry?.workload.state === "running";
  const { Association: _association, ...withoutPublicIp } = detached;
  return interfaceOf(running ? detached : withoutPublicIp, index, groups);
}

/** The ENI as EC2 would describe it: the workload's addresses when attached, group names filled in. */
function interfaceOf(
  eni: NativeNetworkInterface,
  index: EstateIndex,
  groups: NativeGroups,
): NetworkInterface {
  const location = vpcLocation(index, eni.VpcId);
  const instanceId = eni.Attachment?.InstanceId;
  const entry =
    instanceId === undefined || location === undefined
      ? undefined
      : index.awsInstance(location.account, location.region, instanceId);
  const publicIp = entry === undefined ? eni.Association?.PublicIp : runningPublicIp(entry);
  return {
    NetworkInterfaceId: eni.NetworkInterfaceId,
    VpcId: eni.VpcId,
    ...(eni.SubnetId === undefined ? {} : { SubnetId: eni.SubnetId }),
    OwnerId: eni.OwnerId ?? location?.account,
    Status: instanceId === undefined ? "available" : "in-use",
    PrivateIpAddress: eni.PrivateIpAddress,
    ...(publicIp === undefined ? {} : { Association: { PublicIp: publicIp } }),
    Groups: eni.Groups.map((ref) => ({
      GroupId: ref.GroupId,
      GroupName: groups.find((group) => group.GroupId === ref.GroupId)?.GroupName ?? ref.GroupName ?? "",
    })),
    ...(instanceId === undefined
      ? {}
      : {
          Attachment: {
            InstanceId: instanceId,
            DeviceIndex: 0,
            ...(eni.Attachment?.AttachmentId === undefined
              ? {}
              : { AttachmentId: eni.Attachment.AttachmentId }),
          },
        }),
    TagSet: eni.TagSet,
  };
}

function runningPublicIp(entry: IndexedWorkload): string | undefined {
  return entry.workload.state === "running" ? entry.workload.publicIp : undefined;
}

function instanceOf(entry: IndexedWorkload, eni: NetworkInterface): Instance {
  const { workload, parts } = entry;
  const tags: AwsTag[] = Object.entries(workload.tags).map(([Key, Value]) => ({ Key, Value }));
  return {
    InstanceId: parts.cloud === "aws" ? parts.instanceId : "",
    State: { Name: workload.state },
    VpcId: eni.VpcId,
    Tags: tags,
    NetworkInterfaces: [
      {
        NetworkInterfaceId: eni.NetworkInterfaceId,
        VpcId: eni.VpcId,
        PrivateIpAddress: eni.PrivateIpAddress,
        ...(eni.Association === undefined ? {} : { Association: eni.Association }),
        Attachment: { DeviceIndex: 0 },
        Groups: eni.Groups,
      },
    ],
  };
}
