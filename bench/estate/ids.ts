import type { NetworkSite } from "./networks.js";
import type { Rng } from "./prng.js";

export interface PlacedWorkload {
  readonly id: string;
  readonly nicId: string;
  /** The human name (AWS Name tag, Azure VM name, GCP instance name). */
  readonly name: string;
}

/**
 * Names a new workload in `site` with an id of the form of docs/architecture.md, "Vocabulary",
 * unique against `taken` (which it extends). Azure VMs live in a per-(app, env) resource group,
 * as teams usually deploy them.
 */
export function placeWorkload(
  rng: Rng,
  site: NetworkSite,
  labels: { readonly app: string; readonly env: string; readonly role: string },
  serial: number,
  taken: Set<string>,
): PlacedWorkload {
  for (let attempt = serial; ; attempt++) {
    const name = `${labels.app}-${labels.role}-${attempt.toString(36)}`;
    const placed = candidate(rng, site, labels, name);
    if (!taken.has(placed.id)) {
      taken.add(placed.id);
      return placed;
    }
  }
}

function candidate(
  rng: Rng,
  site: NetworkSite,
  labels: { readonly app: string; readonly env: string },
  name: string,
): PlacedWorkload {
  switch (site.cloud) {
    case "aws":
      return { id: `aws:${site.owner}:${site.region}:i-${rng.hex(17)}`, nicId: `eni-${rng.hex(17)}`, name };
    case "azure": {
      const group = `rg-${labels.app}-${labels.env}`;
      const vm = `vm-${name}`;
      const nicId = `/subscriptions/${site.owner}/resourceGroups/${group}/providers/Microsoft.Network/networkInterfaces/${vm}-nic`;
      return { id: `azure:${site.owner}:${group}:${vm}`, nicId, name: vm };
    }
    case "gcp":
      return { id: `gcp:${site.owner}:${rng.pick(site.zones)}:${name}`, nicId: "nic0", name };
  }
}
