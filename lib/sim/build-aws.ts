/**
 * The simulated EC2 locations of an estate: one SimulatedEc2 per account and region, holding the
 * customer groups and prefix lists of `native.aws`, every estate VPC, and every workload (with
 * its native ENI when `native.aws.networkInterfaces` has one, else a plain ENI in the VPC's
 * default group).
 */
import type { AwsQuotas } from "../clouds/aws/config.js";
import type {
  AwsTag,
  Instance,
  ManagedPrefixList,
  NetworkInterface,
  SecurityGroup,
} from "../clouds/aws/model.js";
import { SimulatedEc2 } from "../clouds/aws/sim-api.js";
import type { EstateIndex, IndexedWorkload } from "./estate-index.js";
import type { Estate } from "./estate-schema.js";
import { awsLocations, locationKey, prefixListLocation, vpcLocation } from "./native-aws-place.js";
import type { NativeAws, NativeNetworkInterface } from "./native-aws-schema.js";
import { refusedAt } from "./refusal.js";

export function buildAws(
  estate: Estate,
  index: EstateIndex,
  quotas: AwsQuotas | undefined,
): Map<string, SimulatedEc2> {
  const native: NativeAws = estate.native?.aws ?? {};
  const sims = new Map<string, SimulatedEc2>();
  for (const location of awsLocations(index)) {
    const here = locationKey(location);
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
      if (eni.Attachment?.InstanceId !== undefined) attached.set(eni.Attachment.InstanceId, eni);
    const workloads = [...index.workloads.values()].filter(
      ({ parts }) => parts.cloud === "aws" && `${parts.account}:${parts.region}` === here,
    );
    const withEni = workloads.flatMap((entry) => {
      const eni = entry.parts.cloud === "aws" ? attached.get(entry.parts.instanceId) : undefined;
      return eni === undefined ? [] : [{ entry, eni }];
    });
    const path = estate.native?.aws === undefined ? ["workloads"] : ["native", "aws"];
    const sim = refusedAt(path, () => {
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
        networkInterfaces: enis.map((eni) => interfaceOf(eni, index, groups)),
        instances: withEni.map(({ entry, eni }) => instanceOf(entry, interfaceOf(eni, index, groups))),
      };
      return new SimulatedEc2(state, quotas === undefined ? {} : { quotas });
    });
    for (const { parts, index: at, network } of index.networks.values()) {
      if (parts.cloud === "aws" && `${parts.account}:${parts.region}` === here) {
        refusedAt(["networks", at], () => sim.addVpc(parts.vpcId, network.cidr));
      }
    }
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
    sims.set(here, sim);
  }
  return sims;
}

/** The ENI as EC2 would describe it: the workload's addresses when attached, group names filled in. */
function interfaceOf(
  eni: NativeNetworkInterface,
  index: EstateIndex,
  groups: NativeAws["securityGroups"] & object,
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
