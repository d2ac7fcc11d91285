/**
 * The places segsync is configured for (AWS accounts × regions, Azure subscriptions, GCP
 * projects), and the check that an event's workload is in one of them. Events are hints, and
 * only from configured places: the ingest functions drop an event about any other place (it is
 * acknowledged and counted, never retried), and the reconciler ignores a queue message about one
 * (docs/trust-model.md, "Events"). Each cloud's places are its live part's
 * (lib/clouds/<cloud>/live.ts, through the registry).
 */
import type { CloudPlaces, PlaceRefusal } from "../clouds/live.js";
import { LIVE } from "../clouds/registry.js";
import { parseWorkloadId, type WorkloadIdParts, workloadIdProblem } from "../inventory/ids.js";
import { CLOUDS, type Cloud, type WorkloadId } from "../inventory/model.js";

export type { PlaceRefusal, UnconfiguredReason } from "../clouds/live.js";

type Live = typeof LIVE;
type ListOf<C extends Cloud> = Parameters<Live[C]["places"]>[0];
/** The union's members as one type: every cloud's part of the list together. */
type AllOf<U> = (U extends unknown ? (u: U) => void : never) extends (all: infer A) => void ? A : never;

/**
 * What the configuration lists, in the shapes of the live config and the ingest functions'
 * environment: each cloud's part (`aws`, `azure`, `gcp`, `gcpServiceProjects`), all optional.
 */
export type PlaceList = AllOf<ListOf<Cloud>>;

/** Each cloud's connection, as far as it names the places it manages. */
export type ConnectionPlaces = { readonly [C in Cloud]: Parameters<Live[C]["listOf"]>[0] };

/** A cloud's places with its own types erased: sound, since each is only asked about its own cloud's ids. */
type AnyPlaces = CloudPlaces<Cloud> & {
  refusalOf(parts: WorkloadIdParts): PlaceRefusal | undefined;
  unlistedPlace(parts: WorkloadIdParts): string | undefined;
};

export class ConfiguredPlaces {
  readonly #places: Readonly<Record<Cloud, AnyPlaces>>;

  constructor(list: PlaceList) {
    this.#places = Object.fromEntries(
      CLOUDS.map((cloud) => [cloud, (LIVE[cloud].places as (list: PlaceList) => AnyPlaces)(list)]),
    ) as Record<Cloud, AnyPlaces>;
  }

  /** The places of connections: AWS locations, Azure subscriptions, GCP projects (and whether they have hosts). */
  static ofConnections(connections: ConnectionPlaces): ConfiguredPlaces {
    const lists = CLOUDS.map((cloud) =>
      (LIVE[cloud].listOf as (connection: ConnectionPlaces[Cloud]) => PlaceList)(connections[cloud]),
    );
    return new ConfiguredPlaces(Object.assign({}, ...lists));
  }

  /** Why the workload's place is not configured, or undefined when it is. */
  refusalOf(workloadId: WorkloadId): PlaceRefusal | undefined {
    const problem = workloadIdProblem(workloadId);
    if (problem !== undefined) return { reason: "not-a-workload-id", detail: problem };
    const parts = parseWorkloadId(workloadId);
    return this.#places[parts.cloud].refusalOf(parts);
  }

  /**
   * The place of a workload admitted only as one that may belong to a configured place (a GCP
   * Shared VPC service project the list does not name): its reader must confirm it before it is
   * read. Undefined for any other.
   */
  unlistedPlace(workloadId: WorkloadId): string | undefined {
    if (workloadIdProblem(workloadId) !== undefined) return undefined;
    const parts = parseWorkloadId(workloadId);
    return this.#places[parts.cloud].unlistedPlace(parts);
  }

  /**
   * Why a place of `cloud`, named as its provider's placeOf names it (an Azure subscription,
   * compared case-insensitively), is not configured, or undefined.
   */
  refusalOfPlace(cloud: Cloud, place: string): PlaceRefusal | undefined {
    return this.#places[cloud].refusalOfPlace(place);
  }
}
