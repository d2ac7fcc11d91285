/**
 * The generated estate's AWS workloads as EC2 would describe them: one AwsRegionState per
 * (account, region), in the shapes and order SimulatedEc2.state() returns. Built directly, in
 * one pass, without the checks each launch through the simulator's controls makes; a
 * SimulatedEc2 loaded from this state (`new SimulatedEc2(regionState)`) starts from exactly the
 * same EC2.
 *
 * What EC2 would give them: each instance keeps its inventory NICs as ENIs (same ids) carrying
 * only its VPC's default group; stopped instances have no public IP; nothing is tagged yet.
 */
import type {
  AwsLocation,
  AwsRegionState,
  AwsState,
  Instance,
  NetworkInterface,
  SecurityGroup,
} from "../../lib/clouds/aws/model.js";
import { locationKey } from "../../lib/clouds/aws/model.js";
import type { Nic, Workload } from "../../lib/inventory/model.js";
import { compareText } from "../../lib/util/compare-text.js";
import { networkOf, workloadOf } from "../common/ids.js";

/** The VPC's default group id: derived from the VPC id, so that it is stable and unique per VPC. */
export function defaultGroupId(vpcId: string): string {
  return `sg-${vpcId.slice("vpc-".length)}`;
}

export function vpcOf(network: string): string {
  return networkOf("aws", network).vpcId;
}

/** `aws:<account>:<region>:<instanceId>` → its location and instance id; undefined for other clouds. */
export function awsInstanceOf(workloadId: string): { location: AwsLocation; instanceId: string } | undefined {
  const parsed = workloadOf("aws", workloadId);
  return (
    parsed && { location: { account: parsed.account, region: parsed.region }, instanceId: parsed.instanceId }
  );
}

/** EC2's default group of a VPC as SimulatedEc2 describes it: all traffic from itself, all egress. */
export function defaultGroup(account: string, vpcId: string): SecurityGroup {
  const groupId = defaultGroupId(vpcId);
  return {
    GroupId: groupId,
    GroupName: "default",
    Description: "default VPC security group",
    VpcId: vpcId,
    OwnerId: account,
    IpPermissions: [
      {
        IpProtocol: "-1",
        IpRanges: [],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [{ GroupId: groupId, UserId: account }],
      },
    ],
    IpPermissionsEgress: [
      {
        IpProtocol: "-1",
        IpRanges: [{ CidrIp: "0.0.0.0/0" }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
    ],
    Tags: [],
  };
}

interface RegionBuilder {
  readonly location: AwsLocation;
  readonly instances: Instance[];
  readonly interfaces: NetworkInterface[];
  readonly vpcs: Set<string>;
}

/** Every AWS workload of the inventory, as the EC2 of its account and region holds it. */
export function awsStateOf(workloads: readonly Workload[]): AwsState {
  const regions = new Map<string, RegionBuilder>();
  for (const workload of workloads) {
    const aws = awsInstanceOf(workload.id);
    if (aws === undefined || workload.nics.length === 0) continue;
    const key = locationKey(aws.location);
    let region = regions.get(key);
    if (!region) {
      region = { location: aws.location, instances: [], interfaces: [], vpcs: new Set() };
      regions.set(key, region);
    }
    const { instance, interfaces } = describeWorkload(aws.location.account, aws.instanceId, workload);
    region.instances.push(instance);
    region.interfaces.push(...interfaces);
    for (const eni of interfaces) region.vpcs.add(eni.VpcId);
  }
  return [...regions.values()]
    .sort((a, b) => compareText(locationKey(a.location), locationKey(b.location)))
    .map(
      (region): AwsRegionState => ({
        account: region.location.account,
        region: region.location.region,
        instances: region.instances.sort((a, b) => compareText(a.InstanceId, b.InstanceId)),
        networkInterfaces: region.interfaces.sort((a, b) =>
          compareText(a.NetworkInterfaceId, b.NetworkInterfaceId),
        ),
        securityGroups: [...region.vpcs]
          .map((vpcId) => defaultGroup(region.location.account, vpcId))
          .sort((a, b) => compareText(a.GroupId, b.GroupId)),
        managedPrefixLists: [],
      }),
    );
}

function describeWorkload(
  account: string,
  instanceId: string,
  workload: Workload,
): { instance: Instance; interfaces: NetworkInterface[] } {
  const running = workload.state === "running";
  const interfaces = workload.nics.map((nic, deviceIndex) =>
    describeInterface(account, instanceId, nic, deviceIndex, running),
  );
  const primary = interfaces[0] as NetworkInterface;
  const instance: Instance = {
    InstanceId: instanceId,
    State: { Name: workload.state },
    VpcId: primary.VpcId,
    PrivateIpAddress: primary.PrivateIpAddress,
    ...(primary.Association === undefined ? {} : { PublicIpAddress: primary.Association.PublicIp }),
    Tags: Object.entries(workload.tags)
      .sort(([a], [b]) => compareText(a, b))
      .map(([Key, Value]) => ({ Key, Value })),
    NetworkInterfaces: interfaces.map((eni) => ({
      NetworkInterfaceId: eni.NetworkInterfaceId,
      VpcId: eni.VpcId,
      PrivateIpAddress: eni.PrivateIpAddress,
      ...(eni.Association === undefined ? {} : { Association: eni.Association }),
      Attachment: { DeviceIndex: eni.Attachment?.DeviceIndex ?? 0 },
      Groups: eni.Groups,
    })),
  };
  return { instance, interfaces };
}

function describeInterface(
  account: string,
  instanceId: string,
  nic: Nic,
  deviceIndex: number,
  running: boolean,
): NetworkInterface {
  if (nic.id === undefined || !nic.id.startsWith("eni-")) {
    throw new TypeError(`${instanceId}: an AWS NIC needs its ENI id, got ${nic.id}`);
  }
  const vpcId = vpcOf(nic.network);
  // Stopping an instance releases its public IPs (as SimulatedEc2.setInstanceState does).
  const association =
    running && nic.publicIp !== undefined ? { Association: { PublicIp: nic.publicIp } } : {};
  return {
    NetworkInterfaceId: nic.id,
    VpcId: vpcId,
    OwnerId: account,
    Status: "in-use",
    PrivateIpAddress: nic.privateIp,
    PrivateIpAddresses: [{ PrivateIpAddress: nic.privateIp, Primary: true, ...association }],
    ...association,
    Groups: [{ GroupId: defaultGroupId(vpcId), GroupName: "default" }],
    Attachment: {
      InstanceId: instanceId,
      DeviceIndex: deviceIndex,
      AttachmentId: `eni-attach-${nic.id.slice("eni-".length)}`,
    },
    TagSet: [],
  };
}
