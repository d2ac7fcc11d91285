/**
 * EC2 objects as segsync reads and writes them: the subset of the shapes that
 * `aws ec2 describe-*` prints (PascalCase), so that simulated state is the same JSON a user
 * would see. No SDK types here: the pure core (materialize, diff, evaluate) builds on these.
 */

export interface AwsTag {
  readonly Key: string;
  readonly Value: string;
}

export interface UserIdGroupPair {
  readonly GroupId: string;
  readonly UserId?: string;
  readonly Description?: string;
}

export interface IpRange {
  readonly CidrIp: string;
  readonly Description?: string;
}

export interface Ipv6Range {
  readonly CidrIpv6: string;
  readonly Description?: string;
}

export interface PrefixListIdRef {
  readonly PrefixListId: string;
  readonly Description?: string;
}

/** `-1` is every protocol (ports absent); icmp uses FromPort/ToPort -1 for every type and code. */
export type AwsIpProtocol = "tcp" | "udp" | "icmp" | "-1";

export interface IpPermission {
  readonly IpProtocol: string;
  readonly FromPort?: number;
  readonly ToPort?: number;
  readonly IpRanges: readonly IpRange[];
  readonly Ipv6Ranges: readonly Ipv6Range[];
  readonly PrefixListIds: readonly PrefixListIdRef[];
  readonly UserIdGroupPairs: readonly UserIdGroupPair[];
}

/** A VPC as DescribeVpcs prints it; segsync reads its primary IPv4 range (an estate's network CIDR). */
export interface Vpc {
  readonly VpcId: string;
  /** Always set by EC2; the simulator knows it only for a VPC its estate listed with a range. */
  readonly CidrBlock?: string;
}

export interface SecurityGroup {
  readonly GroupId: string;
  readonly GroupName: string;
  readonly Description: string;
  readonly VpcId: string;
  readonly OwnerId: string;
  readonly IpPermissions: readonly IpPermission[];
  readonly IpPermissionsEgress: readonly IpPermission[];
  readonly Tags: readonly AwsTag[];
}

export interface PrefixListEntry {
  readonly Cidr: string;
  readonly Description?: string;
}

export interface ManagedPrefixList {
  readonly PrefixListId: string;
  readonly PrefixListName: string;
  readonly AddressFamily: "IPv4" | "IPv6";
  /**
   * Absent on AWS-owned lists (OwnerId `AWS`, e.g. com.amazonaws.us-east-1.s3): EC2 returns
   * neither MaxEntries nor Version for them (docs/real-data.md, "AWS"). segsync only reads those.
   */
  readonly MaxEntries?: number;
  readonly Version?: number;
  readonly OwnerId: string;
  readonly State: string;
  readonly Tags: readonly AwsTag[];
  /** From GetManagedPrefixListEntries. */
  readonly Entries: readonly PrefixListEntry[];
}

export interface NetworkInterfaceGroup {
  readonly GroupId: string;
  readonly GroupName: string;
}

export interface NetworkInterface {
  readonly NetworkInterfaceId: string;
  readonly VpcId: string;
  readonly SubnetId?: string;
  readonly OwnerId?: string;
  readonly Status: string;
  readonly PrivateIpAddress: string;
  readonly PrivateIpAddresses?: readonly {
    readonly PrivateIpAddress: string;
    readonly Primary: boolean;
    readonly Association?: { readonly PublicIp: string };
  }[];
  readonly Association?: { readonly PublicIp: string };
  readonly Groups: readonly NetworkInterfaceGroup[];
  readonly Attachment?: {
    readonly InstanceId?: string;
    readonly DeviceIndex?: number;
    readonly AttachmentId?: string;
  };
  readonly TagSet: readonly AwsTag[];
}

export type AwsInstanceStateName =
  | "pending"
  | "running"
  | "shutting-down"
  | "terminated"
  | "stopping"
  | "stopped";

export interface Instance {
  readonly InstanceId: string;
  readonly State: { readonly Name: AwsInstanceStateName };
  readonly VpcId?: string;
  readonly PrivateIpAddress?: string;
  readonly PublicIpAddress?: string;
  readonly Tags: readonly AwsTag[];
  readonly NetworkInterfaces: readonly {
    readonly NetworkInterfaceId: string;
    readonly VpcId: string;
    readonly PrivateIpAddress: string;
    readonly Association?: { readonly PublicIp: string };
    readonly Attachment?: { readonly DeviceIndex?: number };
    readonly Groups: readonly NetworkInterfaceGroup[];
  }[];
}

/** One account in one region: the unit of an EC2 client, of prefix lists and of throttling. */
export interface AwsLocation {
  readonly account: string;
  readonly region: string;
}

export function locationKey(location: AwsLocation): string {
  return `${location.account}:${location.region}`;
}

/** What segsync reads back from one location: instances and ENIs, and every SG and prefix list. */
export interface AwsRegionState extends AwsLocation {
  readonly instances: readonly Instance[];
  readonly networkInterfaces: readonly NetworkInterface[];
  readonly securityGroups: readonly SecurityGroup[];
  readonly managedPrefixLists: readonly ManagedPrefixList[];
  /** Present when only a change was read (discover-change.ts): what the read covers. */
  readonly change?: AwsChangeRead;
}

/**
 * What a read of a change alone covers in one location (docs/architecture.md, "Targeted reads
 * (AWS)"): materialize and diff plan only what it read, and never what it read to look up.
 */
export interface AwsChangeRead {
  /** Owned groups and prefix lists read only to be looked up (by id): never rewritten nor deleted. */
  readonly referenceOnly: readonly string[];
  /**
   * Destination keys (`<hash>@<network>`) outside the change whose own group exists: sources the
   * change's destinations reference by group, as a whole plan would.
   */
  readonly carriers: readonly string[];
  /** The instances the change re-read: only their ENIs are restored or reported missing. */
  readonly instances: readonly string[];
}

/** Sorted by account, then region. */
export type AwsState = readonly AwsRegionState[];
