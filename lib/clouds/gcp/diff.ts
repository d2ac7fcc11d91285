import { compareText } from "../../util/compare-text.js";
import type { GcpDesired } from "./materialize.js";
import type { GcpFirewall, GcpInstance, GcpState } from "./model.js";
import { zoneName } from "./model.js";
import { GCP_OPERATION_ORDER, type GcpOperation } from "./operations.js";
import type { GcpOwnership } from "./ownership.js";

/**
 * Desired vs actual → the fewest Compute writes, make-before-break. Only owned firewall rules
 * (name prefix and description marker) are inserted, patched or deleted, and instances only when
 * the desired state lists them, with their own tags kept. Pure; applying and diffing again gives [].
 */
export function diffGcp(desired: GcpDesired, actual: GcpState, ownership: GcpOwnership): GcpOperation[] {
  const operations: GcpOperation[] = [];
  const owned = new Map<string, GcpFirewall>();
  for (const project of actual) {
    for (const firewall of project.firewalls)
      if (ownership.ownsFirewall(project.project, firewall))
        owned.set(`${project.project}|${firewall.name}`, firewall);
  }
  const tags = tagWrites(desired, actual);
  const wanted = new Set<string>();
  for (const { project, ...firewall } of desired.firewalls) {
    const key = `${project}|${firewall.name}`;
    wanted.add(key);
    const existing = owned.get(key);
    if (!existing) operations.push({ project, kind: "insertFirewall", firewall });
    else if (firewallText(existing) !== firewallText(firewall))
      operations.push(...patchWrites(project, existing, firewall, desired.sourceTagsPerRule));
  }
  operations.push(...tags);
  const stale = [...owned].filter(([key]) => !wanted.has(key)).sort(([a], [b]) => compareText(a, b));
  // Make room first where inserting before deleting would pass a project's rule quota.
  const roomNeeded = new Map<string, number>();
  for (const [project, budget] of Object.entries(desired.ruleBudget)) {
    const current = [...owned.keys()].filter((key) => key.startsWith(`${project}|`)).length;
    const inserts = operations.filter((op) => op.kind === "insertFirewall" && op.project === project).length;
    roomNeeded.set(project, Math.max(0, budget.others + current + inserts - budget.quota));
  }
  const denyLast = (firewall: GcpFirewall) => ((firewall.denied ?? []).length > 0 ? 1 : 0);
  for (const [key, firewall] of [...stale].sort(([, a], [, b]) => denyLast(a) - denyLast(b))) {
    const project = key.slice(0, key.indexOf("|"));
    const needed = roomNeeded.get(project) ?? 0;
    if (needed > 0) roomNeeded.set(project, needed - 1);
    operations.push({
      project,
      kind: "deleteFirewall",
      name: firewall.name,
      ...(needed > 0 ? { toMakeRoom: true as const } : {}),
    });
  }
  const rank = (op: GcpOperation) =>
    op.kind === "deleteFirewall" && op.toMakeRoom
      ? -1
      : op.kind === "patchFirewall" && op.widening
        ? GCP_OPERATION_ORDER.indexOf("setTags") - 0.5
        : GCP_OPERATION_ORDER.indexOf(op.kind);
  return operations
    .map((op, position) => ({ op, position }))
    .sort((a, b) => rank(a.op) - rank(b.op) || a.position - b.position)
    .map(({ op }) => op);
}

/**
 * A rule's patch, make-before-break for an instance re-tagged from one identity to another that
 * the same rule admits: the patch would swap the old tag for the new one, and the instance's
 * setTags swaps them on the instance, so whichever goes first, the flow is blocked until the
 * other. Such an allow rule is first widened to both tags (ranked before the setTags), then
 * patched as wanted (after): only where nothing else of the rule changes, so that the widened
 * rule admits only what the rule admitted before or will admit after. Every swap is widened,
 * not only those whose new tag an instance gains in this plan: that instance may live in a
 * Shared VPC service project this plan does not read, and a plan of the rule's own project must
 * be the same whichever other projects are read with it.
 */
function patchWrites(
  project: string,
  before: GcpFirewall,
  firewall: GcpFirewall,
  sourceTagsPerRule: number,
): GcpOperation[] {
  const widened = widenedRule(before, firewall, sourceTagsPerRule);
  if (widened === undefined) return [{ project, kind: "patchFirewall", firewall, before }];
  return [
    { project, kind: "patchFirewall", firewall: widened, before, widening: true },
    { project, kind: "patchFirewall", firewall, before: widened },
  ];
}

/** `before` with the source tags `after` adds, where `after` also drops some; undefined where that is not all that changes. */
function widenedRule(
  before: GcpFirewall,
  after: GcpFirewall,
  sourceTagsPerRule: number,
): GcpFirewall | undefined {
  if (before.direction !== "INGRESS" || (before.allowed ?? []).length === 0) return undefined;
  const added = (after.sourceTags ?? []).filter((tag) => !(before.sourceTags ?? []).includes(tag));
  const dropped = (before.sourceTags ?? []).filter((tag) => !(after.sourceTags ?? []).includes(tag));
  // Tags only added: the patch itself is the widening. Only dropped: nothing to keep open.
  if (added.length === 0 || dropped.length === 0) return undefined;
  const sourceTags = [...(before.sourceTags ?? []), ...added];
  if (sourceTags.length > sourceTagsPerRule) return undefined;
  const widened = { ...before, sourceTags };
  // Only the sources may differ (and the description, which names them): the same rule with
  // after's tags must be after itself.
  const asAfter = { ...widened, sourceTags: after.sourceTags, description: after.description };
  const sameElse = firewallText(asAfter) === firewallText(after);
  return sameElse ? widened : undefined;
}

/** A setTags for each listed instance whose tags differ (as a set) from the wanted ones. */
function tagWrites(desired: GcpDesired, actual: GcpState): GcpOperation[] {
  const operations: GcpOperation[] = [];
  const instances = instancesByPlace(actual);
  for (const target of desired.instances) {
    const instance = instances.get(placeKey(target.project, target.zone, target.name));
    if (!instance) continue;
    const before = instance.tags.items ?? [];
    if ([...before].sort(compareText).join(",") === [...target.items].sort(compareText).join(",")) continue;
    operations.push({
      project: target.project,
      kind: "setTags",
      zone: target.zone,
      name: target.name,
      workload: target.workload,
      before,
      items: target.items,
      fingerprint: instance.tags.fingerprint ?? "",
    });
  }
  return operations;
}

function placeKey(project: string, zone: string, name: string): string {
  return JSON.stringify([project, zone, name]);
}

/**
 * Each instance by project, zone and name, the first one listed where a name repeats (as a scan
 * would find it): looked up once per wanted instance, where a scan per instance was quadratic.
 */
function instancesByPlace(actual: GcpState): Map<string, GcpInstance> {
  const byPlace = new Map<string, GcpInstance>();
  const seen = new Set<string>();
  for (const project of actual) {
    // The first state of a project is the one a scan finds.
    if (seen.has(project.project)) continue;
    seen.add(project.project);
    for (const instance of project.instances) {
      const key = placeKey(project.project, zoneName(instance.zone), instance.name);
      if (!byPlace.has(key)) byPlace.set(key, instance);
    }
  }
  return byPlace;
}

/** A rule's meaning, independent of list order and of fields the API adds (id, selfLink). */
function firewallText(rule: GcpFirewall): string {
  const sorted = (values: readonly string[] | undefined) => [...(values ?? [])].sort(compareText);
  const protocols = (list: GcpFirewall["allowed"]) =>
    [...(list ?? [])].map((p) => `${p.IPProtocol}:${sorted(p.ports).join(",")}`).sort(compareText);
  return JSON.stringify([
    rule.network.slice(rule.network.indexOf("projects/")),
    rule.priority,
    rule.direction,
    rule.description ?? "",
    rule.disabled ?? false,
    sorted(rule.sourceRanges),
    sorted(rule.sourceTags),
    sorted(rule.targetTags),
    protocols(rule.allowed),
    protocols(rule.denied),
    sorted(rule.destinationRanges),
  ]);
}
