/**
 * EC2 as read → the parts of an Estate file (docs/live.md, "Exporting your estate"): the VPCs as
 * networks, the instances discovery read as workloads, and the groups, prefix lists and ENIs as
 * `native.aws`, so that `plan --estate` on the export starts from what `plan --live` read. Pure:
 * the reads are export-read.ts's.
 *
 * What segsync owns is sealed under the live record key, which the simulator does not hold: each
 * seal that verifies is sealed again under the simulator's key (docs/trust-model.md), and one that
 * does not stays as it is, so the simulator too sees the object as the customer's.
 */

import { toWorkload } from "../../../lib/clouds/aws/discover.js";
import type {
  AwsLocation,
  AwsRegionState,
  AwsTag,
  IpPermission,
  ManagedPrefixList,
  NetworkInterface,
  SecurityGroup,
  Vpc,
} from "../../../lib/clouds/aws/model.js";
import type { AwsOwnership } from "../../../lib/clouds/aws/ownership.js";
import {
  ORIGINAL_GROUPS_SEAL_TAG_KEY,
  ORIGINAL_GROUPS_TAG_KEY,
  SEAL_TAG_KEY,
} from "../../../lib/clouds/aws/ownership-keys.js";
import type { CloudFinding } from "../../../lib/clouds/provider.js";
import { formatNetworkId } from "../../../lib/inventory/ids.js";
import { Ipv4CidrSchema } from "../../address-schemas.js";
import type { EstateNetwork, EstateWorkload } from "../../estate-core-schema.js";
import { acceptedTags, type EstateParts } from "../common/export.js";
import type {
  NativeAws,
  NativeNetworkInterface,
  NativePrefixList,
  NativeSecurityGroup,
} from "./native-schema.js";
import { awsTagRules } from "./tag-rules.js";

/** One location as read for an export: discovery's state, the groups and lists it references, the VPCs. */
export interface AwsExportRead {
  readonly state: AwsRegionState;
  readonly vpcs: readonly Vpc[];
  /** The configuration's VPCs for this location; undefined: every VPC. */
  readonly configuredVpcs?: readonly string[];
}

export interface AwsOwners {
  /** Verifies under the live record key. */
  readonly live: AwsOwnership;
  /** Seals under the simulator's key. */
  readonly simulator: AwsOwnership;
}

export type AwsEstateParts = EstateParts<NativeAws>;

export function exportAws(read: AwsExportRead, owners: AwsOwners): AwsEstateParts {
  const { state } = read;
  const location: AwsLocation = { account: state.account, region: state.region };
  const findings: CloudFinding[] = [];
  const counter = { resealed: 0 };

  const networks = exportNetworks(location, read, findings);
  const listed = new Set(networks.map((network) => network.id));
  const inListed = (vpcId: string) => listed.has(networkId(location, vpcId));

  const workloads: EstateWorkload[] = [];
  const exportedInstances = new Set<string>();
  for (const instance of state.instances) {
    const workload = toWorkload(location, instance, read.configuredVpcs);
    const [primary, ...secondary] = workload?.nics ?? [];
    if (workload === undefined || primary === undefined || !listed.has(primary.network)) continue;
    if (secondary.length > 0) {
      findings.push(
        finding("aws-export-secondary-eni", workload.id, {
          message: `${instance.InstanceId}: only its primary ENI is exported (an estate workload has one NIC); ${secondary.map((nic) => nic.id).join(", ")} left out`,
        }),
      );
    }
    workloads.push({
      id: workload.id,
      network: primary.network,
      privateIp: primary.privateIp,
      ...(primary.publicIp === undefined ? {} : { publicIp: primary.publicIp }),
      state: workload.state,
      tags: acceptedTags("aws", awsTagRules, workload.id, workload.tags, findings),
    });
    exportedInstances.add(instance.InstanceId);
  }

  const groups = state.securityGroups.filter((group) => inListed(group.VpcId));
  const groupIds = new Set(groups.map((group) => group.GroupId));
  const lists = state.managedPrefixLists;
  const listIds = new Set(lists.map((list) => list.PrefixListId));
  const securityGroups = groups.map((group) =>
    exportGroup(location, group, { groupIds, listIds }, owners, findings, counter),
  );
  const managedPrefixLists = lists.map((list) => exportPrefixList(location, list, owners, counter));
  const networkInterfaces = state.networkInterfaces
    .filter(
      (eni) =>
        eni.Attachment?.InstanceId !== undefined &&
        exportedInstances.has(eni.Attachment.InstanceId) &&
        (eni.Attachment.DeviceIndex ?? 0) === 0,
    )
    .map((eni) => exportInterface(location, eni, owners, counter));

  return {
    networks,
    workloads,
    native: { securityGroups, managedPrefixLists, networkInterfaces },
    findings,
    resealed: counter.resealed,
  };
}

function networkId(location: AwsLocation, vpcId: string): string {
  return formatNetworkId({ cloud: "aws", ...location, vpcId });
}

/** Each VPC read with its range; one without a usable range is a finding, and what is in it is left out. */
function exportNetworks(
  location: AwsLocation,
  read: AwsExportRead,
  findings: CloudFinding[],
): EstateNetwork[] {
  const networks: EstateNetwork[] = [];
  for (const vpc of read.vpcs) {
    const id = networkId(location, vpc.VpcId);
    const cidr = Ipv4CidrSchema.safeParse(vpc.CidrBlock);
    if (!cidr.success) {
      findings.push(
        finding("aws-export-vpc-range", id, {
          message: `${vpc.VpcId}: its range ${vpc.CidrBlock ?? "(none)"} is not a canonical IPv4 CIDR; the VPC and what is in it are left out of the export`,
        }),
      );
      continue;
    }
    networks.push({ id, cidr: cidr.data });
  }
  return networks;
}

interface Known {
  readonly groupIds: ReadonlySet<string>;
  readonly listIds: ReadonlySet<string>;
}

function exportGroup(
  location: AwsLocation,
  group: SecurityGroup,
  known: Known,
  owners: AwsOwners,
  findings: CloudFinding[],
  counter: { resealed: number },
): NativeSecurityGroup {
  let tags = group.Tags;
  if (owners.live.ownsGroup(location, group)) {
    const seal = owners.simulator
      .groupTags(location, group.VpcId, group.GroupName, "")
      .find((tag) => tag.Key === SEAL_TAG_KEY);
    if (seal !== undefined) tags = replaceTags(tags, [seal]);
    counter.resealed++;
  }
  const subject = `${group.GroupName} (${group.GroupId})`;
  return {
    GroupId: group.GroupId,
    GroupName: group.GroupName,
    Description: group.Description,
    VpcId: group.VpcId,
    ...(/^\d{12}$/.test(group.OwnerId) ? { OwnerId: group.OwnerId } : {}),
    IpPermissions: group.IpPermissions.map((rule) => knownReferences(rule, known, subject, findings)),
    IpPermissionsEgress: group.IpPermissionsEgress.map((rule) =>
      knownReferences(rule, known, subject, findings),
    ),
    Tags: [...tags],
  };
}

/**
 * The rule without references to groups or lists that the read could not find (deleted, or in a
 * peered account): an estate's references must resolve, and one to nothing matches nothing.
 */
function knownReferences(
  rule: IpPermission,
  known: Known,
  subject: string,
  findings: CloudFinding[],
): NativeSecurityGroup["IpPermissions"][number] {
  const dropped = [
    ...rule.UserIdGroupPairs.filter((pair) => !known.groupIds.has(pair.GroupId)).map((pair) => pair.GroupId),
    ...rule.PrefixListIds.filter((ref) => !known.listIds.has(ref.PrefixListId)).map(
      (ref) => ref.PrefixListId,
    ),
  ];
  for (const id of dropped) {
    findings.push(
      finding("aws-export-reference", subject, {
        message: `security group ${subject}: a rule references ${id}, which the read did not find; left out of the rule`,
      }),
    );
  }
  return {
    IpProtocol: rule.IpProtocol,
    ...(rule.FromPort === undefined ? {} : { FromPort: rule.FromPort }),
    ...(rule.ToPort === undefined ? {} : { ToPort: rule.ToPort }),
    IpRanges: [...rule.IpRanges],
    Ipv6Ranges: [...rule.Ipv6Ranges],
    PrefixListIds: rule.PrefixListIds.filter((ref) => known.listIds.has(ref.PrefixListId)),
    UserIdGroupPairs: rule.UserIdGroupPairs.filter((pair) => known.groupIds.has(pair.GroupId)),
  };
}

function exportPrefixList(
  location: AwsLocation,
  list: ManagedPrefixList,
  owners: AwsOwners,
  counter: { resealed: number },
): NativePrefixList {
  let tags = list.Tags;
  if (owners.live.ownsPrefixList(location, list)) {
    tags = replaceTags(tags, [owners.simulator.prefixListSeal(location, list.PrefixListId)]);
    counter.resealed++;
  }
  const account = list.OwnerId === "AWS" ? "aws" : location.account;
  return {
    PrefixListId: list.PrefixListId,
    PrefixListName: list.PrefixListName,
    AddressFamily: list.AddressFamily,
    ...(list.MaxEntries === undefined ? {} : { MaxEntries: list.MaxEntries }),
    Version: list.Version ?? 1,
    OwnerId: list.OwnerId === "AWS" ? "AWS" : location.account,
    State: list.State,
    // Says where the list is: an AWS-owned list is found by its users in the estate.
    ...(account === "aws"
      ? {}
      : {
          PrefixListArn: `arn:${partition(location.region)}:ec2:${location.region}:${account}:prefix-list/${list.PrefixListId}`,
        }),
    Tags: [...tags],
    Entries: [...list.Entries],
  };
}

function partition(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

function exportInterface(
  location: AwsLocation,
  eni: NetworkInterface,
  owners: AwsOwners,
  counter: { resealed: number },
): NativeNetworkInterface {
  let tags = eni.TagSet;
  const originals = owners.live.recordedOriginals(location, eni);
  if (originals !== undefined) {
    const value = eni.TagSet.find((tag) => tag.Key === ORIGINAL_GROUPS_TAG_KEY)?.Value ?? "";
    // Sealed again over the very value recorded, not over its parse.
    const record = owners.simulator.recordTags(location, eni.NetworkInterfaceId, value === "" ? [] : [value]);
    tags = replaceTags(
      tags,
      record.filter((tag) => tag.Key === ORIGINAL_GROUPS_SEAL_TAG_KEY),
    );
    counter.resealed++;
  }
  return {
    NetworkInterfaceId: eni.NetworkInterfaceId,
    VpcId: eni.VpcId,
    ...(eni.SubnetId === undefined ? {} : { SubnetId: eni.SubnetId }),
    ...(eni.OwnerId === undefined ? {} : { OwnerId: eni.OwnerId }),
    ...(isStatus(eni.Status) ? { Status: eni.Status } : {}),
    PrivateIpAddress: eni.PrivateIpAddress,
    ...(eni.Association === undefined ? {} : { Association: { PublicIp: eni.Association.PublicIp } }),
    Groups: eni.Groups.map((group) => ({ GroupId: group.GroupId, GroupName: group.GroupName })),
    ...(eni.Attachment === undefined
      ? {}
      : {
          Attachment: {
            ...(eni.Attachment.InstanceId === undefined ? {} : { InstanceId: eni.Attachment.InstanceId }),
            DeviceIndex: eni.Attachment.DeviceIndex ?? 0,
            ...(eni.Attachment.AttachmentId === undefined
              ? {}
              : { AttachmentId: eni.Attachment.AttachmentId }),
          },
        }),
    TagSet: [...tags],
  };
}

const STATUSES = ["available", "associated", "attaching", "in-use", "detaching", "pending"] as const;

function isStatus(status: string): status is (typeof STATUSES)[number] {
  return (STATUSES as readonly string[]).includes(status);
}

/** The tags with each of `replacements`' keys set to its value, in place. */
function replaceTags(tags: readonly AwsTag[], replacements: readonly AwsTag[]): AwsTag[] {
  const values = new Map(replacements.map((tag) => [tag.Key, tag.Value]));
  return tags.map((tag) => ({ Key: tag.Key, Value: values.get(tag.Key) ?? tag.Value }));
}

function finding(code: string, subject: string, rest: { readonly message: string }): CloudFinding {
  return { code, severity: "warning", subject, message: rest.message };
}
