import { describe, expect, it } from "vitest";
import type { AzureApiFactory } from "../../../lib/clouds/azure/api.js";
import { DEFAULT_AZURE_QUOTAS } from "../../../lib/clouds/azure/config.js";
import {
  type AzureConnection,
  createAzureProvider,
  narrowAzure,
} from "../../../lib/clouds/azure/provider.js";
import { SimulatedArm } from "../../../sim/clouds/azure/api.js";
import { SEALER } from "../../support/seals.js";
import { SUBSCRIPTION, SUBSCRIPTION_B, SUBSCRIPTION_C } from "./harness.js";

const UNMANAGED = "0d0d0d0d-0000-4000-8000-000000000000";
const apiFor: AzureApiFactory = (subscription) => SimulatedArm.empty(subscription);
const connection: AzureConnection = { apiFor, subscriptions: [SUBSCRIPTION_C, SUBSCRIPTION, SUBSCRIPTION_B] };
const vnet = (subscription: string, name = "vnet-prod", resourceGroup = "rg-net") =>
  `azure:${subscription}:${resourceGroup}:${name}`;

describe("Azure narrow", () => {
  it("keeps the subscription of each named workload too", () => {
    const narrowed = narrowAzure(connection, [], [`azure:${SUBSCRIPTION_B}:rg-app:vm-api-1`]);
    expect(narrowed.subscriptions).toEqual([SUBSCRIPTION_B]);
  });

  it("keeps the subscriptions that hold one of the networks, in the connection's order, with the same apiFor", () => {
    const narrowed = narrowAzure(connection, [
      vnet(SUBSCRIPTION_B),
      vnet(SUBSCRIPTION_C, "vnet-hub", "rg-core"),
    ]);
    expect(narrowed.subscriptions).toEqual([SUBSCRIPTION_C, SUBSCRIPTION_B]);
    expect(narrowed.apiFor).toBe(apiFor);
  });

  it("keeps a subscription once however many of its networks are named, whatever their resource group", () => {
    const narrowed = narrowAzure(connection, [
      vnet(SUBSCRIPTION, "vnet-prod"),
      vnet(SUBSCRIPTION, "vnet-dev"),
      vnet(SUBSCRIPTION, "vnet-edge", "rg-edge"),
      vnet(SUBSCRIPTION, "vnet-prod"),
    ]);
    expect(narrowed.subscriptions).toEqual([SUBSCRIPTION]);
  });

  it("ignores other clouds' networks and networks of subscriptions the connection does not manage", () => {
    const narrowed = narrowAzure(connection, [
      "aws:111111111111:us-east-1:vpc-0a1b2c3d",
      "gcp:shop-prod:prod-net",
      vnet(UNMANAGED),
    ]);
    expect(narrowed).toEqual({ apiFor, subscriptions: [] });
  });

  it("compares subscriptions ignoring case, and keeps the connection's spelling", () => {
    const upper = SUBSCRIPTION_B.toUpperCase();
    expect(narrowAzure({ apiFor, subscriptions: [upper] }, [vnet(SUBSCRIPTION_B)]).subscriptions).toEqual([
      upper,
    ]);
  });

  it("gives no subscriptions for no networks and leaves the connection as it was", () => {
    expect(narrowAzure(connection, []).subscriptions).toEqual([]);
    expect(connection.subscriptions).toEqual([SUBSCRIPTION_C, SUBSCRIPTION, SUBSCRIPTION_B]);
  });

  it("is the provider's narrow", () => {
    const provider = createAzureProvider({
      quotas: DEFAULT_AZURE_QUOTAS,
      resourceGroups: {},
      sealer: SEALER,
    });
    const narrowed = provider.narrow(connection, [vnet(SUBSCRIPTION), "gcp:shop-prod:prod-net"]);
    expect(narrowed).toEqual({ apiFor, subscriptions: [SUBSCRIPTION] });
  });
});
