/**
 * SimulatedEc2: EC2 in memory for one account and region, with the semantics segsync depends on
 * (rule counting and quotas, dependency violations, prefix-list versions, ENI group replacement,
 * default groups and egress, filters, throttling and 5xx on demand). It backs the CLI demo, the scenario
 * tests and the oracle checks; its state() is the `aws` part of `simulate --state-out`.
 */

import type { AwsApi, Ec2Filter, PrefixListSummary } from "../../../lib/clouds/aws/api.js";
import { type AwsQuotas, DEFAULT_AWS_QUOTAS } from "../../../lib/clouds/aws/config.js";
import { AwsApiError } from "../../../lib/clouds/aws/errors.js";
import type {
  AwsInstanceStateName,
  AwsLocation,
  AwsRegionState,
  AwsTag,
  Instance,
  IpPermission,
  NetworkInterface,
  PrefixListEntry,
  SecurityGroup,
  Vpc,
} from "../../../lib/clouds/aws/model.js";
import type { CloudFinding } from "../../../lib/clouds/provider.js";
import { compareText } from "../../../lib/util/compare-text.js";
import {
  CallLog,
  type SimulatedCall as LoggedCall,
  type ServerErrorOptions,
  type ThrottleOptions,
} from "../common/call-log.js";
import { fail } from "./failures.js";
import { applyFilters, candidates, FILTERS } from "./filters.js";
import {
  type AttachInterfaceInput,
  addVpc,
  attachExistingInterface,
  attachNetworkInterface,
  type RunInstanceInput,
  runInstance,
  setInstanceState,
  setInstanceTags,
  terminateInstance,
} from "./instances.js";
import { modifyNetworkInterfaceGroups } from "./interfaces.js";
import { loadRegionState } from "./load.js";
import { createManagedPrefixList, deleteManagedPrefixList, modifyManagedPrefixList } from "./prefix-lists.js";
import { entriesOf, SimRegion } from "./region.js";
import {
  authorizeEgress,
  authorizeIngress,
  createSecurityGroup,
  deleteSecurityGroup,
  revokeEgress,
  revokeIngress,
} from "./security-groups.js";
import { createTags, deleteTags } from "./tagging.js";

export { SimulationInputError } from "./failures.js";
export type { AttachInterfaceInput, RunInstanceInput } from "./instances.js";

export type AwsApiMethod = Exclude<keyof AwsApi, "location">;
export type { ServerErrorOptions, ThrottleOptions };
/**
 * One AwsApi call as it was made, and how it ended (`RequestLimitExceeded` when throttled,
 * `InternalError` or `Unavailable` on an injected 5xx).
 */
export type SimulatedCall = LoggedCall<AwsApiMethod>;

/** The calls that change EC2, for tests that count writes. */
export const AWS_WRITE_METHODS: ReadonlySet<AwsApiMethod> = new Set<AwsApiMethod>([
  "createSecurityGroup",
  "deleteSecurityGroup",
  "authorizeIngress",
  "revokeIngress",
  "authorizeEgress",
  "revokeEgress",
  "createTags",
  "deleteTags",
  "modifyNetworkInterfaceGroups",
  "createManagedPrefixList",
  "modifyManagedPrefixList",
  "deleteManagedPrefixList",
]);

export interface SimulatedEc2Options {
  readonly quotas?: AwsQuotas;
  readonly throttle?: ThrottleOptions;
  readonly serverErrors?: ServerErrorOptions;
}

export class SimulatedEc2 implements AwsApi {
  readonly location: AwsLocation;
  private readonly region: SimRegion;

  /** The simulator models every object it holds: it never leaves one out. */
  takeUnreadable(): CloudFinding[] {
    return [];
  }
  private readonly log: CallLog<AwsApiMethod>;

  constructor(initial: AwsRegionState, options: SimulatedEc2Options = {}) {
    this.location = { account: initial.account, region: initial.region };
    this.region = new SimRegion(this.location, options.quotas ?? DEFAULT_AWS_QUOTAS);
    loadRegionState(this.region, initial);
    this.log = new CallLog<AwsApiMethod>(
      {
        throttled: fail.throttled,
        serverError: fail.serverError,
        writes: AWS_WRITE_METHODS,
        codeOf: (error) => (error instanceof AwsApiError ? error.code : undefined),
      },
      options.throttle,
      options.serverErrors,
    );
  }

  /** A location with nothing in it yet. */
  static empty(location: AwsLocation, options: SimulatedEc2Options = {}): SimulatedEc2 {
    return new SimulatedEc2(
      { ...location, instances: [], networkInterfaces: [], securityGroups: [], managedPrefixLists: [] },
      options,
    );
  }

  /** Every AwsApi call so far, oldest first. */
  get calls(): readonly SimulatedCall[] {
    return this.log.calls;
  }

  clearCalls(): void {
    this.log.clear();
  }

  /** Starts, changes or (undefined) stops throttling; a new seed restarts the sequence. */
  setThrottle(throttle: ThrottleOptions | undefined): void {
    this.log.setThrottle(throttle);
  }

  /**
   * Starts, changes or (undefined) stops 5xx (InternalError 500, Unavailable 503): before the call
   * takes effect, or, for a share of the writes, after it did, the response lost.
   */
  setServerErrors(serverErrors: ServerErrorOptions | undefined): void {
    this.log.setServerErrors(serverErrors);
  }

  /** Everything in the location, in the describe shapes, each list sorted by id: a deep copy. */
  state(): AwsRegionState {
    return this.region.state();
  }

  // Simulation controls: what happens outside segsync. Not AwsApi calls: neither logged nor failed on demand.

  /**
   * Makes a VPC known, so that groups can be created in it; runInstance does this itself. Its
   * default group appears with the first interface launched into it without groups (estates keep
   * their ids that way); createVpc makes it at once, as EC2 does.
   */
  addVpc(vpcId: string, cidr?: string): void {
    addVpc(this.region, vpcId);
    if (cidr !== undefined) this.region.vpcCidrs.set(vpcId, cidr);
  }

  /** A new VPC as CreateVpc makes it: with its default group (docs/clouds.md, "AWS default security group"). */
  createVpc(vpcId: string, cidr: string): void {
    this.addVpc(vpcId, cidr);
    this.region.defaultGroup(vpcId);
  }

  /** Launches a running instance with its primary ENI; without groupIds it gets the VPC's default group. */
  runInstance(input: RunInstanceInput): { instanceId: string; networkInterfaceId: string } {
    return runInstance(this.region, input);
  }

  attachNetworkInterface(instanceId: string, input: AttachInterfaceInput): { networkInterfaceId: string } {
    return attachNetworkInterface(this.region, instanceId, input);
  }

  /** Attaches an existing, unattached ENI at a device index above 0, keeping its id. */
  attachExistingInterface(
    networkInterfaceId: string,
    instanceId: string,
    deviceIndex: number,
    attachmentId?: string,
  ): void {
    attachExistingInterface(this.region, networkInterfaceId, instanceId, deviceIndex, attachmentId);
  }

  /** Stopping releases public IPs; starting assigns `publicIp` when given. `terminated` terminates. */
  setInstanceState(
    instanceId: string,
    state: AwsInstanceStateName,
    options: { readonly publicIp?: string } = {},
  ): void {
    setInstanceState(this.region, instanceId, state, options);
  }

  terminateInstance(instanceId: string): void {
    terminateInstance(this.region, instanceId);
  }

  /** The complete new tag map. */
  setInstanceTags(instanceId: string, tags: Readonly<Record<string, string>>): void {
    setInstanceTags(this.region, instanceId, tags);
  }

  // AwsApi

  describeInstances(filters: readonly Ec2Filter[]): Promise<Instance[]> {
    return this.log.run("describeInstances", [filters], () => {
      const all = this.instancesFor(filters).map((instance) => this.region.describeInstance(instance));
      return applyFilters(
        "DescribeInstances",
        FILTERS.DescribeInstances,
        sortById(all, "InstanceId"),
        filters,
      );
    });
  }

  describeNetworkInterfaces(filters: readonly Ec2Filter[]): Promise<NetworkInterface[]> {
    return this.log.run("describeNetworkInterfaces", [filters], () => {
      const all = this.interfacesFor(filters).map((eni) => this.region.describeInterface(eni));
      const sorted = sortById(all, "NetworkInterfaceId");
      return applyFilters("DescribeNetworkInterfaces", FILTERS.DescribeNetworkInterfaces, sorted, filters);
    });
  }

  describeSecurityGroups(filters: readonly Ec2Filter[]): Promise<SecurityGroup[]> {
    return this.log.run("describeSecurityGroups", [filters], () => {
      const all = this.groupsFor(filters).map((group) => this.region.describeGroup(group));
      return applyFilters(
        "DescribeSecurityGroups",
        FILTERS.DescribeSecurityGroups,
        sortById(all, "GroupId"),
        filters,
      );
    });
  }

  describeManagedPrefixLists(filters: readonly Ec2Filter[]): Promise<PrefixListSummary[]> {
    return this.log.run("describeManagedPrefixLists", [filters], () => {
      const all = this.prefixListsFor(filters).map((list) => {
        const { Entries: _entries, ...summary } = this.region.describePrefixList(list);
        return summary;
      });
      const sorted = sortById(all, "PrefixListId");
      return applyFilters("DescribeManagedPrefixLists", FILTERS.DescribeManagedPrefixLists, sorted, filters);
    });
  }

  getManagedPrefixListEntries(prefixListId: string): Promise<PrefixListEntry[]> {
    return this.log.run("getManagedPrefixListEntries", [prefixListId], () =>
      entriesOf(this.region.prefixList(prefixListId)),
    );
  }

  describeVpcs(filters: readonly Ec2Filter[]): Promise<Vpc[]> {
    return this.log.run("describeVpcs", [filters], () => {
      const all = [...this.region.vpcs].sort(compareText).map((VpcId): Vpc => {
        const cidr = this.region.vpcCidrs.get(VpcId);
        return cidr === undefined ? { VpcId } : { VpcId, CidrBlock: cidr };
      });
      return applyFilters("DescribeVpcs", FILTERS.DescribeVpcs, all, filters);
    });
  }

  createSecurityGroup(input: {
    readonly vpcId: string;
    readonly groupName: string;
    readonly description: string;
    readonly tags: readonly AwsTag[];
  }): Promise<{ groupId: string }> {
    return this.log.run("createSecurityGroup", [input], () => createSecurityGroup(this.region, input));
  }

  deleteSecurityGroup(groupId: string): Promise<void> {
    return this.log.run("deleteSecurityGroup", [groupId], () => {
      // Gone is success, as in the SDK adapter (the AwsApi contract).
      if (this.region.groups.has(groupId)) deleteSecurityGroup(this.region, groupId);
    });
  }

  authorizeIngress(groupId: string, permissions: readonly IpPermission[]): Promise<void> {
    return this.log.run("authorizeIngress", [groupId, permissions], () =>
      authorizeIngress(this.region, groupId, permissions),
    );
  }

  revokeIngress(groupId: string, permissions: readonly IpPermission[]): Promise<void> {
    return this.log.run("revokeIngress", [groupId, permissions], () =>
      revokeIngress(this.region, groupId, permissions),
    );
  }

  authorizeEgress(groupId: string, permissions: readonly IpPermission[]): Promise<void> {
    return this.log.run("authorizeEgress", [groupId, permissions], () =>
      authorizeEgress(this.region, groupId, permissions),
    );
  }

  revokeEgress(groupId: string, permissions: readonly IpPermission[]): Promise<void> {
    return this.log.run("revokeEgress", [groupId, permissions], () =>
      revokeEgress(this.region, groupId, permissions),
    );
  }

  createTags(resourceIds: readonly string[], tags: readonly AwsTag[]): Promise<void> {
    return this.log.run("createTags", [resourceIds, tags], () => createTags(this.region, resourceIds, tags));
  }

  deleteTags(resourceIds: readonly string[], tagKeys: readonly string[]): Promise<void> {
    return this.log.run("deleteTags", [resourceIds, tagKeys], () =>
      deleteTags(this.region, resourceIds, tagKeys),
    );
  }

  modifyNetworkInterfaceGroups(networkInterfaceId: string, groupIds: readonly string[]): Promise<void> {
    return this.log.run("modifyNetworkInterfaceGroups", [networkInterfaceId, groupIds], () =>
      modifyNetworkInterfaceGroups(this.region, networkInterfaceId, groupIds),
    );
  }

  createManagedPrefixList(input: {
    readonly name: string;
    readonly addressFamily: "IPv4" | "IPv6";
    readonly maxEntries: number;
    readonly entries: readonly PrefixListEntry[];
    readonly tags: readonly AwsTag[];
  }): Promise<{ prefixListId: string; version: number }> {
    return this.log.run("createManagedPrefixList", [input], () =>
      createManagedPrefixList(this.region, input),
    );
  }

  modifyManagedPrefixList(input: {
    readonly prefixListId: string;
    readonly currentVersion: number;
    readonly addEntries: readonly PrefixListEntry[];
    readonly removeCidrs: readonly string[];
  }): Promise<{ version: number }> {
    return this.log.run("modifyManagedPrefixList", [input], () =>
      modifyManagedPrefixList(this.region, input),
    );
  }

  deleteManagedPrefixList(prefixListId: string): Promise<void> {
    return this.log.run("deleteManagedPrefixList", [prefixListId], () => {
      if (this.region.prefixLists.has(prefixListId)) deleteManagedPrefixList(this.region, prefixListId);
    });
  }

  // The records each describe looks at (filters.ts, `candidates`).

  private instancesFor(filters: readonly Ec2Filter[]) {
    return candidates(filters, { "instance-id": (id) => present(this.region.instances.get(id)) }, () =>
      this.region.instances.values(),
    );
  }

  private interfacesFor(filters: readonly Ec2Filter[]) {
    const lookups = {
      "network-interface-id": (id: string) => present(this.region.interfaces.get(id)),
      "attachment.instance-id": (id: string) => this.region.interfacesOf(id),
      "group-id": (id: string) => this.region.interfacesInGroup(id),
    };
    return candidates(filters, lookups, () => this.region.interfaces.values());
  }

  private groupsFor(filters: readonly Ec2Filter[]) {
    const groups = this.region.groups;
    const lookups = {
      "group-id": (id: string) => present(groups.get(id)),
      "group-name": (name: string) => groups.valuesIn("groupName", name),
      "ip-permission.group-id": (id: string) => groups.valuesIn("referencedGroup", id),
      "ip-permission.prefix-list-id": (id: string) => groups.valuesIn("referencedList", id),
    };
    return candidates(filters, lookups, () => groups.values());
  }

  private prefixListsFor(filters: readonly Ec2Filter[]) {
    const lists = this.region.prefixLists;
    const lookups = {
      "prefix-list-id": (id: string) => present(lists.get(id)),
      "prefix-list-name": (name: string) => lists.valuesIn("name", name),
    };
    return candidates(filters, lookups, () => lists.values());
  }
}

function present<T>(record: T | undefined): T[] {
  return record === undefined ? [] : [record];
}

function sortById<T, K extends keyof T>(items: T[], key: K): T[] {
  return items.sort((a, b) => compareText(String(a[key]), String(b[key])));
}
