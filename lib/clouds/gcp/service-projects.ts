/**
 * Shared VPC service projects (docs/clouds.md, "GCP Shared VPC"): an instance of a service
 * project has its NIC in the host's network, its network tags in its own project. A service
 * project attached to a configured host is read as the host is, whether or not the configuration
 * names it: at a full read through the host (getXpnResources), at event time through the
 * service project itself (getXpnHost names a configured host).
 */
import { compareText } from "../../util/compare-text.js";
import type { CloudFinding } from "../provider.js";
import type { GcpApiFactory } from "./api.js";

/** What finding the projects to read needs of a connection (GcpConnection). */
export interface ProjectSource {
  readonly apiFor: GcpApiFactory;
  readonly projects: readonly string[];
  readonly hosts?: readonly string[];
  readonly candidates?: readonly string[];
}

export interface ProjectsToRead {
  /** Sorted, each once. */
  readonly projects: string[];
  readonly findings: CloudFinding[];
}

/**
 * The projects a read covers: the connection's, and the service projects of its hosts. A full
 * read (no candidates) asks each host for its service projects; a failure there fails the read,
 * since a service project left out would read as one without workloads. A narrowed read asks
 * each candidate for its host; one that cannot answer, or names no host of the connection, is
 * not read, and reported.
 */
export async function projectsToRead(connection: ProjectSource): Promise<ProjectsToRead> {
  const hosts = new Set(connection.hosts ?? []);
  const read = new Set(connection.projects);
  const findings: CloudFinding[] = [];
  if (connection.candidates === undefined) {
    const attached = await Promise.all([...hosts].map((host) => connection.apiFor(host).getXpnResources()));
    for (const project of attached.flat()) read.add(project);
  } else {
    const confirmed = await Promise.all(
      connection.candidates
        .filter((project) => !read.has(project))
        .map((project) => confirmServiceProject(connection.apiFor, project, hosts, findings)),
    );
    for (const project of confirmed) if (project !== undefined) read.add(project);
  }
  return { projects: [...read].sort(compareText), findings };
}

async function confirmServiceProject(
  apiFor: GcpApiFactory,
  project: string,
  hosts: ReadonlySet<string>,
  findings: CloudFinding[],
): Promise<string | undefined> {
  if (hosts.size === 0) return undefined;
  let host: string | undefined;
  try {
    host = await apiFor(project).getXpnHost();
  } catch (error) {
    findings.push({
      code: "gcp-project-not-read",
      severity: "warning",
      subject: project,
      message: `project ${project} is not configured, and asking it for its Shared VPC host failed (${error instanceof Error ? error.message : String(error)}): not read`,
    });
    return undefined;
  }
  if (host !== undefined && hosts.has(host)) return project;
  findings.push({
    code: "gcp-project-not-read",
    severity: "warning",
    subject: project,
    message: `project ${project} is not configured and is no Shared VPC service project of a configured host (its host: ${host ?? "none"}): not read`,
  });
  return undefined;
}
