import { applyEach, DependsOnRefusedError } from "../common/apply-each.js";
import type { AwsApi, AwsApiFactory } from "./api.js";
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
import { type AwsOwnership, TAG_VALUE_LIMIT } from "./ownership.js";
import { ORIGINAL_GROUPS_SEAL_TAG_KEY, ORIGINAL_GROUPS_TAG_KEY } from "./ownership-keys.js";

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
  const run = planRun(ownership);
  const applied: AppliedAwsOperation[] = [];
  const hooks = {
    onApplied: () => {},
    ...(onRefused === undefined
      ? {}
      : {
          onRefused: (operation: AwsOperation, error: unknown) => {
            const key = refusedKey(operation);
            if (key !== undefined) run.refused.add(key);
            onRefused(operation, error);
          },
        }),
  };
  await applyEach(
    operations,
    async (operation) => {
      const createdId = await applyOperation(operation, apiFor(operation.location), run);
      const record = createdId === undefined ? { operation } : { operation, createdId };
      applied.push(record);
      onApplied(record);
    },
    hooks,
    refusesOneObject,
  );
  return applied;
}

/** What one plan's operations share while it runs: the ids created so far, and what was refused. */
interface PlanRun {
  readonly ownership: AwsOwnership;
  /** Ids EC2 gave groups and lists created earlier in the plan, by their `refusedKey`-style key. */
  readonly created: Map<string, string>;
  /** Creates refused, and ENIs whose original groups could not be recorded (not to be replaced then). */
  readonly refused: Set<string>;
  readonly groupId: (location: AwsLocation, ref: GroupRef) => string;
  readonly listId: (location: AwsLocation, ref: PrefixListRef) => string;
}

function planRun(ownership: AwsOwnership): PlanRun {
  const created = new Map<string, string>();
  const refused = new Set<string>();
  const resolveCreated = (key: string) => {
    if (refused.has(key)) throw new DependsOnRefusedError(`needs ${key}, which was refused`);
    return resolve(created, key);
  };
  return {
    ownership,
    created,
    refused,
    groupId: (location, ref) =>
      "groupId" in ref
        ? ref.groupId
        : resolveCreated(`${locationKey(location)}|group|${ref.vpcId}|${ref.create}`),
    listId: (location, ref) =>
      "prefixListId" in ref
        ? ref.prefixListId
        : resolveCreated(`${locationKey(location)}|list|${ref.create}`),
  };
}

type OperationOf<K extends AwsOperation["kind"]> = Extract<AwsOperation, { kind: K }>;

/** Applies one operation of a kind; returns the id EC2 gave what it created, if it created something. */
type ApplyStep<K extends AwsOperation["kind"]> = (
  operation: OperationOf<K>,
  api: AwsApi,
  run: PlanRun,
) => Promise<string | undefined>;

function applyOperation(operation: AwsOperation, api: AwsApi, run: PlanRun): Promise<string | undefined> {
  const step = APPLY_STEPS[operation.kind] as ApplyStep<typeof operation.kind>;
  return step(operation, api, run);
}

const APPLY_STEPS: { readonly [K in AwsOperation["kind"]]: ApplyStep<K> } = {
  createPrefixList,
  createSecurityGroup,
  authorizeIngress: async (operation, api, run) => {
    await api.authorizeIngress(
      run.groupId(operation.location, operation.group),
      permissionsOf(operation, run),
    );
    return undefined;
  },
  authorizeEgress: async (operation, api, run) => {
    await api.authorizeEgress(
      run.groupId(operation.location, operation.group),
      permissionsOf(operation, run),
    );
    return undefined;
  },
  modifyPrefixList: async (operation, api) => {
    await api.modifyManagedPrefixList({
      prefixListId: operation.prefixListId,
      currentVersion: operation.currentVersion,
      addEntries: operation.add.map((Cidr) => ({ Cidr, Description: RULE_DESCRIPTION })),
      removeCidrs: operation.remove,
    });
    return undefined;
  },
  recordOriginalGroups,
  addInterfaceGroups: setInterfaceGroups,
  setInterfaceGroups,
  revokeIngress: async (operation, api) => {
    await api.revokeIngress(operation.groupId, operation.permissions);
    return undefined;
  },
  revokeEgress: async (operation, api, run) => {
    await api.revokeEgress(run.groupId(operation.location, operation.group), operation.permissions);
    return undefined;
  },
  forgetOriginalGroups: async (operation, api) => {
    await api.deleteTags(
      [operation.networkInterfaceId],
      [ORIGINAL_GROUPS_TAG_KEY, ORIGINAL_GROUPS_SEAL_TAG_KEY],
    );
    return undefined;
  },
  deleteSecurityGroup: async (operation, api) => {
    await api.deleteSecurityGroup(operation.groupId);
    return undefined;
  },
  deletePrefixList: async (operation, api) => {
    await api.deleteManagedPrefixList(operation.prefixListId);
    return undefined;
  },
};

async function createPrefixList(
  operation: OperationOf<"createPrefixList">,
  api: AwsApi,
  run: PlanRun,
): Promise<string> {
  const result = await api.createManagedPrefixList({
    name: operation.name,
    addressFamily: operation.addressFamily,
    maxEntries: operation.maxEntries,
    entries: operation.entries.map((Cidr) => ({ Cidr, Description: RULE_DESCRIPTION })),
    tags: run.ownership.prefixListTags(operation.identity),
  });
  const createdId = result.prefixListId;
  // A list's name is not unique, so its seal names its id, which exists only now. Should
  // this call fail, the list stays unsealed: reported and never used (docs/trust-model.md).
  await api.createTags([createdId], [run.ownership.prefixListSeal(operation.location, createdId)]);
  run.created.set(`${locationKey(operation.location)}|list|${operation.name}`, createdId);
  return createdId;
}

async function createSecurityGroup(
  operation: OperationOf<"createSecurityGroup">,
  api: AwsApi,
  run: PlanRun,
): Promise<string> {
  const result = await api.createSecurityGroup({
    vpcId: operation.vpcId,
    groupName: operation.name,
    description: operation.description,
    tags: run.ownership.groupTags(operation.location, operation.vpcId, operation.name, operation.identity),
  });
  const createdId = result.groupId;
  run.created.set(`${locationKey(operation.location)}|group|${operation.vpcId}|${operation.name}`, createdId);
  return createdId;
}

async function recordOriginalGroups(
  operation: OperationOf<"recordOriginalGroups">,
  api: AwsApi,
  run: PlanRun,
): Promise<undefined> {
  const value = operation.groupIds.join(" ");
  if (value.length > TAG_VALUE_LIMIT) {
    throw new AwsInvalidRequestError(
      `${operation.networkInterfaceId} has too many groups to record in one tag (${value.length} > ${TAG_VALUE_LIMIT} characters); not replacing them`,
      "TagValueTooLong",
    );
  }
  await api.createTags(
    [operation.networkInterfaceId],
    run.ownership.recordTags(operation.location, operation.networkInterfaceId, operation.groupIds),
  );
  return undefined;
}

async function setInterfaceGroups(
  operation: OperationOf<"addInterfaceGroups" | "setInterfaceGroups">,
  api: AwsApi,
  run: PlanRun,
): Promise<undefined> {
  if (run.refused.has(`${locationKey(operation.location)}|record|${operation.networkInterfaceId}`))
    throw new DependsOnRefusedError(
      `${operation.networkInterfaceId}: its original groups could not be recorded, so they are not replaced`,
    );
  await api.modifyNetworkInterfaceGroups(
    operation.networkInterfaceId,
    operation.after.map((ref) => run.groupId(operation.location, ref)),
  );
  return undefined;
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

/** An authorize operation's rules as EC2 takes them, references resolved to the ids this run knows. */
function permissionsOf(
  operation: OperationOf<"authorizeIngress" | "authorizeEgress">,
  run: PlanRun,
): IpPermission[] {
  return toPermissions(
    operation.rules,
    (ref) => run.groupId(operation.location, ref),
    (ref) => run.listId(operation.location, ref),
  );
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
