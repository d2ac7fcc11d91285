import type { GcpApi } from "../../lib/clouds/gcp/api.js";
import type { GcpFirewall } from "../../lib/clouds/gcp/model.js";

/** A JSON body as Compute sends it. */
export type Json = Record<string, unknown>;

/** An instance of the contract's project, its one NIC in the contract's network. */
export interface ContractInstance {
  /** A zone name. */
  readonly zone: string;
  readonly name: string;
  readonly networkIP: string;
  /** An external address on the NIC's access config. */
  readonly natIP?: string;
  /** Default `{ "seg-app": "shop" }`. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly tags?: readonly string[];
}

/** The project's network every arranged instance and rule is in. */
export const NETWORK = "prod-net";

export const DEFAULT_LABELS: Readonly<Record<string, string>> = { "seg-app": "shop" };

/**
 * `throttled`: Compute's rate limit (403 rateLimitExceeded). `serverError`: a 5xx before the call
 * takes effect. `lostResponse`: a write takes effect, and its caller gets a 5xx all the same.
 */
export type InjectedFailure = "throttled" | "serverError" | "lostResponse";

/** What a project holds before segsync calls: fixed when it is arranged. */
export interface WorldOptions {
  /** The project's "VPC firewall rules" quota. */
  readonly firewallRulesQuota?: number;
  /** Shared VPC: the project is a host, these service projects attached to it. */
  readonly serviceProjects?: readonly string[];
  /** Shared VPC: the project is a service project of this host. */
  readonly xpnHost?: string;
  /** The project has the `default` network, with the rules Compute pre-populates in it. */
  readonly defaultNetwork?: boolean;
}

/**
 * One implementation of the port over one project, and what happens in that project outside
 * segsync (a customer's instances and rules, throttling). The project always has the contract's
 * network.
 */
export interface GcpApiWorld {
  readonly api: GcpApi;
  addInstance(instance: ContractInstance): void;
  /** A rule someone else made, as Compute holds it. */
  addFirewall(firewall: GcpFirewall): void;
  /** A subnetwork of a network of the project (a network name). */
  addSubnetwork(network: string, ipCidrRange: string): void;
  /** Every call from now on fails so (beyond any retries); `undefined` stops it. */
  fail(failure: InjectedFailure | undefined): void;
  /** An instance whose NIC names no network: Compute never returns one, a read must survive it. */
  readonly addUnmodelableInstance?: (zone: string, name: string) => void;
  stop(): Promise<void>;
}

/** Compute responses recorded from real projects (test/fixtures/gcp/SOURCES.md), as the API sent them. */
export interface RecordedEstate {
  readonly project: string;
  /** instances.aggregatedList, one page. */
  readonly instances?: Json;
  /** firewalls.list, one page. */
  readonly firewalls?: Json;
  /** subnetworks.aggregatedList, its pages in order, each but the last with a nextPageToken. */
  readonly subnetworks?: readonly Json[];
  /** projects.get. */
  readonly projectResource?: Json;
  /** projects.getXpnResources, one page. */
  readonly xpnResources?: Json;
  /** projects.getXpnHost. */
  readonly xpnHost?: Json;
}

export type RecordedPart = "subnetworks" | "xpn";

export interface HeldEstate {
  readonly api: GcpApi;
  stop(): Promise<void>;
}

export interface GcpApiImplementation {
  readonly name: string;
  /** Why it runs none of the cases that arrange a project (undefined: it runs them). */
  readonly cannotArrange?: string;
  /** Why it cannot hold an instance segsync cannot model (undefined: it can). */
  readonly cannotHoldUnmodelable?: string;
  /** Why it does not check the per-rule limits (sources, tags) of docs/clouds.md. */
  readonly cannotCheckRuleLimits?: string;
  /** Why it cannot hold a part of a recorded estate as Compute sent it. */
  readonly cannotHold?: Partial<Record<RecordedPart, string>>;
  arrange(project: string, options: WorldOptions): Promise<GcpApiWorld>;
  /** The port over a project holding exactly the recorded estate. */
  hold(estate: RecordedEstate): Promise<HeldEstate>;
}
