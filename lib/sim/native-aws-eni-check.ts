/**
 * `native.aws.networkInterfaces`: an ENI attached to an estate instance is that workload's
 * primary ENI, so it must agree with the workload (VPC, device 0, its addresses, one per
 * instance); an unattached ENI holds its own addresses. Either way its groups are customer groups
 * of `native.aws.securityGroups` in its VPC.
 */
import type { DraftIssue, PathSegment } from "../util/source-issues.js";
import type { AddressBook } from "./address-book.js";
import { addressIssues } from "./estate-check.js";
import type { EstateIndex } from "./estate-index.js";
import { locationKey, ownerIssues, vpcLocation } from "./native-aws-place.js";
import type { NativeAws, NativeNetworkInterface } from "./native-aws-schema.js";

export function checkAwsInterfaces(
  native: NativeAws,
  index: EstateIndex,
  addresses: AddressBook,
): DraftIssue[] {
  const issues: DraftIssue[] = [];
  const seen = new Map<string, number>();
  const primaries = new Map<string, number>();
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
    else issues.push(...attachedIssues(eni, instanceId, index, primaries, at, path));
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
  primaries: Map<string, number>,
  at: number,
  path: readonly PathSegment[],
): DraftIssue[] {
  const location = vpcLocation(index, eni.VpcId);
  if (location === undefined) return [];
  const entry = index.awsInstance(location.account, location.region, instanceId);
  const where = [...path, "Attachment", "InstanceId"];
  if (entry === undefined) {
    return [
      { path: where, message: `${instanceId} is not a workload of the estate in ${locationKey(location)}` },
    ];
  }
  const { workload } = entry;
  const issues: DraftIssue[] = [];
  const other = primaries.get(workload.id);
  if (other !== undefined) {
    issues.push({
      path: where,
      message: `${instanceId} already has its network interface at native.aws.networkInterfaces[${other}]`,
    });
  }
  primaries.set(workload.id, at);
  const network = index.networkOf(workload);
  if (network?.parts.cloud === "aws" && network.parts.vpcId !== eni.VpcId) {
    issues.push({
      path: [...path, "VpcId"],
      message: `is ${eni.VpcId}, but ${instanceId} is in ${network.parts.vpcId}`,
    });
  }
  if ((eni.Attachment?.DeviceIndex ?? 0) !== 0) {
    issues.push({
      path: [...path, "Attachment", "DeviceIndex"],
      message: "must be 0: the network interface of an estate workload is its primary one",
    });
  }
  if (eni.Status === "available")
    issues.push({ path: [...path, "Status"], message: `an ENI attached to ${instanceId} is in-use` });
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
