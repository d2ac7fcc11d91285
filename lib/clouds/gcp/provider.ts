import { parseNetworkId, parseWorkloadId } from "../../inventory/ids.js";
import type { NetworkId, WorkloadId } from "../../inventory/model.js";
import { compareText } from "../../util/compare-text.js";
import { discoverEach } from "../common/discover-each.js";
import { probeOf, workloadOf } from "../common/ids.js";
import type { Sealer } from "../common/seals.js";
import { placesNamed } from "../places.js";
import type { CloudProvider, Discovery, NativeMatch, Reachability } from "../provider.js";
import type { GcpApiFactory } from "./api.js";
import { applyGcpPlan } from "./apply.js";
import type { GcpPriorities, GcpQuotas } from "./config.js";
import { diffGcp } from "./diff.js";
import { discoverGcp, discoverGcpWorkload } from "./discover.js";
import { discoverGcpChange } from "./discover-change.js";
import { evaluateGcp, type GcpVerdict } from "./evaluate.js";
import { confirmServiceProject } from "./hints.js";
import { type GcpDesired, materializeGcp } from "./materialize.js";
import type { GcpState } from "./model.js";
import type { GcpOperation } from "./operations.js";
import { GcpOwnership, isOwnedTag, SEAL_TAG_PREFIX } from "./ownership.js";
import { projectsToRead } from "./service-projects.js";
import { summarizeGcpOperation } from "./summarize.js";

/** How segsync reaches Compute: an API per project, and the projects it manages. */
export interface GcpConnection {
  readonly apiFor: GcpApiFactory;
  /** The projects read (narrowed: those of them that hold the scope). */
  readonly projects: readonly string[];
  /**
   * Shared VPC hosts whose attached service projects are read too, configured or not
   * (service-projects.ts): at a full read, those each host lists; narrowed, the candidates whose
   * host is one of these. Absent: none.
   */
  readonly hosts?: readonly string[];
  /** Set by narrow: the scope's projects outside `projects`, read when they are service projects of a host. */
  readonly candidates?: readonly string[];
}

export type GcpProvider = CloudProvider<GcpState, GcpDesired, GcpOperation, GcpConnection>;

/**
 * The connection's projects that hold one of the networks or workloads (a network's project,
 * which under Shared VPC is the host, not the instances' project), in the connection's order;
 * other clouds' ids are left out. A project the connection does not list is a candidate when it
 * has hosts: read if it turns out to be a service project of one. The same apiFor and hosts.
 */
export function narrowGcp(
  connection: GcpConnection,
  networks: readonly NetworkId[],
  workloads: readonly WorkloadId[] = [],
): GcpConnection {
  // A Shared VPC instance sits in a service project (its tag is written there), its network in the host.
  const holding = placesNamed("gcp", networks, workloads, (parts) => parts.project);
  const projects = connection.projects.filter((p) => holding.has(p));
  const known = new Set(connection.projects);
  return {
    apiFor: connection.apiFor,
    projects,
    ...(connection.hosts === undefined ? {} : { hosts: connection.hosts }),
    // A service project that held nothing at the last full read (an instance just launched there).
    candidates:
      connection.hosts === undefined ? [] : [...holding].filter((p) => !known.has(p)).sort(compareText),
  };
}

/** Every project the connection reaches, read side by side and merged in a stable order. */
async function discoverProjects(
  connection: GcpConnection,
  labels: Parameters<GcpProvider["discover"]>[1],
  ownership: GcpOwnership,
): Promise<Discovery<GcpState>> {
  const read = await projectsToRead(connection);
  const found = await discoverEach(
    read.projects,
    (p) => discoverGcp(connection.apiFor(p), labels, ownership),
    (a, b) => compareText(a.project, b.project),
  );
  return { ...found, findings: [...read.findings, ...found.findings] };
}

/** What admits a probe in the read state, at each end: the rule that matched, for `explain`. */
function gcpReachability(state: GcpState): Reachability {
  const reach = evaluateGcp(state);
  return {
    explain(probe): NativeMatch | undefined {
      const parts = probeOf("gcp", probe);
      if (parts === undefined) return undefined;
      const { workload: id, network } = parts;
      const verdict = reach.explain(
        id.project,
        id.zone,
        id.instanceName,
        `${network.project}/${network.networkName}`,
        probe.sourceAddress,
        probe.protocol,
        probe.port,
      );
      return verdict.access === "allow" ? nativeMatch(verdict) : undefined;
    },
    explainEgress(probe): NativeMatch | undefined {
      const id = parseWorkloadId(probe.workload);
      const network = parseNetworkId(probe.network);
      if (id.cloud !== "gcp" || network.cloud !== "gcp") return undefined;
      const verdict = reach.explainEgress(
        id.project,
        id.zone,
        id.instanceName,
        `${network.project}/${network.networkName}`,
        probe.destinationAddress,
        probe.protocol,
        probe.port,
      );
      return verdict.access === "allow" ? nativeMatch(verdict) : undefined;
    },
  };
}

/** An allowing verdict as `explain` shows it: the rule, or the implied rule or platform path. */
function nativeMatch(verdict: GcpVerdict): NativeMatch | undefined {
  if (verdict.rule)
    return {
      object: `firewall ${verdict.rule.name}`,
      rule: `priority ${verdict.rule.priority}, ${verdict.rule.description ?? ""}`.trim(),
    };
  if (verdict.implied === "metadata-server")
    return { object: "metadata server", rule: "always allowed, whatever the firewall rules say" };
  if (verdict.implied === "allow-egress")
    return { object: "implied rule", rule: "priority 65535, allow all egress" };
  return undefined;
}

export function createGcpProvider(settings: {
  readonly quotas: GcpQuotas;
  readonly priorities: GcpPriorities;
  readonly sealer: Sealer;
}): GcpProvider {
  const ownership = new GcpOwnership(settings.sealer);
  return {
    cloud: "gcp",
    discover: (connection, labels) => discoverProjects(connection, labels, ownership),
    discoverChange: (connection, labels, change) =>
      discoverGcpChange(
        (networks, workloads) => narrowGcp(connection, networks, workloads),
        labels,
        change,
        ownership,
      ),
    async discoverWorkload(connection, workload) {
      const id = workloadOf("gcp", workload);
      return discoverGcpWorkload(connection.apiFor(id.project), id.zone, id.instanceName);
    },
    narrow: narrowGcp,
    resolveHint: async (connection, hint) =>
      hint.kind === "unlisted-place"
        ? confirmServiceProject(connection, hint.workload, hint.place)
        : { kind: "ignored", why: `GCP events name their instances: ${hint.id} resolves to nothing` },
    materialize: (intent, state, policy) =>
      materializeGcp(intent, state, {
        quotas: settings.quotas,
        priorities: settings.priorities,
        attachment: policy.attachment,
        ownership,
      }),
    diff: (desired, state) => diffGcp(desired, state, ownership),
    apply: (operations, connection, onApplied, onRefused) =>
      applyGcpPlan(operations, connection.apiFor, onApplied, onRefused),
    evaluate: gcpReachability,
    summarize: summarizeGcpOperation,
    removedRules: narrowings,
    trackedConnections:
      "this plan narrows firewall rules or network tags: connections already open may stay open until idle for 10 minutes (Google does not document either way); see docs/connection-tracking.md",
    ownedRules: (state) =>
      Object.fromEntries(
        state.map((p) => [p.project, p.firewalls.filter((f) => ownership.ownsFirewall(p.project, f)).length]),
      ),
    placeOf: (operation) => operation.project,
    // A Shared VPC service project's instance is tagged under its host project's firewall rules,
    // which must come first (docs/clouds.md, "GCP Shared VPC"): projects run concurrently only in
    // a plan that tags no instance, or that writes in one project.
    placesIndependent: (operations) =>
      new Set(operations.map((operation) => operation.project)).size <= 1 ||
      !operations.some((operation) => operation.kind === "setTags"),
  };
}

/**
 * What the blast-radius guard counts for one operation (docs/trust-model.md): owned rules deleted
 * or changed, and each owned network tag an instance loses (it leaves its identity's allow rules).
 */
function narrowings(operation: GcpOperation): number {
  switch (operation.kind) {
    case "deleteFirewall":
      return 1;
    case "patchFirewall":
      return operation.widening ? 0 : 1;
    case "setTags": {
      const kept = new Set(operation.items);
      return operation.before.filter(
        (tag) => isOwnedTag(tag) && !tag.startsWith(SEAL_TAG_PREFIX) && !kept.has(tag),
      ).length;
    }
    default:
      return 0;
  }
}
