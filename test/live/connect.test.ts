import { createRequire } from "node:module";
import { OAuth2Client } from "google-auth-library";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AwsAccessError } from "../../lib/clouds/aws/errors.js";
import { SdkAwsApi } from "../../lib/clouds/aws/sdk/api.js";
import { AzureAccessError } from "../../lib/clouds/azure/errors.js";
import { GcpAccessError } from "../../lib/clouds/gcp/errors.js";
import { gcpAuthClient } from "../../lib/clouds/gcp/sdk/credentials.js";
import type { LiveConfig } from "../../lib/live/config.js";
import { connectLive } from "../../lib/live/connect.js";
import { ReadState } from "../../lib/reconcile/driver.js";
import { DEFAULT_GUARD_LIMITS } from "../../lib/reconcile/guard.js";
import { type ComputeFake, startComputeFake } from "../support/compute-fake.js";
import { testRecordKey } from "../support/seals.js";

// The configured Google credential is stubbed: these tests check when it is asked for, not how it is built.
vi.mock("../../lib/clouds/gcp/sdk/credentials.js", () => ({ gcpAuthClient: vi.fn() }));
/** The modules (of those watched below) imported so far: a mock's factory runs on the module's first import. */
const imported = vi.hoisted(() => new Set<string>());
vi.mock("../../lib/clouds/azure/sdk/api.js", async (importOriginal) => {
  imported.add("azure sdk-api");
  return importOriginal();
});
vi.mock("../../lib/clouds/azure/sdk/credentials.js", async (importOriginal) => {
  imported.add("azure credentials");
  return importOriginal();
});

const LABELS = { tagPrefix: "seg-", dimensions: ["app", "env", "role"] };
const SUBSCRIPTION = "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f";
const PROJECT = "shop-prod";
const TOKEN = "ya29.test-token-not-real";
const CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };
const AZURE_CREDENTIAL = {
  getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 3_600_000 }),
};

const AWS_ONLY: LiveConfig = {
  apiVersion: "segsync/v1",
  kind: "Config",
  aws: {
    accounts: [
      { account: "111111111111", regions: ["us-east-1", "eu-west-1"] },
      { account: "222222222222", regions: ["us-west-2"], roleArn: "arn:aws:iam::222222222222:role/segsync" },
    ],
  },
};

const THREE_CLOUDS: LiveConfig = {
  ...AWS_ONLY,
  azure: {
    subscriptions: [{ subscription: SUBSCRIPTION, resourceGroup: "rg-segsync" }],
    auth: { kind: "default" },
  },
  gcp: { projects: [PROJECT], auth: { kind: "default" } },
  guard: { maxRemovedRules: 5, maxRemovedShare: 0.5, shareAppliesAbove: 1 },
};

function gcpOf(config: LiveConfig): NonNullable<LiveConfig["gcp"]> {
  if (config.gcp === undefined) throw new TypeError("the config has no gcp");
  return config.gcp;
}

/** The @google-cloud/compute modules that Node has loaded (they are CommonJS: the require cache has them). */
function computeModulesLoaded(): string[] {
  const cache = createRequire(import.meta.url).cache;
  return Object.keys(cache).filter((path) => path.includes("@google-cloud/compute"));
}

function authClient(): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: TOKEN, expiry_date: Date.now() + 3_600_000 });
  return client;
}

describe("connectLive", () => {
  let fake: ComputeFake;
  const gcpFake = () => ({ apiEndpoint: "127.0.0.1", port: fake.port, protocol: "http" as const });

  beforeAll(async () => {
    fake = await startComputeFake({ project: PROJECT, token: TOKEN, zones: ["us-central1-a"] });
    fake.addInstance({
      zone: "us-central1-a",
      name: "shop-db-1",
      labels: { "seg-app": "shop", "seg-env": "prod", "seg-role": "db" },
      networkInterfaces: [
        {
          name: "nic0",
          network: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/global/networks/prod-net`,
          networkIP: "10.3.0.31",
        },
      ],
    });
  });

  afterAll(async () => {
    await fake.stop();
  });

  // First: the tests after it load the Compute SDK into this process.
  it("reads nothing from a cloud the config leaves out, and never loads the GCP SDK for it", async () => {
    const live = connectLive(AWS_ONLY, { aws: { credentials: CREDENTIALS }, recordKey: testRecordKey() });
    expect(live.connections.azure.subscriptions).toEqual([]);
    expect(live.connections.gcp.projects).toEqual([]);
    for (const cloud of ["azure", "gcp"] as const) {
      await expect(live.drivers[cloud].discover(LABELS)).resolves.toEqual({
        workloads: [],
        networks: [],
        findings: [],
        state: expect.any(ReadState),
      });
    }
    expect(() => live.connections.gcp.apiFor(PROJECT)).toThrow(GcpAccessError);
    expect(() => live.connections.azure.apiFor(SUBSCRIPTION)).toThrow(AzureAccessError);
    expect(computeModulesLoaded()).toEqual([]);
    expect(imported).toEqual(new Set());
    expect(gcpAuthClient).not.toHaveBeenCalled();
    expect(live.guard).toEqual(DEFAULT_GUARD_LIMITS);
  });

  it("manages every region of every configured account, and no other place", () => {
    const live = connectLive(THREE_CLOUDS, {
      aws: { credentials: CREDENTIALS, endpoint: "http://127.0.0.1:1" },
      azure: { credential: AZURE_CREDENTIAL },
    });
    expect(live.connections.aws.locations).toEqual([
      { account: "111111111111", region: "us-east-1" },
      { account: "111111111111", region: "eu-west-1" },
      { account: "222222222222", region: "us-west-2" },
    ]);
    expect(live.connections.azure.subscriptions).toEqual([SUBSCRIPTION]);
    expect(live.connections.gcp.projects).toEqual([PROJECT]);
    expect(live.guard).toEqual(THREE_CLOUDS.guard);

    const api = live.connections.aws.apiFor({ account: "111111111111", region: "eu-west-1" });
    expect(api).toBeInstanceOf(SdkAwsApi);
    expect(imported).toEqual(new Set()); // handing out Azure's API loads nothing yet
    expect(api.location).toEqual({ account: "111111111111", region: "eu-west-1" });
    expect(live.connections.azure.apiFor(SUBSCRIPTION).subscription).toBe(SUBSCRIPTION);
    // A place an event names but the config does not: refused before any client is built.
    expect(() => live.connections.aws.apiFor({ account: "111111111111", region: "us-west-2" })).toThrow(
      AwsAccessError,
    );
    expect(() => live.connections.aws.apiFor({ account: "333333333333", region: "us-east-1" })).toThrow(
      /333333333333:us-east-1 is not among the configured accounts and regions/,
    );
    expect(() => live.connections.azure.apiFor("00000000-0000-0000-0000-000000000000")).toThrow(
      AzureAccessError,
    );
    // A project the config does not name may be a Shared VPC service project: asked on first use.
    expect(live.connections.gcp.hosts).toEqual([PROJECT]);
    expect(live.connections.gcp.apiFor("shop-dev").project).toBe("shop-dev");
    const named = connectLive({
      ...THREE_CLOUDS,
      gcp: { ...gcpOf(THREE_CLOUDS), findServiceProjects: false },
    });
    expect(named.connections.gcp.hosts).toBeUndefined();
    expect(() => named.connections.gcp.apiFor("shop-dev")).toThrow(GcpAccessError);
  });

  it("reads a named service project as a configured one, and lets the ingest function accept its events", () => {
    const live = connectLive({
      ...THREE_CLOUDS,
      gcp: { ...gcpOf(THREE_CLOUDS), serviceProjects: ["shop-svc-1"] },
    });
    expect(live.connections.gcp.projects).toEqual([PROJECT, "shop-svc-1"]);
    expect(live.connections.gcp.hosts).toEqual([PROJECT]);
  });

  it("imports the Azure SDK on the first ARM call, and the configured credential only when none is given", async () => {
    const endpoint = "http://127.0.0.1:1";
    const given = connectLive(THREE_CLOUDS, { azure: { credential: AZURE_CREDENTIAL, endpoint } });
    const api = given.connections.azure.apiFor(SUBSCRIPTION);
    expect(imported).toEqual(new Set());
    // ARM's client refuses a bearer token over plain http: the call fails, once the SDK is loaded.
    await expect(api.listVirtualMachines()).rejects.toThrow(/non-TLS/);
    expect(imported).toEqual(new Set(["azure sdk-api"]));

    const configured = connectLive(THREE_CLOUDS, { azure: { endpoint } });
    await expect(configured.connections.azure.apiFor(SUBSCRIPTION).listNetworkInterfaces()).rejects.toThrow(
      /non-TLS/,
    );
    expect(imported).toEqual(new Set(["azure sdk-api", "azure credentials"]));
  });

  it("reads a configured GCP project through the Compute SDK, which it loads then", async () => {
    const live = connectLive(THREE_CLOUDS, {
      gcp: { ...gcpFake(), authClient: authClient() },
      recordKey: testRecordKey(),
    });
    const found = await live.drivers.gcp.discover(LABELS);
    expect(found.workloads.map((w) => w.id)).toEqual([`gcp:${PROJECT}:us-central1-a:shop-db-1`]);
    expect(found.networks.map((n) => n.id)).toEqual([`gcp:${PROJECT}:prod-net`]);
    // The control for the first test: reading GCP does load the SDK.
    expect(computeModulesLoaded()).not.toEqual([]);
  });

  it("reads another project only once its Shared VPC host (getXpnHost) is a configured project", async () => {
    const service = await startComputeFake({
      project: "shop-svc-1",
      token: TOKEN,
      zones: ["us-central1-a"],
      xpnHost: { kind: "compute#project", name: PROJECT },
    });
    const stranger = await startComputeFake({
      project: "shop-svc-2",
      token: TOKEN,
      xpnHost: { kind: "compute#project", name: "other-host" },
    });
    try {
      const endpoint = (port: number) => ({ apiEndpoint: "127.0.0.1", port, protocol: "http" as const });
      const attached = connectLive(THREE_CLOUDS, {
        gcp: { ...endpoint(service.port), authClient: authClient() },
      });
      expect(await attached.connections.gcp.apiFor("shop-svc-1").listInstances()).toEqual([]);
      const other = connectLive(THREE_CLOUDS, {
        gcp: { ...endpoint(stranger.port), authClient: authClient() },
      });
      const refused = other.connections.gcp.apiFor("shop-svc-2").listInstances();
      await expect(refused).rejects.toBeInstanceOf(GcpAccessError);
      await expect(refused).rejects.toThrow(/its Shared VPC host other-host is not configured either/);
      // Asked for its host, never listed.
      expect(stranger.requests.map((r) => r.path)).toEqual(["/compute/v1/projects/shop-svc-2/getXpnHost"]);
    } finally {
      await service.stop();
      await stranger.stop();
    }
  });

  it("builds the configured Google credential on the first Compute call, and again after a failure", async () => {
    const stub = vi.mocked(gcpAuthClient);
    stub
      .mockRejectedValueOnce(new Error("no application default credentials"))
      .mockResolvedValue(authClient());
    const live = connectLive(THREE_CLOUDS, { gcp: gcpFake() });
    const api = live.connections.gcp.apiFor(PROJECT);
    expect(api.project).toBe(PROJECT);
    expect(stub).not.toHaveBeenCalled();

    await expect(api.listInstances()).rejects.toThrow("no application default credentials");
    const instances = await api.listInstances();
    expect(instances.map((i) => i.name)).toEqual(["shop-db-1"]);
    await api.listFirewalls();
    expect(stub).toHaveBeenCalledTimes(2);
    expect(stub).toHaveBeenCalledWith({ kind: "default" });
  });
});
