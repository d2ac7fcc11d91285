import type { Cloud, Workload } from "../../lib/inventory/model.js";
import { PrivateAddresses, PublicAddresses } from "./addresses.js";
import {
  CLOUD_SHARES,
  ENV_WEIGHTS,
  ENVS,
  MONITORING_APP,
  MONITORING_ROLE,
  ROLE_WEIGHTS,
  ROLES,
  SHARES,
  TAG_PREFIX,
  WORKLOADS_PER_APP,
  appName,
} from "./catalog.js";
import { placeWorkload } from "./ids.js";
import type { NetworkSite } from "./networks.js";
import { type Rng, WeightedPicker, zipfWeights } from "./prng.js";

export interface SegLabels {
  readonly app: string;
  readonly env: string;
  readonly role: string;
  readonly loc: string;
}

export interface Scope {
  readonly app: string;
  readonly env: string;
  /** Managed workloads in this (app, env). */
  readonly size: number;
}

export interface GeneratedWorkloads {
  readonly workloads: Workload[];
  /** Every app with at least one workload, monitoring excluded. */
  readonly apps: string[];
  /** Every (app, env) with managed workloads, largest first: the candidates for rulesets. */
  readonly scopes: Scope[];
}

const CLOUDS_IN_ORDER: readonly Cloud[] = ["aws", "azure", "gcp"];

export function generateWorkloads(rng: Rng, sites: readonly NetworkSite[], total: number): GeneratedWorkloads {
  const monitoring = Math.min(total, Math.max(2, Math.round(total * SHARES.monitoring)));
  const appCount = Math.max(1, Math.round(total / WORKLOADS_PER_APP));
  const apps = Array.from({ length: appCount }, (_, i) => appName(i));
  const appPicker = new WeightedPicker(apps, zipfWeights(appCount, 1));
  const envPicker = new WeightedPicker(ENVS, ENV_WEIGHTS);
  const rolePicker = new WeightedPicker(ROLES, ROLE_WEIGHTS);
  const cloudPicker = new WeightedPicker(
    CLOUDS_IN_ORDER,
    CLOUDS_IN_ORDER.map((cloud) => CLOUD_SHARES[cloud]),
  );
  const placement = new SitePlacement(sites);
  const privateAddresses = new PrivateAddresses();
  const publicAddresses = new PublicAddresses();
  const taken = new Set<string>();
  const scopeSizes = new Map<string, Scope>();
  const workloads: Workload[] = [];

  for (let serial = 0; serial < total; serial++) {
    const isMonitoring = serial >= total - monitoring;
    const cloud = cloudPicker.pick(rng);
    const app = isMonitoring ? MONITORING_APP : appPicker.pick(rng);
    const env = isMonitoring ? "prod" : envPicker.pick(rng);
    const role = isMonitoring ? MONITORING_ROLE : rolePicker.pick(rng);
    const site = placement.site(rng, cloud, `${app}/${env}`);
    const placed = placeWorkload(rng, site, { app, env, role }, serial, taken);
    const wantsPublic = rng.chance(role === "web" ? SHARES.publicWeb : SHARES.publicOther);
    const publicIp = wantsPublic ? publicAddresses.allocate(cloud) : undefined;
    const managed = isMonitoring || !rng.chance(SHARES.unmanaged);
    const nonPortable =
      managed && !isMonitoring && cloud !== "gcp" && rng.chance(SHARES.nonPortable / (1 - CLOUD_SHARES.gcp));
    const labels = { app, env, role, loc: site.region };
    workloads.push({
      id: placed.id,
      state: !isMonitoring && rng.chance(SHARES.stopped) ? "stopped" : "running",
      nics: [
        {
          id: placed.nicId,
          network: site.network.id,
          privateIp: privateAddresses.allocate(site.network.id, site.block),
          ...(publicIp === undefined ? {} : { publicIp }),
        },
      ],
      tags: buildTags(cloud, labels, { name: placed.name, managed, nonPortable }),
    });
    if (managed && !nonPortable && !isMonitoring) countScope(scopeSizes, app, env);
  }

  const scopes = [...scopeSizes.values()].sort(
    (a, b) => b.size - a.size || a.app.localeCompare(b.app) || a.env.localeCompare(b.env),
  );
  const usedApps = new Set(scopes.map((scope) => scope.app));
  return { workloads, apps: apps.filter((app) => usedApps.has(app)), scopes };
}

function countScope(sizes: Map<string, Scope>, app: string, env: string): void {
  const key = `${app}/${env}`;
  const scope = sizes.get(key);
  sizes.set(key, { app, env, size: (scope?.size ?? 0) + 1 });
}

/**
 * Each (app, env) has a home network per cloud where most of its workloads run; the rest are
 * spread over the cloud's other networks, so that identities are mostly local with some reach.
 */
class SitePlacement {
  private readonly byCloud: Record<Cloud, NetworkSite[]> = { aws: [], azure: [], gcp: [] };
  private readonly homes = new Map<string, NetworkSite>();

  constructor(sites: readonly NetworkSite[]) {
    for (const site of sites) this.byCloud[site.cloud].push(site);
  }

  site(rng: Rng, cloud: Cloud, group: string): NetworkSite {
    const candidates = this.byCloud[cloud];
    if (!rng.chance(SHARES.homeNetwork)) return rng.pick(candidates);
    const key = `${cloud}/${group}`;
    let home = this.homes.get(key);
    if (home === undefined) {
      home = rng.pick(candidates);
      this.homes.set(key, home);
    }
    return home;
  }
}

export interface TagOptions {
  readonly name: string;
  /** Unmanaged workloads carry no segsync tag at all. */
  readonly managed: boolean;
  /** The app value is one that other clouds could not hold (capitalized), as a team typing `Shop` would. */
  readonly nonPortable: boolean;
}

/** Segsync tags plus the ordinary ones a real instance carries (GCP label keys are lowercase). */
export function buildTags(cloud: Cloud, labels: SegLabels, options: TagOptions): Record<string, string> {
  const tags: Record<string, string> = {};
  if (cloud === "aws") tags.Name = options.name;
  if (options.managed) {
    const app = options.nonPortable ? labels.app.charAt(0).toUpperCase() + labels.app.slice(1) : labels.app;
    tags[`${TAG_PREFIX}app`] = app;
    tags[`${TAG_PREFIX}env`] = labels.env;
    tags[`${TAG_PREFIX}role`] = labels.role;
    tags[`${TAG_PREFIX}loc`] = labels.loc;
  }
  tags.owner = `team-${labels.app}`;
  tags[cloud === "gcp" ? "managed-by" : "ManagedBy"] = "terraform";
  return tags;
}
