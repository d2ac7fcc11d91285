/**
 * SimulatedCompute: Compute Engine in memory for one project, with the semantics segsync depends
 * on (firewall priorities, names unique per project, one address family per rule, per-rule limits
 * and the project's rule quota, network-tag format and count, tag fingerprints, the default
 * network's rules, throttling and 5xx on demand). It backs the CLI demo, the scenario tests and the
 * oracle checks; its state() is one project of the `gcp` part of `simulate --state-out`.
 */
import type { FirewallSelection, GcpApi, GcpFirewallQuota } from "../../../lib/clouds/gcp/api.js";
import { DEFAULT_GCP_QUOTAS, type GcpQuotas } from "../../../lib/clouds/gcp/config.js";
import { GcpApiError } from "../../../lib/clouds/gcp/errors.js";
import {
  type GcpFirewall,
  type GcpInstance,
  type GcpProjectState,
  type GcpSubnetwork,
  networkUrl,
  zoneName,
} from "../../../lib/clouds/gcp/model.js";
import type { CloudFinding } from "../../../lib/clouds/provider.js";
import { compareText } from "../../../lib/util/compare-text.js";
import {
  CallLog,
  type ServerErrorOptions,
  type SimulatedCall,
  type ThrottleOptions,
} from "../common/call-log.js";
import { fail, SimulationInputError } from "./failures.js";
import { deleteFirewall, type FirewallInput, insertFirewall, patchFirewall } from "./firewalls.js";
import {
  type CreateInstanceInput,
  createInstance,
  deleteInstance,
  type SetStatusOptions,
  type SimInstanceStatus,
  setInstanceLabels,
  setInstanceStatus,
  setInstanceTags,
} from "./instances.js";
import { loadProjectState } from "./load.js";
import { type CreateNetworkInput, createNetwork } from "./networks.js";
import { instanceKey, SimProject } from "./project.js";

export { SimulationInputError } from "./failures.js";
export type { FirewallInput } from "./firewalls.js";
export type {
  CreateInstanceInput,
  InstanceInterfaceInput,
  SetStatusOptions,
  SimInstanceStatus,
} from "./instances.js";
export type { CreateNetworkInput } from "./networks.js";

/** What a selection may hold: names as Compute allows them, stems ending in "-". */
const NAME_STEM = /^[a-z][-a-z0-9]*-$/;
const RULE_NAME = /^[a-z](?:[-a-z0-9]*[a-z0-9])?$/;

export type GcpApiMethod = Exclude<keyof GcpApi, "project">;

/** The calls that change Compute, for tests that count writes. */
export const GCP_WRITE_METHODS: ReadonlySet<GcpApiMethod> = new Set<GcpApiMethod>([
  "setTags",
  "insertFirewall",
  "patchFirewall",
  "deleteFirewall",
]);

export type GcpThrottleOptions = ThrottleOptions;
export type GcpServerErrorOptions = ServerErrorOptions;

export interface SimulatedComputeOptions {
  readonly limits?: GcpQuotas;
  readonly throttle?: GcpThrottleOptions;
  readonly serverErrors?: GcpServerErrorOptions;
}

export type SimulatedComputeCall = SimulatedCall<GcpApiMethod>;

export class SimulatedCompute implements GcpApi {
  readonly project: string;
  private readonly store: SimProject;

  /** The simulator models every object it holds: it never leaves one out. */
  takeUnreadable(): CloudFinding[] {
    return [];
  }
  private readonly log: CallLog<GcpApiMethod>;

  constructor(initial: GcpProjectState, options: SimulatedComputeOptions = {}) {
    this.project = initial.project;
    this.store = new SimProject(initial.project, options.limits ?? DEFAULT_GCP_QUOTAS);
    loadProjectState(this.store, initial);
    this.log = new CallLog<GcpApiMethod>(
      {
        throttled: fail.throttled,
        serverError: fail.serverError,
        writes: GCP_WRITE_METHODS,
        codeOf: (error) => (error instanceof GcpApiError ? error.code : undefined),
      },
      options.throttle,
      options.serverErrors,
    );
  }

  /** A project with nothing in it yet, not even a network. */
  static empty(project: string, options: SimulatedComputeOptions = {}): SimulatedCompute {
    return new SimulatedCompute({ project, instances: [], firewalls: [] }, options);
  }

  /** Every GcpApi call so far, oldest first. */
  get calls(): readonly SimulatedComputeCall[] {
    return this.log.calls;
  }

  clearCalls(): void {
    this.log.clear();
  }

  /** Starts, changes or (undefined) stops throttling; a new seed restarts the sequence. */
  setThrottle(throttle: GcpThrottleOptions | undefined): void {
    this.log.setThrottle(throttle);
  }

  /**
   * Starts, changes or (undefined) stops 5xx (500 internalError, 503 backendError): before the
   * call takes effect, or, for a share of the writes, after it did, the response lost.
   */
  setServerErrors(serverErrors: GcpServerErrorOptions | undefined): void {
    this.log.setServerErrors(serverErrors);
  }

  /** Every instance (by zone, then name) and rule (by name), in the REST shapes: a deep copy. */
  state(): GcpProjectState {
    return this.store.state();
  }

  // Simulation controls: what happens outside segsync. Not GcpApi calls: neither logged nor failed on demand.

  /** A network of this project; `withDefaultRules` adds the default network's pre-populated rules. */
  createNetwork(input: CreateNetworkInput): void {
    createNetwork(this.store, input);
  }

  /** The range of a network of this project (the simulator has no regions: one subnetwork spans it). */
  setNetworkRange(name: string, cidr: string): void {
    if (!this.store.networks.has(name))
      throw fail.notFound(`projects/${this.project}/global/networks/${name}`);
    this.store.networkRanges.set(name, cidr);
  }

  /** A RUNNING instance; its networks of this project must exist. */
  createInstance(input: CreateInstanceInput): GcpInstance {
    return createInstance(this.store, input);
  }

  /** Leaving RUNNING releases ephemeral natIPs unless `keepNatIp`; starting may assign `natIP`. */
  setStatus(zone: string, name: string, status: SimInstanceStatus, options: SetStatusOptions = {}): void {
    setInstanceStatus(this.store, zone, name, status, options);
  }

  deleteInstance(zone: string, name: string): void {
    deleteInstance(this.store, zone, name);
  }

  /** The complete new label map. */
  setLabels(zone: string, name: string, labels: Readonly<Record<string, string>>): void {
    setInstanceLabels(this.store, zone, name, labels);
  }

  /**
   * Shared VPC: attaches `serviceProject` to this project as its host (projects.enableXpnResource).
   * Only this side: the service project's own simulator learns its host through setXpnHost.
   */
  enableXpnResource(serviceProject: string): void {
    if (serviceProject === this.project)
      throw new SimulationInputError(`project ${this.project} cannot be its own Shared VPC service project`);
    this.store.xpnResources.add(serviceProject);
  }

  /** Shared VPC: the host this project is attached to, as getXpnHost answers. */
  setXpnHost(host: string): void {
    if (this.store.xpnHost !== undefined && this.store.xpnHost !== host)
      throw new SimulationInputError(
        `project ${this.project} is already a service project of ${this.store.xpnHost}, not ${host}`,
      );
    this.store.xpnHost = host;
  }

  /** A customer's rule, checked as insertFirewall checks it (priority and direction default, bare network names allowed). */
  createFirewall(rule: FirewallInput): void {
    insertFirewall(this.store, rule, true);
  }

  // GcpApi

  listInstances(): Promise<GcpInstance[]> {
    return this.log.run("listInstances", [], () => this.store.listInstances());
  }

  getInstance(zone: string, name: string): Promise<GcpInstance | undefined> {
    return this.log.run("getInstance", [zone, name], () => {
      const instance = this.store.instances.get(instanceKey(zoneName(zone), name));
      return instance === undefined ? undefined : this.store.describeInstance(instance);
    });
  }

  setTags(zone: string, name: string, items: readonly string[], fingerprint: string): Promise<void> {
    return this.log.run("setTags", [zone, name, items, fingerprint], () =>
      setInstanceTags(this.store, zone, name, items, fingerprint),
    );
  }

  listFirewalls(): Promise<GcpFirewall[]> {
    return this.log.run("listFirewalls", [], () => this.store.listFirewalls());
  }

  listFirewallsNamed(selection: FirewallSelection): Promise<GcpFirewall[]> {
    return this.log.run("listFirewallsNamed", [selection], () => {
      for (const stem of selection.stems)
        if (!NAME_STEM.test(stem))
          throw fail.invalid("filter", stem, "A name stem is a name prefix ending in '-'.");
      for (const name of selection.names)
        if (!RULE_NAME.test(name)) throw fail.invalid("filter", name, "Must be a firewall rule name.");
      return this.store.firewallsNamed(selection.stems, selection.names);
    });
  }

  getFirewallQuota(): Promise<GcpFirewallQuota> {
    return this.log.run("getFirewallQuota", [], () => ({
      limit: this.store.limits.firewallRulesPerProject,
      usage: this.store.firewalls.size,
    }));
  }

  listSubnetworks(): Promise<GcpSubnetwork[]> {
    return this.log.run("listSubnetworks", [], () =>
      [...this.store.networkRanges.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, ipCidrRange]) => ({ name, network: networkUrl(this.project, name), ipCidrRange })),
    );
  }

  getXpnResources(): Promise<string[]> {
    return this.log.run("getXpnResources", [], () => [...this.store.xpnResources].sort(compareText));
  }

  getXpnHost(): Promise<string | undefined> {
    return this.log.run("getXpnHost", [], () => this.store.xpnHost);
  }

  insertFirewall(firewall: GcpFirewall): Promise<void> {
    return this.log.run("insertFirewall", [firewall], () => insertFirewall(this.store, firewall));
  }

  patchFirewall(firewall: GcpFirewall): Promise<void> {
    return this.log.run("patchFirewall", [firewall], () => patchFirewall(this.store, firewall));
  }

  deleteFirewall(name: string): Promise<void> {
    return this.log.run("deleteFirewall", [name], () => deleteFirewall(this.store, name));
  }
}
