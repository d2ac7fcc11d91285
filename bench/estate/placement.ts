import type { Cloud, NetworkId } from "../../lib/inventory/model.js";
import { CLOUD_SHARES, SHARES } from "./catalog.js";
import type { NetworkSite } from "./networks.js";
import type { RawNetworks } from "./policy-document.js";
import { compareText, type Rng, WeightedPicker } from "./prng.js";

const CLOUDS_IN_ORDER: readonly Cloud[] = ["aws", "azure", "gcp"];

export interface ScopeWeight {
  /** `<app>/<env>` */
  readonly key: string;
  /** Expected share of the workloads, relative to the other scopes. */
  readonly weight: number;
}

interface ScopeSites {
  readonly home: NetworkSite;
  /** One or two other networks: a second region, another cloud. */
  readonly others: readonly NetworkSite[];
}

/**
 * Where workloads run. Each (app, env) lives mostly in one home network, as a team deploys into
 * its own VPC, VNet or project, and a little in one or two other networks (a network connected
 * to its home when there is one, as teams extend over their interconnects; otherwise anywhere).
 * Home clouds are dealt out by expected scope size so that the estate still splits 40/30/30
 * across the clouds even though a few apps are far bigger than the rest (Zipf).
 */
export class SitePlacement {
  private readonly byCloud: Record<Cloud, NetworkSite[]> = { aws: [], azure: [], gcp: [] };
  private readonly byId = new Map<NetworkId, NetworkSite>();
  private readonly peers = new Map<NetworkId, NetworkId[]>();
  private readonly scopes = new Map<string, ScopeSites>();
  private readonly cloudPicker = new WeightedPicker(
    CLOUDS_IN_ORDER,
    CLOUDS_IN_ORDER.map((cloud) => CLOUD_SHARES[cloud]),
  );

  constructor(
    rng: Rng,
    sites: readonly NetworkSite[],
    networks: RawNetworks,
    scopes: readonly ScopeWeight[],
  ) {
    for (const site of sites) {
      this.byCloud[site.cloud].push(site);
      this.byId.set(site.network.id, site);
    }
    for (const group of networks.connected) {
      for (const id of group)
        this.peers.set(
          id,
          group.filter((other) => other !== id),
        );
    }
    const assigned: Record<Cloud, number> = { aws: 0, azure: 0, gcp: 0 };
    let total = 0;
    for (const scope of [...scopes].sort((a, b) => b.weight - a.weight || compareText(a.key, b.key))) {
      total += scope.weight;
      // The cloud furthest below its share once this scope is counted.
      const cloud = CLOUDS_IN_ORDER.reduce((best, candidate) =>
        CLOUD_SHARES[candidate] * total - assigned[candidate] > CLOUD_SHARES[best] * total - assigned[best]
          ? candidate
          : best,
      );
      assigned[cloud] += scope.weight;
      const home = rng.pick(this.byCloud[cloud]);
      this.scopes.set(scope.key, { home, others: this.otherSites(rng, home) });
    }
  }

  /** Anywhere, by cloud share: platform workloads such as the monitoring scrapers. */
  anywhere(rng: Rng): NetworkSite {
    return rng.pick(this.byCloud[this.cloudPicker.pick(rng)]);
  }

  site(rng: Rng, scopeKey: string): NetworkSite {
    const sites = this.scopes.get(scopeKey);
    if (sites === undefined) return this.anywhere(rng);
    if (sites.others.length === 0 || rng.chance(SHARES.homeNetwork)) return sites.home;
    return rng.pick(sites.others);
  }

  private otherSites(rng: Rng, home: NetworkSite): NetworkSite[] {
    const count = 1 + rng.int(2);
    const others: NetworkSite[] = [];
    const peers = this.peers.get(home.network.id) ?? [];
    if (peers.length > 0) others.push(this.byId.get(rng.pick(peers)) as NetworkSite);
    for (let attempt = 0; others.length < count && attempt < 10; attempt++) {
      const site = this.anywhere(rng);
      if (site !== home && !others.includes(site)) others.push(site);
    }
    return others;
  }
}
