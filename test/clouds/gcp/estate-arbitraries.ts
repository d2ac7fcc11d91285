/** Random GCP estates and limits for the property tests: one project, two networks, and two workloads of other clouds. */
import fc from "fast-check";
import { DEFAULT_GCP_QUOTAS, type GcpQuotas } from "../../../lib/clouds/gcp/config.js";
import type { Workload } from "../../../lib/inventory/model.js";
import { NETWORKS } from "../../compile/arbitraries.js";
import { labelTagsArb } from "../intent-probes.js";
import { GCP_NETWORKS, PROJECT } from "./harness.js";

const IDS = [
  `gcp:${PROJECT}:us-central1-a:vm-1`,
  `gcp:${PROJECT}:us-central1-a:vm-2`,
  `gcp:${PROJECT}:us-central1-b:vm-3`,
  `gcp:${PROJECT}:us-central1-b:vm-4`,
  `gcp:${PROJECT}:europe-west1-b:vm-5`,
  "aws:111111111111:us-east-1:i-0a00000000000001",
  "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-app:vm-1",
];

/** Addresses outside the default network's 10.128.0.0/9, so default-allow-internal matters only where it should. */
function workloadArb(id: string, index: number): fc.Arbitrary<Workload> {
  const networks: fc.Arbitrary<string[]> = id.startsWith("gcp:")
    ? fc.subarray(GCP_NETWORKS, { minLength: 1 })
    : fc.constant([id.startsWith("aws:") ? (NETWORKS[0] as string) : (NETWORKS[2] as string)]);
  return fc
    .record({
      networks,
      publicIps: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
      running: fc.constantFrom(true, true, true, true, false),
      tags: labelTagsArb,
    })
    .map(({ networks: chosen, publicIps, running, tags }) => ({
      id,
      state: running ? "running" : "stopped",
      nics: chosen.map((network, k) => ({
        network,
        privateIp: network.endsWith(":default")
          ? `10.128.${index + 1}.${k + 2}`
          : `10.${20 + GCP_NETWORKS.indexOf(network) + (network.startsWith("gcp:") ? 0 : 10)}.${index + 1}.${k + 2}`,
        ...(publicIps[k] ? { publicIp: `35.0.${index + 1}.${k + 2}` } : {}),
      })),
      tags,
    }));
}

export const estateArb = fc
  .subarray(
    IDS.map((id, index) => ({ id, index })),
    { minLength: 1 },
  )
  .chain((picked) => fc.tuple(...picked.map(({ id, index }) => workloadArb(id, index))));

/** The tight quota twice as often: at one in three, unfit destinations came out fewer than 10 in 500 runs about half the time. */
export const limitsArb: fc.Arbitrary<GcpQuotas> = fc.constantFrom(
  DEFAULT_GCP_QUOTAS,
  { ...DEFAULT_GCP_QUOTAS, sourceRangesPerRule: 1, sourceTagsPerRule: 1 },
  { ...DEFAULT_GCP_QUOTAS, firewallRulesPerProject: 12 },
  { ...DEFAULT_GCP_QUOTAS, firewallRulesPerProject: 12 },
);
