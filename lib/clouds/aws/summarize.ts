/**
 * AWS operations as people read them in a plan: one line per object, and the rules and entries
 * each write adds or removes (docs/reviewing-plans.md). Group and prefix-list ids are given by
 * name where the state read has them, so that a reviewer sees which identity a rule admits.
 */
import type { OperationSummary } from "../provider.js";
import { type AwsState, type IpPermission, locationKey } from "./model.js";
import type { AwsOperation, GroupRef, PrefixListRef, RuleSpec } from "./operations.js";

/** Names by id of the groups and prefix lists of one location. */
interface Names {
  group(id: string): string;
  prefixList(id: string): string;
}

function namesIn(state: AwsState, operation: AwsOperation): Names {
  const region = state.find((r) => locationKey(r) === locationKey(operation.location));
  const groups = new Map(region?.securityGroups.map((g) => [g.GroupId, g.GroupName]) ?? []);
  const lists = new Map(region?.managedPrefixLists.map((p) => [p.PrefixListId, p.PrefixListName]) ?? []);
  return {
    group: (id) => groups.get(id) ?? id,
    prefixList: (id) => lists.get(id) ?? id,
  };
}

function ports(protocol: string, fromPort: number | undefined, toPort: number | undefined): string {
  if (protocol === "-1") return "all traffic";
  const name = protocol === "58" ? "icmpv6" : protocol;
  if (fromPort === undefined || fromPort === -1) return name;
  return fromPort === toPort ? `${name}/${fromPort}` : `${name}/${fromPort}-${toPort}`;
}

/** `tcp/5432 from sg-1, 10.0.0.0/16` (`to` for an egress rule): ids as read, for explain's native verdicts. */
export function formatPermission(
  permission: IpPermission,
  names?: Names,
  word: "from" | "to" = "from",
): string {
  return `${ports(permission.IpProtocol, permission.FromPort, permission.ToPort)} ${word} ${permissionSources(permission, names).join(", ")}`;
}

function permissionSources(permission: IpPermission, names?: Names): string[] {
  return [
    ...permission.IpRanges.map((r) => r.CidrIp),
    ...permission.Ipv6Ranges.map((r) => r.CidrIpv6),
    ...permission.PrefixListIds.map((p) => names?.prefixList(p.PrefixListId) ?? p.PrefixListId),
    ...permission.UserIdGroupPairs.map((p) => names?.group(p.GroupId) ?? p.GroupId),
  ];
}

/** One line per source: a permission with three sources is three rules in the group's quota. */
function permissionLines(
  sign: "+" | "-",
  permissions: readonly IpPermission[],
  names: Names,
  word: "from" | "to" = "from",
): string[] {
  return permissions.flatMap((permission) =>
    permissionSources(permission, names).map(
      (source) =>
        `${sign} ${ports(permission.IpProtocol, permission.FromPort, permission.ToPort)} ${word} ${source}`,
    ),
  );
}

function refName(ref: GroupRef | PrefixListRef, names: Names): string {
  if ("create" in ref) return ref.create;
  return "groupId" in ref ? names.group(ref.groupId) : names.prefixList(ref.prefixListId);
}

function ruleLine(rule: RuleSpec, names: Names, word: "from" | "to" = "from"): string {
  const source =
    rule.source.kind === "cidr"
      ? rule.source.cidr
      : refName(rule.source.kind === "group" ? rule.source.group : rule.source.prefixList, names);
  return `+ ${ports(rule.protocol, rule.fromPort, rule.toPort)} ${word} ${source}`;
}

function ownRules(state: AwsState, operation: AwsOperation, groupId: string): readonly IpPermission[] {
  const region = state.find((r) => locationKey(r) === locationKey(operation.location));
  return region?.securityGroups.find((g) => g.GroupId === groupId)?.IpPermissions ?? [];
}

type OperationOf<K extends AwsOperation["kind"]> = Extract<AwsOperation, { kind: K }>;

/** How one kind of operation reads in a plan; `cloud` is added by summarizeAwsOperation. */
type Summarize<K extends AwsOperation["kind"]> = (
  operation: OperationOf<K>,
  names: Names,
  state: AwsState,
) => Omit<OperationSummary, "cloud">;

/** "eni-… of i-…", or what stands for the instance when the ENI is attached to none. */
function interfaceObject(operation: OperationOf<"addInterfaceGroups" | "setInterfaceGroups">): string {
  return operation.workload === ""
    ? `${operation.networkInterfaceId} (attached to no instance)`
    : `${operation.networkInterfaceId} of ${operation.workload}`;
}

const SUMMARIES: { readonly [K in AwsOperation["kind"]]: Summarize<K> } = {
  createPrefixList: (operation) => ({
    action: "create",
    objectType: "prefix list",
    object: operation.name,
    detail: `${operation.entries.length} entries, max ${operation.maxEntries}, for ${operation.identity}`,
    changes: operation.entries.map((entry) => `+ ${entry}`),
    narrows: false,
  }),
  createSecurityGroup: (operation) => ({
    action: "create",
    objectType: "security group",
    object: `${operation.name} in ${operation.vpcId}`,
    detail: `for ${operation.identity}`,
    narrows: false,
  }),
  authorizeIngress: (operation, names) => ({
    action: "update",
    objectType: "security group",
    object: operation.groupName,
    detail: `+${operation.rules.length} rule(s)`,
    changes: operation.rules.map((rule) => ruleLine(rule, names)),
    narrows: false,
  }),
  authorizeEgress: (operation, names) => ({
    action: "update",
    objectType: "security group",
    object: operation.groupName,
    detail: `+${operation.rules.length} egress rule(s)`,
    changes: operation.rules.map((rule) => ruleLine(rule, names, "to")),
    narrows: false,
  }),
  modifyPrefixList: (operation) => ({
    action: "update",
    objectType: "prefix list",
    object: operation.name,
    detail: `+${operation.add.length} −${operation.remove.length} entries`,
    changes: [...operation.add.map((e) => `+ ${e}`), ...operation.remove.map((e) => `- ${e}`)],
    narrows: operation.remove.length > 0,
  }),
  recordOriginalGroups: (operation, names) => ({
    action: "update",
    objectType: "network interface",
    object: operation.networkInterfaceId,
    detail: `record original groups ${operation.groupIds.map(names.group).join(" ")}`,
    narrows: false,
  }),
  addInterfaceGroups: (operation, names) => ({
    action: "update",
    objectType: "network interface",
    object: interfaceObject(operation),
    detail: `add ${operation.after
      .slice(operation.before.length)
      .map((ref) => refName(ref, names))
      .join(" ")} beside ${operation.before.map(names.group).join(" ")} (make before break)`,
    narrows: false,
  }),
  setInterfaceGroups: (operation, names) => ({
    action: "update",
    objectType: "network interface",
    object: interfaceObject(operation),
    detail: `groups ${operation.before.map(names.group).join(" ") || "none"} → ${operation.after.map((ref) => refName(ref, names)).join(" ")}`,
    narrows: true,
  }),
  revokeIngress: (operation, names) => ({
    action: "update",
    objectType: "security group",
    object: operation.groupName,
    detail: `−${operation.permissions.length} rule(s)${operation.toMakeRoom ? " (first, to make room)" : ""}`,
    changes: permissionLines("-", operation.permissions, names),
    narrows: true,
  }),
  revokeEgress: (operation, names) => ({
    action: "update",
    objectType: "security group",
    object: operation.groupName,
    detail: `−${operation.permissions.length} egress rule(s)${operation.toMakeRoom ? " (first, to make room)" : ""}`,
    changes: permissionLines("-", operation.permissions, names, "to"),
    narrows: "groupId" in operation.group,
  }),
  forgetOriginalGroups: (operation) => ({
    action: "update",
    objectType: "network interface",
    object: operation.networkInterfaceId,
    detail: "remove the original-groups record",
    narrows: false,
  }),
  deleteSecurityGroup: (operation, names, state) => ({
    action: "delete",
    objectType: "security group",
    object: `${operation.name} (${operation.groupId})`,
    detail: "no longer used",
    changes: permissionLines("-", ownRules(state, operation, operation.groupId), names),
    narrows: true,
  }),
  deletePrefixList: (operation) => ({
    action: "delete",
    objectType: "prefix list",
    object: `${operation.name} (${operation.prefixListId})`,
    detail: "no longer used",
    narrows: true,
  }),
};

export function summarizeAwsOperation(operation: AwsOperation, state: AwsState): OperationSummary {
  const summarize = SUMMARIES[operation.kind] as Summarize<typeof operation.kind>;
  return { cloud: "aws", ...summarize(operation, namesIn(state, operation), state) };
}
