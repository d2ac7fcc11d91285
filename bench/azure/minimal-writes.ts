/**
 * The fewest ARM write calls that take ARM from what it holds to what segsync wants, counted
 * without diff.ts: the yardstick for the writes the real pipeline issues per change.
 *
 * Before: desired-before (what the previous change materialized and applied), for the owned NSGs
 * and ASGs it lists; what ARM holds for everything else — owned NSGs and ASGs kept for NICs that
 * segsync leaves alone (a deallocated VM's, a destination that does not fit), and every NIC's
 * current NSG association, ASG memberships and tags. `azureMismatches` says whether ARM holds
 * desired-before as it should. After: desired-after, plus what must stay although it is not
 * wanted: an owned NSG still associated with a NIC that segsync leaves alone, the ASGs such an
 * NSG's rules name, the ASGs NICs remain members of, and ASGs any other NSG's rules name (ARM
 * refuses to delete an NSG or an ASG in use).
 *
 * One call each (ARM writes whole resources):
 * - owned ASG: create 1; gone: delete 1;
 * - owned NSG: create 1; kept: 1 PUT if its rules (compared by name and meaning) or its ownership
 *   and identity tags change; gone: delete 1;
 * - listed NIC: 1 PUT if its NSG association, its memberships of owned ASGs or segsync's
 *   original-NSG tag change (the NIC's other ASGs and tags stay as they are);
 * - make-before-break: a NIC that must join an owned ASG that an NSG written in the same plan
 *   references (as a source or a destination) joins it in a PUT of its own ahead of that NSG
 *   write, so that no flow the new rules allow waits for the membership; its other changes (the
 *   NSG association, which may need the NSG written first, the memberships it leaves, the tag)
 *   take one more PUT after the NSG writes. diff.ts does this on purpose (its
 *   joinApplicationSecurityGroups operations), so it is part of the minimal: 1 PUT when the join
 *   is all that changes, 2 otherwise.
 */
import type { AzureDesired, DesiredNetworkSecurityGroup } from "../../lib/clouds/azure/desired.js";
import type { AzureState, NetworkInterface, SecurityRule } from "../../lib/clouds/azure/model.js";
import { resourceId } from "../../lib/clouds/azure/model.js";
import { IDENTITY_TAG_KEY, ORIGINAL_NSG_TAG_KEY } from "../../lib/clouds/azure/ownership-keys.js";
import { AZURE_OWNERSHIP } from "../common/seals.js";

export interface AzureMinimalWrites {
  readonly total: number;
  /** By SimulatedArm method: what AZURE_WRITE_METHODS counts. */
  readonly byMethod: {
    readonly putApplicationSecurityGroup: number;
    readonly deleteApplicationSecurityGroup: number;
    /** Created, or rewritten because its rules or tags change. */
    readonly putNetworkSecurityGroup: number;
    readonly deleteNetworkSecurityGroup: number;
    /** Every NIC PUT, the make-before-break joins included. */
    readonly putNetworkInterface: number;
  };
  /** NICs that join ASGs in a PUT of their own ahead of the NSG writes. */
  readonly joins: number;
}

/** An owned NSG as ARM holds it: its custom rules and the identity its tags name (undefined: not tagged as owned). */
interface HeldNsg {
  readonly rules: readonly SecurityRule[];
  readonly identity: string | undefined;
}

interface Holdings {
  /** Lowercased id → the NSG. */
  readonly nsgs: ReadonlyMap<string, HeldNsg>;
  /** Lowercased ids of owned ASGs. */
  readonly asgs: ReadonlySet<string>;
  /** Lowercased id → the NIC. */
  readonly nics: ReadonlyMap<string, NetworkInterface>;
  /** ASGs (lowercased) that NSGs segsync does not own name in their rules. */
  readonly customerReferences: ReadonlySet<string>;
}

export function minimalAzureWrites(
  before: AzureDesired,
  after: AzureDesired,
  state: AzureState,
): AzureMinimalWrites {
  const held = holdings(before, state);
  let putApplicationSecurityGroup = 0;
  let deleteApplicationSecurityGroup = 0;
  let putNetworkSecurityGroup = 0;
  let deleteNetworkSecurityGroup = 0;
  let putNetworkInterface = 0;
  let joins = 0;

  // NSGs to write, and the ASGs their new rules name.
  const referencedByWrites = new Set<string>();
  for (const nsg of after.networkSecurityGroups) {
    const existing = held.nsgs.get(nsgIdOf(nsg));
    if (existing && existing.identity === identityTag(nsg) && sameRules(existing.rules, nsg.securityRules))
      continue;
    putNetworkSecurityGroup += 1;
    for (const asg of asgsNamedBy(nsg.securityRules)) referencedByWrites.add(asg);
  }

  // NICs, and what they leave associated and joined.
  const afterAsgs = new Set(after.applicationSecurityGroups.map(asgIdOf));
  const owned = new Set([...held.asgs, ...afterAsgs]);
  const listed = new Map(after.networkInterfaces.map((nic) => [nic.id.toLowerCase(), nic]));
  const associated = new Set<string>();
  const members = new Set<string>();
  for (const [id, nic] of held.nics) {
    const wanted = listed.get(id);
    if (!wanted) {
      if (nic.networkSecurityGroup) associated.add(nic.networkSecurityGroup.id.toLowerCase());
      for (const configuration of nic.ipConfigurations) {
        for (const asg of configuration.applicationSecurityGroups) members.add(asg.id.toLowerCase());
      }
      continue;
    }
    if (wanted.networkSecurityGroupId !== undefined)
      associated.add(wanted.networkSecurityGroupId.toLowerCase());
    const joined = new Set<string>();
    let left = false;
    for (const configuration of nic.ipConfigurations) {
      const current = configuration.applicationSecurityGroups.map((asg) => asg.id.toLowerCase());
      const target = new Set([
        ...current.filter((asg) => !owned.has(asg)),
        ...(wanted.ownedApplicationSecurityGroupIds[configuration.name] ?? []).map((asg) =>
          asg.toLowerCase(),
        ),
      ]);
      for (const asg of target) {
        members.add(asg);
        if (!current.includes(asg)) joined.add(asg);
      }
      if (current.some((asg) => !target.has(asg))) left = true;
    }
    const nsgChanges =
      (nic.networkSecurityGroup?.id.toLowerCase() ?? "") !==
      (wanted.networkSecurityGroupId?.toLowerCase() ?? "");
    const tagged = nic.tags[ORIGINAL_NSG_TAG_KEY] !== undefined;
    const tagChanges =
      (wanted.originalNsgTag === "record" && !tagged) || (wanted.originalNsgTag === "remove" && tagged);
    const rest = nsgChanges || tagChanges || left;
    if ([...joined].some((asg) => referencedByWrites.has(asg))) {
      joins += 1;
      putNetworkInterface += rest ? 2 : 1;
    } else if (rest || joined.size > 0) {
      putNetworkInterface += 1;
    }
  }

  // Deletions: what is no longer wanted and no longer in use.
  const afterNsgs = new Set(after.networkSecurityGroups.map(nsgIdOf));
  const used = new Set([...members, ...held.customerReferences]);
  for (const nsg of after.networkSecurityGroups)
    for (const asg of asgsNamedBy(nsg.securityRules)) used.add(asg);
  for (const [id, nsg] of held.nsgs) {
    if (afterNsgs.has(id)) continue;
    if (associated.has(id)) {
      for (const asg of asgsNamedBy(nsg.rules)) used.add(asg);
      continue;
    }
    deleteNetworkSecurityGroup += 1;
  }
  for (const asg of held.asgs) if (!afterAsgs.has(asg) && !used.has(asg)) deleteApplicationSecurityGroup += 1;
  for (const asg of afterAsgs) if (!held.asgs.has(asg)) putApplicationSecurityGroup += 1;

  const byMethod = {
    putApplicationSecurityGroup,
    deleteApplicationSecurityGroup,
    putNetworkSecurityGroup,
    deleteNetworkSecurityGroup,
    putNetworkInterface,
  };
  return { total: Object.values(byMethod).reduce((sum, count) => sum + count, 0), byMethod, joins };
}

/**
 * Desired objects that ARM does not hold exactly as desired (an owned NSG missing or with other
 * rules or tags, an owned ASG missing, a listed NIC with another NSG, other owned ASGs or the
 * original-NSG tag not as wanted): 0 after a converged apply, which is what makes desired-before
 * stand for ARM in minimalAzureWrites.
 */
export function azureMismatches(desired: AzureDesired, state: AzureState): number {
  const held = holdings(undefined, state);
  let mismatches = 0;
  for (const nsg of desired.networkSecurityGroups) {
    const existing = held.nsgs.get(nsgIdOf(nsg));
    if (
      !existing ||
      existing.identity !== identityTag(nsg) ||
      !sameRules(existing.rules, nsg.securityRules)
    ) {
      mismatches += 1;
    }
  }
  for (const asg of desired.applicationSecurityGroups) if (!held.asgs.has(asgIdOf(asg))) mismatches += 1;
  for (const wanted of desired.networkInterfaces) {
    const nic = held.nics.get(wanted.id.toLowerCase());
    if (!nic) continue;
    const nsgMatches =
      (nic.networkSecurityGroup?.id.toLowerCase() ?? "") ===
      (wanted.networkSecurityGroupId?.toLowerCase() ?? "");
    const tagged = nic.tags[ORIGINAL_NSG_TAG_KEY] !== undefined;
    const tagMatches =
      (wanted.originalNsgTag !== "record" || tagged) && (wanted.originalNsgTag !== "remove" || !tagged);
    const asgsMatch = nic.ipConfigurations.every((configuration) => {
      const current = configuration.applicationSecurityGroups
        .map((asg) => asg.id.toLowerCase())
        .filter((asg) => held.asgs.has(asg));
      const target = (wanted.ownedApplicationSecurityGroupIds[configuration.name] ?? []).map((asg) =>
        asg.toLowerCase(),
      );
      return current.length === target.length && target.every((asg) => current.includes(asg));
    });
    if (!nsgMatches || !tagMatches || !asgsMatch) mismatches += 1;
  }
  return mismatches;
}

/** Owned NSGs and ASGs: desired-before's (when given), then the ones ARM holds besides; every NIC as ARM holds it. */
function holdings(before: AzureDesired | undefined, state: AzureState): Holdings {
  const nsgs = new Map<string, HeldNsg>();
  for (const nsg of before?.networkSecurityGroups ?? []) {
    nsgs.set(nsgIdOf(nsg), { rules: nsg.securityRules, identity: identityTag(nsg) });
  }
  const asgs = new Set((before?.applicationSecurityGroups ?? []).map(asgIdOf));
  const nics = new Map<string, NetworkInterface>();
  const customerReferences = new Set<string>();
  for (const subscription of state) {
    for (const nsg of subscription.networkSecurityGroups) {
      const id = nsg.id.toLowerCase();
      if (!isOwnedName(nsg)) {
        for (const asg of asgsNamedBy(nsg.securityRules)) customerReferences.add(asg);
      } else if (!nsgs.has(id)) {
        nsgs.set(id, {
          rules: nsg.securityRules,
          identity: nsg.tags[IDENTITY_TAG_KEY],
        });
      }
    }
    for (const asg of subscription.applicationSecurityGroups) {
      if (isOwnedName(asg)) asgs.add(asg.id.toLowerCase());
    }
    for (const nic of subscription.networkInterfaces) nics.set(nic.id.toLowerCase(), nic);
  }
  return { nsgs, asgs, nics, customerReferences };
}

/** What segsync owns: the ownership tag, the `segsync-` name and its seal over the resource id. */
function isOwnedName(resource: {
  readonly id: string;
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
}): boolean {
  return AZURE_OWNERSHIP.owns(resource) && resource.name.startsWith("segsync-");
}

/** The identity tag an owned NSG carries (ownedTags keeps its first 256 characters). */
function identityTag(nsg: DesiredNetworkSecurityGroup): string {
  return AZURE_OWNERSHIP.ownedTags(nsgIdOf(nsg), nsg.identity)[IDENTITY_TAG_KEY] as string;
}

function nsgIdOf(nsg: DesiredNetworkSecurityGroup): string {
  return resourceId(nsg.subscription, nsg.resourceGroup, "networkSecurityGroups", nsg.name).toLowerCase();
}

function asgIdOf(asg: AzureDesired["applicationSecurityGroups"][number]): string {
  return resourceId(asg.subscription, asg.resourceGroup, "applicationSecurityGroups", asg.name).toLowerCase();
}

function asgsNamedBy(rules: readonly SecurityRule[]): string[] {
  return rules.flatMap((rule) =>
    [
      ...(rule.sourceApplicationSecurityGroups ?? []),
      ...(rule.destinationApplicationSecurityGroups ?? []),
    ].map((asg) => asg.id.toLowerCase()),
  );
}

/** The same rules by name, each with the same meaning. */
function sameRules(a: readonly SecurityRule[], b: readonly SecurityRule[]): boolean {
  if (a.length !== b.length) return false;
  const meanings = new Map(a.map((rule) => [rule.name, meaning(rule)]));
  return b.every((rule) => meanings.get(rule.name) === meaning(rule));
}

/** Address and port fields that ARM takes as one value or a list: compared as one sorted list. */
const SINGLE_OR_LIST = [
  ["sourceAddressPrefix", "sourceAddressPrefixes"],
  ["sourcePortRange", "sourcePortRanges"],
  ["destinationAddressPrefix", "destinationAddressPrefixes"],
  ["destinationPortRange", "destinationPortRanges"],
] as const;

/** A rule independent of how ARM spells it: single values and lists merged, ids and prefixes lowercased, lists sorted. */
function meaning(rule: SecurityRule): string {
  const parts: Record<string, unknown> = {
    priority: rule.priority,
    direction: rule.direction,
    access: rule.access,
    protocol: rule.protocol,
    description: rule.description ?? "",
  };
  for (const [single, list] of SINGLE_OR_LIST) {
    const one = rule[single];
    parts[list] = [...(rule[list] ?? []), ...(one === undefined || one === "" ? [] : [one])]
      .map((value) => value.toLowerCase())
      .sort();
  }
  parts.asgs = [
    (rule.sourceApplicationSecurityGroups ?? []).map((asg) => asg.id.toLowerCase()).sort(),
    (rule.destinationApplicationSecurityGroups ?? []).map((asg) => asg.id.toLowerCase()).sort(),
  ];
  return JSON.stringify(parts);
}
