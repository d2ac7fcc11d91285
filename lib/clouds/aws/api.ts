import type { CloudFinding } from "../provider.js";
import type {
  AwsLocation,
  AwsTag,
  Instance,
  IpPermission,
  ManagedPrefixList,
  NetworkInterface,
  PrefixListEntry,
  SecurityGroup,
  Vpc,
} from "./model.js";

/**
 * An EC2 filter. Every describe call is filtered, so that it uses the 100/20 throttle bucket
 * (docs/clouds.md, "AWS API throttling").
 */
export interface Ec2Filter {
  readonly Name: string;
  readonly Values: readonly string[];
}

export type PrefixListSummary = Omit<ManagedPrefixList, "Entries">;

/**
 * The narrow port of the EC2 calls segsync needs, for one account in one region.
 * Implemented by sdk/api.ts (@aws-sdk/client-ec2) and by the simulator (in memory, AWS semantics);
 * test/contract/aws-api.contract.ts holds both to this contract (docs/testing.md, "Contract suites").
 *
 * Contract shared by both implementations:
 * - describe* calls page through every result and require at least one filter (without one:
 *   AwsInvalidRequestError, before any call);
 * - a rule is its protocol, ports and source: its description is not part of it;
 * - authorizeIngress of a rule that exists and revokeIngress of one that does not succeed
 *   (InvalidPermission.Duplicate / .NotFound are success: the calls are idempotent); so do
 *   authorizeEgress and revokeEgress, whose rules count against their own quota (EC2's rules per
 *   group are per direction);
 * - deleting a security group or prefix list that is gone succeeds (InvalidGroup.NotFound /
 *   InvalidPrefixListID.NotFound): absence is the goal, and the SDK's own retry of a delete whose
 *   response was lost meets exactly that;
 * - createTags and deleteTags with no resource or no tag change nothing (DeleteTags without a key
 *   would delete every tag); modifyNetworkInterfaceGroups without a group is AwsInvalidRequestError;
 * - prefix-list creates and modifies take any number of entries: sdk/api.ts splits them into
 *   EC2's calls of at most 100 (docs/clouds.md, "AWS managed prefix lists"), each chained on the
 *   version the last returned;
 * - every other failure is one of the errors of errors.ts, with the EC2 error as its cause.
 */
export interface AwsApi {
  readonly location: AwsLocation;

  /** The objects the last reads left out because segsync cannot model them (findings about each); forgets them. */
  takeUnreadable(): CloudFinding[];

  describeInstances(filters: readonly Ec2Filter[]): Promise<Instance[]>;
  describeNetworkInterfaces(filters: readonly Ec2Filter[]): Promise<NetworkInterface[]>;
  describeSecurityGroups(filters: readonly Ec2Filter[]): Promise<SecurityGroup[]>;
  describeManagedPrefixLists(filters: readonly Ec2Filter[]): Promise<PrefixListSummary[]>;
  getManagedPrefixListEntries(prefixListId: string): Promise<PrefixListEntry[]>;
  /** Only `estate export` reads VPCs: their ranges are the estate's network CIDRs. */
  describeVpcs(filters: readonly Ec2Filter[]): Promise<Vpc[]>;

  createSecurityGroup(input: {
    readonly vpcId: string;
    readonly groupName: string;
    readonly description: string;
    readonly tags: readonly AwsTag[];
  }): Promise<{ groupId: string }>;
  deleteSecurityGroup(groupId: string): Promise<void>;
  authorizeIngress(groupId: string, permissions: readonly IpPermission[]): Promise<void>;
  revokeIngress(groupId: string, permissions: readonly IpPermission[]): Promise<void>;
  /** Egress rules (IpPermissionsEgress): a permission's peers are where the group's members may send. */
  authorizeEgress(groupId: string, permissions: readonly IpPermission[]): Promise<void>;
  revokeEgress(groupId: string, permissions: readonly IpPermission[]): Promise<void>;

  createTags(resourceIds: readonly string[], tags: readonly AwsTag[]): Promise<void>;
  deleteTags(resourceIds: readonly string[], tagKeys: readonly string[]): Promise<void>;

  /** Replaces the ENI's whole group list (ModifyNetworkInterfaceAttribute; at least one group). */
  modifyNetworkInterfaceGroups(networkInterfaceId: string, groupIds: readonly string[]): Promise<void>;

  createManagedPrefixList(input: {
    readonly name: string;
    readonly addressFamily: "IPv4" | "IPv6";
    readonly maxEntries: number;
    readonly entries: readonly PrefixListEntry[];
    readonly tags: readonly AwsTag[];
  }): Promise<{ prefixListId: string; version: number }>;
  /** Optimistic concurrency: fails with PrefixListVersionConflictError when currentVersion is stale. */
  modifyManagedPrefixList(input: {
    readonly prefixListId: string;
    readonly currentVersion: number;
    readonly addEntries: readonly PrefixListEntry[];
    readonly removeCidrs: readonly string[];
  }): Promise<{ version: number }>;
  deleteManagedPrefixList(prefixListId: string): Promise<void>;
}

/** One API per location; implementations cache clients. */
export type AwsApiFactory = (location: AwsLocation) => AwsApi;
