/**
 * How the flow logs name a workload's instance (docs/flows.md, "Resolution"): AWS `instance-id`
 * (`i-…`, the last part of an AWS workload id), GCP `projects/P/zones/Z/instances/N` (a GCP
 * workload id's parts). Azure logs name a NIC by its MAC address, which the inventory does not hold.
 */
import type { WorkloadId } from "../inventory/model.js";

/** The names a flow log may give the workload as its reporting instance, besides its own id. */
export function instanceNames(id: WorkloadId): string[] {
  const parts = id.split(":");
  if (parts.length !== 4) return [];
  const [cloud, first, second, name] = parts as [string, string, string, string];
  if (cloud === "aws") return [name];
  if (cloud === "gcp") return [`projects/${first}/zones/${second}/instances/${name}`];
  return [];
}
