/** GCP's live part (lib/clouds/live.ts): its section of the live configuration, and its places. */
import type { CloudLive, CloudPlaces } from "../live.js";
import { GcpSectionSchema } from "./config.js";

/** The projects, as the ingest functions' environment lists them. */
export interface GcpPlaceList {
  readonly gcp?: readonly string[];
  /**
   * Whether a GCP project the list does not name may be a Shared VPC service project of one it
   * does: its events are accepted, and the reconciler reads the project only once it names a
   * configured host (docs/live.md, "GCP Shared VPC").
   */
  readonly gcpServiceProjects?: boolean;
}

function gcpPlaces(list: GcpPlaceList): CloudPlaces<"gcp"> {
  const projects = new Set(list.gcp ?? []);
  // Without a configured project there is no host for a service project to belong to.
  const serviceProjects = list.gcpServiceProjects === true && projects.size > 0;
  const refusalOfPlace = (project: string) =>
    projects.has(project) || serviceProjects
      ? undefined
      : { reason: "project-not-configured" as const, detail: `GCP project ${project}` };
  return {
    refusalOf: (parts) => refusalOfPlace(parts.project),
    refusalOfPlace,
    unlistedPlace: ({ project }) => (serviceProjects && !projects.has(project) ? project : undefined),
  };
}

export const gcpLive = {
  cloud: "gcp",
  section: GcpSectionSchema,
  listedOnce: ({ projects }) => [
    { what: "project", values: projects, pathOf: (index) => ["projects", index] },
  ],
  places: gcpPlaces,
  listOf: (connection: { readonly projects: readonly string[]; readonly hosts?: readonly string[] }) => ({
    gcp: connection.projects,
    gcpServiceProjects: (connection.hosts?.length ?? 0) > 0,
  }),
} as const satisfies CloudLive<"gcp", typeof GcpSectionSchema, GcpPlaceList, never>;
