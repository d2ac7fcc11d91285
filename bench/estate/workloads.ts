import type { Cloud, Workload } from "../../lib/inventory/model.js";
import { PrivateAddresses, PublicAddresses } from "./addresses.js";
import {
  appName,
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
} from "./catalog.js";
import { placeWorkload } from "./ids.js";
import type { NetworkSite } from "./networks.js";
import { SitePlacement } from "./placement.js";
import type { RawNetworks } from "./policy-document.js";
import { compareText, type Rng, WeightedPicker, zipfWeights } from "./prng.js";

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

export function generateWorkloads(
  rng: Rng,
  sites: readonly NetworkSite[],
  networks: RawNetworks,
  total: number,
): GeneratedWorkloads {
  const monitoring = Math.min(total, Math.max(2, Math.round(total * SHARES.monitoring)));
  const appCount = Math.max(1, Math.round(total / WORKLOADS_PER_APP));
  const apps = Array.from({ length: appCount }, (_, i) => appName(i));
  const envPicker = new WeightedPicker(ENVS, ENV_WEIGHTS);
  const rolePicker = new WeightedPicker(ROLES, ROLE_WEIGHTS);
  const appWeights = zipfWeights(appCount, 1);
  const appPicker = new WeightedPicker(apps, appWeights);
  const scopeWeights = apps.flatMap((app, a) =>
    ENVS.map((env, e) => ({
      key: `${app}/${env}`,
      weight: (appWeights[a] as number) * (ENV_WEIGHTS[e] as number),
    })),
  );
  const placement = new SitePlacement(rng, sites, networks, scopeWeights);
  const privateAddresses = new PrivateAddresses();
  const publicAddresses = new PublicAddresses();
  const taken = new Set<string>();
  const scopeSizes = new Map<string, Scope>();
  const workloads: Workload[] = [];

  for (let serial = 0; serial < total; serial++) {
    const isMonitoring = serial >= total - monitoring;
    const app = isMonitoring ? MONITORING_APP : appPicker.pick(rng);
    const env = isMonitoring ? "prod" : envPicker.pick(rng);
    const role = isMonitoring ? MONITORING_ROLE : rolePicker.pick(rng);
    // Scrapers run in every cloud, next to what they scrape.
    const site = isMonitoring ? placement.anywhere(rng) : placement.site(rng, `${app}/${env}`);
    const cloud = site.cloud;
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
    (a, b) => b.size - a.size || compareText(a.app, b.app) || compareText(a.env, b.env),
  );
  const usedApps = new Set(scopes.map((scope) => scope.app));
  return { workloads, apps: apps.filter((app) => usedApps.has(app)), scopes };
}

function countScope(sizes: Map<string, Scope>, app: string, env: string): void {
  const key = `${app}/${env}`;
  const scope = sizes.get(key);
  sizes.set(key, { app, env, size: (scope?.size ?? 0) + 1 });
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
