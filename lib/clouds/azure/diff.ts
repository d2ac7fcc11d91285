import { compareText } from "../../util/compare-text.js";
import {
  type CoverageIndex,
  coverageOf,
  hashOfOwnedName,
  identitiesHeldUnread,
  unreadUsers,
} from "./coverage.js";
import type { AzureDesired, DesiredNetworkInterface } from "./desired.js";
import {
  type AzureState,
  type NetworkInterface,
  type NetworkSecurityGroup,
  resourceId,
  type SecurityRule,
  sameResource,
} from "./model.js";
import { AZURE_OPERATION_ORDER, type AzureOperation } from "./operations.js";
import { type AzureOwnership, tagOf, withoutTags } from "./ownership.js";
import { IDENTITY_TAG_KEY, ORIGINAL_NSG_SEAL_TAG_KEY, ORIGINAL_NSG_TAG_KEY } from "./ownership-keys.js";

/**
 * Desired vs actual → the fewest ARM writes, make-before-break. Only owned NSGs and ASGs are
 * written or deleted, and NICs only when the desired state lists them (and then only their NSG
 * association, owned ASG memberships and segsync's tags). Pure; applying and diffing again gives [].
 */
export function diffAzure(
  desired: AzureDesired,
  actual: AzureState,
  ownership: AzureOwnership,
): AzureOperation[] {
  const read = indexActual(actual, ownership);
  const operations: AzureOperation[] = [
    ...asgCreations(desired, read.asgs),
    ...nsgWrites(desired, read.nsgs, ownership),
  ];
  // ASGs named by the rules written in this plan: a NIC joining one of them joins first.
  const namedByWrites = new Set(
    referencedAsgs(
      operations.flatMap((op) => (op.kind === "putNetworkSecurityGroup" ? op.securityRules : [])),
    ),
  );
  const { operations: nicOperations, nicsAfter } = nicWrites(desired, read, namedByWrites, ownership);
  operations.push(...nicOperations);
  // What a change's read took only to reference is never deleted (coverage.ts).
  const coverage = coverageOf(actual);
  const deletable = <T extends { readonly id: string }>(resource: T) =>
    coverage?.referenceOnly.has(resource.id.toLowerCase()) !== true;
  const held = coverage === undefined ? new Set<string>() : identitiesHeldUnread(read.ownedNsgs, coverage);
  const asgs = new Map(
    [...read.asgs].filter(([, asg]) => deletable(asg) && !held.has(hashOfOwnedName(asg.name))),
  );
  operations.push(...deletions(desired, read.ownedNsgs.filter(deletable), asgs, nicsAfter, coverage));
  const rank = (op: AzureOperation) => AZURE_OPERATION_ORDER.indexOf(op.kind);
  return operations
    .map((op, position) => ({ op, position }))
    .sort((a, b) => rank(a.op) - rank(b.op) || a.position - b.position)
    .map(({ op }) => op);
}

type OwnedAsg = { id: string; name: string; resourceGroup: string; subscription: string };

/** What was read, by lower-cased id (ARM ids are case-insensitive); only owned ASGs are kept. */
interface ActualIndex {
  readonly nsgs: ReadonlyMap<string, NetworkSecurityGroup>;
  readonly asgs: ReadonlyMap<string, OwnedAsg>;
  readonly nics: ReadonlyMap<string, NetworkInterface>;
  readonly ownedNsgs: readonly NetworkSecurityGroup[];
}

function indexActual(actual: AzureState, ownership: AzureOwnership): ActualIndex {
  const nsgs = new Map<string, NetworkSecurityGroup>();
  const asgs = new Map<string, OwnedAsg>();
  const nics = new Map<string, NetworkInterface>();
  const ownedNsgs: NetworkSecurityGroup[] = [];
  for (const subscription of actual) {
    for (const nsg of subscription.networkSecurityGroups) {
      nsgs.set(nsg.id.toLowerCase(), nsg);
      if (ownership.owns(nsg)) ownedNsgs.push(nsg);
    }
    for (const asg of subscription.applicationSecurityGroups) {
      if (ownership.owns(asg)) {
        asgs.set(asg.id.toLowerCase(), { ...asg, subscription: subscription.subscription });
      }
    }
    for (const nic of subscription.networkInterfaces) nics.set(nic.id.toLowerCase(), nic);
  }
  return { nsgs, asgs, nics, ownedNsgs };
}

/** The wanted ASGs that do not exist yet. */
function asgCreations(desired: AzureDesired, asgs: ReadonlyMap<string, OwnedAsg>): AzureOperation[] {
  const operations: AzureOperation[] = [];
  for (const asg of desired.applicationSecurityGroups) {
    const id = resourceId(asg.subscription, asg.resourceGroup, "applicationSecurityGroups", asg.name);
    if (asgs.has(id.toLowerCase())) continue;
    const { subscription, resourceGroup, name, location, identity } = asg;
    operations.push({
      subscription,
      kind: "putApplicationSecurityGroup",
      resourceGroup,
      name,
      location,
      identity,
    });
  }
  return operations;
}

/** A put for each wanted NSG that is missing or differs in rules, identity tag, ownership or flushing. */
function nsgWrites(
  desired: AzureDesired,
  nsgs: ReadonlyMap<string, NetworkSecurityGroup>,
  ownership: AzureOwnership,
): AzureOperation[] {
  const operations: AzureOperation[] = [];
  for (const nsg of desired.networkSecurityGroups) {
    const id = resourceId(
      nsg.subscription,
      nsg.resourceGroup,
      "networkSecurityGroups",
      nsg.name,
    ).toLowerCase();
    const existing = nsgs.get(id);
    const change = ruleChange(existing?.securityRules ?? [], nsg.securityRules);
    const tagsMatch =
      existing !== undefined &&
      tagOf(existing.tags, IDENTITY_TAG_KEY) === nsg.identity &&
      ownership.owns(existing);
    const flushMatches = (existing?.flushConnection ?? false) === nsg.flushConnection;
    if (existing && change.added + change.removed + change.changed === 0 && tagsMatch && flushMatches)
      continue;
    operations.push({
      subscription: nsg.subscription,
      kind: "putNetworkSecurityGroup",
      resourceGroup: nsg.resourceGroup,
      name: nsg.name,
      location: nsg.location,
      identity: nsg.identity,
      flushConnection: nsg.flushConnection,
      securityRules: nsg.securityRules,
      ...(existing?.etag === undefined ? {} : { ifMatch: existing.etag }),
      change: {
        created: existing === undefined,
        ...change,
        ...(existing === undefined || flushMatches ? {} : { flushConnection: nsg.flushConnection }),
      },
    });
  }
  return operations;
}

/** The NIC writes, and every NIC as it will be once they are applied (what keeps an NSG or ASG in use). */
function nicWrites(
  desired: AzureDesired,
  read: ActualIndex,
  namedByWrites: ReadonlySet<string>,
  ownership: AzureOwnership,
): { operations: AzureOperation[]; nicsAfter: Map<string, NetworkInterface> } {
  const operations: AzureOperation[] = [];
  const nicsAfter = new Map(read.nics);
  for (const wanted of desired.networkInterfaces) {
    const nic = read.nics.get(wanted.id.toLowerCase());
    if (!nic) continue;
    const after = desiredNic(nic, wanted, read.asgs, read.nsgs, ownership);
    nicsAfter.set(nic.id.toLowerCase(), after);
    const before = memberships(nic);
    const added = memberships(after).filter((id) => !before.some((b) => sameResource(b, id)));
    // Rules written in this plan may reference these ASGs: join them first, so no allowed flow waits.
    if (added.some((id) => namedByWrites.has(id.toLowerCase()))) {
      const joined = joinedFirst(nic, wanted);
      operations.push({
        subscription: wanted.subscription,
        kind: "joinApplicationSecurityGroups",
        nic: joined,
        workload: wanted.workload,
        added,
      });
      if (sameNic(joined, after)) continue;
    }
    if (!sameNic(nic, after)) {
      operations.push({
        subscription: wanted.subscription,
        kind: "putNetworkInterface",
        nic: after,
        workload: wanted.workload,
        before: {
          ...(nic.networkSecurityGroup === undefined
            ? {}
            : { networkSecurityGroup: nic.networkSecurityGroup.id }),
          applicationSecurityGroups: before,
        },
      });
    }
  }
  return { operations, nicsAfter };
}

/** The NIC with its wanted owned ASGs added and nothing taken away: the make-before-break step. */
function joinedFirst(nic: NetworkInterface, wanted: DesiredNetworkInterface): NetworkInterface {
  return withMemberships(nic, (configuration) => [
    ...configuration.applicationSecurityGroups.map((a) => a.id),
    ...(wanted.ownedApplicationSecurityGroupIds[configuration.name] ?? []).filter(
      (id) => !configuration.applicationSecurityGroups.some((a) => sameResource(a.id, id)),
    ),
  ]);
}

function deletions(
  desired: AzureDesired,
  ownedNsgs: readonly NetworkSecurityGroup[],
  asgs: ReadonlyMap<string, { id: string; name: string; resourceGroup: string; subscription: string }>,
  nicsAfter: ReadonlyMap<string, NetworkInterface>,
  coverage: CoverageIndex | undefined,
): AzureOperation[] {
  const wantedNsgs = new Set(
    desired.networkSecurityGroups.map((n) =>
      resourceId(n.subscription, n.resourceGroup, "networkSecurityGroups", n.name).toLowerCase(),
    ),
  );
  const wantedAsgs = new Set(
    desired.applicationSecurityGroups.map((a) =>
      resourceId(a.subscription, a.resourceGroup, "applicationSecurityGroups", a.name).toLowerCase(),
    ),
  );
  const associated = associatedNsgs(nicsAfter, ownedNsgs, coverage);
  const usedAsgs = new Set(
    [...nicsAfter.values()].flatMap((nic) => memberships(nic).map((id) => id.toLowerCase())),
  );
  for (const asg of referencedAsgs(desired.networkSecurityGroups.flatMap((n) => n.securityRules)))
    usedAsgs.add(asg);
  const operations: AzureOperation[] = [];
  for (const nsg of ownedNsgs) {
    const id = nsg.id.toLowerCase();
    if (wantedNsgs.has(id)) continue;
    if (associated.has(id)) {
      // Kept as it is for a NIC segsync leaves alone: so are the ASGs its rules name.
      for (const asg of referencedAsgs(nsg.securityRules)) usedAsgs.add(asg);
      continue;
    }
    const subscription = nsg.id.split("/")[2] ?? "";
    operations.push({
      subscription,
      kind: "deleteNetworkSecurityGroup",
      resourceGroup: nsg.resourceGroup,
      name: nsg.name,
      id: nsg.id,
    });
  }
  for (const [id, asg] of [...asgs].sort(([a], [b]) => compareText(a, b))) {
    if (wantedAsgs.has(id) || usedAsgs.has(id)) continue;
    operations.push({
      subscription: asg.subscription,
      kind: "deleteApplicationSecurityGroup",
      resourceGroup: asg.resourceGroup,
      name: asg.name,
      id: asg.id,
    });
  }
  return operations;
}

/** The NSGs (lowercase ids) some NIC uses once the plan is applied. */
function associatedNsgs(
  nicsAfter: ReadonlyMap<string, NetworkInterface>,
  ownedNsgs: readonly NetworkSecurityGroup[],
  coverage: CoverageIndex | undefined,
): Set<string> {
  const associated = new Set(
    [...nicsAfter.values()].flatMap((nic) =>
      nic.networkSecurityGroup ? [nic.networkSecurityGroup.id.toLowerCase()] : [],
    ),
  );
  // A change's read: NICs it did not read that use an NSG keep it in use, as they would a whole plan's.
  if (coverage !== undefined)
    for (const nsg of ownedNsgs)
      if (unreadUsers(nsg, coverage).length > 0) associated.add(nsg.id.toLowerCase());
  return associated;
}

function referencedAsgs(rules: readonly SecurityRule[]): string[] {
  return rules.flatMap((rule) =>
    [
      ...(rule.sourceApplicationSecurityGroups ?? []),
      ...(rule.destinationApplicationSecurityGroups ?? []),
    ].map((a) => a.id.toLowerCase()),
  );
}

/** The NIC with the desired NSG, owned ASG memberships (others kept) and segsync's tags. */
function desiredNic(
  nic: NetworkInterface,
  wanted: DesiredNetworkInterface,
  ownedAsgs: ReadonlyMap<string, unknown>,
  nsgs: ReadonlyMap<string, NetworkSecurityGroup>,
  ownership: AzureOwnership,
): NetworkInterface {
  const { networkSecurityGroup: _current, ...rest } = nic;
  const recordKeys = [ORIGINAL_NSG_TAG_KEY, ORIGINAL_NSG_SEAL_TAG_KEY];
  let tags: Record<string, string> = { ...nic.tags };
  // A record segsync did not seal is no record: recording writes over it.
  if (wanted.originalNsgTag === "record" && ownership.recordedNsg(nic) === undefined) {
    const current = nic.networkSecurityGroup?.id;
    const currentNsg = current === undefined ? undefined : nsgs.get(current.toLowerCase());
    const owned = currentNsg !== undefined && ownership.owns(currentNsg);
    tags = {
      ...withoutTags(tags, recordKeys),
      ...ownership.recordTags(nic.id, current === undefined || owned ? undefined : current),
    };
  }
  if (wanted.originalNsgTag === "remove") tags = withoutTags(tags, recordKeys);
  const withGroups = withMemberships({ ...rest, tags }, (configuration) => [
    ...configuration.applicationSecurityGroups
      .map((a) => a.id)
      .filter((id) => !ownedAsgs.has(id.toLowerCase())),
    ...(wanted.ownedApplicationSecurityGroupIds[configuration.name] ?? []),
  ]);
  return wanted.networkSecurityGroupId === undefined
    ? withGroups
    : { ...withGroups, networkSecurityGroup: { id: wanted.networkSecurityGroupId } };
}

function withMemberships(
  nic: NetworkInterface,
  groups: (configuration: NetworkInterface["ipConfigurations"][number]) => string[],
): NetworkInterface {
  return {
    ...nic,
    ipConfigurations: nic.ipConfigurations.map((configuration) => ({
      ...configuration,
      applicationSecurityGroups: groups(configuration).map((id) => ({ id })),
    })),
  };
}

function memberships(nic: NetworkInterface): string[] {
  return nic.ipConfigurations.flatMap((c) => c.applicationSecurityGroups.map((a) => a.id));
}

function sameNic(a: NetworkInterface, b: NetworkInterface): boolean {
  if (!sameResource(a.networkSecurityGroup?.id ?? "-", b.networkSecurityGroup?.id ?? "-")) return false;
  if (JSON.stringify(sortedEntries(a.tags)) !== JSON.stringify(sortedEntries(b.tags))) return false;
  return a.ipConfigurations.every((configuration, i) => {
    const other = b.ipConfigurations[i];
    const left = configuration.applicationSecurityGroups.map((g) => g.id.toLowerCase()).sort();
    const right = (other?.applicationSecurityGroups ?? []).map((g) => g.id.toLowerCase()).sort();
    return JSON.stringify(left) === JSON.stringify(right);
  });
}

function sortedEntries(tags: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(tags).sort(([a], [b]) => compareText(a, b));
}

/** Rule-level difference between two rule lists, matched by name. */
export function ruleDifference(current: readonly SecurityRule[], wanted: readonly SecurityRule[]) {
  // Rule names compare as ARM compares them: ignoring case.
  const byName = new Map(current.map((rule) => [rule.name.toLowerCase(), rule]));
  const added: SecurityRule[] = [];
  const changed: { before: SecurityRule; after: SecurityRule }[] = [];
  for (const rule of wanted) {
    const existing = byName.get(rule.name.toLowerCase());
    if (!existing) added.push(rule);
    else if (ruleText(existing) !== ruleText(rule)) changed.push({ before: existing, after: rule });
  }
  const wantedNames = new Set(wanted.map((rule) => rule.name.toLowerCase()));
  const removed = current.filter((rule) => !wantedNames.has(rule.name.toLowerCase()));
  return { added, removed, changed };
}

function ruleChange(current: readonly SecurityRule[], wanted: readonly SecurityRule[]) {
  const { added, removed, changed } = ruleDifference(current, wanted);
  return { added: added.length, removed: removed.length, changed: changed.length };
}

/** A rule's meaning, independent of how ARM orders lists or spells ids. */
function ruleText(rule: SecurityRule): string {
  const list = (values: readonly string[] | undefined, single: string | undefined) =>
    [...(values ?? []), ...(single === undefined || single === "" ? [] : [single])]
      .map((v) => v.toLowerCase())
      .sort();
  return JSON.stringify([
    rule.priority,
    rule.direction,
    rule.access,
    rule.protocol,
    rule.description ?? "",
    list(rule.sourceAddressPrefixes, rule.sourceAddressPrefix),
    list(rule.sourcePortRanges, rule.sourcePortRange),
    list(
      (rule.sourceApplicationSecurityGroups ?? []).map((a) => a.id),
      undefined,
    ),
    list(rule.destinationAddressPrefixes, rule.destinationAddressPrefix),
    list(rule.destinationPortRanges, rule.destinationPortRange),
    list(
      (rule.destinationApplicationSecurityGroups ?? []).map((a) => a.id),
      undefined,
    ),
  ]);
}
