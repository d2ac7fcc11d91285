/**
 * The Shared VPC reads (projects.get, projects.getXpnResources, projects.getXpnHost) through the
 * real @google-cloud/compute ProjectsClient against the Compute fake, with recorded bodies
 * (test/fixtures/gcp/SOURCES.md, "Shared VPC"). Where a test changes a recorded body, it says how.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { OAuth2Client } from "google-auth-library";
import { afterEach, describe, expect, it } from "vitest";
import { GcpThrottledError } from "../../../../lib/clouds/gcp/errors.js";
import { createSdkGcpApiFactory } from "../../../../lib/clouds/gcp/sdk/api.js";
import {
  type ComputeFake,
  type ComputeFakeOptions,
  type Json,
  startComputeFake,
} from "../../../support/compute-fake.js";

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), "../../../fixtures/gcp/compute");
const TOKEN = "ya29.test-token-not-real";

function fixture(name: string): Json {
  return JSON.parse(readFileSync(resolve(FIXTURES, name), "utf8")) as Json;
}

/** gcpdiag's recorded Project: no Shared VPC host. */
const PROJECT = fixture("gcpdiag-gce1-project.json");
const PROJECT_ID = String(PROJECT.name);
/** The same Project as a host: only `xpnProjectStatus` changed, to the value the API documents for one. */
const HOST = { ...PROJECT, xpnProjectStatus: "HOST" };
/** gcloud's recorded getXpnResources answer: one service project, one resource of another type. */
const XPN_RESOURCES = fixture("gcloud-get-xpn-resources.json");

let fake: ComputeFake | undefined;

afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

async function apiOver(options: Omit<ComputeFakeOptions, "token">) {
  fake = await startComputeFake({ token: TOKEN, ...options });
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: TOKEN, expiry_date: Date.now() + 3_600_000 });
  return createSdkGcpApiFactory({
    apiEndpoint: "127.0.0.1",
    port: fake.port,
    protocol: "http",
    authClient,
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
  })(options.project);
}

function paths(): string[] {
  return (fake?.requests ?? []).map((request) => `${request.method} ${request.path}`);
}

describe("getXpnResources: the service projects of a Shared VPC host", () => {
  it("lists the PROJECT resources of a host, leaving out resources of other types", async () => {
    const api = await apiOver({
      project: PROJECT_ID,
      projectResource: HOST,
      xpnResources: XPN_RESOURCES.resources as Json[],
    });
    expect(await api.getXpnResources()).toEqual(["associated-project-1"]);
    expect(paths()).toEqual([
      `GET /compute/v1/projects/${PROJECT_ID}`,
      `GET /compute/v1/projects/${PROJECT_ID}/getXpnResources`,
    ]);
  });

  it("follows the pages", async () => {
    const resources = ["svc-a", "svc-b", "svc-c"].map((id) => ({ id, type: "PROJECT" }));
    const api = await apiOver({
      project: PROJECT_ID,
      projectResource: HOST,
      xpnResources: resources,
      xpnResourcesPageSize: 2,
    });
    expect(await api.getXpnResources()).toEqual(["svc-a", "svc-b", "svc-c"]);
    const pages = (fake?.requests ?? []).filter((request) => request.path.endsWith("/getXpnResources"));
    expect(pages).toHaveLength(2);
    expect(pages[1]?.query.get("pageToken")).toBeTruthy();
  });

  it("is empty for a host with nothing attached (no `resources` in the answer)", async () => {
    const api = await apiOver({ project: PROJECT_ID, projectResource: HOST, xpnResources: [] });
    expect(await api.getXpnResources()).toEqual([]);
  });

  it("is empty for a project that is no host, without asking for its resources", async () => {
    const api = await apiOver({ project: PROJECT_ID, projectResource: PROJECT, xpnResources: [] });
    expect(await api.getXpnResources()).toEqual([]);
    expect(paths()).toEqual([`GET /compute/v1/projects/${PROJECT_ID}`]);
  });

  it("retries a throttled read, and gives up with GcpThrottledError when throttling outlasts it", async () => {
    const api = await apiOver({
      project: PROJECT_ID,
      projectResource: HOST,
      xpnResources: XPN_RESOURCES.resources as Json[],
    });
    fake?.failNext(1, "rateLimitExceeded", 1);
    expect(await api.getXpnResources()).toEqual(["associated-project-1"]);
    fake?.failNext(2, "tooManyRequests");
    await expect(api.getXpnResources()).rejects.toBeInstanceOf(GcpThrottledError);
  });
});

describe("getXpnHost: the host of a Shared VPC service project", () => {
  it("names the host by the Project the API returns", async () => {
    const api = await apiOver({ project: "associated-project-1", xpnHost: HOST });
    expect(await api.getXpnHost()).toBe(PROJECT_ID);
    expect(paths()).toEqual(["GET /compute/v1/projects/associated-project-1/getXpnHost"]);
  });
});
