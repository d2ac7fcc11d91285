/**
 * An event batch reads and plans only the places it touched (the provider's narrow), and a cloud
 * whose last plan did not fully apply is read whole again on the next batch.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_AWS_QUOTAS } from "../../lib/clouds/aws/config.js";
import { DEFAULT_AZURE_QUOTAS } from "../../lib/clouds/azure/config.js";
import { DEFAULT_GCP_QUOTAS } from "../../lib/clouds/gcp/config.js";
import type { WorkloadEvent } from "../../lib/ingest/workload-event.js";
import { MemoryInventoryStore } from "../../lib/inventory/memory-store.js";
import { MemoryAuditSink } from "../../lib/reconcile/audit.js";
import { cloudDrivers } from "../../lib/reconcile/cloud-drivers.js";
import { DEFAULT_GUARD_LIMITS } from "../../lib/reconcile/guard.js";
import { Reconciler } from "../../lib/reconcile/reconciler.js";
import { AwsTestbed } from "../clouds/aws/harness.js";
import { AzureTestbed, SUBSCRIPTION } from "../clouds/azure/harness.js";
import { GcpTestbed, PROJECT } from "../clouds/gcp/harness.js";
import { AWS_VPC, designPolicy, workload } from "../compile/fixtures.js";
import { testProviders } from "../support/providers.js";

const EAST = { account: "111111111111", region: "us-east-1" };
const WEST = { account: "111111111111", region: "us-west-2" };
const WEST_VPC = "aws:111111111111:us-west-2:vpc-0b1b2c3d";
const shop = { app: "shop", env: "prod" };
const web = workload(
  "aws:111111111111:us-east-1:i-0a00000000000001",
  { network: AWS_VPC, privateIp: "10.1.0.11", publicIp: "54.0.0.11" },
  { ...shop, role: "web" },
);
const api = workload(
  "aws:111111111111:us-east-1:i-0a00000000000002",
  { network: AWS_VPC, privateIp: "10.1.0.12", publicIp: "54.0.0.12" },
  { ...shop, role: "api" },
);
const db = workload(
  "aws:111111111111:us-west-2:i-0b00000000000003",
  { network: WEST_VPC, privateIp: "10.9.0.13", publicIp: "54.0.0.13" },
  { ...shop, role: "db" },
);

function setup() {
  const aws = new AwsTestbed([web, api, db], DEFAULT_AWS_QUOTAS);
  const azure = new AzureTestbed([], DEFAULT_AZURE_QUOTAS);
  const gcp = new GcpTestbed([], DEFAULT_GCP_QUOTAS);
  const providers = testProviders();
  const reconciler = new Reconciler({
    drivers: cloudDrivers(providers, {
      aws: { apiFor: (l) => aws.sim(l), locations: [EAST, WEST] },
      azure: { apiFor: () => azure.sim, subscriptions: [SUBSCRIPTION] },
      gcp: { apiFor: () => gcp.sim, projects: [PROJECT] },
    }),
    store: new MemoryInventoryStore(),
    policy: designPolicy({ networks: { connected: [], nat: {} } }),
    audit: new MemoryAuditSink(),
    guard: DEFAULT_GUARD_LIMITS,
  });
  const clearCalls = () => {
    for (const sim of aws.sims.values()) sim.clearCalls();
  };
  return { aws, reconciler, clearCalls };
}

const stopped = (id: string, eventId: string): WorkloadEvent => ({
  cloud: "aws",
  eventId,
  time: "2026-11-24T00:00:00Z",
  workloadId: id,
  change: { kind: "state", state: "stopped" },
});

describe("Reconciler: event batches read only the places they touch", () => {
  it("re-reads and rewrites the web server's region, not the database's", async () => {
    const { aws, reconciler, clearCalls } = setup();
    expect((await reconciler.fullSync()).failures).toEqual({});
    clearCalls();
    // web only reaches api (same region): the database's region has nothing to do with it.
    aws.sim(EAST).setInstanceState("i-0a00000000000001", "stopped");
    const result = await reconciler.handleEvents([stopped(web.id, "e1")]);
    expect(result.failures).toEqual({});
    expect(result.applied.aws ?? 0).toBeGreaterThan(0);
    expect(aws.sim(WEST).calls).toEqual([]);
    expect(aws.sim(EAST).calls.some((call) => call.method === "describeSecurityGroups")).toBe(true);
    // And the plan was complete for what it read: a full sync finds nothing left to do.
    const again = await reconciler.fullSync({ dryRun: true });
    expect(Object.values(again.plan).flatMap((plan) => plan?.operations ?? [])).toEqual([]);
  });

  it("reads the api's peers' region too when the api changes", async () => {
    const { aws, reconciler, clearCalls } = setup();
    await reconciler.fullSync();
    clearCalls();
    aws.sim(EAST).setInstanceState("i-0a00000000000002", "stopped");
    const result = await reconciler.handleEvents([stopped(api.id, "e2")]);
    expect(result.failures).toEqual({});
    // The database (west) admits the api by its public address: that rule goes.
    expect(aws.sim(WEST).calls.some((call) => call.method === "revokeIngress")).toBe(true);
    const again = await reconciler.fullSync({ dryRun: true });
    expect(Object.values(again.plan).flatMap((plan) => plan?.operations ?? [])).toEqual([]);
  });

  it("reads a cloud whole again after a batch that failed in it, and so converges", async () => {
    const { aws, reconciler, clearCalls } = setup();
    await reconciler.fullSync();
    // The api stops while the west region throttles every call: its rule for the api stays.
    aws.sim(EAST).setInstanceState("i-0a00000000000002", "stopped");
    aws.sim(WEST).setThrottle({ throttleRate: 1, seed: 1 });
    const failed = await reconciler.handleEvents([stopped(api.id, "e3")]);
    expect(failed.failures.aws).toMatchObject({
      message: expect.stringMatching(/RequestLimitExceeded/),
      retryable: true,
    });
    aws.sim(WEST).setThrottle(undefined);
    clearCalls();
    // The next batch is about the web server only (east), but AWS did not settle: it is read whole.
    aws.sim(EAST).setInstanceState("i-0a00000000000001", "stopped");
    const next = await reconciler.handleEvents([stopped(web.id, "e4")]);
    expect(next.failures).toEqual({});
    expect(aws.sim(WEST).calls.some((call) => call.method === "revokeIngress")).toBe(true);
    const again = await reconciler.fullSync({ dryRun: true });
    expect(Object.values(again.plan).flatMap((plan) => plan?.operations ?? [])).toEqual([]);
  });
});
