import type { Cloud, Network } from "../../lib/inventory/model.js";
import {
  AWS_ACCOUNTS,
  AWS_REGIONS,
  AZURE_REGIONS,
  AZURE_SUBSCRIPTIONS,
  CLOUD_SHARES,
  GCP_PROJECTS,
  GCP_ZONES,
  WORKLOADS_PER_NETWORK,
} from "./catalog.js";
import { type Block, blockCidr, carvePrivateBlocks } from "./ipv4.js";
import type { Rng } from "./prng.js";

/** A generated network and what a workload placed in it needs to build its own id. */
export interface NetworkSite {
  readonly network: Network;
  readonly cloud: Cloud;
  /** AWS account, Azure subscription or GCP project. */
  readonly owner: string;
  /** The region its workloads run in (GCP networks are global: this is where its workloads are). */
  readonly region: string;
  /** GCP zones of that region; empty elsewhere. */
  readonly zones: readonly string[];
  readonly block: Block;
}

/** How many networks of each cloud: about one per 500 workloads, at least one per cloud. */
export function networkCounts(workloads: number): Record<Cloud, number> {
  const total = Math.max(3, Math.round(workloads / WORKLOADS_PER_NETWORK));
  const aws = Math.max(1, Math.round(total * CLOUD_SHARES.aws));
  const azure = Math.max(1, Math.round(total * CLOUD_SHARES.azure));
  return { aws, azure, gcp: Math.max(1, total - aws - azure) };
}

export function generateNetworks(rng: Rng, workloads: number): NetworkSite[] {
  const counts = networkCounts(workloads);
  const blocks = carvePrivateBlocks(counts.aws + counts.azure + counts.gcp);
  const accounts = Array.from({ length: AWS_ACCOUNTS }, () => rng.decimal(12));
  const subscriptions = Array.from({ length: AZURE_SUBSCRIPTIONS }, () => rng.guid());
  const vpcIds = new Set<string>();
  const sites: NetworkSite[] = [];
  const nextBlock = (): Block => blocks[sites.length] as Block;

  for (let i = 0; i < counts.aws; i++) {
    const owner = rng.pick(accounts);
    const region = rng.pick(AWS_REGIONS);
    let vpc: string;
    do vpc = `vpc-${rng.hex(17)}`;
    while (vpcIds.has(vpc));
    vpcIds.add(vpc);
    const block = nextBlock();
    sites.push({
      network: { id: `aws:${owner}:${region}:${vpc}`, cidr: blockCidr(block) },
      cloud: "aws",
      owner,
      region,
      zones: [],
      block,
    });
  }
  for (let i = 0; i < counts.azure; i++) {
    const owner = rng.pick(subscriptions);
    const region = rng.pick(AZURE_REGIONS);
    const block = nextBlock();
    sites.push({
      network: { id: `azure:${owner}:rg-net-${region}:vnet-${region}-${i}`, cidr: blockCidr(block), region },
      cloud: "azure",
      owner,
      region,
      zones: [],
      block,
    });
  }
  const gcpRegions = Object.keys(GCP_ZONES);
  for (let i = 0; i < counts.gcp; i++) {
    const owner = rng.pick(GCP_PROJECTS);
    const region = rng.pick(gcpRegions);
    const block = nextBlock();
    sites.push({
      network: { id: `gcp:${owner}:net-${i}`, cidr: blockCidr(block) },
      cloud: "gcp",
      owner,
      region,
      zones: GCP_ZONES[region] ?? [],
      block,
    });
  }
  return sites;
}
