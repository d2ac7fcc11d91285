/**
 * The fewest Compute write calls that take Compute from what it holds to what segsync wants,
 * counted without diff.ts: the yardstick for the writes the real pipeline issues per change.
 *
 * Before: desired-before's firewall rules (what the previous change materialized and applied),
 * plus any other owned rule Compute holds; every instance's network tags as Compute holds them.
 * `gcpMismatches` says whether Compute holds desired-before as it should. After: desired-after.
 * Nothing has to stay: Compute deletes a rule whatever targets it, and an instance's tags are
 * only set on the instances desired-after lists.
 *
 * One call each (the calls Compute offers):
 * - owned firewall rule: insert 1; kept: patch 1 if any field differs (compared by meaning: lists
 *   as sets, the network by project and name); gone: delete 1;
 * - listed instance: setTags 1 if its set of network tags changes (its own tags stay among them).
 */
import type { GcpDesired } from "../../lib/clouds/gcp/materialize.js";
import type { FirewallProtocol, GcpFirewall, GcpState } from "../../lib/clouds/gcp/model.js";
import { zoneName } from "../../lib/clouds/gcp/model.js";
import { compareText } from "../../lib/util/compare-text.js";
import { sameSet } from "../common/collections.js";
import { GCP_OWNERSHIP } from "../common/seals.js";

export interface GcpMinimalWrites {
  readonly total: number;
  /** By SimulatedCompute method: what GCP_WRITE_METHODS counts. */
  readonly byMethod: {
    readonly insertFirewall: number;
    readonly patchFirewall: number;
    readonly deleteFirewall: number;
    readonly setTags: number;
  };
}

export function minimalGcpWrites(before: GcpDesired, after: GcpDesired, state: GcpState): GcpMinimalWrites {
  const held = new Map(before.firewalls.map((rule) => [`${rule.project}|${rule.name}`, meaning(rule)]));
  for (const project of state) {
    for (const rule of project.firewalls) {
      const key = `${project.project}|${rule.name}`;
      if (GCP_OWNERSHIP.ownsFirewall(project.project, rule) && !held.has(key)) held.set(key, meaning(rule));
    }
  }
  let insertFirewall = 0;
  let patchFirewall = 0;
  const wanted = new Set<string>();
  for (const rule of after.firewalls) {
    const key = `${rule.project}|${rule.name}`;
    wanted.add(key);
    const existing = held.get(key);
    if (existing === undefined) insertFirewall += 1;
    else if (existing !== meaning(rule)) patchFirewall += 1;
  }
  const deleteFirewall = [...held.keys()].filter((key) => !wanted.has(key)).length;

  const tags = instanceTags(state);
  let setTags = 0;
  for (const instance of after.instances) {
    const current = tags.get(`${instance.project}|${instance.zone}|${instance.name}`);
    if (current !== undefined && !sameSet(current, instance.items)) setTags += 1;
  }
  const byMethod = { insertFirewall, patchFirewall, deleteFirewall, setTags };
  return { total: insertFirewall + patchFirewall + deleteFirewall + setTags, byMethod };
}

/**
 * Desired objects that Compute does not hold exactly as desired (an owned rule missing or with
 * other fields, a listed instance with other tags): 0 after a converged apply, which is what
 * makes desired-before stand for Compute in minimalGcpWrites.
 */
export function gcpMismatches(desired: GcpDesired, state: GcpState): number {
  const held = new Map<string, string>();
  for (const project of state) {
    for (const rule of project.firewalls) {
      if (GCP_OWNERSHIP.ownsFirewall(project.project, rule))
        held.set(`${project.project}|${rule.name}`, meaning(rule));
    }
  }
  let mismatches = desired.firewalls.filter(
    (rule) => held.get(`${rule.project}|${rule.name}`) !== meaning(rule),
  ).length;
  const tags = instanceTags(state);
  for (const instance of desired.instances) {
    const current = tags.get(`${instance.project}|${instance.zone}|${instance.name}`);
    if (current !== undefined && !sameSet(current, instance.items)) mismatches += 1;
  }
  return mismatches;
}

/** `project|zone|name` → the instance's network tags. */
function instanceTags(state: GcpState): Map<string, readonly string[]> {
  const tags = new Map<string, readonly string[]>();
  for (const project of state) {
    for (const instance of project.instances) {
      tags.set(`${project.project}|${zoneName(instance.zone)}|${instance.name}`, instance.tags.items ?? []);
    }
  }
  return tags;
}

/** A rule's fields as Compute compares them: lists as sorted sets, defaults filled in, the network by project and name. */
function meaning(rule: GcpFirewall): string {
  const set = (values: readonly string[] | undefined) => [...new Set(values ?? [])].sort(compareText);
  const protocols = (list: readonly FirewallProtocol[] | undefined) =>
    (list ?? [])
      .map((protocol) => [protocol.IPProtocol, set(protocol.ports)])
      .sort((a, b) => compareText(JSON.stringify(a), JSON.stringify(b)));
  return JSON.stringify({
    network: rule.network.slice(rule.network.indexOf("projects/")),
    priority: rule.priority,
    direction: rule.direction,
    description: rule.description ?? "",
    disabled: rule.disabled ?? false,
    sourceRanges: set(rule.sourceRanges),
    sourceTags: set(rule.sourceTags),
    targetTags: set(rule.targetTags),
    destinationRanges: set(rule.destinationRanges),
    allowed: protocols(rule.allowed),
    denied: protocols(rule.denied),
  });
}
