import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AzureConnection } from "../../../lib/clouds/azure/provider.js";
import { createSdkAzureApiFactory } from "../../../lib/clouds/azure/sdk/api.js";
import type { LiveConfig } from "../../../lib/live/config.js";
import { connectLive, type LiveConnections } from "../../../lib/live/connect.js";
import type { Policy } from "../../../lib/policy/model.js";
import { cloudDrivers } from "../../../lib/reconcile/cloud-drivers.js";
import {
  LOCATION,
  networkId,
  SUBNET_ID,
  SUBSCRIPTION,
  wireNic,
  wireNsg,
  wirePublicIp,
  wireVm,
} from "../../clouds/azure/sdk/api-wire.js";
import { ArmFake, type ArmResource } from "../../support/arm-fake.js";
import {
  estatePlanJson,
  examplePolicy,
  exportedText,
  livePlanJson,
  liveReconciler,
} from "../../support/export-plans.js";
import { testRecordKey } from "../../support/seals.js";

/**
 * `estate export` against the ARM fake through the real SDK clients: plan on the export equals the
 * live plan before segsync wrote anything and after it applied, and the export only sent GETs.
 */
const SHOP = { "seg-app": "shop", "seg-env": "prod" };
const VMS = [
  { name: "web", ip: "10.0.0.11", tags: { ...SHOP, "seg-role": "web" }, nsg: "customer-ssh" },
  { name: "api", ip: "10.0.0.21", tags: { ...SHOP, "seg-role": "api" } },
  { name: "db", ip: "10.0.0.31", tags: { ...SHOP, "seg-role": "db" } },
] as const;

function seed(fake: ArmFake): void {
  fake.seed(
    {
      id: networkId("virtualNetworks", "vnet-1"),
      name: "vnet-1",
      type: "Microsoft.Network/virtualNetworks",
      location: LOCATION,
      properties: {
        addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
        subnets: [{ id: SUBNET_ID, name: "default" }],
      },
    } as ArmResource,
    wireNsg("customer-ssh", [{ name: "ssh", priority: 100 }]),
  );
  for (const vm of VMS) {
    const nic = `nic-${vm.name}`;
    fake.seed(
      { ...wireVm(`vm-${nic}`, "running", [nic]), tags: vm.tags },
      wireNic(
        nic,
        "nsg" in vm ? { networkSecurityGroup: { id: networkId("networkSecurityGroups", vm.nsg) } } : {},
        { privateIPAddress: vm.ip },
      ),
      wirePublicIp(`${nic}-pip`, `20.0.0.${vm.ip.split(".")[3]}`),
    );
  }
}

describe("estate export against the ARM fake", () => {
  let fake: ArmFake;
  let live: LiveConnections;
  let policy: Policy;

  beforeAll(async () => {
    fake = await ArmFake.start();
    fake.pageSize = 100;
    fake.pollsInProgress = 0;
    seed(fake);
    policy = await examplePolicy();
    const config: LiveConfig = {
      apiVersion: "segsync/v1",
      kind: "Config",
      azure: {
        auth: { kind: "default" },
        subscriptions: [{ subscription: SUBSCRIPTION, resourceGroup: "rg-app" }],
      },
    } as LiveConfig;
    const connected = connectLive(config, { recordKey: testRecordKey() });
    // connectLive's ARM clients refuse plain http: the fake's pipeline signs and allows it.
    const factory = createSdkAzureApiFactory({
      credential: {
        getToken: async () => ({ token: fake.token, expiresOnTimestamp: Date.now() + 3_600_000 }),
      },
      endpoint: fake.endpoint,
      pollIntervalMs: 1,
      retryDelayMs: 5,
      pipelineHook: fake.pipelineHook(),
    });
    const azure: AzureConnection = { subscriptions: [SUBSCRIPTION], apiFor: factory };
    await connected.recordKey.load();
    const connections = { ...connected.connections, azure };
    live = { ...connected, connections, drivers: cloudDrivers(connected.providers, connections) };
  });

  afterAll(async () => {
    await fake.close();
  });

  it("exports an estate on which plan equals plan --live, reading only", async () => {
    const before = fake.requests.length;
    const text = await exportedText(live, policy);
    expect(new Set(fake.requests.slice(before).map((request) => request.method))).toEqual(new Set(["GET"]));
    const onLive = (await livePlanJson(live, policy)) as { totals: { operations: number } };
    expect(onLive.totals.operations).toBeGreaterThan(0);
    expect(await estatePlanJson(text, policy)).toEqual(onLive);
  });

  it("after an apply, exports what segsync owns as segsync's: the plans are still equal", async () => {
    const applied = await liveReconciler(live, policy).fullSync();
    expect(applied.failures).toEqual({});
    const before = fake.requests.length;
    const text = await exportedText(live, policy);
    expect(new Set(fake.requests.slice(before).map((request) => request.method))).toEqual(new Set(["GET"]));
    expect(text).toMatch(/^# \d+ object\(s\) and record\(s\) that segsync owns/m);
    const onLive = (await livePlanJson(live, policy)) as { clouds: { azure: { ownedRules: number } } };
    expect(onLive.clouds.azure.ownedRules).toBeGreaterThan(0);
    expect(await estatePlanJson(text, policy)).toEqual(onLive);
  });
});
