import fc from "fast-check";
import type { AzureQuotas } from "../../../lib/clouds/azure/config.js";
import { DEFAULT_AZURE_QUOTAS } from "../../../lib/clouds/azure/config.js";
import type { Workload } from "../../../lib/inventory/model.js";
import { NETWORKS } from "../../compile/arbitraries.js";
import { labelTagsArb } from "../intent-probes.js";
import { AZURE_VNETS, OTHER_SUBSCRIPTION_VNETS } from "./harness.js";

const VNETS = { ...AZURE_VNETS, ...OTHER_SUBSCRIPTION_VNETS };

/** The second octet of a network's addresses: its VNet's address space, else 10 + its place in NETWORKS. */
function octetOf(network: string): number {
  const vnet = VNETS[network];
  if (vnet !== undefined) return Number(vnet.addressPrefix.split(".")[1]);
  return NETWORKS.indexOf(network as (typeof NETWORKS)[number]) + 10;
}

/**
 * A workload with one NIC in one of `networks` (an Azure workload: VNets of its own subscription,
 * as ARM has it), at an address that `index` makes unique in the estate; mostly running.
 */
export function workloadArb(id: string, index: number, networks: readonly string[]): fc.Arbitrary<Workload> {
  const network: fc.Arbitrary<string> =
    networks.length === 1 ? fc.constant(networks[0] as string) : fc.constantFrom(...networks);
  return fc
    .record({
      network,
      publicIp: fc.boolean(),
      running: fc.constantFrom(true, true, true, true, false),
      tags: labelTagsArb,
    })
    .map(({ network: chosen, publicIp, running, tags }) => ({
      id,
      state: running ? "running" : "stopped",
      nics: [
        {
          network: chosen,
          privateIp: `10.${octetOf(chosen)}.${index + 1}.4`,
          ...(publicIp ? { publicIp: `52.0.${index + 1}.4` } : {}),
        },
      ],
      tags: { ...tags, Name: `vm-${index}` },
    }));
}

/** A random subset (at least minLength) of the hosts, each a workload in one of its networks. */
export function estateArb(
  hosts: readonly { readonly id: string; readonly networks: readonly string[] }[],
  minLength = 1,
): fc.Arbitrary<Workload[]> {
  return fc
    .subarray(
      hosts.map((host, index) => ({ host, index })),
      { minLength },
    )
    .chain((picked) =>
      fc.tuple(...picked.map(({ host, index }) => workloadArb(host.id, index, host.networks))),
    );
}

export const quotasArb: fc.Arbitrary<AzureQuotas> = fc.constantFrom(
  DEFAULT_AZURE_QUOTAS,
  { ...DEFAULT_AZURE_QUOTAS, rulesPerNetworkSecurityGroup: 3 },
  { ...DEFAULT_AZURE_QUOTAS, rulesPerNetworkSecurityGroup: 2 },
  { ...DEFAULT_AZURE_QUOTAS, prefixesPerRule: 1 },
  { ...DEFAULT_AZURE_QUOTAS, applicationSecurityGroupsPerNetworkSecurityGroup: 2 },
);
