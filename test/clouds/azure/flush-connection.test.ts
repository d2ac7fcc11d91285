import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AzureQuotasSchema, DEFAULT_AZURE_QUOTAS } from "../../../lib/clouds/azure/config.js";
import type { DesiredNetworkSecurityGroup } from "../../../lib/clouds/azure/desired.js";
import { diffAzure } from "../../../lib/clouds/azure/diff.js";
import type { AzureState, NetworkSecurityGroup, SecurityRule } from "../../../lib/clouds/azure/model.js";
import { createSdkAzureApiFactory } from "../../../lib/clouds/azure/sdk/api.js";
import { summarizeAzureOperation } from "../../../lib/clouds/azure/summarize.js";
import type { Workload } from "../../../lib/inventory/model.js";
import { designPolicy, workload } from "../../compile/fixtures.js";
import { networkId, newSim, SUB } from "../../sim/clouds/azure/fixtures.js";
import { ArmFake } from "../../support/arm-fake.js";
import { AZURE_OWNERSHIP } from "../../support/seals.js";
import { AzureTestbed, SUBSCRIPTION } from "./harness.js";
import { LOCATION, SUBSCRIPTION as WIRE_SUBSCRIPTION } from "./sdk/api-wire.js";

/** Owned NSGs carry ARM's flushConnection, so a revoked flow stops (docs/connection-tracking.md). */
const RULE: SecurityRule = {
  name: "segsync-allow-web",
  priority: 200,
  direction: "Inbound",
  access: "Allow",
  protocol: "Tcp",
  sourcePortRange: "*",
  sourceAddressPrefix: "10.2.0.0/24",
  destinationAddressPrefix: "*",
  destinationPortRange: "443",
};

function desiredNsg(flushConnection: boolean): DesiredNetworkSecurityGroup {
  return {
    subscription: SUB,
    resourceGroup: "rg-segsync",
    name: "segsync-abc-eastus",
    location: "eastus",
    identity: "app=shop,role=web",
    flushConnection,
    securityRules: [RULE],
  };
}

function actualNsg(flushConnection: boolean | undefined): NetworkSecurityGroup {
  return {
    id: networkId("networkSecurityGroups", "rg-segsync", "segsync-abc-eastus"),
    name: "segsync-abc-eastus",
    location: "eastus",
    resourceGroup: "rg-segsync",
    etag: 'W/"1"',
    tags: AZURE_OWNERSHIP.ownedTags(
      networkId("networkSecurityGroups", "rg-segsync", "segsync-abc-eastus"),
      "app=shop,role=web",
    ),
    ...(flushConnection === undefined ? {} : { flushConnection }),
    securityRules: [RULE],
    defaultSecurityRules: [],
  };
}

function stateWith(actual: NetworkSecurityGroup): AzureState {
  return [
    {
      subscription: SUB,
      virtualMachines: [],
      networkInterfaces: [],
      networkSecurityGroups: [actual],
      applicationSecurityGroups: [],
      publicIPAddresses: [],
    },
  ];
}

function plan(desired: DesiredNetworkSecurityGroup, actual: NetworkSecurityGroup) {
  return diffAzure(
    { applicationSecurityGroups: [], networkSecurityGroups: [desired], networkInterfaces: [], findings: [] },
    stateWith(actual),
    AZURE_OWNERSHIP,
  );
}

describe("flushConnection on owned NSGs", () => {
  it("is on unless the configuration turns it off", () => {
    expect(DEFAULT_AZURE_QUOTAS.flushConnection).toBe(true);
    expect(AzureQuotasSchema.parse({}).flushConnection).toBe(true);
    expect(AzureQuotasSchema.parse({ flushConnection: false }).flushConnection).toBe(false);
    expect(() => AzureQuotasSchema.parse({ flushConnection: "yes" })).toThrow();
  });

  it("diff updates an owned NSG whose rules match but that lacks it, and leaves one that has it", () => {
    const [update, ...rest] = plan(desiredNsg(true), actualNsg(undefined));
    expect(rest).toEqual([]);
    expect(update).toMatchObject({
      kind: "putNetworkSecurityGroup",
      name: "segsync-abc-eastus",
      flushConnection: true,
      ifMatch: 'W/"1"',
      change: { created: false, added: 0, removed: 0, changed: 0, flushConnection: true },
    });
    expect(update && summarizeAzureOperation(update, stateWith(actualNsg(undefined))).detail).toBe(
      "1 rules (+0 −0 ~0); open flows re-evaluated on rule changes (flushConnection on)",
    );
    expect(plan(desiredNsg(true), actualNsg(true))).toEqual([]);
    expect(plan(desiredNsg(false), actualNsg(undefined))).toEqual([]);
    expect(plan(desiredNsg(false), actualNsg(true))).toMatchObject([{ flushConnection: false }]);
  });

  it("materialize asks for it on every owned NSG, and the simulator keeps what the PUT said", async () => {
    const vnet = `azure:${SUBSCRIPTION}:rg-net:vnet-prod`;
    const shop = { app: "shop", env: "prod" };
    const workloads: Workload[] = [
      workload(
        `azure:${SUBSCRIPTION}:rg-app:web-1`,
        { network: vnet, privateIp: "10.2.0.11" },
        { ...shop, role: "web" },
      ),
      workload(
        `azure:${SUBSCRIPTION}:rg-app:api-1`,
        { network: vnet, privateIp: "10.2.0.12" },
        { ...shop, role: "api" },
      ),
    ];
    const policy = designPolicy({ networks: { connected: [], nat: {} } });
    const on = new AzureTestbed(workloads, DEFAULT_AZURE_QUOTAS);
    const { desired } = await on.reconcile(policy, [], "exclusive");
    expect(desired.networkSecurityGroups.length).toBeGreaterThan(0);
    expect(desired.networkSecurityGroups.every((nsg) => nsg.flushConnection)).toBe(true);
    const owned = on.state()[0]?.networkSecurityGroups.filter((nsg) => nsg.name.startsWith("segsync-")) ?? [];
    expect(owned.map((nsg) => nsg.flushConnection)).toEqual(owned.map(() => true));
    expect((await on.reconcile(policy, [], "exclusive")).plan).toEqual([]);

    const off = new AzureTestbed(workloads, { ...DEFAULT_AZURE_QUOTAS, flushConnection: false });
    const turnedOff = await off.reconcile(policy, [], "exclusive");
    expect(turnedOff.desired.networkSecurityGroups.every((nsg) => !nsg.flushConnection)).toBe(true);
    const plain =
      off.state()[0]?.networkSecurityGroups.filter((nsg) => nsg.name.startsWith("segsync-")) ?? [];
    expect(plain.map((nsg) => nsg.flushConnection)).toEqual(plain.map(() => undefined));
  });

  it("a PUT without it turns it off in the simulator, as in ARM", async () => {
    const sim = newSim();
    const input = {
      resourceGroup: "rg-segsync",
      name: "nsg-1",
      location: "eastus",
      tags: {},
      securityRules: [RULE],
    };
    expect((await sim.putNetworkSecurityGroup({ ...input, flushConnection: true })).flushConnection).toBe(
      true,
    );
    expect((await sim.getNetworkSecurityGroup("rg-segsync", "nsg-1"))?.flushConnection).toBe(true);
    expect((await sim.putNetworkSecurityGroup(input)).flushConnection).toBeUndefined();
  });
});

describe("flushConnection through the real SDK client", () => {
  let fake: ArmFake;
  beforeAll(async () => {
    fake = await ArmFake.start();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
  });

  it("is sent in the NSG PUT body and read back", async () => {
    const api = createSdkAzureApiFactory({
      credential: {
        getToken: async () => ({ token: fake.token, expiresOnTimestamp: Date.now() + 3_600_000 }),
      },
      endpoint: fake.endpoint,
      pollIntervalMs: 1,
      retryDelayMs: 5,
      pipelineHook: fake.pipelineHook(),
    })(WIRE_SUBSCRIPTION);
    const input = {
      resourceGroup: "rg-app",
      name: "nsg-1",
      location: LOCATION,
      tags: {},
      securityRules: [RULE],
    };
    const written = await api.putNetworkSecurityGroup({ ...input, flushConnection: true });
    expect(written.flushConnection).toBe(true);
    const id = `/subscriptions/${WIRE_SUBSCRIPTION}/resourceGroups/rg-app/providers/Microsoft.Network/networkSecurityGroups/nsg-1`;
    expect(fake.resource(id)?.properties?.flushConnection).toBe(true);
    expect((await api.getNetworkSecurityGroup("rg-app", "nsg-1"))?.flushConnection).toBe(true);
    await api.putNetworkSecurityGroup(input);
    expect(fake.resource(id)?.properties?.flushConnection).toBe(false);
  });
});
