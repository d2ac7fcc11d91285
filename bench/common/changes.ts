/**
 * One inventory change played on a cloud's simulator through its simulation controls (what
 * happens outside segsync): a launch, a termination, or an update that stops or starts the
 * workload, changes its primary public IP or its tags. An update plays every difference, in
 * that order (one, but after a change the cloud could not hold was skipped); its kind is the
 * first one played.
 */
import type { Workload, WorkloadChange, WorkloadState } from "../../lib/inventory/model.js";
import { sameTags } from "./collections.js";

/** What a change did to the cloud, as the simulation controls played it. */
export type SimulatedChange =
  | "launch"
  | "stop"
  | "start"
  | "terminate"
  | "retag"
  | "public-ip"
  /** A change the cloud does not see: no simulation control plays it (a public IP released while running, …). */
  | "none";

/** One workload's simulation controls. */
export interface WorkloadControls {
  launch(workload: Workload): void;
  terminate(): void;
  /** To `state`; when running again, `publicIp` is its primary NIC's public IP (if any). */
  setState(state: WorkloadState, publicIp: string | undefined): void;
  /** A running workload's primary NIC gets this public IP; false when no control can give it one. */
  setPublicIp(publicIp: string): boolean;
  /** The complete new tags (labels). */
  setTags(tags: Readonly<Record<string, string>>): void;
}

/** Plays `change` (`previous`: the workload before it; undefined for a launch) through `controls`. */
export function playChange(
  change: WorkloadChange,
  previous: Workload | undefined,
  controls: WorkloadControls,
): SimulatedChange {
  const id = change.kind === "delete" ? change.id : change.workload.id;
  if (change.kind === "delete") {
    if (previous === undefined) throw new TypeError(`${id} goes, but it never came`);
    controls.terminate();
    return "terminate";
  }
  const next = change.workload;
  if (previous === undefined) {
    controls.launch(next);
    return "launch";
  }
  const played: SimulatedChange[] = [];
  const publicIp = next.nics[0]?.publicIp;
  if (previous.state !== next.state) {
    controls.setState(next.state, next.state === "running" ? publicIp : undefined);
    played.push(next.state === "running" ? "start" : "stop");
  } else if (
    next.state === "running" &&
    publicIp !== undefined &&
    publicIp !== previous.nics[0]?.publicIp &&
    controls.setPublicIp(publicIp)
  ) {
    played.push("public-ip");
  }
  if (!sameTags(previous.tags, next.tags)) {
    controls.setTags(next.tags);
    played.push("retag");
  }
  return played[0] ?? "none";
}
