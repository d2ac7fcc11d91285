import type {
  GroupIdentifier,
  Instance as SdkInstance,
  IpPermission as SdkIpPermission,
  ManagedPrefixList as SdkManagedPrefixList,
  NetworkInterface as SdkNetworkInterface,
  SecurityGroup as SdkSecurityGroup,
  Tag as SdkTag,
  Vpc as SdkVpc,
} from "@aws-sdk/client-ec2";
import type { PrefixListSummary } from "../api.js";
import { AwsApiError } from "../errors.js";
import type {
  AwsInstanceStateName,
  AwsTag,
  Instance,
  IpPermission,
  NetworkInterface,
  NetworkInterfaceGroup,
  PrefixListEntry,
  SecurityGroup,
  Vpc,
} from "../model.js";

/**
 * SDK shapes → model.ts shapes. The SDK marks every field optional; EC2 always returns the ids,
 * so a missing id makes the object malformed (sdk/api.ts leaves it out of the read and reports
 * it), while absent lists become empty ones.
 */

/** Drops the keys whose value is undefined, so that results are the JSON `aws ec2 describe-*` prints. */
function compact<T extends object>(shape: T): T {
  return Object.fromEntries(Object.entries(shape).filter(([, value]) => value !== undefined)) as T;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) {
    throw new AwsApiError(`EC2 returned no ${what}`, "MalformedResponse");
  }
  return value;
}

const INSTANCE_STATES: ReadonlySet<string> = new Set<AwsInstanceStateName>([
  "pending",
  "running",
  "shutting-down",
  "terminated",
  "stopping",
  "stopped",
]);

function instanceState(name: string | undefined): AwsInstanceStateName {
  if (name === undefined || !INSTANCE_STATES.has(name)) {
    throw new AwsApiError(`EC2 returned an unknown instance state ${String(name)}`, "MalformedResponse");
  }
  return name as AwsInstanceStateName;
}

function addressFamily(family: string | undefined): "IPv4" | "IPv6" {
  if (family === "IPv4" || family === "IPv6") return family;
  throw new AwsApiError(`EC2 returned an unknown address family ${String(family)}`, "MalformedResponse");
}

function publicIp(association: { PublicIp?: string } | undefined): { PublicIp: string } | undefined {
  return association?.PublicIp === undefined ? undefined : { PublicIp: association.PublicIp };
}

export function toTags(tags: readonly SdkTag[] | undefined): AwsTag[] {
  return (tags ?? []).map((tag) => ({ Key: required(tag.Key, "tag key"), Value: tag.Value ?? "" }));
}

function toGroups(groups: readonly GroupIdentifier[] | undefined): NetworkInterfaceGroup[] {
  return (groups ?? []).map((group) => ({
    GroupId: required(group.GroupId, "group id"),
    GroupName: group.GroupName ?? "",
  }));
}

export function toInstance(instance: SdkInstance): Instance {
  return compact({
    InstanceId: required(instance.InstanceId, "instance id"),
    State: { Name: instanceState(instance.State?.Name) },
    VpcId: instance.VpcId,
    PrivateIpAddress: instance.PrivateIpAddress,
    PublicIpAddress: instance.PublicIpAddress,
    Tags: toTags(instance.Tags),
    NetworkInterfaces: (instance.NetworkInterfaces ?? []).map((eni) =>
      compact({
        NetworkInterfaceId: required(eni.NetworkInterfaceId, "network interface id"),
        VpcId: required(eni.VpcId, "network interface VPC"),
        PrivateIpAddress: eni.PrivateIpAddress ?? "",
        Association: publicIp(eni.Association),
        Attachment: eni.Attachment ? compact({ DeviceIndex: eni.Attachment.DeviceIndex }) : undefined,
        Groups: toGroups(eni.Groups),
      }),
    ),
  });
}

export function toNetworkInterface(eni: SdkNetworkInterface): NetworkInterface {
  return compact({
    NetworkInterfaceId: required(eni.NetworkInterfaceId, "network interface id"),
    VpcId: required(eni.VpcId, "network interface VPC"),
    SubnetId: eni.SubnetId,
    OwnerId: eni.OwnerId,
    Status: eni.Status ?? "",
    PrivateIpAddress: eni.PrivateIpAddress ?? "",
    PrivateIpAddresses: eni.PrivateIpAddresses?.map((address) =>
      compact({
        PrivateIpAddress: address.PrivateIpAddress ?? "",
        Primary: address.Primary ?? false,
        Association: publicIp(address.Association),
      }),
    ),
    Association: publicIp(eni.Association),
    Groups: toGroups(eni.Groups),
    Attachment: eni.Attachment
      ? compact({
          InstanceId: eni.Attachment.InstanceId,
          DeviceIndex: eni.Attachment.DeviceIndex,
          AttachmentId: eni.Attachment.AttachmentId,
        })
      : undefined,
    TagSet: toTags(eni.TagSet),
  });
}

export function toIpPermission(permission: SdkIpPermission): IpPermission {
  return compact({
    IpProtocol: required(permission.IpProtocol, "rule protocol"),
    FromPort: permission.FromPort,
    ToPort: permission.ToPort,
    IpRanges: (permission.IpRanges ?? []).map((range) =>
      compact({
        CidrIp: required(range.CidrIp, "rule CIDR"),
        Description: range.Description,
      }),
    ),
    Ipv6Ranges: (permission.Ipv6Ranges ?? []).map((range) =>
      compact({
        CidrIpv6: required(range.CidrIpv6, "rule IPv6 CIDR"),
        Description: range.Description,
      }),
    ),
    PrefixListIds: (permission.PrefixListIds ?? []).map((reference) =>
      compact({
        PrefixListId: required(reference.PrefixListId, "rule prefix list"),
        Description: reference.Description,
      }),
    ),
    UserIdGroupPairs: (permission.UserIdGroupPairs ?? []).map((pair) =>
      compact({
        GroupId: required(pair.GroupId, "rule group"),
        UserId: pair.UserId,
        Description: pair.Description,
      }),
    ),
  });
}

/** model → SDK: the model's fields are a subset of the SDK's, only the arrays need copying. */
export function toSdkIpPermission(permission: IpPermission): SdkIpPermission {
  return {
    IpProtocol: permission.IpProtocol,
    FromPort: permission.FromPort,
    ToPort: permission.ToPort,
    IpRanges: permission.IpRanges.map((range) => ({ ...range })),
    Ipv6Ranges: permission.Ipv6Ranges.map((range) => ({ ...range })),
    PrefixListIds: permission.PrefixListIds.map((reference) => ({ ...reference })),
    UserIdGroupPairs: permission.UserIdGroupPairs.map((pair) => ({ ...pair })),
  };
}

export function toSecurityGroup(group: SdkSecurityGroup): SecurityGroup {
  return {
    GroupId: required(group.GroupId, "group id"),
    GroupName: group.GroupName ?? "",
    Description: group.Description ?? "",
    VpcId: required(group.VpcId, "group VPC"),
    OwnerId: group.OwnerId ?? "",
    IpPermissions: (group.IpPermissions ?? []).map(toIpPermission),
    IpPermissionsEgress: (group.IpPermissionsEgress ?? []).map(toIpPermission),
    Tags: toTags(group.Tags),
  };
}

export function toVpc(vpc: SdkVpc): Vpc {
  return { VpcId: required(vpc.VpcId, "VPC id"), CidrBlock: required(vpc.CidrBlock, "VPC CIDR block") };
}

/** The OwnerId of the lists AWS maintains (com.amazonaws.<region>.s3, …), instead of an account. */
const AWS_OWNER = "AWS";

/**
 * An AWS-owned list comes without MaxEntries and Version (docs/real-data.md, "AWS"); a list of
 * an account always has both, and segsync needs them to size and modify it.
 */
export function toPrefixListSummary(list: SdkManagedPrefixList): PrefixListSummary {
  const awsOwned = list.OwnerId === AWS_OWNER;
  return compact({
    PrefixListId: required(list.PrefixListId, "prefix list id"),
    PrefixListName: list.PrefixListName ?? "",
    AddressFamily: addressFamily(list.AddressFamily),
    MaxEntries: awsOwned ? list.MaxEntries : required(list.MaxEntries, "prefix list MaxEntries"),
    Version: awsOwned ? list.Version : required(list.Version, "prefix list version"),
    OwnerId: list.OwnerId ?? "",
    State: list.State ?? "",
    Tags: toTags(list.Tags),
  });
}

export function toPrefixListEntry(entry: { Cidr?: string; Description?: string }): PrefixListEntry {
  return compact({ Cidr: required(entry.Cidr, "prefix list entry CIDR"), Description: entry.Description });
}
