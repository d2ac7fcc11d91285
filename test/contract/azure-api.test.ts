import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";
import { createSdkAzureApiFactory } from "../../lib/clouds/azure/sdk/api.js";
import { ArmFake } from "../support/arm-fake.js";
import { armResourcesOf } from "../support/arm-fake-seed.js";
import { type AzureApiUnderTest, describeAzureApiContract } from "./azure-api.contract.js";
import { buildContractEstate, SUBSCRIPTION } from "./azure-estate.js";

let fake: ArmFake;
beforeAll(async () => {
  fake = await ArmFake.start();
});
afterAll(async () => {
  await fake.close();
});

/** The SDK adapter over the fake: no waiting between polls, one quick retry of a 429. */
function sdkApi(subscription: string): AzureApiUnderTest {
  const api = createSdkAzureApiFactory({
    credential: { getToken: async () => ({ token: fake.token, expiresOnTimestamp: Date.now() + 3_600_000 }) },
    endpoint: fake.endpoint,
    pollIntervalMs: 1,
    maxRetries: 1,
    retryDelayMs: 1,
    clientOptions: { retryOptions: { retryDelayInMs: 1, maxRetryDelayInMs: 1 } },
    pipelineHook: fake.pipelineHook(),
  })(subscription);
  return {
    api,
    throttle(on) {
      fake.stopFailing();
      if (on) fake.failNext(Number.POSITIVE_INFINITY, { status: 429, code: "TooManyRequests" });
    },
    serverErrors(mode) {
      fake.stopFailing();
      fake.loseWriteResponses = mode === "lost";
      if (mode === "before") {
        fake.failNext(Number.POSITIVE_INFINITY, {
          status: 500,
          code: "InternalServerError",
          message: "An error occurred.",
        });
      }
    },
  };
}

describeAzureApiContract({
  name: "simulator (sim/clouds/azure/api.ts)",
  start: async () => {
    const sim = buildContractEstate();
    sim.clearCalls();
    return {
      api: sim,
      throttle: (on) => sim.setThrottle(on ? { throttleRate: 1, seed: 1 } : undefined),
      serverErrors: (mode) =>
        sim.setServerErrors(
          mode === undefined ? undefined : { rate: 1, seed: 1, lostResponseShare: mode === "lost" ? 1 : 0 },
        ),
    };
  },
});

describeAzureApiContract({
  name: "SDK adapter (lib/clouds/azure/sdk/api.ts) on the ARM fake",
  start: async () => {
    const estate = buildContractEstate();
    fake.reset();
    fake.seed(...armResourcesOf(estate.state(), estate.virtualNetworks()));
    return sdkApi(SUBSCRIPTION);
  },
});

/** Cloud Custodian's recordings of a real subscription (test/fixtures/azure/SOURCES.md). */
const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), "../fixtures/azure/arm");
const RECORDED = "ea42f556-5106-4743-99b0-c129bfa71a47";
// biome-ignore lint/suspicious/noExplicitAny: recorded JSON, read as it was recorded
type Json = any;
const recording = (file: string): Json => JSON.parse(readFileSync(resolve(FIXTURES, file), "utf8"));

/**
 * Each listing as recorded, split in pages of two; each object listed also answers a GET of its
 * id (as ARM's GET and list give one object alike), the VM with its recorded instance view.
 */
function serveRecordedSubscription(): void {
  const network = `/subscriptions/${RECORDED}/providers/Microsoft.Network`;
  const vm = recording("custodian-vm-get-instance-view.json");
  const listings: [string, Json[]][] = [
    [`${network}/networkInterfaces`, recording("custodian-nic-list.json").value],
    [`${network}/networkSecurityGroups`, recording("custodian-nsg-list-tcp-uppercase.json").value],
    [`${network}/publicIPAddresses`, recording("custodian-public-ip-list.json").value],
    [`${network}/applicationSecurityGroups`, []],
    [`${network}/virtualNetworks`, recording("custodian-vnet-list.json").value],
    [
      `/subscriptions/${RECORDED}/providers/Microsoft.Compute/virtualMachines`,
      recording("custodian-vm-list.json").value,
    ],
  ];
  for (const [path, objects] of listings) {
    const pages: { value: Json[] }[] = objects.length === 0 ? [{ value: [] }] : [];
    for (let index = 0; index < objects.length; index += 2)
      pages.push({ value: objects.slice(index, index + 2) });
    fake.serveRecorded(path, pages);
    for (const object of objects) fake.serveRecorded(object.id, [object]);
  }
  fake.serveRecorded(
    `/subscriptions/${RECORDED}/providers/Microsoft.Compute/virtualMachines`,
    [{ value: [vm] }],
    {
      statusOnly: true,
    },
  );
  fake.serveRecorded(vm.id, [vm]);
}

describeAzureApiContract({
  name: "SDK adapter (lib/clouds/azure/sdk/api.ts) on recorded ARM answers",
  start: async () => {
    fake.reset();
    serveRecordedSubscription();
    return sdkApi(RECORDED);
  },
  cannot: {
    estate: "recorded answers of a real subscription hold no contract estate and take no writes",
    throttling: "recorded answers hold no throttling",
    "server errors": "recorded answers hold no server errors",
  },
});
