/**
 * What a read of a change alone has found so far in one location (discover-change.ts): each
 * object once, by id; which owned objects the change may rewrite or delete (read by the names of
 * its destinations and peer sets) and which it read only to look them up. Sealed ownership as in
 * discover.ts: an object with the ownership tag but no valid seal is a finding, never owned.
 */
import { compareText } from "../../util/compare-text.js";
import type { CloudFinding } from "../provider.js";
import { sortBy, unsealed } from "./discover.js";
import type {
  AwsLocation,
  AwsRegionState,
  Instance,
  ManagedPrefixList,
  NetworkInterface,
  SecurityGroup,
} from "./model.js";
import { type AwsOwnership, hasOwnershipTag } from "./ownership.js";

export class ChangeRead {
  readonly instances = new Map<string, Instance>();
  readonly interfaces = new Map<string, NetworkInterface>();
  /** Owned and customer groups, by id. */
  readonly groups = new Map<string, SecurityGroup>();
  /** Owned prefix lists, by id. */
  readonly lists = new Map<string, ManagedPrefixList>();
  /** Owned groups and lists the change may rewrite or delete. */
  readonly scoped = new Set<string>();
  readonly findings: CloudFinding[] = [];
  private readonly reported = new Set<string>();

  constructor(
    readonly location: AwsLocation,
    private readonly ownership: AwsOwnership,
    /** The VPCs the configuration limits segsync to; undefined: every VPC. */
    private readonly vpcs: readonly string[] | undefined,
  ) {}

  addInstances(instances: readonly Instance[]): void {
    for (const instance of instances) this.instances.set(instance.InstanceId, instance);
  }

  /** ENIs in the configured VPCs: an ENI elsewhere is neither read back nor written. */
  addInterfaces(interfaces: readonly NetworkInterface[]): void {
    for (const eni of interfaces)
      if (this.vpcs === undefined || this.vpcs.includes(eni.VpcId))
        this.interfaces.set(eni.NetworkInterfaceId, eni);
  }

  /** Owned groups (scoped or not), and customer groups where `customer`; unsealed ones are findings. */
  addGroups(groups: readonly SecurityGroup[], options: { scoped: boolean; customer: boolean }): void {
    for (const group of groups) {
      const owned = this.ownership.ownsGroup(this.location, group);
      if (!owned && hasOwnershipTag(group.Tags))
        this.report(unsealed("security group", group.GroupId, group.GroupName));
      if (!owned && !options.customer) continue;
      if (owned && options.scoped) this.scoped.add(group.GroupId);
      this.groups.set(group.GroupId, group);
    }
  }

  /** Owned prefix lists (with their entries); unsealed ones are findings. */
  addLists(lists: readonly ManagedPrefixList[], options: { scoped: boolean }): void {
    for (const list of lists) {
      if (!hasOwnershipTag(list.Tags)) continue;
      if (!this.ownership.ownsPrefixList(this.location, list)) {
        this.report(unsealed("prefix list", list.PrefixListId, list.PrefixListName));
        continue;
      }
      if (options.scoped) this.scoped.add(list.PrefixListId);
      this.lists.set(list.PrefixListId, list);
    }
  }

  /** The owned group of this name in this VPC, if read. */
  ownedGroup(vpcId: string, name: string): SecurityGroup | undefined {
    for (const group of this.groups.values())
      if (group.VpcId === vpcId && group.GroupName === name && this.ownsGroup(group)) return group;
    return undefined;
  }

  /** Whether the ENI carries segsync's sealed record of its original groups. */
  hasRecord(eni: NetworkInterface): boolean {
    return this.ownership.recordedOriginals(this.location, eni) !== undefined;
  }

  ownsGroup(group: SecurityGroup): boolean {
    return this.ownership.ownsGroup(this.location, group);
  }

  /** The location's state as read, with what the read covers (model.ts, AwsChangeRead). */
  state(carriers: readonly string[], reread: readonly string[]): AwsRegionState {
    const ownedGroups = [...this.groups.values()].filter((group) => this.ownsGroup(group));
    const referenceOnly = [...ownedGroups.map((group) => group.GroupId), ...this.lists.keys()].filter(
      (id) => !this.scoped.has(id),
    );
    return {
      account: this.location.account,
      region: this.location.region,
      instances: sortBy([...this.instances.values()], (instance) => instance.InstanceId),
      networkInterfaces: sortBy([...this.interfaces.values()], (eni) => eni.NetworkInterfaceId),
      securityGroups: sortBy([...this.groups.values()], (group) => group.GroupId),
      managedPrefixLists: sortBy([...this.lists.values()], (list) => list.PrefixListId),
      change: {
        referenceOnly: referenceOnly.sort(compareText),
        carriers: [...carriers].sort(compareText),
        instances: [...reread].sort(compareText),
      },
    };
  }

  private report(finding: CloudFinding): void {
    if (this.reported.has(finding.subject)) return;
    this.reported.add(finding.subject);
    this.findings.push(finding);
  }
}
