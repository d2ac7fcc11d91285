/**
 * The GCP hint: an event of a project the config does not name is one of a Shared VPC service
 * project only when the project names a configured host (getXpnHost); otherwise it is ignored, as
 * any unconfigured place (docs/live.md, "GCP Shared VPC").
 */
import type { WorkloadId } from "../../inventory/model.js";
import type { HintResolution } from "../provider.js";
import type { GcpApiFactory } from "./api.js";
import { GcpAccessError } from "./errors.js";

/** The workload, to re-read when its project is a service project of a configured host. */
export async function confirmServiceProject(
  connection: { readonly apiFor: GcpApiFactory; readonly hosts?: readonly string[] },
  workload: WorkloadId,
  project: string,
): Promise<HintResolution> {
  const notConfigured: HintResolution = {
    kind: "ignored",
    why: `GCP project ${project}: project-not-configured`,
  };
  const hosts = connection.hosts ?? [];
  if (hosts.length === 0) return notConfigured;
  try {
    const host = await connection.apiFor(project).getXpnHost();
    if (host !== undefined && hosts.includes(host)) return { kind: "workload", workload };
    return {
      kind: "ignored",
      why: `GCP project ${project} (Shared VPC host: ${host ?? "none"}): project-not-configured`,
    };
  } catch (error) {
    if (error instanceof GcpAccessError && error.code === "NotConfigured") return notConfigured;
    throw error;
  }
}
