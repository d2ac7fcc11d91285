import { AwsApiError } from "../../../lib/clouds/aws/errors.js";
import type {
  AwsRegionState,
  Instance,
  IpPermission,
  NetworkInterface,
} from "../../../lib/clouds/aws/model.js";
import { SimulationInputError } from "./failures.js";
import { checkGroupList } from "./interfaces.js";
import type { SimSecondaryAddress } from "./records.js";
import type { SimRegion } from "./region.js";
import { expandPermissions, ruleKey, type SimRule } from "./rules.js";
import { tagMap } from "./tags.js";

/**
 * Fills an empty region from a starting state in the describe shapes (an estate's `native`,
 * docs/formats.md, "Estate"; or a previous run's state()). References must resolve: an ENI's
 * groups, a rule's group or prefix list. Quotas are not re-checked: what exists in EC2 exists,
 * whatever the quotas are now.
 */
export function loadRegionState(region: SimRegion, state: AwsRegionState): void {
  if (state.account !== region.location.account || state.region !== region.location.region) {
    throw new SimulationInputError(
      `the state is for ${state.account}:${state.region}, not ${region.location.account}:${region.location.region}`,
    );
  }
  for (const group of state.securityGroups) {
    unique(region.groups, group.GroupId, "security group");
    region.vpcs.add(group.VpcId);
    region.groups.set(group.GroupId, {
      groupId: group.GroupId,
      groupName: group.GroupName,
      description: group.Description,
      vpcId: group.VpcId,
      ingress: new Map(),
      egress: new Map(),
      tags: tagMap(group.Tags),
    });
  }
  for (const list of state.managedPrefixLists) {
    unique(region.prefixLists, list.PrefixListId, "prefix list");
    region.prefixLists.set(list.PrefixListId, {
      prefixListId: list.PrefixListId,
      name: list.PrefixListName,
      addressFamily: list.AddressFamily,
      maxEntries: list.MaxEntries,
      ownerId: list.OwnerId,
      version: list.Version,
      state: list.State === "modify-complete" ? "modify-complete" : "create-complete",
      tags: tagMap(list.Tags),
      entries: new Map((list.Entries ?? []).map((entry) => [entry.Cidr, entry.Description])),
    });
  }
  // Rules after every group and list exists, so that references in any order resolve.
  for (const group of state.securityGroups) {
    const loaded = region.group(group.GroupId);
    loaded.ingress = loadRules(region, group.GroupId, group.IpPermissions);
    loaded.egress = loadRules(region, group.GroupId, group.IpPermissionsEgress);
    region.groups.set(group.GroupId, loaded);
  }
  for (const instance of state.instances) {
    unique(region.instances, instance.InstanceId, "instance");
    const vpcId = instance.VpcId ?? instance.NetworkInterfaces[0]?.VpcId;
    if (vpcId === undefined) throw new SimulationInputError(`instance ${instance.InstanceId} has no VPC`);
    region.vpcs.add(vpcId);
    region.instances.set(instance.InstanceId, {
      instanceId: instance.InstanceId,
      vpcId,
      state: instance.State.Name,
      tags: tagMap(instance.Tags),
    });
  }
  for (const eni of state.networkInterfaces) loadInterface(region, eni);
  for (const instance of state.instances) loadInstanceInterfaces(region, instance);
}

function unique(map: ReadonlyMap<string, unknown>, id: string, what: string): void {
  if (map.has(id)) throw new SimulationInputError(`${what} ${id} appears twice in the state`);
}

function loadRules(
  region: SimRegion,
  groupId: string,
  permissions: readonly IpPermission[],
): Map<string, SimRule> {
  const rules = new Map<string, SimRule>();
  if (permissions.length === 0) return rules;
  for (const rule of asInput(() => expandPermissions(permissions), `the rules of ${groupId}`)) {
    const source = rule.source;
    if (source.kind === "group" && !region.groups.has(source.groupId)) {
      throw new SimulationInputError(
        `a rule of ${groupId} references ${source.groupId}, which is not in the state`,
      );
    }
    if (source.kind === "prefixList" && !region.prefixLists.has(source.prefixListId)) {
      throw new SimulationInputError(
        `a rule of ${groupId} references ${source.prefixListId}, which is not in the state`,
      );
    }
    rules.set(ruleKey(rule), rule);
  }
  return rules;
}

function loadInterface(region: SimRegion, eni: NetworkInterface): void {
  unique(region.interfaces, eni.NetworkInterfaceId, "network interface");
  region.vpcs.add(eni.VpcId);
  const instanceId = eni.Attachment?.InstanceId;
  if (instanceId !== undefined && !region.instances.has(instanceId)) {
    throw new SimulationInputError(
      `${eni.NetworkInterfaceId} is attached to ${instanceId}, which is not in the state`,
    );
  }
  // An ENI needs a group: one listed without any gets its VPC's default group, as RunInstances gives.
  const groupIds =
    eni.Groups.length > 0
      ? eni.Groups.map((group) => group.GroupId)
      : [region.defaultGroup(eni.VpcId).groupId];
  asInput(() => checkGroupList(region, eni.NetworkInterfaceId, eni.VpcId, groupIds), eni.NetworkInterfaceId);
  const attachmentId =
    eni.Attachment?.AttachmentId ?? (instanceId === undefined ? undefined : region.newAttachmentId());
  if (attachmentId !== undefined) region.reserveAttachmentId(attachmentId);
  region.interfaces.set(eni.NetworkInterfaceId, {
    networkInterfaceId: eni.NetworkInterfaceId,
    vpcId: eni.VpcId,
    ...(eni.SubnetId === undefined ? {} : { subnetId: eni.SubnetId }),
    privateIp: eni.PrivateIpAddress,
    ...(eni.Association?.PublicIp === undefined ? {} : { publicIp: eni.Association.PublicIp }),
    ...secondaryAddressesOf(eni),
    groupIds,
    ...(instanceId === undefined || attachmentId === undefined
      ? {}
      : { attachment: { instanceId, deviceIndex: eni.Attachment?.DeviceIndex ?? 0, attachmentId } }),
    tags: tagMap(eni.TagSet),
  });
}

/** The addresses beyond the primary one, kept so that the interface is described as it was given. */
function secondaryAddressesOf(eni: NetworkInterface): { secondaryAddresses?: SimSecondaryAddress[] } {
  const secondary = (eni.PrivateIpAddresses ?? []).filter(
    (address) => !address.Primary && address.PrivateIpAddress !== eni.PrivateIpAddress,
  );
  if (secondary.length === 0) return {};
  return {
    secondaryAddresses: secondary.map(({ PrivateIpAddress, Association }) => ({
      privateIp: PrivateIpAddress,
      ...(Association === undefined ? {} : { publicIp: Association.PublicIp }),
    })),
  };
}

/** The ENIs an instance lists but the state's networkInterfaces lack, built from the instance's summary. */
function loadInstanceInterfaces(region: SimRegion, instance: Instance): void {
  for (const [index, summary] of instance.NetworkInterfaces.entries()) {
    const known = region.interfaces.get(summary.NetworkInterfaceId);
    if (known !== undefined) {
      if (known.attachment?.instanceId !== instance.InstanceId) {
        throw new SimulationInputError(
          `${instance.InstanceId} lists ${summary.NetworkInterfaceId}, which is not attached to it`,
        );
      }
      continue;
    }
    loadInterface(region, {
      NetworkInterfaceId: summary.NetworkInterfaceId,
      VpcId: summary.VpcId,
      Status: "in-use",
      PrivateIpAddress: summary.PrivateIpAddress,
      ...(summary.Association === undefined ? {} : { Association: summary.Association }),
      Groups: summary.Groups,
      Attachment: { InstanceId: instance.InstanceId, DeviceIndex: summary.Attachment?.DeviceIndex ?? index },
      TagSet: [],
    });
  }
}

/** EC2 errors while loading mean a state that EC2 could not hold: reported as such. */
function asInput<T>(run: () => T, subject: string): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof AwsApiError) throw new SimulationInputError(`${subject}: ${error.message}`);
    throw error;
  }
}
