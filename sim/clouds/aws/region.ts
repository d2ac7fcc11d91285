import type { AwsQuotas } from "../../../lib/clouds/aws/config.js";
import type {
  AwsLocation,
  AwsRegionState,
  Instance,
  ManagedPrefixList,
  NetworkInterface,
  NetworkInterfaceGroup,
  PrefixListEntry,
  SecurityGroup,
} from "../../../lib/clouds/aws/model.js";
import { compareText } from "../../../lib/util/compare-text.js";
import { type IndexEntry, IndexedTable } from "../common/indexed-table.js";
import { fail } from "./failures.js";
import { IdAllocator } from "./ids.js";
import type { SimInstance, SimInterface, SimPrefixList, SimSecurityGroup } from "./records.js";
import { ALLOW_ALL_EGRESS, allowAllFrom, ruleKey, toIpPermissions } from "./rules.js";
import { tagList } from "./tags.js";

export const DEFAULT_GROUP_NAME = "default";

/** One simulated account and region: its records, lookups that fail as EC2 does, and describe shapes. */
export class SimRegion {
  readonly vpcs = new Set<string>();
  /** The ranges of the VPCs an estate listed (a VPC made known by a launch alone has none here). */
  readonly vpcCidrs = new Map<string, string>();
  readonly instances = new Map<string, SimInstance>();
  /**
   * By id; found also by the instance it is attached to, its groups, its VPC and primary private
   * address, its primary public address. An ENI whose attachment, groups or public address change
   * in place is set again.
   */
  readonly interfaces = new IndexedTable<SimInterface, "instance" | "group" | "privateIp" | "publicIp">({
    instance: (eni) => (eni.attachment === undefined ? [] : [[eni.attachment.instanceId, ""]]),
    group: (eni) => eni.groupIds.map((groupId) => [groupId, ""] as const),
    privateIp: (eni) => [[eni.vpcId, eni.privateIp]],
    publicIp: (eni) => (eni.publicIp === undefined ? [] : [[eni.publicIp, ""]]),
  });
  /**
   * By id; found also by VPC and name, by name alone, and by the groups and prefix lists its
   * ingress rules reference (the `ip-permission.*` filters). A group whose rules change in place
   * is set again.
   */
  readonly groups = new IndexedTable<
    SimSecurityGroup,
    "name" | "groupName" | "referencedGroup" | "referencedList"
  >({
    name: (group) => [[group.vpcId, group.groupName]],
    groupName: (group) => [[group.groupName, ""]],
    referencedGroup: (group) => referencedBy(group, "group"),
    referencedList: (group) => referencedBy(group, "prefixList"),
  });
  /** By id; found also by name. */
  readonly prefixLists = new IndexedTable<SimPrefixList, "name">({ name: (list) => [[list.name, ""]] });
  readonly ids: IdAllocator;
  private readonly attachmentIds = new Set<string>();

  constructor(
    readonly location: AwsLocation,
    readonly quotas: AwsQuotas,
  ) {
    this.ids = new IdAllocator(location, (id) => this.isTaken(id));
  }

  private isTaken(id: string): boolean {
    return (
      this.instances.has(id) ||
      this.interfaces.has(id) ||
      this.groups.has(id) ||
      this.prefixLists.has(id) ||
      this.attachmentIds.has(id)
    );
  }

  newAttachmentId(): string {
    const id = this.ids.next("eni-attach");
    this.attachmentIds.add(id);
    return id;
  }

  reserveAttachmentId(id: string): void {
    this.attachmentIds.add(id);
  }

  instance(instanceId: string): SimInstance {
    const instance = this.instances.get(instanceId);
    if (instance === undefined) {
      throw fail.notFound("InvalidInstanceID.NotFound", `The instance ID '${instanceId}' does not exist`);
    }
    return instance;
  }

  networkInterface(networkInterfaceId: string): SimInterface {
    const eni = this.interfaces.get(networkInterfaceId);
    if (eni === undefined) {
      throw fail.notFound(
        "InvalidNetworkInterfaceID.NotFound",
        `The networkInterface ID '${networkInterfaceId}' does not exist`,
      );
    }
    return eni;
  }

  group(groupId: string): SimSecurityGroup {
    const group = this.groups.get(groupId);
    if (group === undefined) {
      throw fail.notFound("InvalidGroup.NotFound", `The security group '${groupId}' does not exist`);
    }
    return group;
  }

  prefixList(prefixListId: string): SimPrefixList {
    const list = this.prefixLists.get(prefixListId);
    if (list === undefined) {
      throw fail.notFound(
        "InvalidPrefixListID.NotFound",
        `The prefix list ID '${prefixListId}' does not exist`,
      );
    }
    return list;
  }

  /** The VPC's group named "default", created as EC2 creates it (allow all from itself, all egress) on first use. */
  defaultGroup(vpcId: string): SimSecurityGroup {
    const [existing] = this.groupsNamed(vpcId, DEFAULT_GROUP_NAME);
    if (existing !== undefined) return existing;
    const groupId = this.ids.next("sg");
    const group: SimSecurityGroup = {
      groupId,
      groupName: DEFAULT_GROUP_NAME,
      description: "default VPC security group",
      vpcId,
      ingress: new Map([[ruleKey(allowAllFrom(groupId)), allowAllFrom(groupId)]]),
      egress: new Map([[ruleKey(ALLOW_ALL_EGRESS), ALLOW_ALL_EGRESS]]),
      tags: new Map(),
    };
    this.groups.set(groupId, group);
    this.vpcs.add(vpcId);
    return group;
  }

  /** The VPC's groups of that name (one at most, as EC2 keeps it), in the order the region holds them. */
  groupsNamed(vpcId: string, groupName: string): SimSecurityGroup[] {
    return this.groups.inOrder(this.groups.keysAt("name", vpcId, groupName));
  }

  /** The ENIs holding a primary private address in a VPC, or a public address, in the order the region holds them. */
  interfacesWithPrivateIp(vpcId: string, privateIp: string): SimInterface[] {
    return this.interfaces.inOrder(this.interfaces.keysAt("privateIp", vpcId, privateIp));
  }

  interfacesWithPublicIp(publicIp: string): SimInterface[] {
    return this.interfaces.inOrder(this.interfaces.keysAt("publicIp", publicIp));
  }

  /** The ENIs that have the group, in the order the region holds them. */
  interfacesInGroup(groupId: string): SimInterface[] {
    return this.interfaces.inOrder(this.interfaces.keysAt("group", groupId));
  }

  /** An ENI changed in place (attachment, groups, public address): filed again under what it holds now. */
  refile(eni: SimInterface): void {
    this.interfaces.set(eni.networkInterfaceId, eni);
  }

  interfacesOf(instanceId: string): SimInterface[] {
    return this.interfaces
      .inOrder(this.interfaces.keysAt("instance", instanceId))
      .sort((a, b) => (a.attachment?.deviceIndex ?? 0) - (b.attachment?.deviceIndex ?? 0));
  }

  describeInstance(instance: SimInstance): Instance {
    const interfaces = this.interfacesOf(instance.instanceId);
    const primary = interfaces[0];
    return {
      InstanceId: instance.instanceId,
      State: { Name: instance.state },
      VpcId: instance.vpcId,
      ...(primary === undefined ? {} : { PrivateIpAddress: primary.privateIp }),
      ...(primary?.publicIp === undefined ? {} : { PublicIpAddress: primary.publicIp }),
      Tags: tagList(instance.tags),
      NetworkInterfaces: interfaces.map((eni) => ({
        NetworkInterfaceId: eni.networkInterfaceId,
        VpcId: eni.vpcId,
        PrivateIpAddress: eni.privateIp,
        ...(eni.publicIp === undefined ? {} : { Association: { PublicIp: eni.publicIp } }),
        Attachment: { DeviceIndex: eni.attachment?.deviceIndex ?? 0 },
        Groups: this.groupRefs(eni.groupIds),
      })),
    };
  }

  describeInterface(eni: SimInterface): NetworkInterface {
    const association = eni.publicIp === undefined ? {} : { Association: { PublicIp: eni.publicIp } };
    return {
      NetworkInterfaceId: eni.networkInterfaceId,
      VpcId: eni.vpcId,
      ...(eni.subnetId === undefined ? {} : { SubnetId: eni.subnetId }),
      OwnerId: this.location.account,
      Status: eni.attachment === undefined ? "available" : "in-use",
      PrivateIpAddress: eni.privateIp,
      PrivateIpAddresses: [
        { PrivateIpAddress: eni.privateIp, Primary: true, ...association },
        ...(eni.secondaryAddresses ?? []).map(({ privateIp, publicIp }) => ({
          PrivateIpAddress: privateIp,
          Primary: false,
          ...(publicIp === undefined ? {} : { Association: { PublicIp: publicIp } }),
        })),
      ],
      ...association,
      Groups: this.groupRefs(eni.groupIds),
      ...(eni.attachment === undefined
        ? {}
        : {
            Attachment: {
              InstanceId: eni.attachment.instanceId,
              DeviceIndex: eni.attachment.deviceIndex,
              AttachmentId: eni.attachment.attachmentId,
            },
          }),
      TagSet: tagList(eni.tags),
    };
  }

  describeGroup(group: SimSecurityGroup): SecurityGroup {
    const ownerOf = () => this.location.account;
    return {
      GroupId: group.groupId,
      GroupName: group.groupName,
      Description: group.description,
      VpcId: group.vpcId,
      OwnerId: this.location.account,
      IpPermissions: toIpPermissions(group.ingress.values(), ownerOf),
      IpPermissionsEgress: toIpPermissions(group.egress.values(), ownerOf),
      Tags: tagList(group.tags),
    };
  }

  describePrefixList(list: SimPrefixList): ManagedPrefixList {
    return {
      PrefixListId: list.prefixListId,
      PrefixListName: list.name,
      AddressFamily: list.addressFamily,
      ...(list.maxEntries === undefined ? {} : { MaxEntries: list.maxEntries }),
      ...(list.version === undefined ? {} : { Version: list.version }),
      OwnerId: list.ownerId,
      State: list.state,
      Tags: tagList(list.tags),
      Entries: entriesOf(list),
    };
  }

  private groupRefs(groupIds: readonly string[]): NetworkInterfaceGroup[] {
    return groupIds.map((groupId) => ({ GroupId: groupId, GroupName: this.group(groupId).groupName }));
  }

  /** Everything, in describe shapes, each list sorted by id. */
  state(): AwsRegionState {
    return {
      account: this.location.account,
      region: this.location.region,
      instances: sortedValues(this.instances).map((instance) => this.describeInstance(instance)),
      networkInterfaces: sortedValues(this.interfaces).map((eni) => this.describeInterface(eni)),
      securityGroups: sortedValues(this.groups).map((group) => this.describeGroup(group)),
      managedPrefixLists: sortedValues(this.prefixLists).map((list) => this.describePrefixList(list)),
    };
  }
}

export function entriesOf(list: SimPrefixList): PrefixListEntry[] {
  return [...list.entries.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([Cidr, description]) => ({
      Cidr,
      ...(description === undefined ? {} : { Description: description }),
    }));
}

/** The ids of the groups or prefix lists a group's ingress rules reference, as index entries. */
function referencedBy(group: SimSecurityGroup, kind: "group" | "prefixList"): IndexEntry[] {
  const ids = new Set<string>();
  for (const { source } of group.ingress.values()) {
    if (source.kind === "group" && kind === "group") ids.add(source.groupId);
    if (source.kind === "prefixList" && kind === "prefixList") ids.add(source.prefixListId);
  }
  return [...ids].map((id) => [id, ""] as const);
}

function sortedValues<T>(map: ReadonlyMap<string, T>): T[] {
  return [...map.entries()].sort(([a], [b]) => compareText(a, b)).map(([, value]) => value);
}
