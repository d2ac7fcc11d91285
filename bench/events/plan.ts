/**
 * The events section's single-workload events (bench/sections/events.ts), drawn from the cell's
 * generated estate: launches next to an existing workload, re-tags, terminations, and migrations to
 * another cloud, each on a workload no other event of the plan touches, so that every event makes
 * sense whatever ran before it. Drawn with the generator's own change model (bench/estate/changes.ts).
 */
import { cloudOfId } from "../../lib/inventory/ids.js";
import type { Inventory, Workload, WorkloadChange } from "../../lib/inventory/model.js";
import type { CloudStep } from "../../sim/scenario-schema.js";
import { TAG_PREFIX } from "../estate/catalog.js";
import { randomChanges } from "../estate-generator.js";

/** GCP labels take lowercase keys only: an AWS instance's `Name` tag cannot move there. */
const GCP_LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;

function canMove(workload: Workload, target: Workload): boolean {
  const cloud = cloudOfId(target.id);
  if (cloud === cloudOfId(workload.id)) return false;
  return cloud !== "gcp" || Object.keys(workload.tags).every((key) => GCP_LABEL_KEY.test(key));
}

export const EVENT_KINDS = ["launch", "retag", "terminate", "migrate"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface PlannedEvent {
  readonly kind: EventKind;
  readonly step: CloudStep;
}

/** Draws enough changes to find `perKind` events of each kind among them. */
const DRAWS_PER_EVENT = 12;

function placement(workload: Workload) {
  const nic = workload.nics[0];
  if (nic === undefined) throw new TypeError(`${workload.id} has no NIC`);
  return {
    id: workload.id,
    network: nic.network,
    privateIp: nic.privateIp,
    ...(nic.publicIp === undefined ? {} : { publicIp: nic.publicIp }),
  };
}

/** `perKind` events of each kind, in rounds (a launch, a re-tag, a termination, a migration). */
export function planEvents(inventory: Inventory, perKind: number, seed: number): PlannedEvent[] {
  const existing = new Map(inventory.workloads.map((w) => [w.id, w]));
  const used = new Set<string>();
  const byKind: Record<EventKind, PlannedEvent[]> = { launch: [], retag: [], terminate: [], migrate: [] };
  const launches: Workload[] = [];
  const changes = randomChanges(inventory, perKind * EVENT_KINDS.length * DRAWS_PER_EVENT, seed);
  for (const change of changes) {
    const id = change.kind === "delete" ? change.id : change.workload.id;
    if (used.has(id)) continue;
    used.add(id);
    const event = eventOf(change, existing, launches);
    if (event !== undefined && byKind[event.kind].length < perKind) byKind[event.kind].push(event);
  }
  addMigrations(byKind, launches, existing, used, perKind);
  const rounds: PlannedEvent[] = [];
  for (let round = 0; round < perKind; round++)
    for (const kind of EVENT_KINDS) {
      const event = byKind[kind][round];
      if (event === undefined) throw new Error(`the estate gave fewer than ${perKind} ${kind} events`);
      rounds.push(event);
    }
  return rounds;
}

/** A launch, re-tag or termination of a running, labelled workload; launches also feed migrations. */
function eventOf(
  change: WorkloadChange,
  existing: ReadonlyMap<string, Workload>,
  launches: Workload[],
): PlannedEvent | undefined {
  if (change.kind === "delete") {
    const gone = existing.get(change.id);
    return gone?.state === "running"
      ? { kind: "terminate", step: { terminate: { id: change.id } } }
      : undefined;
  }
  const before = existing.get(change.workload.id);
  if (before === undefined) {
    launches.push(change.workload);
    return {
      kind: "launch",
      step: { launch: { ...placement(change.workload), tags: change.workload.tags } },
    };
  }
  const retagged =
    before.state === "running" && JSON.stringify(before.tags) !== JSON.stringify(change.workload.tags);
  return retagged
    ? { kind: "retag", step: { retag: { id: before.id, tags: change.workload.tags } } }
    : undefined;
}

/** A running workload moved to the place of a launch drawn in another cloud (its id and address). */
function addMigrations(
  byKind: Record<EventKind, PlannedEvent[]>,
  launches: readonly Workload[],
  existing: ReadonlyMap<string, Workload>,
  used: Set<string>,
  perKind: number,
): void {
  const targets = launches.filter(
    (w) => !byKind.launch.some((e) => "launch" in e.step && e.step.launch.id === w.id),
  );
  for (const workload of existing.values()) {
    if (byKind.migrate.length >= perKind) return;
    if (used.has(workload.id) || workload.state !== "running" || workload.nics.length !== 1) continue;
    if (workload.tags[`${TAG_PREFIX}app`] === undefined) continue;
    const at = targets.findIndex((target) => canMove(workload, target));
    const target = targets[at];
    if (target === undefined) return;
    targets.splice(at, 1);
    used.add(workload.id);
    byKind.migrate.push({ kind: "migrate", step: { migrate: { from: workload.id, to: placement(target) } } });
  }
}
