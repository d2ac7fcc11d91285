/**
 * What each cloud gives the live side, apart from its provider: its `live.ts` (its section of the
 * live configuration, kind: Config, and which of its places an event may name), registered in
 * lib/clouds/registry.ts, and its `sdk/connect.ts` (connecting to it), registered in
 * lib/clouds/connectors.ts. The two are apart because connecting loads the cloud's SDK adapter,
 * and the configuration's checks and the ingest functions must not (docs/architecture.md,
 * "Adding a cloud").
 */
import type { z } from "zod";
import type { WorkloadIdParts } from "../inventory/ids.js";
import type { Cloud } from "../inventory/model.js";
import type { PathSegment } from "../util/source-issues.js";

/** Why an event's place is refused: a metric dimension, so a short fixed set (`<place>-not-configured`). */
export type UnconfiguredReason = "not-a-workload-id" | `${string}-not-configured`;

export interface PlaceRefusal {
  readonly reason: UnconfiguredReason;
  /** Names the place (account and region, subscription or project): no secret, fit for a log. */
  readonly detail: string;
}

/** A list of a section whose entries name places, each of which must be listed once. */
export interface ListedOnce {
  /** What an entry is, as the message names it: "account", "region". */
  readonly what: string;
  readonly values: readonly string[];
  /** The path of the entry at `index`, inside the cloud's section. */
  pathOf(index: number): PathSegment[];
}

/** One cloud's configured places, as events are checked against them. */
export interface CloudPlaces<C extends Cloud> {
  /** Why the workload's place is not configured, or undefined when it is. */
  refusalOf(parts: Extract<WorkloadIdParts, { cloud: C }>): PlaceRefusal | undefined;
  /** The same for a place named as the provider's placeOf names it (AWS `account:region`, an Azure subscription, a GCP project). */
  refusalOfPlace(place: string): PlaceRefusal | undefined;
  /**
   * The place of a workload admitted only as one that may belong to a configured place (a GCP
   * Shared VPC service project): its reader must confirm it first. Undefined for any other.
   */
  unlistedPlace(parts: Extract<WorkloadIdParts, { cloud: C }>): string | undefined;
}

/**
 * A cloud's live part (lib/clouds/<cloud>/live.ts). `List` is its part of the place list of the
 * ingest functions' environment (lib/ingest/places.ts); `Connection` what of its connection names
 * the places it manages.
 */
export interface CloudLive<C extends Cloud, Section extends z.ZodType, List, Connection> {
  readonly cloud: C;
  /** Its section of the live configuration (docs/live.md). */
  readonly section: Section;
  /** The lists of its section that name places: a place named twice would be read and planned twice. */
  listedOnce(section: z.output<Section>): readonly ListedOnce[];
  places(list: List): CloudPlaces<C>;
  /** The places a connection manages, as a place list. */
  listOf(connection: Connection): List;
}

/**
 * Connecting to a cloud (lib/clouds/<cloud>/sdk/connect.ts): its provider's settings from its
 * section, with the cloud's defaults, and its connection over exactly the places the section names.
 * Nothing is connected yet: clients and credentials are built on first use. `Clients` are clients
 * other than the defaults (an emulator's endpoint, test credentials).
 */
export interface CloudConnector<C extends Cloud, Section, Settings, Clients, Connection> {
  readonly cloud: C;
  providerSettings(section: Section | undefined): Settings;
  /** With no section, a connection with no places: it reads and writes nothing. */
  connect(section: Section | undefined, clients: Clients | undefined): Connection;
}
