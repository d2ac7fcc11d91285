/**
 * The CloudSimulator port: what each cloud's simulator folder (sim/clouds/<cloud>/) gives the
 * simulation, so that the estate (its file's `native:` sections among it), the scenario steps, the
 * events, the State document and `estate export --live` handle every cloud through one registry (sim/clouds/registry.ts) and a new cloud is its folder and one
 * registry line (docs/architecture.md, "Adding a cloud").
 */

import type { z } from "zod";
import type { Sealer } from "../../lib/clouds/common/seals.js";
import type { ProviderSettings } from "../../lib/clouds/registry.js";
import type { QueueMessage } from "../../lib/ingest/queue-message.js";
import type { NetworkIdParts, WorkloadIdParts } from "../../lib/inventory/ids.js";
import type { LabelConfig } from "../../lib/inventory/labels.js";
import type { Cloud } from "../../lib/inventory/model.js";
import type { DraftIssue } from "../../lib/util/source-issues.js";
import type { AddressBook } from "../address-book.js";
import type { EventIds } from "../clock.js";
import type { EstateFor } from "../estate-core-schema.js";
import type { EstateIndex, IndexedNetwork } from "../estate-index.js";
import type { PageSizes } from "../port-calls.js";
import type { TagRules } from "../tag-rules.js";
import type { ServerErrorOptions, ThrottleOptions } from "./common/call-log.js";
import type { CloudExport } from "./common/export-places.js";
import type { CloudTraffic } from "./traffic.js";

/** One location's simulator (an AWS account and region, an Azure subscription, a GCP project). */
export interface LocationSimulator<State> {
  setThrottle(throttle: ThrottleOptions | undefined): void;
  setServerErrors(serverErrors: ServerErrorOptions | undefined): void;
  /** Everything the location holds, in the cloud's native shapes. */
  state(): State;
  /** The port calls it received, in order (sim/clouds/common/call-log.ts). */
  readonly calls: readonly { readonly method: string }[];
}

/** A change to a workload that its cloud announces with events. */
export type Change = "launched" | "retagged" | "stopped" | "started" | "terminated";

/** A workload as the simulation knows it now (sim/workload-book.ts), narrowed to one cloud. */
export interface SimulatedWorkload<C extends Cloud> {
  readonly id: string;
  readonly parts: Extract<WorkloadIdParts, { cloud: C }>;
  readonly network: string;
  readonly privateIp: string;
  readonly publicIp?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly tagVersion: number;
  readonly nativeId?: string;
}

/** What the simulated clouds lend a cloud's own tools: its locations, and the estate's networks. */
export interface SimulatedPlaces<Sim> {
  /** The location's simulator, made empty on first use like a new location. */
  at(key: string): Sim;
  network(id: string): IndexedNetwork | undefined;
}

/** The events of one change: ids from `ids`, each event's time from `tick` (one second apart). */
export interface EventContext {
  readonly ids: EventIds;
  readonly tick: () => Date;
}

export interface CloudSimulator<
  C extends Cloud,
  Sim extends LocationSimulator<State>,
  State,
  Connection,
  Quotas,
  Native,
  EventBody,
  StateDocument,
  NicNative,
> {
  readonly cloud: C;
  /** The port methods that write: the fault hooks count them and can crash before one. */
  readonly writeMethods: ReadonlySet<string>;
  /**
   * The read methods whose results the real API pages, with its largest page: what a port read
   * costs in requests (sim/port-calls.ts). A method left out is one request per call.
   */
  readonly pageSizes: PageSizes;

  /** The estate's locations of this cloud, each with the estate's objects; `nativeIds` by workload id, where the cloud numbers instances. */
  build(
    estate: EstateFor<C, Native>,
    index: EstateIndex,
    quotas: Quotas | undefined,
  ): {
    readonly sims: Map<string, Sim>;
    readonly nativeIds?: ReadonlyMap<string, string>;
  };
  /** The cloud's provider settings for simulating this estate, whose locations are `keys`. */
  providerSettings(estate: EstateFor<C, Native>, keys: readonly string[]): ProviderSettings[C];
  /** An empty location, as a new account, subscription or project is. */
  empty(key: string, quotas: Quotas | undefined): Sim;
  /** How segsync reaches these locations: the cloud's connection over `port` (the hooked simulator). */
  connection(keys: readonly string[], port: (key: string) => Sim): Connection;
  /** The location a workload of this cloud lives in, as build and empty key it. */
  placeOf(workload: SimulatedWorkload<C>): string;
  /** Why the cloud refuses a workload's NIC in this network of the same cloud (another account, …), or undefined. */
  placementProblem(
    workload: Extract<WorkloadIdParts, { cloud: C }>,
    network: Extract<NetworkIdParts, { cloud: C }>,
    networkId: string,
  ): string | undefined;

  /** The estate's `native.<cloud>` section, value by value (docs/formats.md, "Estate"). */
  readonly nativeSchema: z.ZodType<Native>;
  /** The form of an estate network's `region`, for a cloud whose networks need one (Azure: NSGs are regional). */
  readonly networkRegionSchema?: z.ZodType<string>;
  /** What the cloud refuses in the estate's `native` section of this cloud, path by path. */
  checkNative(native: Native, index: EstateIndex, addresses: AddressBook): DraftIssue[];
  /** What the cloud refuses of a workload's tags (GCP: labels). */
  readonly tagRules: TagRules;

  /**
   * `estate export --live`: every place of the live `connection` read (describes, lists and gets
   * only) as this cloud's part of an Estate, segsync's seals that verify under `recordKey` sealed
   * again under the simulator's (docs/live.md, "Exporting your estate").
   */
  exportLive(connection: Connection, recordKey: Sealer, labels: LabelConfig): Promise<CloudExport<Native>>;

  /** The native events of one change; `before` is the workload before a re-tag. */
  eventsOf(
    change: Change,
    workload: SimulatedWorkload<C>,
    before: SimulatedWorkload<C> | undefined,
    context: EventContext,
  ): EventBody[];
  /**
   * The queue messages the cloud's ingest function (lambdas/<cloud>-events.ts) sends for one of
   * its events, with the same parser; none for a handshake or an event segsync ignores.
   */
  queueMessagesOf(body: EventBody): QueueMessage[];
  /** The cloud's part of the State document (docs/formats.md, "State"), sorted, from every location's state. */
  stateOut(states: readonly State[]): StateDocument;

  /** The cloud's own tools for a workload's life (not segsync's port calls: neither logged nor throttled). */
  readonly tools: NativeTools<C, Sim>;
  /** Its interfaces, rules and flow log for the `traffic` step (sim/clouds/traffic.ts). */
  readonly traffic: CloudTraffic<State, NicNative>;
}

/** What a person or a pipeline does to a workload in its cloud, for a scenario step. */
export interface NativeTools<C extends Cloud, Sim> {
  /** Returns the cloud's numeric instance id, where it has one (GCP). */
  launch(places: SimulatedPlaces<Sim>, workload: SimulatedWorkload<C>): string | undefined;
  retag(
    places: SimulatedPlaces<Sim>,
    workload: SimulatedWorkload<C>,
    tags: Readonly<Record<string, string>>,
  ): void;
  stop(places: SimulatedPlaces<Sim>, workload: SimulatedWorkload<C>): void;
  /** `publicIp`: the address it gets back, when it had one and nobody took it meanwhile. */
  start(places: SimulatedPlaces<Sim>, workload: SimulatedWorkload<C>, publicIp: string | undefined): void;
  terminate(places: SimulatedPlaces<Sim>, workload: SimulatedWorkload<C>): void;
}

/** The message of what a cloud check throws: its cause's, when it wraps the cloud's own error. */
export function refusalOf(check: () => void): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    const cause = error instanceof Error ? error.cause : undefined;
    if (cause instanceof Error) return cause.message;
    return error instanceof Error ? error.message : String(error);
  }
}
