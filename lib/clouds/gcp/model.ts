/**
 * Compute Engine objects as segsync reads and writes them: the subset of what the Compute REST
 * API returns (and `gcloud compute … describe --format=json` prints). No SDK types here: the pure
 * core (materialize, diff, evaluate) builds on these.
 */

import type { CodedFinding } from "../common/findings.js";

export interface GcpNetworkInterface {
  readonly name?: string;
  /** Network URL: `https://www.googleapis.com/compute/v1/projects/<p>/global/networks/<n>`. */
  readonly network: string;
  readonly subnetwork?: string;
  readonly networkIP: string;
  readonly accessConfigs?: readonly {
    readonly name?: string;
    readonly type?: string;
    readonly natIP?: string;
  }[];
}

export type GcpInstanceStatus =
  | "PENDING"
  | "PROVISIONING"
  | "STAGING"
  | "RUNNING"
  | "STOPPING"
  | "STOPPED"
  | "SUSPENDING"
  | "SUSPENDED"
  | "REPAIRING"
  | "DEPROVISIONING"
  | "TERMINATED";

export interface GcpInstance {
  readonly id?: string;
  readonly name: string;
  /** Zone URL (…/zones/<zone>). */
  readonly zone: string;
  readonly status: GcpInstanceStatus;
  readonly labels?: Readonly<Record<string, string>>;
  readonly labelFingerprint?: string;
  readonly tags: { readonly items?: readonly string[]; readonly fingerprint?: string };
  readonly networkInterfaces: readonly GcpNetworkInterface[];
  readonly selfLink?: string;
}

export interface FirewallProtocol {
  /** `tcp`, `udp`, `icmp`, `all`, or a protocol number. */
  readonly IPProtocol: string;
  /** `80`, `8000-8100`; absent: every port. */
  readonly ports?: readonly string[];
}

export interface GcpFirewall {
  readonly id?: string;
  readonly name: string;
  /** Network URL. */
  readonly network: string;
  readonly priority: number;
  readonly direction: "INGRESS" | "EGRESS";
  readonly description?: string;
  readonly disabled?: boolean;
  readonly sourceRanges?: readonly string[];
  readonly sourceTags?: readonly string[];
  readonly sourceServiceAccounts?: readonly string[];
  readonly targetTags?: readonly string[];
  readonly targetServiceAccounts?: readonly string[];
  readonly destinationRanges?: readonly string[];
  readonly allowed?: readonly FirewallProtocol[];
  readonly denied?: readonly FirewallProtocol[];
  readonly selfLink?: string;
}

/** A subnetwork as Compute returns it; segsync reads its range (for an estate's network CIDR). */
export interface GcpSubnetwork {
  readonly name: string;
  /** Network URL. */
  readonly network: string;
  readonly ipCidrRange: string;
  /** Region URL; absent in the simulator, which has no regions. */
  readonly region?: string;
}

/** What segsync reads back from one project. */
export interface GcpProjectState {
  readonly project: string;
  readonly instances: readonly GcpInstance[];
  readonly firewalls: readonly GcpFirewall[];
  /**
   * Customer rules of the project that `firewalls` leaves out (discovery reads only the networks
   * segsync's workloads use): they still count against the project's firewall-rule quota.
   */
  readonly unlistedRules?: number;
  /**
   * Set by a read of a change alone (discover-change.ts): the project holds only the change's
   * instances and its destinations' rules, and is planned only from the change's slice of the
   * intent. Absent: the project was read whole.
   */
  readonly change?: GcpChangeRead;
}

/** What a read of a change alone learnt of a project beyond the objects it holds. */
export interface GcpChangeRead {
  /**
   * Keys of destinations outside the change that are applied in the project (their deny-all was
   * read, by name, and only to learn this): the change's rules name their owned tag as a source.
   */
  readonly carriers: readonly string[];
}

/** Sorted by project. */
export type GcpState = readonly GcpProjectState[];

const COMPUTE = "https://www.googleapis.com/compute/v1";

export function networkUrl(project: string, network: string): string {
  return `${COMPUTE}/projects/${project}/global/networks/${network}`;
}

/** `{ project, name }` of a network URL, full or relative (`projects/p/global/networks/n`). */
export function parseNetworkUrl(url: string): { project: string; name: string } | undefined {
  const match = /(?:^|\/)projects\/([^/]+)\/global\/networks\/([^/]+)$/.exec(url);
  return match ? { project: match[1] as string, name: match[2] as string } : undefined;
}

/** The zone name of a zone URL or a bare zone. */
export function zoneName(zone: string): string {
  return zone.slice(zone.lastIndexOf("/") + 1);
}

export type GcpFinding = CodedFinding<
  | "gcp-quota"
  | "gcp-instance-missing"
  | "gcp-rule-precedes"
  | "gcp-unsealed-tags"
  | "gcp-additive-extra-flows"
>;
