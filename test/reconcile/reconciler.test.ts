import { describe, expect, it } from "vitest";
import type { AwsApi } from "../../lib/clouds/aws/api.js";
import { DEFAULT_AWS_QUOTAS } from "../../lib/clouds/aws/config.js";
import { AwsQuotaExceededError } from "../../lib/clouds/aws/errors.js";
import { DEFAULT_AZURE_QUOTAS } from "../../lib/clouds/azure/config.js";
import { DEFAULT_GCP_QUOTAS } from "../../lib/clouds/gcp/config.js";
import { MemoryInventoryStore } from "../../lib/inventory/memory-store.js";
import { CLOUDS, type Cloud } from "../../lib/inventory/model.js";
import { MemoryAuditSink } from "../../lib/reconcile/audit.js";
import { cloudDrivers } from "../../lib/reconcile/cloud-drivers.js";
import type { CloudDriver, CloudRead, DriverPlan } from "../../lib/reconcile/driver.js";
import { DEFAULT_GUARD_LIMITS } from "../../lib/reconcile/guard.js";
import { Reconciler } from "../../lib/reconcile/reconciler.js";
import { renderPlan } from "../../lib/reconcile/render.js";
import { AwsTestbed } from "../clouds/aws/harness.js";
import { AzureTestbed, SUBSCRIPTION } from "../clouds/azure/harness.js";
import { GcpTestbed, PROJECT } from "../clouds/gcp/harness.js";
import { AWS_VPC, designPolicy, workload } from "../compile/fixtures.js";
import { testProviders } from "../support/providers.js";

const shop = { app: "shop", env: "prod" };
const VNET = `azure:${SUBSCRIPTION}:rg-net:vnet-prod`;
const GCP_NET = `gcp:${PROJECT}:prod-net`;
const LOCATION = { account: "111111111111", region: "us-east-1" };
const awsWeb = workload(
  "aws:111111111111:us-east-1:i-0a00000000000001",
  { network: AWS_VPC, privateIp: "10.1.0.11", publicIp: "54.0.0.11" },
  { ...shop, role: "web" },
);
const azureApi = workload(
  `azure:${SUBSCRIPTION}:rg-app:api-1`,
  { network: VNET, privateIp: "10.2.0.12", publicIp: "52.0.0.12" },
  { ...shop, role: "api" },
);
const gcpDb = workload(
  `gcp:${PROJECT}:us-central1-a:db-1`,
  { network: GCP_NET, privateIp: "10.3.0.13", publicIp: "35.0.0.13" },
  { ...shop, role: "db" },
);
const policy = designPolicy({ networks: { connected: [], nat: {} } });

function setup(wrapAws: (api: AwsApi) => AwsApi = (api) => api) {
  const aws = new AwsTestbed([awsWeb], DEFAULT_AWS_QUOTAS);
  const azure = new AzureTestbed([azureApi], DEFAULT_AZURE_QUOTAS);
  const gcp = new GcpTestbed([gcpDb], DEFAULT_GCP_QUOTAS);
  const providers = testProviders();
  // A copy the tests may swap drivers in.
  const drivers: Record<Cloud, CloudDriver> = {
    ...cloudDrivers(providers, {
      aws: { apiFor: () => wrapAws(aws.sim(LOCATION)), locations: [LOCATION] },
      azure: { apiFor: () => azure.sim, subscriptions: [SUBSCRIPTION] },
      gcp: { apiFor: () => gcp.sim, projects: [PROJECT] },
    }),
  };
  const audit = new MemoryAuditSink();
  const store = new MemoryInventoryStore();
  const make = (p = policy, guard = DEFAULT_GUARD_LIMITS) =>
    new Reconciler({
      drivers,
      store,
      policy: p,
      audit,
      guard,
      now: () => new Date("2026-11-23T00:00:00Z"),
    });
  return { aws, azure, gcp, providers, audit, store, drivers, make, reconciler: make() };
}

describe("Reconciler", () => {
  it("reads each cloud once, plans and judges from that read, and applies the plan it made from it", async () => {
    const { drivers, make } = setup();
    const reads: CloudRead[] = [];
    const planned: { read: CloudRead; plan: DriverPlan }[] = [];
    const applied: DriverPlan[] = [];
    for (const cloud of CLOUDS) {
      const real = drivers[cloud];
      drivers[cloud] = {
        ...real,
        discover: async (labels, scope) => {
          const read = await real.discover(labels, scope);
          reads.push(read);
          return read;
        },
        plan: (read, intent, p) => {
          const plan = real.plan(read, intent, p);
          planned.push({ read, plan });
          return plan;
        },
        apply: (plan, held, onApplied, onRefused) => {
          applied.push(plan);
          return real.apply(plan, held, onApplied, onRefused);
        },
      };
    }
    const result = await make().fullSync();
    expect(result.failures).toEqual({});
    expect(reads).toHaveLength(CLOUDS.length);
    // The plan and the guard's baseline, each from its cloud's one read.
    expect(planned).toHaveLength(2 * CLOUDS.length);
    for (const read of reads) expect(planned.filter((p) => p.read === read)).toHaveLength(2);
    const shown = Object.values(result.plan);
    expect(applied).toHaveLength(CLOUDS.length);
    expect(applied.every((plan) => shown.includes(plan))).toBe(true);
  });

  it("syncs the three clouds, audits every operation, and converges", async () => {
    const { reconciler, audit, aws, azure, gcp, providers } = setup();
    const first = await reconciler.fullSync();
    expect(first.failures).toEqual({});
    expect(Object.keys(first.applied).sort()).toEqual(["aws", "azure", "gcp"]);
    expect(audit.records.length).toBe(Object.values(first.applied).reduce((a, b) => a + (b ?? 0), 0));
    expect(audit.records.every((r) => r.outcome === "applied" && r.time === "2026-11-23T00:00:00.000Z")).toBe(
      true,
    );
    expect(renderPlan(first.plan)).toMatch(/^AWS:\n {2}\+ security group segsync-/);
    // api accepts from web in AWS (by its public address), db accepts from api in Azure.
    const explain = providers.azure.evaluate([azure.sim.state()]).explain({
      workload: azureApi.id,
      network: VNET,
      sourceAddress: "54.0.0.11",
      protocol: "tcp",
      port: 8080,
    });
    expect(explain?.object).toMatch(/^segsync-/);
    const db = providers.gcp.evaluate([gcp.sim.state()]).explain({
      workload: gcpDb.id,
      network: GCP_NET,
      sourceAddress: "52.0.0.12",
      protocol: "tcp",
      port: 5432,
    });
    expect(db?.object).toMatch(/firewall segsync-/);
    const again = await reconciler.fullSync();
    expect(Object.values(again.plan).flatMap((p) => p?.operations ?? [])).toEqual([]);
    expect(aws.writes() + azure.writes() + gcp.writes()).toBe(audit.records.length);
  });

  it("writes nothing when approve refuses the plan it is about to apply", async () => {
    const { reconciler, audit, aws, azure, gcp } = setup();
    const shown = await reconciler.fullSync({ dryRun: true });
    const seen: string[] = [];
    const declined = await reconciler.fullSync({
      approve: (plan) => {
        seen.push(renderPlan(plan));
        return false;
      },
    });
    expect(declined.declined).toBe(true);
    expect(seen).toEqual([renderPlan(shown.plan)]);
    expect(declined.applied).toEqual({});
    expect(aws.writes() + azure.writes() + gcp.writes()).toBe(0);
    expect(audit.records).toEqual([]);
    const approved = await reconciler.fullSync({ approve: () => true });
    expect(approved.declined).toBeUndefined();
    expect(aws.writes() + azure.writes() + gcp.writes()).toBe(audit.records.length);
    expect(audit.records.length).toBeGreaterThan(0);
  });

  it("re-reads the workload an event names and rewrites only what it changes", async () => {
    const { reconciler, aws, gcp, providers } = setup();
    await reconciler.fullSync();
    aws
      .sim(LOCATION)
      .setInstanceTags("i-0a00000000000001", { "seg-app": "shop", "seg-env": "prod", "seg-role": "api" });
    const result = await reconciler.handleEvents([
      {
        cloud: "aws",
        eventId: "e1",
        time: "2026-11-23T00:00:01Z",
        workloadId: awsWeb.id,
        change: { kind: "tags" },
      },
      {
        cloud: "aws",
        eventId: "e1-duplicate",
        time: "2026-11-23T00:00:01Z",
        workloadId: awsWeb.id,
        change: { kind: "tags" },
      },
    ]);
    expect(result.failures).toEqual({});
    expect(result.guard.allowed).toBe(true);
    // The AWS workload is an api now: the GCP database accepts it on 5432.
    const db = providers.gcp.evaluate([gcp.sim.state()]).explain({
      workload: gcpDb.id,
      network: GCP_NET,
      sourceAddress: "54.0.0.11",
      protocol: "tcp",
      port: 5432,
    });
    expect(db).toBeDefined();
    expect(result.plan.gcp?.operations.length).toBeGreaterThan(0);
    const quiet = await reconciler.handleEvents([
      {
        cloud: "aws",
        eventId: "e2",
        time: "2026-11-23T00:00:02Z",
        workloadId: awsWeb.id,
        change: { kind: "tags" },
      },
    ]);
    expect(Object.values(quiet.plan).flatMap((p) => p?.operations ?? [])).toEqual([]);
  });

  it("holds back a plan that removes too much, unless overridden", async () => {
    const { make, audit } = setup();
    await make().fullSync();
    const before = audit.records.length;
    const off = {
      ...policy,
      rulesets: policy.rulesets.map((rs) => ({ ...rs, enforcement: "visibility" as const })),
    };
    const strict = { ...DEFAULT_GUARD_LIMITS, shareAppliesAbove: 0 };
    const held = await make(off, strict).fullSync();
    expect(held.guard.allowed).toBe(false);
    expect(renderPlan(held.plan, { guard: held.guard }).replaceAll(/\n\s+/g, " ")).toMatch(
      /Held back: aws 111111111111:us-east-1: the plan removes or narrows \d+ owned rules that no confirmed/,
    );
    expect(audit.records.length).toBe(before);
    const forced = await make(off, strict).fullSync({ override: true });
    expect(forced.guard).toMatchObject({ allowed: true, overridden: true });
    expect(audit.records.length).toBeGreaterThan(before);
  });

  it("a full sync whose read misses workloads re-reads each before forgetting it: a partial read removes nothing", async () => {
    const { make, drivers, audit } = setup();
    await make().fullSync();
    const before = audit.records.length;
    // AWS answers the whole-account read without its instances, as a partial listing would.
    const real = drivers.aws;
    drivers.aws = {
      ...real,
      discover: async (labels, scope) => ({ ...(await real.discover(labels, scope)), workloads: [] }),
    };
    const partial = await make().fullSync();
    expect(partial.failures).toEqual({});
    expect(partial.guard).toMatchObject({ allowed: true, removedRules: 0 });
    expect(Object.values(partial.plan).flatMap((part) => part?.operations ?? [])).toEqual([]);
    expect(audit.records.length).toBe(before);
    expect(partial.intent.workloads.map((w) => w.workload)).toContain(awsWeb.id);
  });

  it("goes on with the other clouds when one fails, and converges on the next run", async () => {
    const { reconciler, azure } = setup();
    azure.sim.setThrottle({ throttleRate: 1, seed: 1 });
    const failed = await reconciler.fullSync();
    expect(failed.failures.azure).toMatchObject({
      message: expect.stringMatching(/Throttled/),
      retryable: true,
    });
    expect(failed.applied.aws).toBeGreaterThan(0);
    azure.sim.setThrottle(undefined);
    const healed = await reconciler.fullSync();
    expect(healed.failures).toEqual({});
    expect(healed.applied.azure).toBeGreaterThan(0);
    const settled = await reconciler.fullSync();
    expect(Object.values(settled.plan).flatMap((p) => p?.operations ?? [])).toEqual([]);
  });
});

describe("Reconciler: an operation a cloud refuses for one object", () => {
  it("is reported and audited as refused, with what needs it, and the rest of every plan is applied", async () => {
    const refusing = (api: AwsApi): AwsApi =>
      Object.assign(Object.create(api) as AwsApi, {
        createSecurityGroup: async () => {
          throw new AwsQuotaExceededError("too many groups in the VPC", "SecurityGroupLimitExceeded");
        },
      });
    const { reconciler, audit } = setup(refusing);
    const result = await reconciler.fullSync();
    expect(result.failures).toEqual({});
    const refused = result.refused.aws ?? [];
    expect(refused[0]?.error).toBe("AwsQuotaExceededError: too many groups in the VPC");
    expect(
      refused.every(
        (r) => r.error.includes("AwsQuotaExceededError") || r.error.includes("DependsOnRefusedError"),
      ),
    ).toBe(true);
    expect(audit.records.filter((r) => r.outcome === "refused")).toHaveLength(refused.length);
    expect(result.applied.azure).toBeGreaterThan(0);
    expect(result.applied.gcp).toBeGreaterThan(0);
  });
});
