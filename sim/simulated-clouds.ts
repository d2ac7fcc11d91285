/**
 * SimulatedClouds: the three simulated clouds of an estate, behind the same connections that
 * segsync uses for the real ones, with the faults to inject (throttling, a crash before a write),
 * the State document of `simulate --state-out`, a clock and event ids for scenario events, and
 * the book of live workloads that scenario steps check and change (controls.ts).
 */
import type { AwsQuotas } from "../lib/clouds/aws/config.js";
import type { AwsLocation } from "../lib/clouds/aws/model.js";
import type { AwsConnection } from "../lib/clouds/aws/provider.js";
import type { AzureQuotas } from "../lib/clouds/azure/config.js";
import type { AzureConnection } from "../lib/clouds/azure/provider.js";
import type { GcpQuotas } from "../lib/clouds/gcp/config.js";
import type { GcpConnection } from "../lib/clouds/gcp/provider.js";
import type { Cloud } from "../lib/inventory/model.js";
import { compareText } from "../lib/util/compare-text.js";
import { EventIds, SimulatedClock } from "./clock.js";
import { AWS_WRITE_METHODS, SimulatedEc2 } from "./clouds/aws/api.js";
import { buildAws } from "./clouds/aws/build.js";
import { AZURE_WRITE_METHODS, SimulatedArm } from "./clouds/azure/api.js";
import { buildAzure } from "./clouds/azure/build.js";
import { segsyncResourceGroups } from "./clouds/azure/segsync-resource-groups.js";
import { GCP_WRITE_METHODS, SimulatedCompute } from "./clouds/gcp/api.js";
import { buildGcp } from "./clouds/gcp/build.js";
import { EstateIndex, type IndexedNetwork } from "./estate-index.js";
import type { Estate } from "./estate-schema.js";
import { hooked, locationSeed, type SimServerErrors, type SimThrottle, WriteHook } from "./faults.js";
import { type SimulatedState, stateOut } from "./state-out.js";
import type { LiveWorkload } from "./workload-book.js";

export { type SimServerErrors, type SimThrottle, SimulatedCrashError } from "./faults.js";

export interface SimulatedCloudsOptions {
  readonly quotas?: { readonly aws?: AwsQuotas; readonly azure?: AzureQuotas; readonly gcp?: GcpQuotas };
  /** Where the simulated clock starts (ISO 8601). */
  readonly startTime?: string;
  /** Seeds the ids of emitted events: scenarioSeed(scenario) gives each scenario its own. */
  readonly eventSeed?: string;
}

export interface SimulatedConnections {
  readonly aws: AwsConnection;
  readonly azure: AzureConnection;
  readonly gcp: GcpConnection;
}

type Sims = { aws: SimulatedEc2; azure: SimulatedArm; gcp: SimulatedCompute };

const WRITE_METHODS: Readonly<Record<Cloud, ReadonlySet<string>>> = {
  aws: AWS_WRITE_METHODS,
  azure: AZURE_WRITE_METHODS,
  gcp: GCP_WRITE_METHODS,
};

export class SimulatedClouds {
  readonly clock: SimulatedClock;
  readonly ids: EventIds;
  private readonly sims: { [C in Cloud]: Map<string, Sims[C]> };
  private readonly ports: { [C in Cloud]: Map<string, Sims[C]> } = {
    aws: new Map(),
    azure: new Map(),
    gcp: new Map(),
  };
  private readonly hooks: Record<Cloud, WriteHook> = {
    aws: new WriteHook("aws"),
    azure: new WriteHook("azure"),
    gcp: new WriteHook("gcp"),
  };
  private readonly throttles: Partial<Record<Cloud, SimThrottle>> = {};
  private readonly serverErrors: Partial<Record<Cloud, SimServerErrors>> = {};
  private readonly networks: ReadonlyMap<string, IndexedNetwork>;
  private readonly live = new Map<string, LiveWorkload>();
  /** Where segsync keeps its NSGs and ASGs, per subscription, when the estate already holds some. */
  readonly segsyncResourceGroups: Readonly<Record<string, string>>;

  private constructor(
    estate: Estate,
    private readonly options: SimulatedCloudsOptions,
  ) {
    const index = new EstateIndex(estate);
    const gcp = buildGcp(estate, index, options.quotas?.gcp);
    this.sims = {
      aws: buildAws(estate, index, options.quotas?.aws),
      azure: buildAzure(estate, index, options.quotas?.azure),
      gcp: gcp.sims,
    };
    this.networks = index.networks;
    this.segsyncResourceGroups = segsyncResourceGroups(estate);
    for (const { workload, parts } of index.workloads.values()) {
      const nativeId = gcp.instanceIds.get(workload.id);
      this.live.set(workload.id, {
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
    return new SimulatedClouds(estate, options);
  }

  /** How segsync reaches the simulated clouds: each location's simulator behind the fault hooks. */
  connections(): SimulatedConnections {
    return {
      aws: {
        apiFor: (location) => this.port("aws", `${location.account}:${location.region}`),
        locations: this.keys("aws").map((key) => {
          const [account = "", region = ""] = key.split(":");
          return { account, region };
        }),
      },
      azure: {
        apiFor: (subscription) => this.port("azure", subscription),
        subscriptions: this.keys("azure"),
      },
      gcp: {
        apiFor: (project) => this.port("gcp", project),
        projects: this.keys("gcp"),
        // Any of them may be a Shared VPC host: service projects attached later are read too.
        hosts: this.keys("gcp"),
      },
    };
  }

  /** The simulators themselves (controls, call logs, state()), made empty on first use like a new location. */
  aws(location: AwsLocation): SimulatedEc2 {
    return this.sim("aws", `${location.account}:${location.region}`);
  }

  azure(subscription: string): SimulatedArm {
    return this.sim("azure", subscription);
  }

  gcp(project: string): SimulatedCompute {
    return this.sim("gcp", project);
  }

  /**
   * Shared VPC: attaches `serviceProject` to `host` (both simulators learn it), as an administrator
   * does before an instance of the service project can have a NIC in the host's network.
   */
  attachServiceProject(host: string, serviceProject: string): void {
    this.gcp(serviceProject).setXpnHost(host);
    this.gcp(host).enableXpnResource(serviceProject);
  }

  /** The State document (docs/formats.md, "State"). */
  stateOut(): SimulatedState {
    return stateOut(
      this.keys("aws").map((key) => this.sim("aws", key).state()),
      this.keys("azure").map((key) => this.sim("azure", key).state()),
      this.keys("gcp").map((key) => this.sim("gcp", key).state()),
    );
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
    if (workload === undefined) this.live.delete(id);
    else this.live.set(id, workload);
  }

  private keys(cloud: Cloud): string[] {
    return [...this.sims[cloud].keys()].sort(compareText);
  }

  private sim<C extends Cloud>(cloud: C, key: string): Sims[C] {
    const sims = this.sims[cloud] as Map<string, Sims[C]>;
    let sim = sims.get(key);
    if (sim === undefined) {
      sim = this.emptySim(cloud, key);
      sims.set(key, sim);
      this.applyThrottle(cloud, key);
      this.applyServerErrors(cloud, key);
    }
    return sim;
  }

  private emptySim<C extends Cloud>(cloud: C, key: string): Sims[C] {
    const quotas = this.options.quotas;
    if (cloud === "aws") {
      const [account = "", region = ""] = key.split(":");
      return SimulatedEc2.empty({ account, region }, quotas?.aws ? { quotas: quotas.aws } : {}) as Sims[C];
    }
    if (cloud === "azure")
      return SimulatedArm.empty(key, quotas?.azure ? { quotas: quotas.azure } : {}) as Sims[C];
    return SimulatedCompute.empty(key, quotas?.gcp ? { limits: quotas.gcp } : {}) as Sims[C];
  }

  private port<C extends Cloud>(cloud: C, key: string): Sims[C] {
    const ports = this.ports[cloud] as Map<string, Sims[C]>;
    let port = ports.get(key);
    if (port === undefined) {
      port = hooked(this.sim(cloud, key), WRITE_METHODS[cloud], this.hooks[cloud]);
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
