/** Inventories, policies and connections for the resolution tests (test/flows/resolve*.test.ts). */
import { join } from "node:path";
import type { ObservedConnection } from "../../lib/flows/model.js";
import type { ResolutionPolicy } from "../../lib/flows/resolve.js";
import type { Inventory, Workload } from "../../lib/inventory/model.js";
import { loadPolicyFile } from "../../lib/policy/load.js";
import { loadEstateFile } from "../../sim/estate.js";
import { REPO_ROOT } from "../policy/fixtures.js";

export const VPC_A = "aws:111111111111:us-east-1:vpc-0a1b2c3d";
export const VPC_B = "aws:111111111111:us-east-1:vpc-0b1b2c3d";
export const VPC_C = "aws:111111111111:us-east-1:vpc-0c1b2c3d";

export function workload(id: string, nics: Workload["nics"], state: Workload["state"] = "running"): Workload {
  return { id, state, nics, tags: {} };
}

export function policyOf(
  fields: Partial<ResolutionPolicy["networks"]> & { ipLists?: ResolutionPolicy["ipLists"] },
) {
  return {
    ipLists: fields.ipLists ?? {},
    networks: { connected: fields.connected ?? [], nat: fields.nat ?? {} },
  } satisfies ResolutionPolicy;
}

export function connection(fields: Partial<ObservedConnection>): ObservedConnection {
  return {
    format: "aws",
    first: 1_000,
    last: 2_000,
    initiatorAddress: "10.0.0.1",
    responderAddress: "10.0.0.2",
    protocol: 6,
    responderPort: 5432,
    action: "accept",
    directionKnown: true,
    packets: 10,
    bytes: 1_000,
    records: 2,
    reportedBy: [],
    ...fields,
  };
}

/** examples/estate.yaml as an inventory (one NIC per workload), and examples/policy.yaml. */
export async function examples(): Promise<{ inventory: Inventory; policy: ResolutionPolicy }> {
  const [estate, policy] = await Promise.all([
    loadEstateFile(join(REPO_ROOT, "examples/estate.yaml")),
    loadPolicyFile(join(REPO_ROOT, "examples/policy.yaml")),
  ]);
  if (!estate.ok || !policy.ok) throw new Error("examples/estate.yaml or examples/policy.yaml does not load");
  const workloads = estate.estate.workloads.map((each) => ({
    id: each.id,
    state: each.state,
    tags: each.tags,
    nics: [
      {
        network: each.network,
        privateIp: each.privateIp,
        ...(each.publicIp === undefined ? {} : { publicIp: each.publicIp }),
      },
    ],
  }));
  return { inventory: { networks: estate.estate.networks, workloads }, policy: policy.policy };
}
