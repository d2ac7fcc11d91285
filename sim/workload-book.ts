/**
 * The simulation's own book of the workloads that exist now, kept beside the simulated clouds so
 * that scenario steps can be checked (who is running, which addresses are taken) and turned into
 * events (the tags before a re-tag, a GCP instance's numeric id) without reading the clouds
 * through segsync's ports, which would show up in their call logs.
 */
import type { WorkloadIdParts } from "../lib/inventory/ids.js";

export interface LiveWorkload {
  readonly id: string;
  readonly parts: WorkloadIdParts;
  readonly network: string;
  readonly privateIp: string;
  /** Its public IP while running; while stopped, the one it gets back when it starts. */
  readonly publicIp?: string;
  readonly state: "running" | "stopped";
  readonly tags: Readonly<Record<string, string>>;
  /** How many times its tags were set: the `version` of AWS's Tag Change events. */
  readonly tagVersion: number;
  /** A GCP instance's numeric id, which audit log entries carry. */
  readonly nativeId?: string;
}
