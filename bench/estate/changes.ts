import type { Cloud, Inventory, Workload, WorkloadChange } from "../../lib/inventory/model.js";
import { PrivateAddresses, PublicAddresses } from "./addresses.js";
import { ROLES, TAG_PREFIX } from "./catalog.js";
import { type Block, parseBlock } from "./ipv4.js";
import { Rng, WeightedPicker } from "./prng.js";

type ChangeKind = "launch" | "toggle" | "retag" | "terminate" | "publicIp";

/** The mix of single-workload changes an event-driven reconciler sees. */
const KINDS: readonly ChangeKind[] = ["launch", "toggle", "retag", "terminate", "publicIp"];
const KIND_WEIGHTS = [25, 25, 25, 15, 10];
/** Draws before giving up looking for a labelled workload (2% are unlabelled, so this is plenty). */
const LABELLED_DRAWS = 20;
const PORTABLE_VALUE = /^[a-z0-9_-]{1,63}$/;

/**
 * `count` changes that make sense one after the other against `inventory`: a workload is never
 * stopped twice or changed after it is terminated, new ids and addresses are unique. Launches
 * copy the labels of an existing workload into its network (scale-out); retags move a workload
 * to another role or app, or label an unmanaged one; public IPs come, go or change.
 */
export function randomChanges(inventory: Inventory, count: number, seed: number): WorkloadChange[] {
  const rng = new Rng(seed);
  const estate = new LiveEstate(inventory);
  const picker = new WeightedPicker(KINDS, KIND_WEIGHTS);
  const changes: WorkloadChange[] = [];
  for (let i = 0; i < count; i++) {
    if (estate.size() === 0) {
      throw new Error("randomChanges needs a non-empty inventory");
    }
    let kind = picker.pick(rng);
    if (kind === "terminate" && estate.size() <= 1) kind = "launch";
    changes.push(estate.change(rng, kind));
  }
  return changes;
}

/** Applies changes in order: the inventory the incremental compiler should end up describing. */
export function applyChanges(inventory: Inventory, changes: readonly WorkloadChange[]): Inventory {
  const workloads = new Map(inventory.workloads.map((workload) => [workload.id, workload]));
  for (const change of changes) {
    if (change.kind === "delete") workloads.delete(change.id);
    else workloads.set(change.workload.id, change.workload);
  }
  return { networks: inventory.networks, workloads: [...workloads.values()] };
}

/** The inventory as it evolves while changes are drawn: O(1) random pick, update and removal. */
class LiveEstate {
  private readonly ids: string[] = [];
  private readonly positions = new Map<string, number>();
  private readonly workloads = new Map<string, Workload>();
  private readonly blocks = new Map<string, Block>();
  private readonly privateAddresses = new PrivateAddresses();
  private readonly publicAddresses: PublicAddresses;
  private readonly apps: string[];
  private serial: number;

  constructor(inventory: Inventory) {
    for (const network of inventory.networks) {
      if (network.cidr !== undefined) this.blocks.set(network.id, parseBlock(network.cidr));
    }
    const publicIps = new Set<string>();
    const apps = new Set<string>();
    for (const workload of inventory.workloads) {
      this.put(workload);
      for (const nic of workload.nics) {
        const block = this.blocks.get(nic.network);
        if (block) this.privateAddresses.reserve(nic.network, block, nic.privateIp);
        if (nic.publicIp !== undefined) publicIps.add(nic.publicIp);
      }
      const app = workload.tags[`${TAG_PREFIX}app`];
      // Only values every cloud can hold: a GCP label could not take "Shop".
      if (app !== undefined && PORTABLE_VALUE.test(app)) apps.add(app);
    }
    this.publicAddresses = new PublicAddresses(publicIps);
    this.apps = [...apps].sort();
    this.serial = inventory.workloads.length;
  }

  size(): number {
    return this.ids.length;
  }

  change(rng: Rng, kind: ChangeKind): WorkloadChange {
    switch (kind) {
      case "launch":
        return this.upsert(this.launch(rng));
      case "toggle": {
        const workload = this.any(rng);
        return this.upsert({ ...workload, state: workload.state === "running" ? "stopped" : "running" });
      }
      case "retag":
        return this.upsert(this.retag(rng));
      case "terminate": {
        const id = this.any(rng).id;
        this.remove(id);
        return { kind: "delete", id };
      }
      case "publicIp":
        return this.upsert(this.changePublicIp(rng));
    }
  }

  private launch(rng: Rng): Workload {
    const template = this.labelled(rng);
    const nic = template.nics[0];
    const block = nic ? this.blocks.get(nic.network) : undefined;
    if (nic === undefined || block === undefined) {
      throw new Error(`cannot launch next to ${template.id}: its network has no known CIDR`);
    }
    const cloud = cloudOf(template.id);
    const fresh = this.newIdentity(rng, template, cloud);
    return {
      id: fresh.id,
      state: "running",
      nics: [
        {
          ...(nic.id === undefined ? {} : { id: fresh.nicId }),
          network: nic.network,
          privateIp: this.privateAddresses.allocate(nic.network, block),
          ...(nic.publicIp === undefined ? {} : { publicIp: this.publicAddresses.allocate(cloud) }),
        },
      ],
      tags: { ...template.tags, ...(cloud === "aws" ? { Name: fresh.name } : {}) },
    };
  }

  private retag(rng: Rng): Workload {
    const workload = this.any(rng);
    const tags = { ...workload.tags };
    if (tags[`${TAG_PREFIX}app`] === undefined) {
      // Onboarding an unmanaged workload: it takes the labels of a labelled one.
      const source = this.labelled(rng);
      for (const [key, value] of Object.entries(source.tags)) {
        if (key.startsWith(TAG_PREFIX)) tags[key] = value;
      }
    } else if (rng.chance(0.5)) {
      const role = tags[`${TAG_PREFIX}role`];
      tags[`${TAG_PREFIX}role`] = rng.pick(ROLES.filter((candidate) => candidate !== role));
    } else {
      const app = tags[`${TAG_PREFIX}app`];
      const others = this.apps.filter((candidate) => candidate !== app);
      if (others.length > 0) tags[`${TAG_PREFIX}app`] = rng.pick(others);
    }
    return { ...workload, tags };
  }

  private changePublicIp(rng: Rng): Workload {
    const workload = this.any(rng);
    const [primary, ...rest] = workload.nics;
    if (primary === undefined) return workload;
    const { publicIp, ...withoutPublic } = primary;
    const remove = publicIp !== undefined && rng.chance(0.5);
    const nic = remove
      ? withoutPublic
      : { ...primary, publicIp: this.publicAddresses.allocate(cloudOf(workload.id)) };
    return { ...workload, nics: [nic, ...rest] };
  }

  /** A new id in the template's account/region, subscription/group or project/zone, and its NIC id. */
  private newIdentity(
    rng: Rng,
    template: Workload,
    cloud: Cloud,
  ): { id: string; nicId: string; name: string } {
    const prefix = template.id.slice(0, template.id.lastIndexOf(":") + 1);
    const app = (template.tags[`${TAG_PREFIX}app`] ?? "app").toLowerCase();
    const role = template.tags[`${TAG_PREFIX}role`] ?? "node";
    for (;;) {
      const name = `${app}-${role}-${(this.serial++).toString(36)}`;
      const fresh =
        cloud === "aws"
          ? { id: `${prefix}i-${rng.hex(17)}`, nicId: `eni-${rng.hex(17)}`, name }
          : cloud === "azure"
            ? { id: `${prefix}vm-${name}`, nicId: azureNicId(template, `vm-${name}-nic`), name: `vm-${name}` }
            : { id: `${prefix}${name}`, nicId: "nic0", name };
      if (!this.workloads.has(fresh.id)) return fresh;
    }
  }

  private any(rng: Rng): Workload {
    return this.workloads.get(rng.pick(this.ids)) as Workload;
  }

  private labelled(rng: Rng): Workload {
    let workload = this.any(rng);
    for (let draw = 1; draw < LABELLED_DRAWS && workload.tags[`${TAG_PREFIX}app`] === undefined; draw++) {
      workload = this.any(rng);
    }
    return workload;
  }

  private upsert(workload: Workload): WorkloadChange {
    this.put(workload);
    return { kind: "upsert", workload };
  }

  private put(workload: Workload): void {
    if (!this.positions.has(workload.id)) {
      this.positions.set(workload.id, this.ids.length);
      this.ids.push(workload.id);
    }
    this.workloads.set(workload.id, workload);
  }

  private remove(id: string): void {
    const position = this.positions.get(id);
    if (position === undefined) return;
    const last = this.ids.pop() as string;
    if (last !== id) {
      this.ids[position] = last;
      this.positions.set(last, position);
    }
    this.positions.delete(id);
    this.workloads.delete(id);
  }
}

function cloudOf(id: string): Cloud {
  const cloud = id.slice(0, id.indexOf(":"));
  if (cloud !== "aws" && cloud !== "azure" && cloud !== "gcp") throw new Error(`not a workload id: ${id}`);
  return cloud;
}

/** The template's NIC resource id with the new NIC's name, or the name alone. */
function azureNicId(template: Workload, nicName: string): string {
  const id = template.nics[0]?.id;
  return id?.includes("/") ? id.replace(/[^/]+$/, nicName) : nicName;
}
