import { createHash } from "node:crypto";
import type { GcpQuotas } from "../../../lib/clouds/gcp/config.js";
import type {
  GcpFirewall,
  GcpInstance,
  GcpInstanceStatus,
  GcpProjectState,
} from "../../../lib/clouds/gcp/model.js";
import { compareText } from "../../../lib/util/compare-text.js";
import { IndexedTable } from "../common/indexed-table.js";
import { fail } from "./failures.js";
import { COMPUTE_ROOT, firewallPath, instancePath, zoneUrl } from "./network.js";

/** The simulator's mutable records; list calls and state() turn them into model.ts shapes. */

export interface SimNic {
  readonly name: string;
  /** Full URL; possibly another project's network (Shared VPC). */
  readonly network: string;
  /** Subnetwork URL, when the NIC was loaded with one (the simulator has no regions: it makes none). */
  readonly subnetwork?: string;
  readonly networkIP: string;
  /**
   * The NIC's external access config, named as Compute holds it (`External NAT` unless it was
   * loaded with another name); its natIP is released when the VM stops.
   */
  readonly accessConfig?: { readonly name: string; readonly type: string };
  natIP?: string;
}

export interface SimInstance {
  readonly id: string;
  readonly name: string;
  /** The zone's name. */
  readonly zone: string;
  status: GcpInstanceStatus;
  labels: Record<string, string>;
  labelFingerprint: string;
  tags: string[];
  tagsFingerprint: string;
  readonly nics: readonly SimNic[];
}

/** One simulated project: its networks, instances and firewall rules, and lookups that fail as Compute does. */
export class SimProject {
  /** Names of this project's networks. */
  readonly networks = new Set<string>();
  /** The ranges an estate gave its networks, by network name: each listed as one subnetwork. */
  readonly networkRanges = new Map<string, string>();
  /**
   * By `<zone>/<name>`; found also by network and internal address, and by external address, so
   * that a new instance's addresses are checked without reading every NIC of the project. An
   * instance whose natIP changes in place is set again.
   */
  readonly instances = new IndexedTable<SimInstance, "networkIP" | "natIP">({
    networkIP: (instance) => instance.nics.map((nic) => [nic.network, nic.networkIP] as const),
    natIP: (instance) =>
      instance.nics.flatMap((nic) => (nic.natIP === undefined ? [] : [[nic.natIP, ""] as const])),
  });
  /**
   * By name (unique per project, whatever the network), normalized, with id and selfLink; found
   * also by each stem of its name (every prefix that ends in "-"), so that a read by name stem
   * answers in the time of its result, not of the project's rules.
   */
  readonly firewalls = new IndexedTable<GcpFirewall, "stem">({
    stem: (firewall) => nameStems(firewall.name).map((stem) => [stem, ""] as const),
  });
  /** Shared VPC: the service projects attached to this project as a host. */
  readonly xpnResources = new Set<string>();
  /** Shared VPC: the host this project is attached to as a service project. */
  xpnHost: string | undefined;
  private readonly ids = new Set<string>();
  private idCount = 0;
  private fingerprintCount = 0;
  private readonly idPrefix: string;

  constructor(
    readonly project: string,
    readonly limits: GcpQuotas,
  ) {
    this.idPrefix = String(parseInt(digest(project).slice(0, 8), 16) % 10_000_000).padStart(7, "1");
  }

  /** Compute's numeric ids: 19 digits, deterministic per project, never reused. */
  newId(): string {
    let id: string;
    do {
      this.idCount += 1;
      id = `${this.idPrefix}${String(this.idCount).padStart(12, "0")}`;
    } while (this.ids.has(id));
    this.ids.add(id);
    return id;
  }

  reserveId(id: string): void {
    this.ids.add(id);
  }

  /** Fingerprints are 8 opaque bytes in base64; deterministic here, and new on every write. */
  newFingerprint(): string {
    this.fingerprintCount += 1;
    return Buffer.from(digest(`${this.project}/${this.fingerprintCount}`).slice(0, 16), "hex").toString(
      "base64",
    );
  }

  instance(zone: string, name: string): SimInstance {
    const instance = this.instances.get(instanceKey(zone, name));
    if (instance === undefined) throw fail.notFound(instancePath(this.project, zone, name));
    return instance;
  }

  firewall(name: string): GcpFirewall {
    const firewall = this.firewalls.get(name);
    if (firewall === undefined) throw fail.notFound(firewallPath(this.project, name));
    return firewall;
  }

  firewallSelfLink(name: string): string {
    return `${COMPUTE_ROOT}/${firewallPath(this.project, name)}`;
  }

  describeInstance(instance: SimInstance): GcpInstance {
    const labels = Object.entries(instance.labels).sort(([a], [b]) => compareText(a, b));
    return {
      id: instance.id,
      name: instance.name,
      zone: zoneUrl(this.project, instance.zone),
      status: instance.status,
      // Compute omits empty lists and maps, but always returns the fingerprints.
      ...(labels.length === 0 ? {} : { labels: Object.fromEntries(labels) }),
      labelFingerprint: instance.labelFingerprint,
      tags: {
        ...(instance.tags.length === 0 ? {} : { items: [...instance.tags] }),
        fingerprint: instance.tagsFingerprint,
      },
      networkInterfaces: instance.nics.map((nic) => ({
        name: nic.name,
        network: nic.network,
        ...(nic.subnetwork === undefined ? {} : { subnetwork: nic.subnetwork }),
        networkIP: nic.networkIP,
        ...(nic.accessConfig === undefined
          ? {}
          : {
              accessConfigs: [
                { ...nic.accessConfig, ...(nic.natIP === undefined ? {} : { natIP: nic.natIP }) },
              ],
            }),
      })),
      selfLink: `${COMPUTE_ROOT}/${instancePath(this.project, instance.zone, instance.name)}`,
    };
  }

  /** Instances sorted by zone then name. */
  listInstances(): GcpInstance[] {
    return [...this.instances.values()]
      .sort((a, b) => compareText(a.zone, b.zone) || compareText(a.name, b.name))
      .map((instance) => this.describeInstance(instance));
  }

  /** Rules sorted by name, deep copies. */
  listFirewalls(): GcpFirewall[] {
    return [...this.firewalls.values()]
      .sort((a, b) => compareText(a.name, b.name))
      .map((firewall) => structuredClone(firewall));
  }

  /** The rules whose names begin with one of the stems (each ends in "-") or are one of the names: sorted, deep copies. */
  firewallsNamed(stems: readonly string[], names: readonly string[]): GcpFirewall[] {
    const found = new Set(names.filter((name) => this.firewalls.has(name)));
    for (const stem of stems) for (const name of this.firewalls.keysAt("stem", stem)) found.add(name);
    return [...found]
      .sort(compareText)
      .map((name) => structuredClone(this.firewalls.get(name) as GcpFirewall));
  }

  state(): GcpProjectState {
    return { project: this.project, instances: this.listInstances(), firewalls: this.listFirewalls() };
  }
}

/** The access config Compute gives a NIC created with an external address. */
export const EXTERNAL_NAT = { name: "External NAT", type: "ONE_TO_ONE_NAT" } as const;

export function instanceKey(zone: string, name: string): string {
  return `${zone}/${name}`;
}

/** Every prefix of a name that ends in "-": `a-b-c` has `a-` and `a-b-`. */
function nameStems(name: string): string[] {
  const stems: string[] = [];
  for (let at = name.indexOf("-"); at >= 0; at = name.indexOf("-", at + 1)) stems.push(name.slice(0, at + 1));
  return stems;
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
