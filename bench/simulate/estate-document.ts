/**
 * A generated estate (bench/estate-generator.ts) as an Estate document (docs/formats.md,
 * "Estate"), for the simulate section to load as `segsync simulate` loads a file: each network
 * with its range (and its region, for Azure's), each workload on its one NIC; a stopped one keeps
 * the public address it gets back when it starts.
 */
import type { Inventory } from "../../lib/inventory/model.js";

export function estateDocumentOf(inventory: Inventory) {
  return {
    apiVersion: "segsync/v1",
    kind: "Estate",
    networks: inventory.networks.map((network) => ({
      id: network.id,
      cidr: network.cidr,
      ...(network.region === undefined ? {} : { region: network.region }),
    })),
    workloads: inventory.workloads.map((workload) => {
      const [nic, ...more] = workload.nics;
      // The estate's secondary NICs are native sections; the generator makes none.
      if (nic === undefined || more.length > 0)
        throw new TypeError(`${workload.id} has ${workload.nics.length} NICs; the generator makes one`);
      return {
        id: workload.id,
        network: nic.network,
        privateIp: nic.privateIp,
        ...(nic.publicIp === undefined ? {} : { publicIp: nic.publicIp }),
        state: workload.state,
        tags: workload.tags,
      };
    }),
  };
}
