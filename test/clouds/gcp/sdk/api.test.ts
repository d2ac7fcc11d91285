import { beforeEach, describe, expect, it } from "vitest";
import {
  GcpApiError,
  GcpConflictError,
  GcpOperationFailedError,
  GcpQuotaExceededError,
} from "../../../../lib/clouds/gcp/errors.js";
import type { GcpFirewall } from "../../../../lib/clouds/gcp/model.js";
import type {
  SdkFirewall,
  SdkInstance,
  SdkInstancesScopedList,
} from "../../../../lib/clouds/gcp/sdk/clients.js";
import {
  apiOver,
  COMPUTE,
  done,
  type FakeClients,
  fakeClients,
  handle,
  httpError,
  NETWORK,
  PROJECT,
  pagedListing,
  running,
} from "./api-fakes.js";

let clients: FakeClients;
beforeEach(() => {
  clients = fakeClients();
});

const zoneUrl = (zone: string) => `${COMPUTE}/projects/${PROJECT}/zones/${zone}`;

/** An instance as the SDK decodes it: empty lists and maps filled in, `_field` markers added. */
function sdkInstance(name: string, zone: string, extra: Partial<SdkInstance> = {}): SdkInstance {
  return {
    id: `${name.length}001`,
    _id: "id",
    name,
    zone: zoneUrl(zone),
    status: "RUNNING",
    labels: {},
    tags: { items: [], fingerprint: `fp-${name}`, _fingerprint: "fingerprint" },
    networkInterfaces: [{ network: NETWORK, networkIP: "10.0.0.2", accessConfigs: [], aliasIpRanges: [] }],
    disks: [],
    ...extra,
  } as SdkInstance;
}

const scopePages = pagedListing<[string, SdkInstancesScopedList]>;

const EMPTY_SCOPE = { instances: [], warning: { code: "NO_RESULTS_ON_PAGE", message: "none", data: [] } };

describe("listInstances", () => {
  it("pages through the aggregated list and flattens every zone of every page", async () => {
    const listing = scopePages([
      [
        ["zones/eu-west1-b", EMPTY_SCOPE],
        ["zones/us-east1-b", { instances: [sdkInstance("a", "us-east1-b"), sdkInstance("b", "us-east1-b")] }],
      ],
      [
        ["zones/eu-west1-b", { instances: [sdkInstance("c", "eu-west1-b")] }],
        ["zones/us-east1-b", { instances: [sdkInstance("d", "us-east1-b")] }],
      ],
    ]);
    clients.instances.aggregatedListAsync.mockReturnValue(listing.iterable);

    const instances = await apiOver(clients).listInstances();

    expect(instances.map((instance) => instance.name)).toEqual(["a", "b", "c", "d"]);
    expect(listing.requests()).toBe(2);
    expect(clients.instances.aggregatedListAsync).toHaveBeenCalledWith(
      { project: PROJECT },
      { autoPaginate: false },
    );
  });

  it("maps the SDK's shapes to the REST JSON of model.ts", async () => {
    const instance = sdkInstance("web-1", "us-east1-b", {
      id: 4242,
      labels: { app: "web", env: "prod" },
      labelFingerprint: "lfp",
      tags: { items: ["web", "segsync-web"], fingerprint: "tfp" },
      networkInterfaces: [
        {
          name: "nic0",
          network: NETWORK,
          subnetwork: `${COMPUTE}/projects/${PROJECT}/regions/us-east1/subnetworks/s1`,
          networkIP: "10.0.0.7",
          accessConfigs: [{ name: "External NAT", type: "ONE_TO_ONE_NAT", natIP: "34.1.2.3" }],
        },
        { network: NETWORK, networkIP: "10.0.1.7", accessConfigs: [{ name: "none", natIP: "" }] },
      ],
      selfLink: `${zoneUrl("us-east1-b")}/instances/web-1`,
    });
    clients.instances.aggregatedListAsync.mockReturnValue(
      scopePages([[["zones/us-east1-b", { instances: [instance] }]]]).iterable,
    );

    const [mapped] = await apiOver(clients).listInstances();

    expect(mapped).toStrictEqual({
      id: "4242",
      name: "web-1",
      zone: zoneUrl("us-east1-b"),
      status: "RUNNING",
      labels: { app: "web", env: "prod" },
      labelFingerprint: "lfp",
      tags: { items: ["web", "segsync-web"], fingerprint: "tfp" },
      networkInterfaces: [
        {
          name: "nic0",
          network: NETWORK,
          subnetwork: `${COMPUTE}/projects/${PROJECT}/regions/us-east1/subnetworks/s1`,
          networkIP: "10.0.0.7",
          accessConfigs: [{ name: "External NAT", type: "ONE_TO_ONE_NAT", natIP: "34.1.2.3" }],
        },
        { network: NETWORK, networkIP: "10.0.1.7", accessConfigs: [{ name: "none" }] },
      ],
      selfLink: `${zoneUrl("us-east1-b")}/instances/web-1`,
    });
  });

  it("leaves out empty labels, tags and NICs, and takes the zone from the scope when missing", async () => {
    const bare = { ...sdkInstance("bare", "us-east1-b", { networkInterfaces: [] }), zone: null, tags: null };
    clients.instances.aggregatedListAsync.mockReturnValue(
      scopePages([[["zones/us-east1-b", { instances: [bare] }]]]).iterable,
    );

    const [mapped] = await apiOver(clients).listInstances();

    expect(mapped).toStrictEqual({
      id: "4001",
      name: "bare",
      zone: zoneUrl("us-east1-b"),
      status: "RUNNING",
      tags: {},
      networkInterfaces: [],
    });
  });

  it("fails rather than return a listing without an unreachable zone", async () => {
    const unreachable = { instances: [], warning: { code: "UNREACHABLE", message: "zone down" } };
    clients.instances.aggregatedListAsync.mockReturnValue(
      scopePages([[["zones/us-east1-b", unreachable]]]).iterable,
    );

    const failure = await apiOver(clients)
      .listInstances()
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(GcpApiError);
    expect(failure).toMatchObject({ code: "UNREACHABLE", status: 503 });
  });

  it("retries a throttled page on its own and keeps the pages before it", async () => {
    const listing = scopePages([
      [["zones/a", { instances: [sdkInstance("a", "a")] }]],
      httpError(429, "rateLimitExceeded"),
      httpError(403, "rateLimitExceeded"),
      [["zones/b", { instances: [sdkInstance("b", "b")] }]],
    ]);
    clients.instances.aggregatedListAsync.mockReturnValue(listing.iterable);

    const instances = await apiOver(clients).listInstances();

    expect(instances.map((instance) => instance.name)).toEqual(["a", "b"]);
    expect(listing.requests()).toBe(4);
    expect(clients.instances.aggregatedListAsync).toHaveBeenCalledTimes(1);
  });
});

describe("getInstance", () => {
  it("gets by zone name or zone URL and maps the instance", async () => {
    clients.instances.get.mockResolvedValue([sdkInstance("vm", "us-east1-b")]);
    const api = apiOver(clients);

    const byName = await api.getInstance("us-east1-b", "vm");
    const byUrl = await api.getInstance(zoneUrl("us-east1-b"), "vm");

    expect(byName).toEqual(byUrl);
    expect(byName?.tags).toEqual({ fingerprint: "fp-vm" });
    expect(clients.instances.get).toHaveBeenNthCalledWith(2, {
      project: PROJECT,
      zone: "us-east1-b",
      instance: "vm",
    });
  });

  it("answers undefined for 404 notFound", async () => {
    clients.instances.get.mockRejectedValue(httpError(404, "notFound"));

    await expect(apiOver(clients).getInstance("us-east1-b", "gone")).resolves.toBeUndefined();
  });
});

describe("setTags", () => {
  it("sends the items with the fingerprint and waits on the zone operation until DONE", async () => {
    clients.instances.setTags.mockResolvedValue(handle(running("op-1", { id: "777" })));
    clients.zoneOperations.wait
      .mockResolvedValueOnce([running("op-1")])
      .mockResolvedValueOnce([done("op-1")]);

    await apiOver(clients).setTags(zoneUrl("us-east1-b"), "vm", ["web", "segsync-web"], "fp-1");

    expect(clients.instances.setTags).toHaveBeenCalledWith({
      project: PROJECT,
      zone: "us-east1-b",
      instance: "vm",
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      tagsResource: { items: ["web", "segsync-web"], fingerprint: "fp-1" },
    });
    // The operation's name, not the id the SDK's handle calls its name.
    expect(clients.zoneOperations.wait).toHaveBeenCalledTimes(2);
    expect(clients.zoneOperations.wait).toHaveBeenCalledWith({
      project: PROJECT,
      zone: "us-east1-b",
      operation: "op-1",
    });
    expect(clients.globalOperations.wait).not.toHaveBeenCalled();
  });

  it("does not wait for an operation that is DONE already", async () => {
    clients.instances.setTags.mockResolvedValue(handle(done("op-1")));

    await apiOver(clients).setTags("us-east1-b", "vm", [], "fp-1");

    expect(clients.zoneOperations.wait).not.toHaveBeenCalled();
  });

  it("fails with GcpConflictError on a stale fingerprint (412 conditionNotMet)", async () => {
    const stale = httpError(412, "conditionNotMet", "Supplied fingerprint does not match");
    clients.instances.setTags.mockRejectedValue(stale);

    const failure = await apiOver(clients)
      .setTags("us-east1-b", "vm", ["web"], "old")
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(GcpConflictError);
    expect(failure).toMatchObject({ code: "conditionNotMet", status: 412, cause: stale });
    expect((failure as Error).message).toContain("instances.setTags us-east1-b/vm");
  });

  it("fails with the operation's error when it ends DONE with one", async () => {
    clients.instances.setTags.mockResolvedValue(handle(running("op-1")));
    const failed = done("op-1", {
      httpErrorStatusCode: 400,
      error: { errors: [{ code: "INVALID_FIELD_VALUE", message: "bad tag" }] },
    });
    clients.zoneOperations.wait.mockResolvedValue([failed]);

    const failure = await apiOver(clients)
      .setTags("us-east1-b", "vm", ["Bad_Tag"], "fp")
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(GcpOperationFailedError);
    expect(failure).toMatchObject({ code: "INVALID_FIELD_VALUE", status: 400, cause: failed });
    expect((failure as Error).message).toContain("bad tag");
  });

  it("gives up waiting after the operation timeout", async () => {
    clients.instances.setTags.mockResolvedValue(handle(running("op-1")));
    clients.zoneOperations.wait.mockResolvedValue([running("op-1")]);

    const failure = await apiOver(clients, { timeoutMs: 20 })
      .setTags("us-east1-b", "vm", [], "fp")
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(GcpApiError);
    expect(failure).toMatchObject({ code: "OperationTimeout" });
  });
});

function sdkFirewall(name: string, extra: Partial<SdkFirewall> = {}): SdkFirewall {
  return {
    id: "9001",
    name,
    network: NETWORK,
    priority: 900,
    direction: "INGRESS",
    disabled: false,
    sourceRanges: [],
    sourceTags: [],
    sourceServiceAccounts: [],
    targetTags: [],
    targetServiceAccounts: [],
    destinationRanges: [],
    allowed: [],
    denied: [],
    selfLink: `${COMPUTE}/projects/${PROJECT}/global/firewalls/${name}`,
    ...extra,
  };
}

describe("listFirewalls", () => {
  it("reads every page and maps rules as REST shows them", async () => {
    const listing = pagedListing([
      [
        sdkFirewall("segsync-web-allow", {
          description: "segsync:managed",
          sourceRanges: ["10.1.0.0/16"],
          sourceTags: ["segsync-api"],
          targetTags: ["segsync-web"],
          allowed: [
            { IPProtocol: "tcp", ports: ["443", "8000-8100"] },
            { IPProtocol: "icmp", ports: [] },
          ],
        }),
      ],
      [
        sdkFirewall("segsync-deny-all", {
          priority: 910,
          denied: [{ IPProtocol: "all" }],
          targetTags: ["t"],
        }),
      ],
    ]);
    clients.firewalls.listAsync.mockReturnValue(listing.iterable);

    const rules = await apiOver(clients).listFirewalls();

    expect(clients.firewalls.listAsync).toHaveBeenCalledWith({ project: PROJECT }, { autoPaginate: false });
    expect(listing.requests()).toBe(2);
    expect(rules).toStrictEqual([
      {
        id: "9001",
        name: "segsync-web-allow",
        network: NETWORK,
        priority: 900,
        direction: "INGRESS",
        description: "segsync:managed",
        disabled: false,
        sourceRanges: ["10.1.0.0/16"],
        sourceTags: ["segsync-api"],
        targetTags: ["segsync-web"],
        allowed: [{ IPProtocol: "tcp", ports: ["443", "8000-8100"] }, { IPProtocol: "icmp" }],
        selfLink: `${COMPUTE}/projects/${PROJECT}/global/firewalls/segsync-web-allow`,
      },
      {
        id: "9001",
        name: "segsync-deny-all",
        network: NETWORK,
        priority: 910,
        direction: "INGRESS",
        disabled: false,
        targetTags: ["t"],
        denied: [{ IPProtocol: "all" }],
        selfLink: `${COMPUTE}/projects/${PROJECT}/global/firewalls/segsync-deny-all`,
      },
    ]);
  });
});

const RULE: GcpFirewall = {
  id: "ignored-on-write",
  name: "segsync-web-allow",
  network: NETWORK,
  priority: 900,
  direction: "INGRESS",
  description: "segsync:managed",
  sourceRanges: ["10.1.0.0/16"],
  targetTags: ["segsync-web"],
  allowed: [{ IPProtocol: "tcp", ports: ["443"] }],
  selfLink: "ignored-on-write",
};

const RULE_BODY = {
  name: "segsync-web-allow",
  network: NETWORK,
  priority: 900,
  direction: "INGRESS",
  description: "segsync:managed",
  sourceRanges: ["10.1.0.0/16"],
  targetTags: ["segsync-web"],
  allowed: [{ IPProtocol: "tcp", ports: ["443"] }],
};

describe("firewall writes", () => {
  beforeEach(() => {
    clients.globalOperations.wait.mockResolvedValueOnce([running("op-g")]).mockResolvedValue([done("op-g")]);
  });

  it("inserts the rule without its output-only fields and waits on the global operation", async () => {
    clients.firewalls.insert.mockResolvedValue(handle(running("op-g")));

    await apiOver(clients).insertFirewall(RULE);

    expect(clients.firewalls.insert).toHaveBeenCalledWith({
      project: PROJECT,
      requestId: expect.any(String),
      firewallResource: RULE_BODY,
    });
    expect(clients.globalOperations.wait).toHaveBeenCalledTimes(2);
    expect(clients.globalOperations.wait).toHaveBeenLastCalledWith({ project: PROJECT, operation: "op-g" });
    expect(clients.zoneOperations.wait).not.toHaveBeenCalled();
  });

  it("replaces a rule with firewalls.update (PUT), which clears the fields it is not sent", async () => {
    clients.firewalls.update.mockResolvedValue(handle(running("op-g")));

    await apiOver(clients).patchFirewall(RULE);

    expect(clients.firewalls.update).toHaveBeenCalledWith({
      project: PROJECT,
      firewall: "segsync-web-allow",
      requestId: expect.any(String),
      firewallResource: RULE_BODY,
    });
    expect(clients.globalOperations.wait).toHaveBeenCalledTimes(2);
  });

  it("deletes by name and waits", async () => {
    clients.firewalls.delete.mockResolvedValue(handle(running("op-g")));

    await apiOver(clients).deleteFirewall("segsync-old");

    expect(clients.firewalls.delete).toHaveBeenCalledWith({
      project: PROJECT,
      firewall: "segsync-old",
      requestId: expect.any(String),
    });
    expect(clients.globalOperations.wait).toHaveBeenCalledTimes(2);
  });

  it("reports a project quota the operation hit as GcpQuotaExceededError", async () => {
    clients.firewalls.insert.mockResolvedValue(handle(running("op-q")));
    const failed = done("op-q", {
      httpErrorStatusCode: 403,
      error: {
        errors: [{ code: "QUOTA_EXCEEDED", message: "Quota 'FIREWALLS' exceeded. Limit: 200.0 globally." }],
      },
    });
    clients.globalOperations.wait.mockReset().mockResolvedValue([failed]);

    const failure = await apiOver(clients)
      .insertFirewall(RULE)
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(GcpQuotaExceededError);
    expect(failure).toMatchObject({ code: "QUOTA_EXCEEDED", status: 403, cause: failed });
  });
});

describe("getFirewallQuota", () => {
  it("reads the FIREWALLS quota of projects.get among the others", async () => {
    clients.projects.get.mockResolvedValue([
      {
        name: PROJECT,
        quotas: [
          { metric: "NETWORKS", limit: 15, usage: 2 },
          { metric: "FIREWALLS", limit: 500, usage: 37 },
        ],
      },
    ]);

    expect(await apiOver(clients).getFirewallQuota()).toEqual({ limit: 500, usage: 37 });
    expect(clients.projects.get).toHaveBeenCalledWith({ project: PROJECT });
  });

  it("refuses an answer without a FIREWALLS quota, or with one that has no usage, as malformed", async () => {
    for (const quotas of [
      undefined,
      [{ metric: "NETWORKS", limit: 15, usage: 2 }],
      [{ metric: "FIREWALLS", limit: 500 }],
    ]) {
      clients.projects.get.mockResolvedValue([
        { name: PROJECT, ...(quotas === undefined ? {} : { quotas }) },
      ]);
      const error = await apiOver(clients)
        .getFirewallQuota()
        .then(
          () => undefined,
          (failure: unknown) => failure,
        );
      expect(error).toBeInstanceOf(GcpApiError);
      expect((error as GcpApiError).code).toBe("MalformedResponse");
      expect((error as GcpApiError).retryable).toBe(false);
    }
  });
});

describe("listFirewallsNamed", () => {
  const deny = (name: string): SdkFirewall => ({
    name,
    network: NETWORK,
    priority: 1000,
    direction: "INGRESS",
    sourceRanges: ["0.0.0.0/0"],
    denied: [{ IPProtocol: "all" }],
  });

  it("lists with one name filter Compute reads as an RE2 over the whole name", async () => {
    clients.firewalls.listAsync.mockReturnValue(
      pagedListing<SdkFirewall>([[deny("segsync-abc-d0e1f2-deny")]]).iterable,
    );

    const rules = await apiOver(clients).listFirewallsNamed({
      stems: ["segsync-abc-d0e1f2-"],
      names: ["segsync-xyz-d0e1f2-deny"],
    });

    expect(rules.map((rule) => rule.name)).toEqual(["segsync-abc-d0e1f2-deny"]);
    expect(clients.firewalls.listAsync).toHaveBeenCalledExactlyOnceWith(
      { project: PROJECT, filter: 'name eq "(?:segsync-abc-d0e1f2-.*|segsync-xyz-d0e1f2-deny)"' },
      { autoPaginate: false },
    );
  });

  it("splits a long selection over requests, and asks nothing for an empty one", async () => {
    clients.firewalls.listAsync.mockImplementation(() => pagedListing<SdkFirewall>([[]]).iterable);
    const names = Array.from({ length: 90 }, (_, index) => `segsync-n${index}-d0e1f2-deny`);

    await apiOver(clients).listFirewallsNamed({ stems: [], names });
    expect(clients.firewalls.listAsync).toHaveBeenCalledTimes(3);

    clients.firewalls.listAsync.mockClear();
    expect(await apiOver(clients).listFirewallsNamed({ stems: [], names: [] })).toEqual([]);
    expect(clients.firewalls.listAsync).not.toHaveBeenCalled();
  });
});
