import { inspect } from "node:util";
import { GoogleAuth, OAuth2Client } from "google-auth-library";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GcpApi } from "../../../../lib/clouds/gcp/api.js";
import {
  GcpAccessError,
  GcpConflictError,
  GcpOperationFailedError,
  GcpThrottledError,
} from "../../../../lib/clouds/gcp/errors.js";
import type { GcpFirewall } from "../../../../lib/clouds/gcp/model.js";
import { createSdkGcpApiFactory, type SdkGcpApiOptions } from "../../../../lib/clouds/gcp/sdk/api.js";
import { loadComputeClients } from "../../../../lib/clouds/gcp/sdk/clients.js";
import { type ComputeFake, type RecordedRequest, startComputeFake } from "../../../support/compute-fake.js";

/** The real @google-cloud/compute clients, over plain http, against test/support/compute-fake.ts. */

const PROJECT = "proj-http";
const TOKEN = "ya29.test-token-not-real";
const COMPUTE = "https://www.googleapis.com/compute/v1";
const NETWORK = `${COMPUTE}/projects/${PROJECT}/global/networks/vpc-a`;
const BASE = `/compute/v1/projects/${PROJECT}`;

function authClient(token = TOKEN): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: token, expiry_date: Date.now() + 3_600_000 });
  return client;
}

let fake: ComputeFake;
let api: GcpApi;

function clientOptions(token = TOKEN) {
  return {
    apiEndpoint: "127.0.0.1",
    port: fake.port,
    protocol: "http" as const,
    authClient: authClient(token),
  };
}

function sdkApi(options: Partial<SdkGcpApiOptions> = {}): GcpApi {
  return createSdkGcpApiFactory({
    ...clientOptions(),
    retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
    operations: { pollIntervalMs: 1 },
    ...options,
  })(PROJECT);
}

beforeEach(async () => {
  fake = await startComputeFake({
    project: PROJECT,
    token: TOKEN,
    zones: ["asia-east1-a", "europe-west1-b", "us-east1-b"],
    instancesPageSize: 2,
    firewallsPageSize: 2,
  });
  api = sdkApi();
});

afterEach(async () => {
  await fake.stop();
});

const requestsTo = (method: string, path: string): RecordedRequest[] =>
  fake.requests.filter((request) => request.method === method && request.path === path);

const waits = (): RecordedRequest[] => fake.requests.filter((request) => request.path.endsWith("/wait"));

function addVm(zone: string, name: string, extra: Record<string, unknown> = {}): void {
  fake.addInstance({
    zone,
    name,
    labels: { app: name },
    networkInterfaces: [{ name: "nic0", network: NETWORK, networkIP: `10.0.0.${name.length}` }],
    ...extra,
  });
}

/**
 * What the port returns is pinned by the contract (test/contract/gcp-api.contract.ts), which runs
 * over this fake too; these tests pin the requests the adapter sends.
 */
describe("instances", () => {
  it("asks for every page of the aggregated list, each with the bearer token", async () => {
    addVm("us-east1-b", "web-1");
    addVm("us-east1-b", "web-2");
    addVm("europe-west1-b", "api-1");
    addVm("europe-west1-b", "api-2");
    addVm("asia-east1-a", "db-1");

    expect(await api.listInstances()).toHaveLength(5);

    const pages = requestsTo("GET", `${BASE}/aggregated/instances`);
    expect(pages.map((page) => page.query.has("pageToken"))).toEqual([false, true, true]);
    expect(pages.every((page) => page.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it("sets tags with the current fingerprint, waiting on the zone operation (RUNNING, then DONE)", async () => {
    addVm("us-east1-b", "web-1", { tags: { items: ["keep"] } });
    const before = await api.getInstance("us-east1-b", "web-1");

    await api.setTags("us-east1-b", "web-1", ["keep", "segsync-web"], before?.tags.fingerprint ?? "");

    const after = await api.getInstance("us-east1-b", "web-1");
    expect(after?.tags.items).toEqual(["keep", "segsync-web"]);
    expect(after?.tags.fingerprint).not.toBe(before?.tags.fingerprint);
    expect(waits().map((wait) => wait.path)).toEqual([
      expect.stringMatching(new RegExp(`^${BASE}/zones/us-east1-b/operations/operation-[^/]+/wait$`)),
      waits()[0]?.path,
    ]);
    const [setTags] = requestsTo("POST", `${BASE}/zones/us-east1-b/instances/web-1/setTags`);
    expect(setTags?.query.get("requestId")).toMatch(/^[0-9a-f-]{36}$/);

    // No items: the SDK sends none, and Compute leaves the instance without tags.
    await api.setTags("us-east1-b", "web-1", [], after?.tags.fingerprint ?? "");
    expect((await api.getInstance("us-east1-b", "web-1"))?.tags.items).toBeUndefined();
  });

  it("fails a stale fingerprint with GcpConflictError (412), with no token anywhere in the error", async () => {
    addVm("us-east1-b", "web-1");

    const failure = await api
      .setTags("us-east1-b", "web-1", ["x"], "c3RhbGU=")
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(GcpConflictError);
    expect(failure).toMatchObject({ code: "conditionNotMet", status: 412 });
    const cause = (failure as Error).cause as Error & { status?: number };
    expect([cause.constructor.name, cause.status]).toEqual(["GaxiosError", 412]);
    expect(inspect(failure, { depth: 8 })).not.toContain(TOKEN);
    expect(waits()).toEqual([]);
  });
});

const ALLOW: GcpFirewall = {
  name: "segsync-web-allow",
  network: NETWORK,
  priority: 900,
  direction: "INGRESS",
  description: "segsync:managed",
  sourceRanges: ["10.1.0.0/16"],
  sourceTags: ["segsync-api"],
  targetTags: ["segsync-web"],
  allowed: [{ IPProtocol: "tcp", ports: ["443", "8000-8100"] }],
};

describe("firewalls", () => {
  it("inserts, lists over pages, replaces with a PUT and deletes, each write awaited through globalOperations.wait", async () => {
    fake.addFirewall({ name: "default-allow-ssh", network: NETWORK, priority: 65534, direction: "INGRESS" });
    fake.addFirewall({ name: "default-allow-icmp", network: NETWORK, priority: 65534, direction: "INGRESS" });

    await api.insertFirewall(ALLOW);
    expect(waits().map((wait) => wait.path)).toEqual([
      expect.stringMatching(new RegExp(`^${BASE}/global/operations/operation-[^/]+/wait$`)),
      waits()[0]?.path,
    ]);

    expect(await api.listFirewalls()).toHaveLength(3);
    expect(requestsTo("GET", `${BASE}/global/firewalls`)).toHaveLength(2);

    const { sourceTags: _dropped, ...withoutTags } = ALLOW;
    await api.patchFirewall(withoutTags);
    expect(fake.firewall(ALLOW.name)).not.toHaveProperty("sourceTags");
    const [put] = requestsTo("PUT", `${BASE}/global/firewalls/${ALLOW.name}`);
    expect(put?.body).toEqual(withoutTags);

    await api.deleteFirewall(ALLOW.name);
    expect(fake.firewall(ALLOW.name)).toBeUndefined();
    expect(waits()).toHaveLength(6);
  });

  it("shows why patchFirewall is a PUT: the SDK's PATCH cannot clear a list", async () => {
    await api.insertFirewall(ALLOW);
    const { firewalls } = await loadComputeClients(clientOptions());
    // firewalls.patch is outside the port's ComputeClients slice: reach it as the SDK has it.
    const sdk = firewalls as unknown as { patch(request: object): Promise<unknown> };

    await sdk.patch({
      project: PROJECT,
      firewall: ALLOW.name,
      firewallResource: { priority: 901, sourceTags: [] },
    });

    const [patch] = requestsTo("PATCH", `${BASE}/global/firewalls/${ALLOW.name}`);
    expect(patch?.body).toEqual({ priority: 901 });
    expect(fake.firewall(ALLOW.name)?.sourceTags).toEqual(ALLOW.sourceTags);
  });

  it("fails with the operation's error when it ends DONE with one", async () => {
    // An operation's QUOTA_EXCEEDED is the contract's (the fake's firewallRulesQuota).
    fake.failNextOperation({ code: "RESOURCE_NOT_READY", message: "The resource is not ready" });
    const failure = await api.insertFirewall(ALLOW).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GcpOperationFailedError);
    expect(failure).toMatchObject({ code: "RESOURCE_NOT_READY", status: 403 });
    expect(fake.firewall(ALLOW.name)).toBeUndefined();
  });
});

describe("throttling and credentials", () => {
  it("retries 403 rateLimitExceeded on a write with the same requestId", async () => {
    fake.failNext(2, "rateLimitExceeded");

    await api.insertFirewall(ALLOW);

    const inserts = requestsTo("POST", `${BASE}/global/firewalls`);
    expect(inserts).toHaveLength(3);
    expect(new Set(inserts.map((insert) => insert.query.get("requestId"))).size).toBe(1);
    expect(fake.firewall(ALLOW.name)).toBeDefined();
  });

  it("retries a 429 on the second page of a listing without starting over", async () => {
    for (const name of ["a-1", "a-2", "a-3", "a-4"]) addVm("us-east1-b", name);
    fake.failNext(1, "tooManyRequests", 1);

    const instances = await api.listInstances();

    expect(instances).toHaveLength(4);
    const tokens = requestsTo("GET", `${BASE}/aggregated/instances`).map((page) =>
      page.query.get("pageToken"),
    );
    expect(tokens).toEqual([null, tokens[1], tokens[1]]);
    expect(tokens[1]).toEqual(expect.any(String));
  });

  it("gives up with GcpThrottledError when throttling outlasts the attempts", async () => {
    fake.failNext(3, "tooManyRequests");

    const failure = await sdkApi({ retry: { maxAttempts: 3, baseDelayMs: 1 } })
      .listFirewalls()
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(GcpThrottledError);
    expect(failure).toMatchObject({ status: 429, code: "rateLimitExceeded" });
  });

  it("maps a rejected token to GcpAccessError without quoting it", async () => {
    const failure = await sdkApi({ authClient: authClient("ya29.wrong-token") })
      .listFirewalls()
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(GcpAccessError);
    expect(failure).toMatchObject({ status: 401, code: "authError" });
    expect(inspect(failure, { depth: 8 })).not.toContain("wrong-token");
  });
});

describe("clients", () => {
  /** The GoogleAuth (or AuthClient) a real client sends its requests through. */
  const authOf = (client: object) => (client as { auth?: unknown }).auth;

  it("share one GoogleAuth for application default credentials, and use a given authClient as it is", async () => {
    const adc = await loadComputeClients({ apiEndpoint: "127.0.0.1", port: fake.port, protocol: "http" });
    const given = clientOptions();
    const explicit = await loadComputeClients(given);

    const adcAuths = Object.values(adc).map(authOf);
    expect(adcAuths[0]).toBeInstanceOf(GoogleAuth);
    expect(new Set(adcAuths).size).toBe(1);
    const clients = Object.values(explicit);
    expect(clients).toHaveLength(6);
    expect(clients.map(authOf)).toEqual(clients.map(() => given.authClient));
  });

  it("are one api per project from one factory", () => {
    const factory = createSdkGcpApiFactory(clientOptions());

    expect(factory(PROJECT)).toBe(factory(PROJECT));
    expect(factory("other")).not.toBe(factory(PROJECT));
    expect(factory("other").project).toBe("other");
  });
});
