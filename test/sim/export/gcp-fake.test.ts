import { OAuth2Client } from "google-auth-library";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LiveConfig } from "../../../lib/live/config.js";
import { connectLive, type LiveConnections } from "../../../lib/live/connect.js";
import type { Policy } from "../../../lib/policy/model.js";
import { type ComputeFake, startComputeFake } from "../../support/compute-fake.js";
import {
  estatePlanJson,
  examplePolicy,
  exportedText,
  livePlanJson,
  liveReconciler,
} from "../../support/export-plans.js";
import { testRecordKey } from "../../support/seals.js";

/**
 * `estate export` against the Compute fake through the real SDK clients: plan on the export equals
 * the live plan before segsync wrote anything and after it applied, and the export only sent GETs.
 */
const PROJECT = "shop-prod";
const TOKEN = "ya29.test-token-not-real";
const NETWORK = `https://www.googleapis.com/compute/v1/projects/${PROJECT}/global/networks/prod-net`;
const SHOP = { "seg-app": "shop", "seg-env": "prod" };
const INSTANCES = [
  { name: "shop-web-1", ip: "10.3.0.11", labels: { ...SHOP, "seg-role": "web" }, tags: ["http-server"] },
  { name: "shop-api-1", ip: "10.3.0.21", labels: { ...SHOP, "seg-role": "api" }, tags: [] },
  { name: "shop-db-1", ip: "10.3.0.31", labels: { ...SHOP, "seg-role": "db" }, tags: [] },
] as const;

describe("estate export against the Compute fake", () => {
  let fake: ComputeFake;
  let live: LiveConnections;
  let policy: Policy;

  beforeAll(async () => {
    fake = await startComputeFake({ project: PROJECT, token: TOKEN, zones: ["us-central1-a"] });
    fake.addSubnetwork({
      region: "us-central1",
      name: "prod-net",
      network: "prod-net",
      ipCidrRange: "10.3.0.0/16",
    });
    fake.addFirewall({
      name: "allow-http",
      network: NETWORK,
      priority: 1000,
      direction: "INGRESS",
      sourceRanges: ["0.0.0.0/0"],
      targetTags: ["http-server"],
      allowed: [{ IPProtocol: "tcp", ports: ["80"] }],
    });
    for (const instance of INSTANCES) {
      fake.addInstance({
        zone: "us-central1-a",
        name: instance.name,
        labels: instance.labels,
        tags: { items: [...instance.tags] },
        networkInterfaces: [{ name: "nic0", network: NETWORK, networkIP: instance.ip }],
      });
    }
    policy = await examplePolicy();
    const config = {
      apiVersion: "segsync/v1",
      kind: "Config",
      gcp: { auth: { kind: "default" }, projects: [PROJECT] },
    } as LiveConfig;
    const authClient = new OAuth2Client();
    authClient.setCredentials({ access_token: TOKEN, expiry_date: Date.now() + 3_600_000 });
    live = connectLive(config, {
      recordKey: testRecordKey(),
      gcp: { apiEndpoint: "127.0.0.1", port: fake.port, protocol: "http", authClient },
    });
  });

  afterAll(async () => {
    await fake.stop();
  });

  const methodsSince = (start: number) =>
    new Set(fake.requests.slice(start).map((request) => request.method));

  it("exports an estate on which plan equals plan --live, reading only", async () => {
    const before = fake.requests.length;
    const text = await exportedText(live, policy);
    expect(methodsSince(before)).toEqual(new Set(["GET"]));
    const onLive = (await livePlanJson(live, policy)) as { totals: { operations: number } };
    expect(onLive.totals.operations).toBeGreaterThan(0);
    expect(await estatePlanJson(text, policy)).toEqual(onLive);
  });

  it("after an apply, exports what segsync owns as segsync's: the plans are still equal", async () => {
    const applied = await liveReconciler(live, policy).fullSync();
    expect(applied.failures).toEqual({});
    const before = fake.requests.length;
    const text = await exportedText(live, policy);
    expect(methodsSince(before)).toEqual(new Set(["GET"]));
    expect(text).toMatch(/^# \d+ object\(s\) and record\(s\) that segsync owns/m);
    const onLive = (await livePlanJson(live, policy)) as { clouds: { gcp: { ownedRules: number } } };
    expect(onLive.clouds.gcp.ownedRules).toBeGreaterThan(0);
    expect(await estatePlanJson(text, policy)).toEqual(onLive);
  });
});
