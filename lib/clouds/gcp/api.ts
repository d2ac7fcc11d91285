import type { CloudFinding } from "../provider.js";
import type { GcpFirewall, GcpInstance, GcpSubnetwork } from "./model.js";

/**
 * The narrow port of the Compute calls segsync needs, for one project. Implemented by sdk/api.ts
 * (@google-cloud/compute, REST, loaded lazily) and the simulator's sim/clouds/gcp/api.ts (in memory, GCP's semantics).
 *
 * Contract shared by both implementations:
 * - list calls page through every result;
 * - mutations wait for their operation (zone or global) to be DONE and fail with its error;
 * - 403 rateLimitExceeded and 429 are backed off and retried; what outlasts the retries is
 *   GcpThrottledError;
 * - setTags with a stale fingerprint fails with GcpConflictError (412), for the caller to re-read;
 * - every other failure is one of the errors of errors.ts, with the API error as its cause.
 */
export interface GcpApi {
  readonly project: string;

  /** The objects the last reads left out because segsync cannot model them (findings about each); forgets them. */
  takeUnreadable(): CloudFinding[];

  /** Every instance of the project, in every zone (aggregated list). */
  listInstances(): Promise<GcpInstance[]>;
  getInstance(zone: string, name: string): Promise<GcpInstance | undefined>;
  /** Replaces the instance's network tags; `fingerprint` is the one read with the instance. */
  setTags(zone: string, name: string, items: readonly string[], fingerprint: string): Promise<void>;

  listFirewalls(): Promise<GcpFirewall[]>;
  /**
   * The rules a selection names, without listing the project's: each rule whose name begins with
   * one of `stems` (name prefixes ending in "-": one destination's owned rules) and each rule
   * named in `names` (firewalls.list with the filter `name eq "(?:<stem>.*|<name>|…)"`).
   */
  listFirewallsNamed(selection: FirewallSelection): Promise<GcpFirewall[]>;
  /**
   * The project's "VPC firewall rules" quota and how many rules use it (projects.get, quota
   * metric FIREWALLS): what a read of some rules alone knows of the rest.
   */
  getFirewallQuota(): Promise<GcpFirewallQuota>;
  /** Every subnetwork of the project, in every region (aggregated list); only `estate export` reads them. */
  listSubnetworks(): Promise<GcpSubnetwork[]>;
  insertFirewall(firewall: GcpFirewall): Promise<void>;
  /** Replaces the rule's fields with these (same name). */
  patchFirewall(firewall: GcpFirewall): Promise<void>;
  deleteFirewall(name: string): Promise<void>;

  /**
   * Shared VPC, read on a host project: the ids of the service projects attached to it
   * (projects.getXpnResources, resources of type PROJECT); empty when it is no host.
   */
  getXpnResources(): Promise<string[]>;
  /** Shared VPC, read on a service project: its host project's id (projects.getXpnHost); undefined when it has none. */
  getXpnHost(): Promise<string | undefined>;
}

/** What listFirewallsNamed reads: rules by name stem, and rules by name. */
export interface FirewallSelection {
  readonly stems: readonly string[];
  readonly names: readonly string[];
}

/** A project's quota of firewall rules, and its usage: every rule of the project, segsync's or not. */
export interface GcpFirewallQuota {
  readonly limit: number;
  readonly usage: number;
}

export type GcpApiFactory = (project: string) => GcpApi;
