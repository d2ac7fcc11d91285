import { applyEach, DependsOnRefusedError } from "../common/apply-each.js";
import type { AwsApiFactory } from "./api.js";
import {
  AwsAccessError,
  AwsDependencyViolationError,
  AwsInvalidRequestError,
  AwsNotFoundError,
  AwsQuotaExceededError,
} from "./errors.js";
import type { AwsLocation, IpPermission } from "./model.js";
import { locationKey } from "./model.js";
import type { AwsOperation, GroupRef, PrefixListRef, RuleSpec } from "./operations.js";
import { RULE_DESCRIPTION } from "./operations.js";
import {
  type AwsOwnership,
  ORIGINAL_GROUPS_SEAL_TAG_KEY,
  ORIGINAL_GROUPS_TAG_KEY,
  TAG_VALUE_LIMIT,
} from "./ownership.js";

export interface AppliedAwsOperation {
  readonly operation: AwsOperation;
  /** The id EC2 gave a created group or prefix list. */
  readonly createdId?: string;
}

/**
 * Executes a plan in its order, one EC2 call (or a few, for large prefix-list changes) per
 * operation, resolving groups and prefix lists created earlier in the same plan. A failure about
 * one object (refusesOneObject) is reported through onRefused, with the operations that need it,
 * and the rest goes on; any other failure stops the plan and is rethrown. What was applied stays
 * applied, and the next plan starts from there (every operation is safe to repeat).
 */
export async function applyAwsPlan(
  operations: readonly AwsOperation[],
  apiFor: AwsApiFactory,
  ownership: AwsOwnership,
  onApplied: (applied: AppliedAwsOperation) => void = () => {},
  onRefused?: (operation: AwsOperation, error: unknown) => void,
): Promise<AppliedAwsOperation[]> {
  const created = new Map<string, string>();
  /** Creates refused, and ENIs whose original groups could not be recorded (not to be replaced then). */
  const refused = new Set<string>();
  const applied: AppliedAwsOperation[] = [];
  const resolveCreated = (key: string) => {
    if (refused.has(key)) throw new DependsOnRefusedError(`needs ${key}, which was refused`);
    return resolve(created, key);
  };
  const groupId = (location: AwsLocation, ref: GroupRef) =>
    "groupId" in ref
      ? ref.groupId
      : resolveCreated(`${locationKey(location)}|group|${ref.vpcId}|${ref.create}`);
  const listId = (location: AwsLocation, ref: PrefixListRef) =>
    "prefixListId" in ref ? ref.prefixListId : resolveCreated(`${locationKey(location)}|list|${ref.create}`);
  const hooks = {
    onApplied: () => {},
    ...(onRefused === undefined
      ? {}
      : {
          onRefused: (operation: AwsOperation, error: unknown) => {
            const key = refusedKey(operation);
            if (key !== undefined) refused.add(key);
            onRefused(operation, error);
          },
        }),
  };

  await applyEach(
    operations,
    async (operation) => {
      const api = apiFor(operation.location);
      const where = locationKey(operation.location);
      let createdId: string | undefined;
      switch (operation.kind) {
        case "createPrefixList": {
          const result = await api.createManagedPrefixList({
            name: operation.name,
            addressFamily: operation.addressFamily,
            maxEntries: operation.maxEntries,
            entries: operation.entries.map((Cidr) => ({ Cidr, Description: RULE_DESCRIPTION })),
            tags: ownership.prefixListTags(operation.identity),
          });
          createdId = result.prefixListId;
          // A list's name is not unique, so its seal names its id, which exists only now. Should
          // this call fail, the list stays unsealed: reported and never used (docs/trust-model.md).
          await api.createTags([createdId], [ownership.prefixListSeal(operation.location, createdId)]);
          created.set(`${where}|list|${operation.name}`, createdId);
          break;
        }
        case "createSecurityGroup": {
          const result = await api.createSecurityGroup({
            vpcId: operation.vpcId,
            groupName: operation.name,
            description: operation.description,
            tags: ownership.groupTags(
              operation.location,
              operation.vpcId,
              operation.name,
              operation.identity,
            ),
          });
          createdId = result.groupId;
          created.set(`${where}|group|${operation.vpcId}|${operation.name}`, createdId);
          break;
        }
        case "authorizeIngress":
          await api.authorizeIngress(
            groupId(operation.location, operation.group),
            toPermissions(
              operation.rules,
              (ref) => groupId(operation.location, ref),
              (ref) => listId(operation.location, ref),
            ),
          );
          break;
        case "modifyPrefixList":
          await api.modifyManagedPrefixList({
            prefixListId: operation.prefixListId,
            currentVersion: operation.currentVersion,
            addEntries: operation.add.map((Cidr) => ({ Cidr, Description: RULE_DESCRIPTION })),
            removeCidrs: operation.remove,
          });
          break;
        case "recordOriginalGroups": {
          const value = operation.groupIds.join(" ");
          if (value.length > TAG_VALUE_LIMIT) {
            throw new AwsInvalidRequestError(
              `${operation.networkInterfaceId} has too many groups to record in one tag (${value.length} > ${TAG_VALUE_LIMIT} characters); not replacing them`,
              "TagValueTooLong",
            );
          }
          await api.createTags(
            [operation.networkInterfaceId],
            ownership.recordTags(operation.location, operation.networkInterfaceId, operation.groupIds),
          );
          break;
        }
        case "addInterfaceGroups":
        case "setInterfaceGroups":
          if (refused.has(`${where}|record|${operation.networkInterfaceId}`))
            throw new DependsOnRefusedError(
              `${operation.networkInterfaceId}: its original groups could not be recorded, so they are not replaced`,
            );
          await api.modifyNetworkInterfaceGroups(
            operation.networkInterfaceId,
            operation.after.map((ref) => groupId(operation.location, ref)),
          );
          break;
        case "revokeIngress":
          await api.revokeIngress(operation.groupId, operation.permissions);
          break;
        case "forgetOriginalGroups":
          await api.deleteTags(
            [operation.networkInterfaceId],
            [ORIGINAL_GROUPS_TAG_KEY, ORIGINAL_GROUPS_SEAL_TAG_KEY],
          );
          break;
        case "deleteSecurityGroup":
          await api.deleteSecurityGroup(operation.groupId);
          break;
        case "deletePrefixList":
          await api.deleteManagedPrefixList(operation.prefixListId);
          break;
      }
      const record = createdId === undefined ? { operation } : { operation, createdId };
      applied.push(record);
      onApplied(record);
    },
    hooks,
    refusesOneObject,
  );
  return applied;
}

/** EC2 refusing one request about one object: retrying the same request cannot help. */
export function refusesOneObject(error: unknown): boolean {
  return (
    error instanceof AwsNotFoundError ||
    error instanceof AwsInvalidRequestError ||
    error instanceof AwsQuotaExceededError ||
    error instanceof AwsDependencyViolationError ||
    error instanceof AwsAccessError
  );
}

/** What later operations of the plan need from this one, if it is refused. */
function refusedKey(operation: AwsOperation): string | undefined {
  const where = locationKey(operation.location);
  switch (operation.kind) {
    case "createSecurityGroup":
      return `${where}|group|${operation.vpcId}|${operation.name}`;
    case "createPrefixList":
      return `${where}|list|${operation.name}`;
    case "recordOriginalGroups":
      return `${where}|record|${operation.networkInterfaceId}`;
    default:
      return undefined;
  }
}

function resolve(created: ReadonlyMap<string, string>, key: string): string {
  const id = created.get(key);
  if (id === undefined)
    throw new TypeError(`the plan uses ${key} before creating it: operations are out of order`);
  return id;
}

/** Rules with one protocol and port range share one IpPermission, as EC2 groups them. */
function toPermissions(
  rules: readonly RuleSpec[],
  groupId: (ref: GroupRef) => string,
  listId: (ref: PrefixListRef) => string,
): IpPermission[] {
  const byPorts = new Map<string, { -readonly [K in keyof IpPermission]: IpPermission[K] }>();
  for (const rule of rules) {
    const key = `${rule.protocol}|${rule.fromPort ?? ""}|${rule.toPort ?? ""}`;
    let permission = byPorts.get(key);
    if (!permission) {
      permission = {
        IpProtocol: rule.protocol,
        ...(rule.fromPort === undefined ? {} : { FromPort: rule.fromPort, ToPort: rule.toPort }),
        IpRanges: [],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      };
      byPorts.set(key, permission);
    }
    const description = { Description: RULE_DESCRIPTION };
    const source = rule.source;
    if (source.kind === "cidr") {
      if (source.cidr.includes(":"))
        permission.Ipv6Ranges = [...permission.Ipv6Ranges, { CidrIpv6: source.cidr, ...description }];
      else permission.IpRanges = [...permission.IpRanges, { CidrIp: source.cidr, ...description }];
    } else if (source.kind === "group") {
      permission.UserIdGroupPairs = [
        ...permission.UserIdGroupPairs,
        { GroupId: groupId(source.group), ...description },
      ];
    } else {
      permission.PrefixListIds = [
        ...permission.PrefixListIds,
        { PrefixListId: listId(source.prefixList), ...description },
      ];
    }
  }
  return [...byPorts.values()];
}
