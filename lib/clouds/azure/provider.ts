import type { ChangeScope } from "../../compile/slice.js";
import type { NetworkId, WorkloadId } from "../../inventory/model.js";
import type { Policy } from "../../policy/model.js";
import { compareText } from "../../util/compare-text.js";
import { discoverEach } from "../common/discover-each.js";
import { probeOf, workloadOf } from "../common/ids.js";
import type { Sealer } from "../common/seals.js";
import { placesNamed } from "../places.js";
import type { CloudProvider, Discovery, NativeMatch, Reachability } from "../provider.js";
import type { AzureApiFactory } from "./api.js";
import { applyAzurePlan } from "./apply.js";
import type { AzureQuotas } from "./config.js";
import type { AzureDesired } from "./desired.js";
import { diffAzure } from "./diff.js";
import { discoverAzure, discoverAzureWorkload } from "./discover.js";
import { discoverAzureChange } from "./discover-change.js";
import { type AzureVerdict, evaluateAzure } from "./evaluate.js";
import { resolveNicHint } from "./hints.js";
import { materializeAzure, networkOfNic } from "./materialize.js";
import type { AzureState, NetworkInterface } from "./model.js";
import type { AzureOperation } from "./operations.js";
import { AzureOwnership } from "./ownership.js";
import { summarizeAzureOperation } from "./summarize.js";

/** How segsync reaches ARM: an API per subscription, and the subscriptions it manages. */
export interface AzureConnection {
  readonly apiFor: AzureApiFactory;
  readonly subscriptions: readonly string[];
}

export type AzureProvider = CloudProvider<AzureState, AzureDesired, AzureOperation, AzureConnection>;

export function createAzureProvider(settings: {
  readonly quotas: AzureQuotas;
  /** subscription → the resource group for segsync's NSGs and ASGs. */
  readonly resourceGroups: Readonly<Record<string, string>>;
  readonly sealer: Sealer;
}): AzureProvider {
  const ownership = new AzureOwnership(settings.sealer);
  return {
    cloud: "azure",
    discover: (connection, labels): Promise<Discovery<AzureState>> =>
      discoverEach(
        connection.subscriptions,
        (s) => discoverAzure(connection.apiFor(s), labels, ownership),
        (a, b) => compareText(a.subscription, b.subscription),
      ),
    discoverChange: (connection, labels, change) =>
      discoverChanges(connection, labels, change, ownership, settings.resourceGroups),
    async discoverWorkload(connection, workload) {
      const id = workloadOf("azure", workload);
      return discoverAzureWorkload(connection.apiFor(id.subscription), id.resourceGroup, id.vmName);
    },
    narrow: narrowAzure,
    resolveHint: async (connection, hint) =>
      hint.kind === "resource"
        ? resolveNicHint(connection, hint.id)
        : { kind: "ignored", why: `Azure has no unlisted places to confirm (${hint.place})` },
    materialize: (intent, state, policy) =>
      materializeAzure(intent, state, {
        quotas: settings.quotas,
        attachment: policy.attachment,
        loadBalancerProbes: policy.platform.azureLoadBalancerProbes,
        resourceGroups: settings.resourceGroups,
        ownership,
      }),
    diff: (desired, state) => diffAzure(desired, state, ownership),
    apply: (operations, connection, onApplied, onRefused) =>
      applyAzurePlan(operations, connection.apiFor, ownership, onApplied, onRefused),
    evaluate: evaluateAzureWorkloads,
    summarize: summarizeAzureOperation,
    removedRules: (operation, state) => narrowings(operation, state, ownership),
    trackedConnections: settings.quotas.flushConnection
      ? "this plan narrows NSGs: segsync's NSGs re-evaluate open flows when their rules change (flushConnection), so flows the removed rules allowed end; see docs/connection-tracking.md"
      : "this plan narrows NSGs: flows already open that the removed rules allowed stay open until idle, because azure.quotas.flushConnection is off; see docs/connection-tracking.md",
    ownedRules: (state) =>
      Object.fromEntries(
        state.map((s) => [
          s.subscription,
          s.networkSecurityGroups
            .filter((n) => ownership.owns(n))
            .reduce((sum, n) => sum + n.securityRules.length, 0),
        ]),
      ),
    placeOf: (operation) => operation.subscription,
    // NICs, their NSGs and the ASGs their rules name share a VNet and so a subscription
    // (docs/clouds.md, "Azure ASG constraints"): no write in one subscription needs another's.
    placesIndependent: () => true,
  };
}

/**
 * What the blast-radius guard counts for one operation (docs/trust-model.md): owned rules removed
 * or changed, rules deleted with their NSG, and on a NIC that segsync already enforced, its owned
 * NSG replaced (a changed identity, a restore) and each owned ASG it leaves. A NIC enforced for the
 * first time loses its own NSG as the policy says, recorded for restore: not counted.
 */
function narrowings(operation: AzureOperation, state: AzureState, ownership: AzureOwnership): number {
  switch (operation.kind) {
    case "putNetworkSecurityGroup":
      return operation.change.removed + operation.change.changed;
    case "deleteNetworkSecurityGroup": {
      const nsg = state
        .flatMap((s) => s.networkSecurityGroups)
        .find((n) => n.id.toLowerCase() === operation.id.toLowerCase());
      return nsg?.securityRules.length ?? 0;
    }
    case "putNetworkInterface": {
      const owned = (id: string, kind: "networkSecurityGroups" | "applicationSecurityGroups") =>
        state
          .flatMap((s) => s[kind] as readonly { id: string; name: string; tags: Record<string, string> }[])
          .some((r) => r.id.toLowerCase() === id.toLowerCase() && ownership.owns(r));
      const before = operation.before.networkSecurityGroup;
      const after = operation.nic.networkSecurityGroup?.id;
      const replaced =
        before !== undefined &&
        owned(before, "networkSecurityGroups") &&
        before.toLowerCase() !== (after ?? "").toLowerCase();
      const kept = new Set(
        operation.nic.ipConfigurations.flatMap((c) =>
          c.applicationSecurityGroups.map((a) => a.id.toLowerCase()),
        ),
      );
      const left = operation.before.applicationSecurityGroups.filter(
        (id) => !kept.has(id.toLowerCase()) && owned(id, "applicationSecurityGroups"),
      );
      return (replaced ? 1 : 0) + left.length;
    }
    default:
      return 0;
  }
}

/** Each subscription a change names, read for it alone (discover-change.ts). */
function discoverChanges(
  connection: AzureConnection,
  labels: Policy["labels"],
  change: ChangeScope,
  ownership: AzureOwnership,
  resourceGroups: Readonly<Record<string, string>>,
): Promise<Discovery<AzureState>> {
  return discoverEach(
    narrowAzure(connection, networksOf(change), change.workloads).subscriptions,
    (s) =>
      discoverAzureChange(connection.apiFor(s), labels, ownership, resourceGroups[s.toLowerCase()], change),
    (a, b) => compareText(a.subscription, b.subscription),
  );
}

/** The networks a change names: those of its destinations and peer sets (`<hash>@<network>`). */
function networksOf(change: ChangeScope): NetworkId[] {
  return [...change.destinations, ...change.peerSets].map((key) => key.slice(key.indexOf("@") + 1));
}

/**
 * The connection's subscriptions that hold one of these networks, in the connection's order, with
 * the same apiFor; other clouds' networks and subscriptions the connection does not manage are left out.
 */
export function narrowAzure(
  connection: AzureConnection,
  networks: readonly NetworkId[],
  workloads: readonly WorkloadId[] = [],
): AzureConnection {
  const wanted = placesNamed("azure", networks, workloads, (parts) => parts.subscription.toLowerCase());
  return {
    apiFor: connection.apiFor,
    subscriptions: connection.subscriptions.filter((s) => wanted.has(s.toLowerCase())),
  };
}

function evaluateAzureWorkloads(state: AzureState): Reachability {
  const reach = evaluateAzure(state);
  return {
    explain: (probe) =>
      firstAllowed(state, probe, (nic) =>
        reach.explain(nic.id, probe.sourceAddress, probe.protocol, probe.port),
      ),
    explainEgress: (probe) =>
      firstAllowed(state, probe, (nic) =>
        reach.explainEgress(nic.id, probe.destinationAddress, probe.protocol, probe.port),
      ),
  };
}

/** The first of the workload's NICs in the probe's network whose verdict allows, as a native match. */
function firstAllowed(
  state: AzureState,
  probe: { readonly workload: WorkloadId; readonly network: NetworkId },
  verdictOf: (nic: NetworkInterface) => AzureVerdict,
): NativeMatch | undefined {
  const id = probeOf("azure", probe)?.workload;
  if (id === undefined) return undefined;
  const vmSuffix =
    `/resourcegroups/${id.resourceGroup}/providers/microsoft.compute/virtualmachines/${id.vmName}`.toLowerCase();
  for (const subscription of state) {
    for (const nic of subscription.networkInterfaces) {
      if (!nic.virtualMachine?.id.toLowerCase().endsWith(vmSuffix)) continue;
      if (networkOfNic(nic)?.toLowerCase() !== probe.network.toLowerCase()) continue;
      const verdict = verdictOf(nic);
      if (verdict.access !== "Allow") continue;
      if (verdict.nsg === undefined)
        return { object: nic.name, rule: "no NSG on the NIC: everything is allowed" };
      if (verdict.rule === undefined)
        return { object: verdict.nsg, rule: "an Azure platform address: NSGs do not filter it" };
      return { object: verdict.nsg, rule: `${verdict.rule.name} (priority ${verdict.rule.priority})` };
    }
  }
  return undefined;
}
