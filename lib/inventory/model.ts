/**
 * The cloud-neutral inventory: what segsync knows about workloads and networks.
 * Ids (docs/architecture.md, "Vocabulary"): `<cloud>:<parts>`, each cloud's parts in its
 * lib/clouds/<cloud>/ids.ts, parsed and formatted by ./ids.ts.
 */
import { CLOUD_ENTRIES } from "../clouds/names.js";

/** The names of a tuple of registry entries, as a tuple (a mapped type over a type parameter keeps the tuple). */
type NamesOf<T extends readonly unknown[]> = {
  readonly [I in keyof T]: T[I] extends { ids: { cloud: infer C } } ? C : never;
};

/** Every cloud, in the registry's order (lib/clouds/names.ts): a tuple of their literal names. */
export const CLOUDS = CLOUD_ENTRIES.map((entry) => entry.ids.cloud) as unknown as NamesOf<
  typeof CLOUD_ENTRIES
>;
export type Cloud = (typeof CLOUDS)[number];

/** Each cloud as a sentence names it ("AWS"). */
export const CLOUD_NAMES = Object.fromEntries(
  CLOUD_ENTRIES.map(({ ids }) => [ids.cloud, ids.name]),
) as Readonly<Record<Cloud, string>>;

export type WorkloadId = string;
export type NetworkId = string;

/** Only running workloads are members of peer sets; a stopped one keeps its record and gets its enforcement back when it runs. */
export type WorkloadState = "running" | "stopped";

export interface Nic {
  /** The cloud's own NIC id (ENI id, NIC resource id, "nic0"), when known. */
  readonly id?: string;
  readonly network: NetworkId;
  readonly privateIp: string;
  readonly publicIp?: string;
}

export interface Workload {
  readonly id: WorkloadId;
  readonly state: WorkloadState;
  /** The first NIC is the primary one. */
  readonly nics: readonly Nic[];
  /** Raw tags (AWS, Azure) or labels (GCP), as the cloud reports them; labels are derived with the policy's tagPrefix. */
  readonly tags: Readonly<Record<string, string>>;
}

export interface Network {
  readonly id: NetworkId;
  readonly cidr?: string;
  /** Azure NSGs are regional; the region of an Azure VNet. */
  readonly region?: string;
}

export interface Inventory {
  readonly workloads: readonly Workload[];
  readonly networks: readonly Network[];
}

/** A change to the inventory, as the incremental compiler consumes it. A terminated workload is a delete. */
export type WorkloadChange =
  | { readonly kind: "upsert"; readonly workload: Workload }
  | { readonly kind: "delete"; readonly id: WorkloadId };
