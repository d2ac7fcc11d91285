/**
 * The places segsync is configured for (AWS accounts × regions, Azure subscriptions, GCP
 * projects), and the check that an event's workload is in one of them. Events are hints, and
 * only from configured places: the ingest functions drop an event about any other place (it is
 * acknowledged and counted, never retried), and the reconciler ignores a queue message about one
 * (docs/trust-model.md, "Events").
 */
import { parseWorkloadId, workloadIdProblem } from "../inventory/ids.js";
import type { WorkloadId } from "../inventory/model.js";

/** What the configuration lists, in the shapes of the live config and the ingest functions' environment. */
export interface PlaceList {
  readonly aws?: readonly { readonly account: string; readonly regions: readonly string[] }[];
  readonly azure?: readonly string[];
  readonly gcp?: readonly string[];
  /**
   * Whether a GCP project the list does not name may be a Shared VPC service project of one it
   * does: its events are accepted, and the reconciler reads the project only once it names a
   * configured host (docs/live.md, "GCP Shared VPC").
   */
  readonly gcpServiceProjects?: boolean;
}

/** Why an event's place is refused: a metric dimension, so a short fixed set. */
export type UnconfiguredReason =
  | "account-not-configured"
  | "region-not-configured"
  | "subscription-not-configured"
  | "project-not-configured"
  | "not-a-workload-id";

export interface PlaceRefusal {
  readonly reason: UnconfiguredReason;
  /** Names the place (account and region, subscription or project): no secret, fit for a log. */
  readonly detail: string;
}

export class ConfiguredPlaces {
  /** account → its regions. */
  readonly #aws: ReadonlyMap<string, ReadonlySet<string>>;
  /** Lowercased: Event Grid does not promise the case of a subscription id. */
  readonly #azure: ReadonlySet<string>;
  readonly #gcp: ReadonlySet<string>;
  readonly #gcpServiceProjects: boolean;

  constructor(list: PlaceList) {
    const aws = new Map<string, Set<string>>();
    for (const { account, regions } of list.aws ?? []) {
      const known = aws.get(account) ?? new Set<string>();
      for (const region of regions) known.add(region);
      aws.set(account, known);
    }
    this.#aws = aws;
    this.#azure = new Set((list.azure ?? []).map((subscription) => subscription.toLowerCase()));
    this.#gcp = new Set(list.gcp ?? []);
    this.#gcpServiceProjects = list.gcpServiceProjects === true && this.#gcp.size > 0;
  }

  /** The places of connections: AWS locations, Azure subscriptions, GCP projects. */
  static ofConnections(connections: {
    readonly aws: { readonly locations: readonly { readonly account: string; readonly region: string }[] };
    readonly azure: { readonly subscriptions: readonly string[] };
    readonly gcp: { readonly projects: readonly string[]; readonly hosts?: readonly string[] };
  }): ConfiguredPlaces {
    return new ConfiguredPlaces({
      aws: connections.aws.locations.map(({ account, region }) => ({ account, regions: [region] })),
      azure: connections.azure.subscriptions,
      gcp: connections.gcp.projects,
      gcpServiceProjects: (connections.gcp.hosts?.length ?? 0) > 0,
    });
  }

  /** Why the workload's place is not configured, or undefined when it is. */
  refusalOf(workloadId: WorkloadId): PlaceRefusal | undefined {
    const problem = workloadIdProblem(workloadId);
    if (problem !== undefined) return { reason: "not-a-workload-id", detail: problem };
    const parts = parseWorkloadId(workloadId);
    switch (parts.cloud) {
      case "aws": {
        const regions = this.#aws.get(parts.account);
        if (regions === undefined) {
          return { reason: "account-not-configured", detail: `AWS account ${parts.account}` };
        }
        if (!regions.has(parts.region)) {
          return {
            reason: "region-not-configured",
            detail: `AWS region ${parts.region} of account ${parts.account}`,
          };
        }
        return undefined;
      }
      case "azure":
        return this.refusalOfSubscription(parts.subscription);
      case "gcp":
        return this.#gcp.has(parts.project) || this.#gcpServiceProjects
          ? undefined
          : { reason: "project-not-configured", detail: `GCP project ${parts.project}` };
    }
  }

  /**
   * The project of a GCP workload admitted only as a possible Shared VPC service project (the list
   * does not name it): its host must be confirmed before it is read. Undefined for any other.
   */
  unlistedGcpProject(workloadId: WorkloadId): string | undefined {
    if (!this.#gcpServiceProjects || workloadIdProblem(workloadId) !== undefined) return undefined;
    const parts = parseWorkloadId(workloadId);
    return parts.cloud === "gcp" && !this.#gcp.has(parts.project) ? parts.project : undefined;
  }

  /** Why an Azure subscription is not configured (compared case-insensitively), or undefined. */
  refusalOfSubscription(subscription: string): PlaceRefusal | undefined {
    return this.#azure.has(subscription.toLowerCase())
      ? undefined
      : { reason: "subscription-not-configured", detail: `Azure subscription ${subscription}` };
  }
}
