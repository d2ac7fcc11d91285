/**
 * What a read of a change alone covers (model.ts, AzureChangeCoverage), as materialize and diff
 * look it up: a plan from such a read writes the change's objects exactly as a plan from whole
 * subscriptions would, and leaves alone what it read only to reference (docs/architecture.md,
 * "Targeted reads (Azure)"). Pure.
 */
import type { Intent } from "../../compile/model.js";
import { identityHash } from "../../inventory/identity.js";
import { type AzureState, type NetworkSecurityGroup, parseResourceId, type SecurityRule } from "./model.js";
import { OWNED_NAME_PREFIX } from "./ownership.js";

export interface CoverageIndex {
  /** Workload ids re-read, lowercase. */
  readonly workloads: ReadonlySet<string>;
  readonly destinationAsgs: ReadonlySet<string>;
  /** Network id (lowercase) → region. */
  readonly regions: ReadonlyMap<string, string>;
  readonly referenceOnly: ReadonlySet<string>;
  /** The NICs read, lowercase ids. */
  readonly nics: ReadonlySet<string>;
}

/** The coverage of a state read for a change, over its subscriptions; undefined for a whole read. */
export function coverageOf(state: AzureState): CoverageIndex | undefined {
  if (!state.some((subscription) => subscription.change !== undefined)) return undefined;
  const coverage = {
    workloads: new Set<string>(),
    destinationAsgs: new Set<string>(),
    regions: new Map<string, string>(),
    referenceOnly: new Set<string>(),
    nics: new Set<string>(),
  };
  for (const subscription of state) {
    const change = subscription.change;
    for (const nic of subscription.networkInterfaces) coverage.nics.add(nic.id.toLowerCase());
    if (change === undefined) continue;
    for (const id of change.workloads) coverage.workloads.add(id);
    for (const id of change.destinationAsgs) coverage.destinationAsgs.add(id);
    for (const id of change.referenceOnly) coverage.referenceOnly.add(id);
    for (const [network, region] of Object.entries(change.regions)) coverage.regions.set(network, region);
  }
  return coverage;
}

/**
 * The allow rules of an owned NSG of identity `hash` that admit to another VNet's ASG of that
 * identity than the change's destinations, or (enforced egress) let such an ASG's members send:
 * the rules of destinations outside the change that share the NSG (one per identity and region),
 * kept as they are.
 */
export function siblingRules(
  nsg: NetworkSecurityGroup,
  hash: string,
  coverage: CoverageIndex,
): SecurityRule[] {
  const prefix = `${OWNED_NAME_PREFIX}${hash}-`;
  return nsg.securityRules.filter((rule) => {
    const targets =
      (rule.direction === "Inbound"
        ? rule.destinationApplicationSecurityGroups
        : rule.sourceApplicationSecurityGroups) ?? [];
    return (
      rule.access === "Allow" &&
      targets.length > 0 &&
      targets.every((target) => {
        const name = parseResourceId(target.id)?.name.toLowerCase() ?? "";
        return name.startsWith(prefix) && !coverage.destinationAsgs.has(target.id.toLowerCase());
      })
    );
  });
}

/** The NICs associated with an NSG that the read did not cover (lowercase ids): they keep it in use. */
export function unreadUsers(nsg: NetworkSecurityGroup, coverage: CoverageIndex): string[] {
  return (nsg.networkInterfaces ?? [])
    .map((nic) => nic.id.toLowerCase())
    .filter((id) => !coverage.nics.has(id));
}

/**
 * The identity hashes whose ASGs NICs the read did not cover may be members of: those of an owned
 * NSG associated with such NICs and holding no rules of other VNets' destinations. Those NICs are
 * then the identity's stopped members, members of its ASG in their VNet, which the read cannot
 * see: its ASGs stay, as a whole plan keeps an ASG a NIC is a member of. Where the NSG holds other
 * VNets' rules, the NICs are taken for those destinations' members (docs/architecture.md,
 * "Targeted reads (Azure)").
 */
export function identitiesHeldUnread(
  nsgs: readonly NetworkSecurityGroup[],
  coverage: CoverageIndex,
): Set<string> {
  const held = nsgs.filter((nsg) => {
    const hash = hashOfOwnedName(nsg.name);
    return unreadUsers(nsg, coverage).length > 0 && siblingRules(nsg, hash, coverage).length === 0;
  });
  return new Set(held.map((nsg) => hashOfOwnedName(nsg.name)));
}

/** The identity hash in an owned NSG's name (`segsync-<hash>-<region>`). */
export function hashOfOwnedName(name: string): string {
  return name.slice(OWNED_NAME_PREFIX.length).split("-")[0] ?? "";
}

/**
 * A change's read: whether a re-read workload's NIC in `network` is enforced by a destination
 * outside the change (its enforced identity's in that network, which the change did not touch):
 * it stays as that destination's last plan left it.
 */
export function enforcedOutside(slice: Intent, workload: string, network: string | undefined): boolean {
  const report = slice.workloads.find((w) => w.workload.toLowerCase() === workload.toLowerCase());
  if (report?.treatment !== "enforced" || network === undefined) return false;
  const key = `${identityHash(report.identity)}@${network}`.toLowerCase();
  return !slice.destinations.some((destination) => destination.key.toLowerCase() === key);
}

/** The source ASG ids the rules of these owned NSGs name. */
export function namedSources(
  nsgs: Iterable<NetworkSecurityGroup>,
  ownership: { owns(nsg: NetworkSecurityGroup): boolean },
): string[] {
  return [...nsgs]
    .filter((nsg) => ownership.owns(nsg))
    .flatMap((nsg) =>
      nsg.securityRules.flatMap((rule) => (rule.sourceApplicationSecurityGroups ?? []).map((a) => a.id)),
    );
}
