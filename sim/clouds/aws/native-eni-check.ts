/**
 * `native.aws.networkInterfaces`: an ENI attached to an estate instance at device 0 is that
 * workload's primary ENI, so it must agree with the workload (VPC, addresses); one at a higher
 * device index is a secondary ENI with its own addresses, in the instance's VPC (docs/clouds.md,
 * "AWS secondary network interfaces"). One ENI per device index, all of an instance's ENIs in
 * one Availability Zone. An unattached ENI holds its own addresses. Either way its groups are
 * customer groups of `native.aws.securityGroups` in its VPC.
 */
import type { DraftIssue, PathSegment } from "../../../lib/util/source-issues.js";
import type { AddressBook } from "../../address-book.js";
import { addressIssues } from "../../address-book.js";
import type { EstateIndex, IndexedWorkload } from "../../estate-index.js";
import { locationKey, ownerIssues, vpcLocation } from "./native-place.js";
import type { NativeAws, NativeNetworkInterface } from "./native-schema.js";

/** What the ENIs listed so far say about one estate instance. */
interface InstanceSeen {
  /** Device index → where the ENI at that index is listed. */
  readonly devices: Map<number, number>;
  /** The first Availability Zone given, and where. */
  zone?: { readonly name: string; readonly at: number };
}

export function checkAwsInterfaces(
  native: NativeAws,
  index: EstateIndex,
  addresses: AddressBook,
): DraftIssue[] {
  const issues: DraftIssue[] = [];
  const seen = new Map<string, number>();
  const instances = new Map<string, InstanceSeen>();
  (native.networkInterfaces ?? []).forEach((eni, at) => {
    const path = ["native", "aws", "networkInterfaces", at];
    const first = seen.get(eni.NetworkInterfaceId);
    if (first !== undefined) {
      issues.push({
        path: [...path, "NetworkInterfaceId"],
        message: `${eni.NetworkInterfaceId} is already listed at native.aws.networkInterfaces[${first}]`,
      });
      return;
    }
    seen.set(eni.NetworkInterfaceId, at);
    const owner = ownerIssues(index, eni.VpcId, eni.OwnerId, path);
    issues.push(...owner);
    if (owner.length > 0) return;
    issues.push(...groupIssues(eni, native, path));
    if (eni.PrivateIpAddresses?.some((a) => a.PrivateIpAddress !== eni.PrivateIpAddress)) {
      issues.push({
        path: [...path, "PrivateIpAddresses"],
        message: "the simulated clouds give a network interface one private IP: list only PrivateIpAddress",
      });
    }
    const instanceId = eni.Attachment?.InstanceId;
    if (instanceId === undefined) issues.push(...detachedIssues(eni, index, addresses, path));
    else issues.push(...attachedIssues(eni, instanceId, index, addresses, instances, at, path));
  });
  return issues;
}

function groupIssues(
  eni: NativeNetworkInterface,
  native: NativeAws,
  path: readonly PathSegment[],
): DraftIssue[] {
  const issues: DraftIssue[] = [];
  eni.Groups.forEach((ref, k) => {
    const group = (native.securityGroups ?? []).find((g) => g.GroupId === ref.GroupId);
    if (group === undefined || group.VpcId !== eni.VpcId) {
      issues.push({
        path: [...path, "Groups", k, "GroupId"],
        message: `${ref.GroupId} is not a group of native.aws.securityGroups in ${eni.VpcId}`,
      });
    } else if (ref.GroupName !== undefined && ref.GroupName !== group.GroupName) {
      issues.push({
        path: [...path, "Groups", k, "GroupName"],
        message: `${ref.GroupId} is named "${group.GroupName}"`,
      });
    }
  });
  return issues;
}

function detachedIssues(
  eni: NativeNetworkInterface,
  index: EstateIndex,
  addresses: AddressBook,
  path: readonly PathSegment[],
): DraftIssue[] {
  const network = index.awsVpcs.get(eni.VpcId);
  if (network === undefined) return [];
  const issues: DraftIssue[] =
    eni.Status === "in-use"
      ? [{ path: [...path, "Status"], message: "an ENI attached to no instance is available" }]
      : [];
  const address = { privateIp: eni.PrivateIpAddress, publicIp: eni.Association?.PublicIp };
  const fields = { privateIp: [...path, "PrivateIpAddress"], publicIp: [...path, "Association", "PublicIp"] };
  return [...issues, ...addressIssues(address, network, addresses, eni.NetworkInterfaceId, fields)];
}

function attachedIssues(
  eni: NativeNetworkInterface,
  instanceId: string,
  index: EstateIndex,
  addresses: AddressBook,
  instances: Map<string, InstanceSeen>,
  at: number,
  path: readonly PathSegment[],
): DraftIssue[] {
  const location = vpcLocation(index, eni.VpcId);
  if (location === undefined) return [];
  const entry = index.awsInstance(location.account, location.region, instanceId);
  const deviceIndex = eni.Attachment?.DeviceIndex ?? 0;
  if (entry === undefined) {
    const why =
      deviceIndex === 0
        ? ""
        : `: a secondary network interface (DeviceIndex ${deviceIndex}) is one of an estate workload, whose entry gives its primary one`;
    return [
      {
        path: [...path, "Attachment", "InstanceId"],
        message: `${instanceId} is not a workload of the estate in ${locationKey(location)}${why}`,
      },
    ];
  }
  const seen = instances.get(entry.workload.id) ?? { devices: new Map<number, number>() };
  instances.set(entry.workload.id, seen);
  const issues = placementIssues(eni, instanceId, location.region, seen, deviceIndex, at, path);
  if (eni.Status === "available")
    issues.push({ path: [...path, "Status"], message: `an ENI attached to ${instanceId} is in-use` });
  // Addresses in another VPC than the workload's say nothing more.
  const vpc = vpcIssues(eni, instanceId, entry, index, deviceIndex, path);
  if (vpc.length > 0) return [...issues, ...vpc];
  return [
    ...issues,
    ...(deviceIndex === 0
      ? primaryAddressIssues(eni, entry, path)
      : secondaryAddressIssues(eni, entry, index, addresses, path)),
  ];
}

/** One ENI per device index of an instance, and all of them in one Availability Zone of its region. */
function placementIssues(
  eni: NativeNetworkInterface,
  instanceId: string,
  region: string,
  seen: InstanceSeen,
  deviceIndex: number,
  at: number,
  path: readonly PathSegment[],
): DraftIssue[] {
  const issues: DraftIssue[] = [];
  const other = seen.devices.get(deviceIndex);
  if (other !== undefined) {
    const what = deviceIndex === 0 ? "its primary network interface" : `device index ${deviceIndex}`;
    issues.push({
      path: [...path, "Attachment", "DeviceIndex"],
      message: `${instanceId} already has ${what} at native.aws.networkInterfaces[${other}]`,
    });
  } else seen.devices.set(deviceIndex, at);
  const zone = eni.AvailabilityZone;
  if (zone === undefined) return issues;
  if (!zone.startsWith(region)) {
    issues.push({ path: [...path, "AvailabilityZone"], message: `is not an Availability Zone of ${region}` });
  } else if (seen.zone === undefined) seen.zone = { name: zone, at };
  else if (seen.zone.name !== zone) {
    issues.push({
      path: [...path, "AvailabilityZone"],
      message: `is ${zone}, but native.aws.networkInterfaces[${seen.zone.at}] of ${instanceId} is in ${seen.zone.name}: EC2 attaches a network interface only to an instance in its Availability Zone`,
    });
  }
  return issues;
}

/** Every ENI of an instance is in the instance's VPC: the simulated EC2 has no multi-VPC attachments. */
function vpcIssues(
  eni: NativeNetworkInterface,
  instanceId: string,
  entry: IndexedWorkload,
  index: EstateIndex,
  deviceIndex: number,
  path: readonly PathSegment[],
): DraftIssue[] {
  const network = index.networkOf(entry.workload);
  if (network?.parts.cloud !== "aws" || network.parts.vpcId === eni.VpcId) return [];
  const rule =
    deviceIndex === 0
      ? ""
      : `: a secondary network interface must be in its instance's VPC (attachments from another VPC are not simulated: docs/clouds.md, "AWS secondary network interfaces")`;
  return [
    {
      path: [...path, "VpcId"],
      message: `is ${eni.VpcId}, but ${instanceId} is in ${network.parts.vpcId}${rule}`,
    },
  ];
}

/** The primary ENI's addresses are the workload's. */
function primaryAddressIssues(
  eni: NativeNetworkInterface,
  entry: IndexedWorkload,
  path: readonly PathSegment[],
): DraftIssue[] {
  const { workload } = entry;
  const issues: DraftIssue[] = [];
  if (eni.PrivateIpAddress !== workload.privateIp) {
    issues.push({
      path: [...path, "PrivateIpAddress"],
      message: `is ${eni.PrivateIpAddress}, but workloads[${entry.index}] has privateIp ${workload.privateIp}`,
    });
  }
  const publicIp = eni.Association?.PublicIp;
  const expected = workload.state === "running" ? workload.publicIp : undefined;
  if (publicIp !== undefined && publicIp !== expected) {
    const why =
      expected !== undefined
        ? `workloads[${entry.index}] has publicIp ${expected}`
        : workload.state === "stopped"
          ? `workloads[${entry.index}] is stopped: a stopped instance has no public IP`
          : `workloads[${entry.index}] has no publicIp`;
    issues.push({ path: [...path, "Association", "PublicIp"], message: `is ${publicIp}, but ${why}` });
  }
  return issues;
}

/** A secondary ENI holds its own addresses in the workload's VPC; a stopped instance has no public IP. */
function secondaryAddressIssues(
  eni: NativeNetworkInterface,
  entry: IndexedWorkload,
  index: EstateIndex,
  addresses: AddressBook,
  path: readonly PathSegment[],
): DraftIssue[] {
  const network = index.networkOf(entry.workload);
  if (network === undefined) return [];
  const publicIp = eni.Association?.PublicIp;
  const fields = { privateIp: [...path, "PrivateIpAddress"], publicIp: [...path, "Association", "PublicIp"] };
  if (publicIp !== undefined && entry.workload.state === "stopped") {
    return [
      {
        path: fields.publicIp,
        message: `is ${publicIp}, but workloads[${entry.index}] is stopped: a stopped instance has no public IP`,
      },
    ];
  }
  const address = { privateIp: eni.PrivateIpAddress, publicIp };
  return addressIssues(address, network, addresses, eni.NetworkInterfaceId, fields);
}
