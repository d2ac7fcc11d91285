/**
 * SimulatedClouds: the three simulated clouds of an estate, behind the same connections that
 * segsync uses for the real ones, with the faults to inject (throttling, a crash before a write),
 * the State document of `simulate --state-out`, a clock and event ids for scenario events, and
 * the book of live workloads that scenario steps check and change (controls.ts).
 */
import type { ProviderSettings } from "../lib/clouds/registry.js";
import { CLOUDS, type Cloud } from "../lib/inventory/model.js";
import { compareText } from "../lib/util/compare-text.js";
import { EventIds, SimulatedClock } from "./clock.js";
import { type ConnectionOf, type QuotasOf, type SimulatorOf, simulatorOf } from "./clouds/registry.js";
import type { LocationSimulator, SimulatedPlaces } from "./clouds/simulator.js";
import { EstateIndex, type IndexedNetwork } from "./estate-index.js";
import type { Estate } from "./estate-schema.js";
import { hooked, locationSeed, type SimServerErrors, type SimThrottle, WriteHook } from "./faults.js";
import { PortCallCounter, type PortCalls } from "./port-calls.js";
import type { SimulatedState } from "./state-out.js";
import { FlowLogs } from "./traffic/flow-logs.js";
import type { LiveWorkload } from "./workload-book.js";

export { type SimServerErrors, type SimThrottle, SimulatedCrashError } from "./faults.js";

export interface SimulatedCloudsOptions {
  readonly quotas?: { readonly [C in Cloud]?: QuotasOf<C> };
  /** Where the simulated clock starts (ISO 8601). */
  readonly startTime?: string;
  /** Seeds the ids of emitted events: scenarioSeed(scenario) gives each scenario its own. */
  readonly eventSeed?: string;
}

export type SimulatedConnections = { readonly [C in Cloud]: ConnectionOf<C> };

type Sims = { [C in Cloud]: SimulatorOf<C> };

/** By cloud, its locations' simulators by key (as each cloud's simulator keys them). */
type SimMaps = { [C in Cloud]: Map<string, Sims[C]> };

function byCloud<T>(make: (cloud: Cloud) => T): Record<Cloud, T> {
  return Object.fromEntries(CLOUDS.map((cloud) => [cloud, make(cloud)])) as Record<Cloud, T>;
}

/**
 * Clouds that the estate's check built (sim/estate.ts) and nobody has used: the first
 * `fromEstate` of that same estate with default options takes them instead of building the same
 * clouds again (the build is most of what loading a large estate costs, and it is deterministic).
 * Estates are not changed once checked.
 */
const UNUSED_CHECK_BUILDS = new WeakMap<Estate, SimulatedClouds>();

export class SimulatedClouds {
  readonly clock: SimulatedClock;
  readonly ids: EventIds;
  /** What the interfaces logged of the scenario's traffic steps, cloud by cloud. */
  readonly flowLogs = new FlowLogs();
  private readonly sims: SimMaps;
  private readonly ports = byCloud(() => new Map<string, LocationSimulator<unknown>>());
  private readonly hooks = byCloud((cloud) => new WriteHook(cloud));
  private readonly throttles: Partial<Record<Cloud, SimThrottle>> = {};
  private readonly serverErrors: Partial<Record<Cloud, SimServerErrors>> = {};
  private readonly networks: ReadonlyMap<string, IndexedNetwork>;
  private readonly live = new Map<string, LiveWorkload>();
  /** Who holds each address now, so that a launch is checked without scanning every workload. */
  private readonly holders = new AddressHolders();
  private readonly portCalls = new PortCallCounter();

  private constructor(
    private readonly estate: Estate,
    private readonly options: SimulatedCloudsOptions,
  ) {
    const index = new EstateIndex(estate);
    const nativeIds = new Map<string, string>();
    this.sims = byCloud((cloud) => {
      const built = simulatorOf(cloud).build(estate, index, options.quotas?.[cloud]);
      for (const [id, nativeId] of built.nativeIds ?? []) nativeIds.set(id, nativeId);
      return built.sims;
    }) as SimMaps;
    this.networks = index.networks;
    for (const { workload, parts } of index.workloads.values()) {
      const nativeId = nativeIds.get(workload.id);
      this.record(workload.id, {
        ...workload,
        parts,
        tagVersion: 1,
        ...(nativeId === undefined ? {} : { nativeId }),
      });
    }
    this.clock = new SimulatedClock(options.startTime);
    this.ids = new EventIds(options.eventSeed ?? "segsync");
  }

  /**
   * Builds the clouds of a checked estate (loadEstateText/File). Throws SimulationRefusedError,
   * naming the estate's path, when a simulator refuses what the estate describes.
   */
  static fromEstate(estate: Estate, options: SimulatedCloudsOptions = {}): SimulatedClouds {
    const unused = Object.keys(options).length === 0 ? UNUSED_CHECK_BUILDS.get(estate) : undefined;
    if (unused === undefined) return new SimulatedClouds(estate, options);
    UNUSED_CHECK_BUILDS.delete(estate);
    return unused;
  }

  /**
   * The estate's check: builds its clouds with default options (throwing SimulationRefusedError
   * as fromEstate does) and keeps them for the first fromEstate of the estate.
   */
  static buildToCheck(estate: Estate): void {
    UNUSED_CHECK_BUILDS.set(estate, new SimulatedClouds(estate, {}));
  }

  /** How segsync reaches the simulated clouds: each location's simulator behind the fault hooks. */
  connections(): SimulatedConnections {
    return byCloud((cloud) =>
      simulatorOf(cloud).connection(this.keys(cloud), (key) => this.port(cloud, key)),
    ) as SimulatedConnections;
  }

  /** Each cloud's provider settings for simulating this estate (sim/clouds/<cloud>/simulator.ts). */
  providerSettings(): { readonly [C in Cloud]: ProviderSettings[C] } {
    return byCloud((cloud) => simulatorOf(cloud).providerSettings(this.estate, this.keys(cloud))) as {
      readonly [C in Cloud]: ProviderSettings[C];
    };
  }

  /** The simulators themselves (controls, call logs, state()), made empty on first use like a new location. */
  aws(location: { readonly account: string; readonly region: string }): Sims["aws"] {
    return this.sim("aws", `${location.account}:${location.region}`);
  }

  azure(subscription: string): Sims["azure"] {
    return this.sim("azure", subscription);
  }

  gcp(project: string): Sims["gcp"] {
    return this.sim("gcp", project);
  }

  /** A cloud's locations and the estate's networks, as that cloud's own tools see them (controls.ts). */
  places(cloud: Cloud): SimulatedPlaces<LocationSimulator<unknown>> {
    return { at: (key) => this.sim(cloud, key), network: (id) => this.network(id) };
  }

  /** The State document (docs/formats.md, "State"). */
  stateOut(): SimulatedState {
    return byCloud((cloud) => simulatorOf(cloud).stateOut(this.nativeStates(cloud))) as SimulatedState;
  }

  /** Every location's native state of one cloud, in location order (what its own tools would read). */
  nativeStates(cloud: Cloud): unknown[] {
    return this.keys(cloud).map((key) => this.sim(cloud, key).state());
  }

  /** Throttles a seeded fraction of the cloud's port calls with its own error; undefined stops it. */
  setThrottle(cloud: Cloud, throttle: SimThrottle | undefined): void {
    if (throttle === undefined) delete this.throttles[cloud];
    else this.throttles[cloud] = throttle;
    for (const key of this.keys(cloud)) this.applyThrottle(cloud, key);
  }

  /**
   * Fails a seeded fraction of the cloud's port calls with its own 500 or 503: before the call
   * takes effect, or (a seeded share of the writes) after, the response lost; undefined stops it.
   */
  setServerErrors(cloud: Cloud, serverErrors: SimServerErrors | undefined): void {
    if (serverErrors === undefined) delete this.serverErrors[cloud];
    else this.serverErrors[cloud] = serverErrors;
    for (const key of this.keys(cloud)) this.applyServerErrors(cloud, key);
  }

  /** The write after the next `n` on this cloud's ports throws SimulatedCrashError, once, and is not made. */
  failAfterWrites(cloud: Cloud, n: number): void {
    this.hooks[cloud].failAfter(n);
  }

  /** The port calls each cloud received since the last take, reads and writes by method (port-calls.ts). */
  takePortCalls(): PortCalls {
    return this.portCalls.take(
      (cloud) => this.sims[cloud].values(),
      (cloud) => ({ writes: simulatorOf(cloud).writeMethods, pageSizes: simulatorOf(cloud).pageSizes }),
    );
  }

  /** The writes made through this cloud's ports so far. */
  writes(cloud: Cloud): number {
    return this.hooks[cloud].writes;
  }

  /** An estate network by id. */
  network(id: string): IndexedNetwork | undefined {
    return this.networks.get(id);
  }

  /** A workload that exists now (running or stopped). */
  workload(id: string): LiveWorkload | undefined {
    return this.live.get(id);
  }

  /** Every workload that exists now, by id. */
  workloads(): LiveWorkload[] {
    return [...this.live.values()].sort((a, b) => compareText(a.id, b.id));
  }

  /** Records what a control did to a workload (controls.ts); undefined: it is gone. */
  record(id: string, workload: LiveWorkload | undefined): void {
    const before = this.live.get(id);
    if (before !== undefined) this.holders.forget(before);
    if (workload === undefined) this.live.delete(id);
    else {
      this.live.set(id, workload);
      this.holders.note(workload);
    }
  }

  /** The workload whose primary NIC has this private address in this network, if any. */
  holderOfPrivateIp(network: string, privateIp: string): LiveWorkload | undefined {
    const id = this.holders.privateIp(network, privateIp);
    return id === undefined ? undefined : this.live.get(id);
  }

  /** The running workload with this public address, if any. */
  runningWithPublicIp(publicIp: string): LiveWorkload | undefined {
    const id = this.holders.runningPublicIp(publicIp);
    return id === undefined ? undefined : this.live.get(id);
  }

  private keys(cloud: Cloud): string[] {
    return [...this.sims[cloud].keys()].sort(compareText);
  }

  private sim<C extends Cloud>(cloud: C, key: string): Sims[C] {
    const sims = this.sims[cloud] as Map<string, Sims[C]>;
    let sim = sims.get(key);
    if (sim === undefined) {
      sim = simulatorOf(cloud).empty(key, this.options.quotas?.[cloud]) as Sims[C];
      sims.set(key, sim);
      this.applyThrottle(cloud, key);
      this.applyServerErrors(cloud, key);
    }
    return sim;
  }

  private port(cloud: Cloud, key: string): LocationSimulator<unknown> {
    const ports = this.ports[cloud];
    let port = ports.get(key);
    if (port === undefined) {
      port = hooked(this.sim(cloud, key), simulatorOf(cloud).writeMethods, this.hooks[cloud]);
      ports.set(key, port);
    }
    return port;
  }

  private applyThrottle(cloud: Cloud, key: string): void {
    const throttle = this.throttles[cloud];
    this.sim(cloud, key).setThrottle(
      throttle === undefined
        ? undefined
        : { throttleRate: throttle.rate, seed: locationSeed(throttle.seed, key) },
    );
  }

  private applyServerErrors(cloud: Cloud, key: string): void {
    const faults = this.serverErrors[cloud];
    this.sim(cloud, key).setServerErrors(
      faults === undefined ? undefined : { ...faults, seed: locationSeed(faults.seed, key) },
    );
  }
}

/** Workload ids by the addresses they hold: a primary private address per network, a running public one. */
class AddressHolders {
  private readonly privates = new Map<string, string>();
  private readonly publics = new Map<string, string>();

  note(workload: LiveWorkload): void {
    this.privates.set(`${workload.network} ${workload.privateIp}`, workload.id);
    if (workload.state === "running" && workload.publicIp !== undefined)
      this.publics.set(workload.publicIp, workload.id);
  }

  forget(workload: LiveWorkload): void {
    const key = `${workload.network} ${workload.privateIp}`;
    if (this.privates.get(key) === workload.id) this.privates.delete(key);
    if (workload.publicIp !== undefined && this.publics.get(workload.publicIp) === workload.id)
      this.publics.delete(workload.publicIp);
  }

  privateIp(network: string, privateIp: string): string | undefined {
    return this.privates.get(`${network} ${privateIp}`);
  }

  runningPublicIp(publicIp: string): string | undefined {
    return this.publics.get(publicIp);
  }
}
