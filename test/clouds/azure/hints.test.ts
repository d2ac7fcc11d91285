/** The Azure provider's hint resolver: an Event Grid NIC id → the VM to re-read (lib/clouds/azure/hints.ts). */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPolicyFile } from "../../../lib/policy/load.js";
import { Simulation } from "../../../sim/simulation.js";
import { exampleEstate, REPO_ROOT } from "../../sim/fixtures.js";

const SUB = "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f";
const nicId = (subscription: string, nic: string) =>
  `/subscriptions/${subscription}/resourceGroups/rg-shop-prod/providers/Microsoft.Network/networkInterfaces/${nic}`;

async function azure() {
  const policy = await loadPolicyFile(join(REPO_ROOT, "examples", "policy.yaml"));
  if (!policy.ok) throw new Error("the example policy must load");
  const simulation = Simulation.start(policy.policy, await exampleEstate());
  const { resolveHint } = simulation.providers.azure;
  if (resolveHint === undefined) throw new Error("the Azure provider resolves hints");
  const connection = simulation.clouds.connections().azure;
  return (id: string) => resolveHint(connection, { kind: "resource", id });
}

describe("the Azure provider's resolveHint", () => {
  it("resolves a NIC to its VM, whatever the case of the subscription id the event wrote", async () => {
    const resolve = await azure();
    const vm = { kind: "workload", workload: `azure:${SUB}:rg-shop-prod:vm-api-2` };
    expect(await resolve(nicId(SUB, "vm-api-2-nic"))).toEqual(vm);
    expect(await resolve(nicId(SUB.toUpperCase(), "vm-api-2-nic"))).toEqual(vm);
  });

  it("ignores a NIC of a subscription it does not manage, a NIC that is gone, and an id that is no NIC's", async () => {
    const resolve = await azure();
    const other = "00000000-0000-4000-8000-000000000000";
    expect(await resolve(nicId(other, "vm-api-2-nic"))).toEqual({
      kind: "ignored",
      why: `Azure subscription ${other} is not managed`,
    });
    expect(await resolve(nicId(SUB, "nic-gone"))).toEqual({
      kind: "ignored",
      why: "NIC rg-shop-prod/nic-gone is attached to no VM (or is gone)",
    });
    const vmId = `/subscriptions/${SUB}/resourceGroups/rg-shop-prod/providers/Microsoft.Compute/virtualMachines/vm-api-2`;
    expect(await resolve(vmId)).toEqual({ kind: "ignored", why: `${vmId} is not the id of an Azure NIC` });
    expect(await resolve("vm-api-2-nic")).toEqual({
      kind: "ignored",
      why: "vm-api-2-nic is not the id of an Azure NIC",
    });
  });
});
