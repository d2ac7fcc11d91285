import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateManagedPrefixListCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteManagedPrefixListCommand,
  DeleteSecurityGroupCommand,
  DeleteTagsCommand,
  EC2Client,
  type EC2ClientConfig,
  type Filter,
  ModifyManagedPrefixListCommand,
  ModifyNetworkInterfaceAttributeCommand,
  paginateDescribeInstances,
  paginateDescribeManagedPrefixLists,
  paginateDescribeNetworkInterfaces,
  paginateDescribeSecurityGroups,
  paginateDescribeVpcs,
  paginateGetManagedPrefixListEntries,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type ManagedPrefixList as SdkManagedPrefixList,
  type Tag as SdkTag,
} from "@aws-sdk/client-ec2";
import { onePerPlace } from "../../common/per-place.js";
import { UnreadableObjects } from "../../common/unreadable.js";
import type { CloudFinding } from "../../provider.js";
import type { AwsApi, AwsApiFactory, Ec2Filter, PrefixListSummary } from "../api.js";
import type { AwsAccounts } from "../config.js";
import { AwsApiError, AwsInvalidRequestError, AwsNotFoundError } from "../errors.js";
import {
  type AwsLocation,
  type AwsTag,
  type Instance,
  type IpPermission,
  locationKey,
  type NetworkInterface,
  type PrefixListEntry,
  type SecurityGroup,
  type Vpc,
} from "../model.js";
import { PREFIX_LIST_ENTRIES_PER_CALL, prefixListBatches, singleRulePermissions } from "./batches.js";
import { assumeRoleCredentials, type TemporaryCredentialsProvider } from "./credentials.js";
import { errorCode, toAwsError } from "./errors.js";
import {
  toInstance,
  toNetworkInterface,
  toPrefixListEntry,
  toPrefixListSummary,
  toSdkIpPermission,
  toSecurityGroup,
  toVpc,
} from "./shapes.js";

export interface SdkAwsApiOptions {
  /** The managed accounts; an account with a roleArn is reached through STS AssumeRole. */
  readonly accounts: AwsAccounts;
  /** Attempts per call, throttling retries included (the SDK's adaptive mode). Default 5. */
  readonly maxAttempts?: number;
  /** An EC2 (and STS) endpoint other than AWS's, e.g. moto_server. */
  readonly endpoint?: string;
  /** The caller's credentials (tests, moto); absent: the SDK's default chain. */
  readonly credentials?: EC2ClientConfig["credentials"];
  /** MaxResults of describe calls, within each call's bounds. Default: the largest page. */
  readonly pageSize?: number;
  readonly roleSessionName?: string;
  /** How to wait for a prefix list to leave its *-in-progress state after a write. */
  readonly prefixListSettle?: { readonly pollIntervalMs?: number; readonly timeoutMs?: number };
}

interface Settings {
  readonly pageSize: number;
  readonly settlePollIntervalMs: number;
  readonly settleTimeoutMs: number;
}

const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_ROLE_SESSION_NAME = "segsync";

/** One AwsApi, one EC2Client and, per account with a role, one assumed-role session, all cached. */
export function createSdkAwsApiFactory(options: SdkAwsApiOptions): AwsApiFactory {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const settings: Settings = {
    pageSize: options.pageSize ?? 1000,
    settlePollIntervalMs: options.prefixListSettle?.pollIntervalMs ?? 500,
    settleTimeoutMs: options.prefixListSettle?.timeoutMs ?? 120_000,
  };
  const roleSessions = new Map<string, TemporaryCredentialsProvider>();

  function credentialsFor(location: AwsLocation): EC2ClientConfig["credentials"] {
    const account = options.accounts.find((candidate) => candidate.account === location.account);
    if (account === undefined) {
      throw new Error(`AWS account ${location.account} is not among the configured accounts`);
    }
    if (account.roleArn === undefined) return options.credentials;
    let session = roleSessions.get(account.account);
    if (session === undefined) {
      session = assumeRoleCredentials({
        roleArn: account.roleArn,
        roleSessionName: options.roleSessionName ?? DEFAULT_ROLE_SESSION_NAME,
        region: location.region,
        endpoint: options.endpoint,
        credentials: options.credentials,
        maxAttempts,
      });
      roleSessions.set(account.account, session);
    }
    return session;
  }

  return onePerPlace(locationKey, (location) => {
    const client = new EC2Client({
      region: location.region,
      endpoint: options.endpoint,
      credentials: credentialsFor(location),
      retryMode: "adaptive",
      maxAttempts,
    });
    return new SdkAwsApi({ account: location.account, region: location.region }, client, settings);
  });
}

/** AwsApi over @aws-sdk/client-ec2 for one account in one region. */
export class SdkAwsApi implements AwsApi {
  /** Objects left out of a read because segsync cannot model them. */
  private readonly unreadable = new UnreadableObjects("aws-unreadable-object");

  takeUnreadable(): CloudFinding[] {
    return this.unreadable.take();
  }

  constructor(
    readonly location: AwsLocation,
    readonly client: EC2Client,
    private readonly settings: Settings,
  ) {}

  async describeInstances(filters: readonly Ec2Filter[]): Promise<Instance[]> {
    const pages = paginateDescribeInstances(
      { client: this.client, pageSize: this.pageSize(5, 1000) },
      { Filters: sdkFilters("DescribeInstances", filters) },
    );
    return this.collect("DescribeInstances", pages, (page) =>
      this.unreadable.modelEach(
        (page.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []),
        toInstance,
        (instance) => `EC2 instance ${instance.InstanceId ?? "(no id)"} in ${this.where()}`,
      ),
    );
  }

  async describeNetworkInterfaces(filters: readonly Ec2Filter[]): Promise<NetworkInterface[]> {
    const pages = paginateDescribeNetworkInterfaces(
      { client: this.client, pageSize: this.pageSize(5, 1000) },
      { Filters: sdkFilters("DescribeNetworkInterfaces", filters) },
    );
    return this.collect("DescribeNetworkInterfaces", pages, (page) =>
      this.unreadable.modelEach(
        page.NetworkInterfaces ?? [],
        toNetworkInterface,
        (eni) => `EC2 network interface ${eni.NetworkInterfaceId ?? "(no id)"} in ${this.where()}`,
      ),
    );
  }

  async describeSecurityGroups(filters: readonly Ec2Filter[]): Promise<SecurityGroup[]> {
    const pages = paginateDescribeSecurityGroups(
      { client: this.client, pageSize: this.pageSize(5, 1000) },
      { Filters: sdkFilters("DescribeSecurityGroups", filters) },
    );
    return this.collect("DescribeSecurityGroups", pages, (page) =>
      this.unreadable.modelEach(
        page.SecurityGroups ?? [],
        toSecurityGroup,
        (group) => `EC2 security group ${group.GroupId ?? "(no id)"} in ${this.where()}`,
      ),
    );
  }

  async describeManagedPrefixLists(filters: readonly Ec2Filter[]): Promise<PrefixListSummary[]> {
    return this.unreadable.modelEach(
      await this.describeSdkPrefixLists(filters),
      toPrefixListSummary,
      (list) => `EC2 managed prefix list ${list.PrefixListId ?? "(no id)"} in ${this.where()}`,
    );
  }

  async getManagedPrefixListEntries(prefixListId: string): Promise<PrefixListEntry[]> {
    const pages = paginateGetManagedPrefixListEntries(
      { client: this.client, pageSize: this.pageSize(1, 100) },
      { PrefixListId: prefixListId },
    );
    return this.collect("GetManagedPrefixListEntries", pages, (page) =>
      (page.Entries ?? []).map(toPrefixListEntry),
    );
  }

  async describeVpcs(filters: readonly Ec2Filter[]): Promise<Vpc[]> {
    const pages = paginateDescribeVpcs(
      { client: this.client, pageSize: this.pageSize(5, 1000) },
      { Filters: sdkFilters("DescribeVpcs", filters) },
    );
    return this.collect("DescribeVpcs", pages, (page) =>
      this.unreadable.modelEach(
        page.Vpcs ?? [],
        toVpc,
        (vpc) => `EC2 VPC ${vpc.VpcId ?? "(no id)"} in ${this.where()}`,
      ),
    );
  }

  async createSecurityGroup(input: {
    readonly vpcId: string;
    readonly groupName: string;
    readonly description: string;
    readonly tags: readonly AwsTag[];
  }): Promise<{ groupId: string }> {
    const output = await this.call("CreateSecurityGroup", () =>
      this.client.send(
        new CreateSecurityGroupCommand({
          VpcId: input.vpcId,
          GroupName: input.groupName,
          Description: input.description,
          TagSpecifications: tagSpecifications("security-group", input.tags),
        }),
      ),
    );
    return { groupId: requireField(output.GroupId, "CreateSecurityGroup", "GroupId") };
  }

  async deleteSecurityGroup(groupId: string): Promise<void> {
    await this.idempotentDelete("DeleteSecurityGroup", "InvalidGroup.NotFound", () =>
      this.client.send(new DeleteSecurityGroupCommand({ GroupId: groupId })),
    );
  }

  async authorizeIngress(groupId: string, permissions: readonly IpPermission[]): Promise<void> {
    await this.idempotentRuleChange(
      "AuthorizeSecurityGroupIngress",
      "InvalidPermission.Duplicate",
      permissions,
      (batch) =>
        this.client.send(
          new AuthorizeSecurityGroupIngressCommand({
            GroupId: groupId,
            IpPermissions: batch.map(toSdkIpPermission),
          }),
        ),
    );
  }

  async revokeIngress(groupId: string, permissions: readonly IpPermission[]): Promise<void> {
    await this.idempotentRuleChange(
      "RevokeSecurityGroupIngress",
      "InvalidPermission.NotFound",
      permissions,
      (batch) =>
        this.client.send(
          new RevokeSecurityGroupIngressCommand({
            GroupId: groupId,
            IpPermissions: batch.map(toSdkIpPermission),
          }),
        ),
    );
  }

  async authorizeEgress(groupId: string, permissions: readonly IpPermission[]): Promise<void> {
    await this.idempotentRuleChange(
      "AuthorizeSecurityGroupEgress",
      "InvalidPermission.Duplicate",
      permissions,
      (batch) =>
        this.client.send(
          new AuthorizeSecurityGroupEgressCommand({
            GroupId: groupId,
            IpPermissions: batch.map(toSdkIpPermission),
          }),
        ),
    );
  }

  async revokeEgress(groupId: string, permissions: readonly IpPermission[]): Promise<void> {
    await this.idempotentRuleChange(
      "RevokeSecurityGroupEgress",
      "InvalidPermission.NotFound",
      permissions,
      (batch) =>
        this.client.send(
          new RevokeSecurityGroupEgressCommand({
            GroupId: groupId,
            IpPermissions: batch.map(toSdkIpPermission),
          }),
        ),
    );
  }

  async createTags(resourceIds: readonly string[], tags: readonly AwsTag[]): Promise<void> {
    if (resourceIds.length === 0 || tags.length === 0) return;
    await this.call("CreateTags", () =>
      this.client.send(new CreateTagsCommand({ Resources: [...resourceIds], Tags: sdkTags(tags) })),
    );
  }

  async deleteTags(resourceIds: readonly string[], tagKeys: readonly string[]): Promise<void> {
    // DeleteTags without any tag deletes every tag of the resources: never send that.
    if (resourceIds.length === 0 || tagKeys.length === 0) return;
    await this.call("DeleteTags", () =>
      this.client.send(
        new DeleteTagsCommand({ Resources: [...resourceIds], Tags: tagKeys.map((key) => ({ Key: key })) }),
      ),
    );
  }

  async modifyNetworkInterfaceGroups(networkInterfaceId: string, groupIds: readonly string[]): Promise<void> {
    if (groupIds.length === 0) {
      throw new AwsInvalidRequestError(
        `modifyNetworkInterfaceGroups(${networkInterfaceId}) needs at least one group ` +
          '(docs/clouds.md, "AWS attaching security groups")',
        "InvalidParameterValue",
      );
    }
    await this.call("ModifyNetworkInterfaceAttribute", () =>
      this.client.send(
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: networkInterfaceId,
          Groups: [...groupIds],
        }),
      ),
    );
  }

  async createManagedPrefixList(input: {
    readonly name: string;
    readonly addressFamily: "IPv4" | "IPv6";
    readonly maxEntries: number;
    readonly entries: readonly PrefixListEntry[];
    readonly tags: readonly AwsTag[];
  }): Promise<{ prefixListId: string; version: number }> {
    // CreateManagedPrefixList takes at most 100 entries too: the rest follow as modifications.
    const firstEntries = input.entries.slice(0, PREFIX_LIST_ENTRIES_PER_CALL);
    const output = await this.call("CreateManagedPrefixList", () =>
      this.client.send(
        new CreateManagedPrefixListCommand({
          PrefixListName: input.name,
          AddressFamily: input.addressFamily,
          MaxEntries: input.maxEntries,
          Entries: firstEntries.length > 0 ? firstEntries.map((entry) => ({ ...entry })) : undefined,
          TagSpecifications: tagSpecifications("prefix-list", input.tags),
          ClientToken: prefixListClientToken(input),
        }),
      ),
    );
    const prefixListId = requireField(
      output.PrefixList?.PrefixListId,
      "CreateManagedPrefixList",
      "PrefixListId",
    );
    const version = await this.settledVersion(prefixListId, undefined);
    const remaining = input.entries.slice(PREFIX_LIST_ENTRIES_PER_CALL);
    if (remaining.length === 0) return { prefixListId, version };
    const modified = await this.modifyManagedPrefixList({
      prefixListId,
      currentVersion: version,
      addEntries: remaining,
      removeCidrs: [],
    });
    return { prefixListId, version: modified.version };
  }

  /**
   * In calls of at most 100 additions and 100 removals, each with the version the previous one
   * produced. AWS answers a modification with the list still `modify-in-progress` (and its old
   * version), and refuses the next one until it is done: so each call waits for the new version.
   */
  async modifyManagedPrefixList(input: {
    readonly prefixListId: string;
    readonly currentVersion: number;
    readonly addEntries: readonly PrefixListEntry[];
    readonly removeCidrs: readonly string[];
  }): Promise<{ version: number }> {
    let version = input.currentVersion;
    for (const batch of prefixListBatches(input.addEntries, input.removeCidrs)) {
      const currentVersion = version;
      await this.call("ModifyManagedPrefixList", () =>
        this.client.send(
          new ModifyManagedPrefixListCommand({
            PrefixListId: input.prefixListId,
            CurrentVersion: currentVersion,
            AddEntries:
              batch.addEntries.length > 0 ? batch.addEntries.map((entry) => ({ ...entry })) : undefined,
            RemoveEntries:
              batch.removeCidrs.length > 0 ? batch.removeCidrs.map((cidr) => ({ Cidr: cidr })) : undefined,
          }),
        ),
      );
      version = await this.settledVersion(input.prefixListId, currentVersion);
    }
    return { version };
  }

  async deleteManagedPrefixList(prefixListId: string): Promise<void> {
    await this.idempotentDelete("DeleteManagedPrefixList", "InvalidPrefixListID.NotFound", () =>
      this.client.send(new DeleteManagedPrefixListCommand({ PrefixListId: prefixListId })),
    );
  }

  /** A delete of what is already gone succeeds (see the AwsApi contract). */
  private async idempotentDelete(operation: string, goneCode: string, send: () => Promise<unknown>) {
    try {
      await send();
    } catch (error) {
      if (errorCode(error) === goneCode) return;
      throw toAwsError(error, operation);
    }
  }

  /** account/region, for naming an object in a finding. */
  private where(): string {
    return `${this.location.account}/${this.location.region}`;
  }

  private pageSize(least: number, most: number): number {
    return Math.min(most, Math.max(least, this.settings.pageSize));
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw toAwsError(error, operation);
    }
  }

  private async collect<Page, Item>(
    operation: string,
    pages: AsyncIterable<Page>,
    items: (page: Page) => Item[],
  ): Promise<Item[]> {
    return this.call(operation, async () => {
      const all: Item[] = [];
      for await (const page of pages) all.push(...items(page));
      return all;
    });
  }

  private async describeSdkPrefixLists(filters: readonly Ec2Filter[]): Promise<SdkManagedPrefixList[]> {
    const pages = paginateDescribeManagedPrefixLists(
      { client: this.client, pageSize: this.pageSize(1, 100) },
      { Filters: sdkFilters("DescribeManagedPrefixLists", filters) },
    );
    return this.collect("DescribeManagedPrefixLists", pages, (page) => page.PrefixLists ?? []);
  }

  /** Authorize/revoke where `toleratedCode` means "already so": retried rule by rule when a batch hits it. */
  private async idempotentRuleChange(
    operation: string,
    toleratedCode: string,
    permissions: readonly IpPermission[],
    send: (batch: readonly IpPermission[]) => Promise<unknown>,
  ): Promise<void> {
    if (permissions.length === 0) return;
    const sendTolerating = async (batch: readonly IpPermission[]): Promise<boolean> => {
      try {
        await send(batch);
        return true;
      } catch (error) {
        if (errorCode(error) === toleratedCode) return false;
        throw toAwsError(error, operation);
      }
    };
    if (await sendTolerating(permissions)) return;
    const rules = singleRulePermissions(permissions);
    if (rules.length <= 1) return;
    for (const rule of rules) await sendTolerating([rule]);
  }

  /**
   * Polls until the list has left its *-in-progress state (and, after a modification, shows a
   * version beyond `previousVersion`: describe is eventually consistent), and returns its version.
   */
  private async settledVersion(prefixListId: string, previousVersion: number | undefined): Promise<number> {
    const deadline = Date.now() + this.settings.settleTimeoutMs;
    let interval = this.settings.settlePollIntervalMs;
    for (;;) {
      const [list] = await this.describeSdkPrefixLists([{ Name: "prefix-list-id", Values: [prefixListId] }]);
      const state = list?.State ?? "";
      if (state.endsWith("-failed")) {
        throw new AwsApiError(
          `prefix list ${prefixListId} is ${state}${list?.StateMessage ? `: ${list.StateMessage}` : ""}`,
          state,
        );
      }
      const settled = list !== undefined && !state.endsWith("-in-progress");
      const advanced = previousVersion === undefined || (list?.Version ?? 0) > previousVersion;
      if (settled && advanced) return requireField(list.Version, "DescribeManagedPrefixLists", "Version");
      if (Date.now() + interval > deadline) {
        const detail = list === undefined ? "is not visible" : `is still ${state} at version ${list.Version}`;
        const ErrorClass = list === undefined ? AwsNotFoundError : AwsApiError;
        throw new ErrorClass(`prefix list ${prefixListId} ${detail}`, "PrefixListNotSettled");
      }
      await sleep(interval);
      interval = Math.min(interval * 2, 5_000);
    }
  }
}

function sdkFilters(operation: string, filters: readonly Ec2Filter[]): Filter[] {
  // Unfiltered describes fall into EC2's smallest throttle bucket (docs/clouds.md,
  // "AWS API throttling").
  if (filters.length === 0) {
    throw new AwsInvalidRequestError(`${operation} needs at least one filter`, "MissingParameter");
  }
  return filters.map((filter) => ({ Name: filter.Name, Values: [...filter.Values] }));
}

function sdkTags(tags: readonly AwsTag[]): SdkTag[] {
  return tags.map((tag) => ({ Key: tag.Key, Value: tag.Value }));
}

function tagSpecifications(resourceType: "security-group" | "prefix-list", tags: readonly AwsTag[]) {
  return tags.length > 0 ? [{ ResourceType: resourceType, Tags: sdkTags(tags) }] : undefined;
}

function requireField<T>(value: T | undefined, operation: string, field: string): T {
  if (value === undefined) throw new AwsApiError(`${operation} returned no ${field}`, "MalformedResponse");
  return value;
}

/**
 * The same create request always carries the same token, so a create retried after a lost
 * answer returns the list the first attempt made instead of a second one. Derived from the name
 * and the rest of the request: a different request under the same name is a new list, not an
 * IdempotentParameterMismatch.
 */
function prefixListClientToken(input: {
  readonly name: string;
  readonly addressFamily: string;
  readonly maxEntries: number;
  readonly entries: readonly PrefixListEntry[];
  readonly tags: readonly AwsTag[];
}): string {
  const request = [input.name, input.addressFamily, input.maxEntries, input.entries, input.tags];
  return `segsync-${createHash("sha256").update(JSON.stringify(request)).digest("hex").slice(0, 48)}`;
}
