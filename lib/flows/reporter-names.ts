/**
 * How the flow logs name a workload's instance (docs/flows.md, "Resolution"): AWS `instance-id`
 * (`i-…`, the last part of an AWS workload id), GCP `projects/P/zones/Z/instances/N` (a GCP
 * workload id's parts). Azure logs name a NIC by its MAC address, which the inventory does not hold.
 */
import type { WorkloadId } from "../inventory/model.js";

/** The name a flow log gives the workload as its reporting instance, when its logs name instances. */
export function instanceName(id: WorkloadId): string | undefined {
  if (id.startsWith("aws:")) {
    const name = id.slice(id.lastIndexOf(":") + 1);
    return name.startsWith("i-") ? name : undefined;
  }
  if (!id.startsWith("gcp:")) return undefined;
  const parts = id.split(":");
  return parts.length === 4 ? `projects/${parts[1]}/zones/${parts[2]}/instances/${parts[3]}` : undefined;
}
