import type { ChangeScope } from "../../compile/slice.js";
import type { NetworkId, WorkloadId } from "../../inventory/model.js";
import { compareText } from "../../util/compare-text.js";
import { discoverEach } from "../common/discover-each.js";
import { probeOf, workloadOf } from "../common/ids.js";
import type { Sealer } from "../common/seals.js";
import { placesNamed } from "../places.js";
import type {
  ChangePlanning,
  CloudProvider,
  Discovery,
  EgressProbe,
  NativeMatch,
  Reachability,
  ReachabilityProbe,
} from "../provider.js";
import type { AwsApiFactory } from "./api.js";
import { applyAwsPlan } from "./apply.js";
import { changeByLocation, type LocationChange } from "./change-scope.js";
import type { AwsQuotas } from "./config.js";
import type { AwsDesired } from "./desired.js";
import { diffAws } from "./diff.js";
import { discoverAws, discoverAwsWorkload } from "./discover.js";
import { type AwsChangeSettings, discoverAwsChange } from "./discover-change.js";
import { type AwsMatch, type AwsPlatformMatch, evaluateAws } from "./evaluate.js";
import { materializeAws } from "./materialize.js";
import {
  type AwsLocation,
  type AwsState,
  type IpPermission,
  locationKey,
  type SecurityGroup,
} from "./model.js";
import { type AwsOperation, RULE_DESCRIPTION } from "./operations.js";
import { AwsOwnership } from "./ownership.js";
import { formatPermission, summarizeAwsOperation } from "./summarize.js";

/** How segsync reaches EC2: an API per location, and the locations it manages. */
export interface AwsConnection {
  readonly apiFor: AwsApiFactory;
  readonly locations: readonly AwsLocation[];
  /**
   * By location key, the VPCs the configuration limits segsync to (its IAM role may write in no
   * other, docs/iam.md); a location without an entry: every VPC.
   */
  readonly vpcs?: Readonly<Record<string, readonly string[]>>;
}

export type AwsProvider = CloudProvider<AwsState, AwsDesired, AwsOperation, AwsConnection>;

export function createAwsProvider(settings: {
  readonly quotas: AwsQuotas;
  readonly sealer: Sealer;
}): AwsProvider {
  const { quotas } = settings;
  const ownership = new AwsOwnership(settings.sealer);
  return {
    cloud: "aws",
    discover: (connection, labels): Promise<Discovery<AwsState>> =>
      discoverEach(
        connection.locations,
        (l) => discoverAws(connection.apiFor(l), labels, ownership, connection.vpcs?.[locationKey(l)]),
        (a, b) => compareText(a.account, b.account) || compareText(a.region, b.region),
      ),
    discoverChange: (connection, _labels, change, planning) =>
      discoverAwsChanges(connection, change, { ownership, quotas }, planning),
    async discoverWorkload(connection, workload) {
      const id = workloadOf("aws", workload);
      const location = { account: id.account, region: id.region };
      return discoverAwsWorkload(
        connection.apiFor(location),
        id.instanceId,
        connection.vpcs?.[locationKey(location)],
      );
    },
    narrow: narrowAws,
    materialize: (intent, state, policy) =>
      materializeAws(intent, state, { quotas, attachment: policy.attachment, ownership }),
    diff: (desired, state) => diffAws(desired, state, ownership),
    async apply(operations, connection, onApplied, onRefused) {
      await applyAwsPlan(
        operations,
        connection.apiFor,
        ownership,
        (applied) => onApplied(applied.operation),
        onRefused,
      );
    },
    evaluate: evaluateAwsWorkloads,
    summarize: summarizeAwsOperation,
    removedRules: (operation, state) => narrowings(operation, state, ownership),
    trackedConnections:
      "this plan narrows security groups: connections already open that the removed rules allowed stay open until idle for the ENI's TCP established timeout (5 days unless lowered); untracked flows (open to 0.0.0.0/0 both ways) end at once; see docs/connection-tracking.md",
    ownedRules: (state) =>
      Object.fromEntries(
        state.map((r) => [
          locationKey(r),
          r.securityGroups
            .filter((g) => ownership.ownsGroup(r, g))
            .reduce((sum, g) => sum + countPermissionSources(g.IpPermissions) + ownedEgressRules(g), 0),
        ]),
      ),
    placeOf: (operation) => locationKey(operation.location),
    // A group references groups of its own VPC only, and prefix lists of its own account and
    // region: no write in one location needs one in another (docs/clouds.md, "AWS API throttling").
    placesIndependent: () => true,
  };
}

/**
 * A change read alone in each location it names (discover-change.ts); with the change's slice and
 * the policy, each location's first read is planned to find which ENIs a changed group set moves.
 */
function discoverAwsChanges(
  connection: AwsConnection,
  change: ChangeScope,
  settings: { readonly ownership: AwsOwnership; readonly quotas: AwsQuotas },
  planning: ChangePlanning | undefined,
): Promise<Discovery<AwsState>> {
  const { ownership, quotas } = settings;
  const parts = changeByLocation(change);
  const planned = planning && {
    after: planning.after,
    additive: planning.policy.attachment === "additive",
    materialize: (state: AwsState) =>
      materializeAws(planning.after, state, { quotas, attachment: planning.policy.attachment, ownership }),
  };
  const settingsAt = (location: AwsLocation): AwsChangeSettings => {
    const vpcs = connection.vpcs?.[locationKey(location)];
    return {
      ownership,
      quotas,
      ...(vpcs === undefined ? {} : { vpcs }),
      ...(planned ? { planning: planned } : {}),
    };
  };
  return discoverEach(
    connection.locations.filter((l) => parts.has(locationKey(l))),
    (l) =>
      discoverAwsChange(connection.apiFor(l), parts.get(locationKey(l)) as LocationChange, settingsAt(l)),
    (a, b) => compareText(a.account, b.account) || compareText(a.region, b.region),
  );
}

/**
 * The connection's locations that hold one of these networks, in the connection's order; other
 * clouds' networks and networks of locations the connection does not manage are left out.
 */
export function narrowAws(
  connection: AwsConnection,
  networks: readonly NetworkId[],
  workloads: readonly WorkloadId[] = [],
): AwsConnection {
  const wanted = placesNamed("aws", networks, workloads, locationKey);
  return {
    apiFor: connection.apiFor,
    locations: connection.locations.filter((location) => wanted.has(locationKey(location))),
    ...(connection.vpcs === undefined ? {} : { vpcs: connection.vpcs }),
  };
}

/** Reachability by workload: the probe goes to (or leaves from) each of the workload's ENIs in the probe's VPC. */
function evaluateAwsWorkloads(state: AwsState): Reachability {
  const reach = evaluateAws(state);
  return {
    explain(probe): NativeMatch | undefined {
      for (const eni of interfacesOf(state, probe)) {
        const match = reach.explain(eni, probe.sourceAddress, probe.protocol, probe.port);
        if (match) return nativeMatch(match);
      }
      return undefined;
    },
    explainEgress(probe: EgressProbe): NativeMatch | undefined {
      for (const eni of interfacesOf(state, { ...probe, sourceAddress: probe.destinationAddress })) {
        const match = reach.explainEgress(eni, probe.destinationAddress, probe.protocol, probe.port);
        if (match) return nativeMatch(match, "to");
      }
      return undefined;
    },
  };
}

/** The ids of the probe's workload's ENIs in the probe's VPC. */
function interfacesOf(state: AwsState, probe: ReachabilityProbe): string[] {
  const parts = probeOf("aws", probe);
  if (parts === undefined) return [];
  const { workload: id, network } = parts;
  const region = state.find((r) => r.account === id.account && r.region === id.region);
  return (region?.networkInterfaces ?? [])
    .filter((eni) => eni.Attachment?.InstanceId === id.instanceId && eni.VpcId === network.vpcId)
    .map((eni) => eni.NetworkInterfaceId);
}

function nativeMatch(match: AwsMatch | AwsPlatformMatch, direction: "from" | "to" = "from"): NativeMatch {
  if ("platform" in match)
    return { object: "AWS platform", rule: `${match.platform}: not filtered by security groups` };
  return {
    object: `${match.groupName} (${match.groupId})`,
    rule: formatPermission(match.permission, undefined, direction),
  };
}

/**
 * What the blast-radius guard counts for one operation (docs/trust-model.md): owned rules revoked
 * or deleted with their group, prefix-list entries removed, and each group detached from an ENI
 * that segsync already enforced (a changed identity, a restore). An ENI enforced for the first
 * time loses its customer groups as the policy says, recorded for restore: not counted.
 */
function narrowings(operation: AwsOperation, state: AwsState, ownership: AwsOwnership): number {
  switch (operation.kind) {
    case "revokeIngress":
      return countPermissionSources(operation.permissions);
    case "revokeEgress":
      // EC2's allow-all on a group the plan creates narrows nothing that exists yet.
      return "groupId" in operation.group ? countPermissionSources(operation.permissions) : 0;
    case "modifyPrefixList":
      return operation.remove.length;
    case "deleteSecurityGroup": {
      const group = state.flatMap((r) => r.securityGroups).find((g) => g.GroupId === operation.groupId);
      return group ? countPermissionSources(group.IpPermissions) + ownedEgressRules(group) : 0;
    }
    case "setInterfaceGroups": {
      const region = state.find((r) => locationKey(r) === locationKey(operation.location));
      const owned = new Set(
        (region?.securityGroups ?? [])
          .filter((g) => ownership.ownsGroup(operation.location, g))
          .map((g) => g.GroupId),
      );
      if (!operation.before.some((id) => owned.has(id))) return 0;
      const after = new Set(operation.after.flatMap((ref) => ("groupId" in ref ? [ref.groupId] : [])));
      return operation.before.filter((id) => !after.has(id)).length;
    }
    default:
      return 0;
  }
}

/** EC2 counts one rule per source of a permission. */
function countPermissionSources(permissions: readonly IpPermission[]): number {
  return permissions.reduce(
    (sum, p) =>
      sum + p.IpRanges.length + p.Ipv6Ranges.length + p.PrefixListIds.length + p.UserIdGroupPairs.length,
    0,
  );
}

/**
 * The egress rules segsync wrote on an owned group (v2): those with its description. EC2's own
 * allow-all egress, which every group of a v1 policy keeps, is not counted.
 */
function ownedEgressRules(group: SecurityGroup): number {
  return group.IpPermissionsEgress.reduce(
    (sum, p) =>
      sum +
      [...p.IpRanges, ...p.Ipv6Ranges, ...p.PrefixListIds, ...p.UserIdGroupPairs].filter(
        (peer) => peer.Description === RULE_DESCRIPTION,
      ).length,
    0,
  );
}
