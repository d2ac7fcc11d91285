import { expect } from "vitest";
import type { SecurityRule } from "../../../../lib/clouds/azure/model.js";
import { SimulatedArm } from "../../../../sim/clouds/azure/api.js";

/** Shared by the Azure simulator and discovery tests. */
export const SUB = "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f";
export const OWNED = { "segsync-managed": "true" };

export const subscriptionPath = `/subscriptions/${SUB}`;
export const networkId = (type: string, rg: string, name: string) =>
  `${subscriptionPath}/resourceGroups/${rg}/providers/Microsoft.Network/${type}/${name}`;
export const vmId = (rg: string, name: string) =>
  `${subscriptionPath}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;

/** An inbound TCP allow rule with exact sources or source ASGs. */
export function allow(
  name: string,
  priority: number,
  from: { prefixes?: string[]; asgs?: string[] } = { prefixes: ["10.9.0.0/24"] },
  extra: Partial<SecurityRule> = {},
): SecurityRule {
  return {
    name,
    priority,
    direction: "Inbound",
    access: "Allow",
    protocol: "Tcp",
    sourcePortRange: "*",
    destinationPortRange: "443",
    destinationAddressPrefix: "*",
    ...(from.asgs === undefined
      ? from.prefixes?.length === 1
        ? { sourceAddressPrefix: from.prefixes[0] }
        : { sourceAddressPrefixes: from.prefixes ?? [] }
      : { sourceApplicationSecurityGroups: from.asgs.map((id) => ({ id })) }),
    ...extra,
  };
}

/** Three VNets: vnet-prod and vnet-prod2 in eastus, vnet-west in westus. */
export function newSim(options: ConstructorParameters<typeof SimulatedArm>[1] = {}): SimulatedArm {
  const sim = SimulatedArm.empty(SUB, options);
  sim.createVirtualNetwork({
    resourceGroup: "rg-net",
    name: "vnet-prod",
    location: "eastus",
    addressPrefix: "10.2.0.0/16",
  });
  sim.createVirtualNetwork({
    resourceGroup: "rg-net",
    name: "vnet-prod2",
    location: "eastus",
    addressPrefix: "10.4.0.0/16",
  });
  sim.createVirtualNetwork({
    resourceGroup: "rg-west",
    name: "vnet-west",
    location: "westus",
    addressPrefix: "10.3.0.0/16",
  });
  return sim;
}

/** Rejects with an error of `type` whose ARM code is `code`. */
export async function expectFailure(
  promise: Promise<unknown>,
  type: new (...args: never[]) => Error,
  code: string,
): Promise<Error & { code: string; status: number }> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(type);
  expect((error as { code?: string }).code).toBe(code);
  return error as Error & { code: string; status: number };
}
