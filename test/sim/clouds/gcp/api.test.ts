import { beforeEach, describe, expect, it } from "vitest";
import {
  GcpAlreadyExistsError,
  type GcpApiError,
  GcpInvalidRequestError,
  GcpNotFoundError,
  GcpQuotaExceededError,
  GcpThrottledError,
} from "../../../../lib/clouds/gcp/errors.js";
import {
  type GcpFirewall,
  type GcpInstance,
  type GcpProjectState,
  networkUrl,
} from "../../../../lib/clouds/gcp/model.js";
import { GCP_WRITE_METHODS, SimulatedCompute, SimulationInputError } from "../../../../sim/clouds/gcp/api.js";

const PROJECT = "shop-prod";
const ZONE = "us-central1-a";
const OTHER_ZONE = "europe-west1-b";
const NET = networkUrl(PROJECT, "prod-net");
const OTHER_NET = networkUrl(PROJECT, "batch-net");
const LIMITS = {
  sourceRangesPerRule: 256,
  sourceTagsPerRule: 30,
  networkTagsPerInstance: 64,
  firewallRulesPerProject: 500,
};

function rule(name: string, fields: Partial<GcpFirewall> = {}): GcpFirewall {
  return {
    name,
    network: NET,
    priority: 900,
    direction: "INGRESS",
    sourceRanges: ["10.3.0.0/24"],
    targetTags: ["segsync-web"],
    allowed: [{ IPProtocol: "tcp", ports: ["443"] }],
    ...fields,
  };
}

/** Rejects with an error of `type` whose code is `code` and whose HTTP status is `status`. */
async function expectFailure(
  promise: Promise<unknown>,
  type: new (...args: never[]) => GcpApiError,
  code: string,
  status?: number,
): Promise<GcpApiError> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(type);
  const failure = error as GcpApiError;
  expect(failure.code).toBe(code);
  if (status !== undefined) expect(failure.status).toBe(status);
  return failure;
}

function expectControlFailure(run: () => unknown, type: new (...args: never[]) => Error, message?: RegExp) {
  expect(run).toThrow(type);
  if (message !== undefined) expect(run).toThrow(message);
}

function web(zone = ZONE, name = "web-1", extra: Record<string, unknown> = {}) {
  return sim.createInstance({
    zone,
    name,
    network: "prod-net",
    networkIP: "10.3.0.11",
    natIP: "34.0.0.11",
    labels: { "seg-app": "shop", "seg-role": "web" },
    ...extra,
  });
}

let sim: SimulatedCompute;

beforeEach(() => {
  sim = SimulatedCompute.empty(PROJECT);
  sim.createNetwork({ name: "prod-net" });
  sim.createNetwork({ name: "batch-net" });
});

describe("firewall rules", () => {
  it("are stored as Compute returns them: full network URL, id, selfLink, disabled, no empty lists", async () => {
    await sim.insertFirewall(
      rule("segsync-a", { network: `projects/${PROJECT}/global/networks/prod-net`, sourceTags: [] }),
    );
    const [stored] = await sim.listFirewalls();
    expect(stored).toEqual({
      id: expect.stringMatching(/^\d{19}$/),
      name: "segsync-a",
      network: NET,
      priority: 900,
      direction: "INGRESS",
      disabled: false,
      sourceRanges: ["10.3.0.0/24"],
      targetTags: ["segsync-web"],
      allowed: [{ IPProtocol: "tcp", ports: ["443"] }],
      selfLink: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/global/firewalls/segsync-a`,
    });
  });

  it("take priority 1000, INGRESS, the default network and any IPv4 source when not given", async () => {
    sim.createNetwork({ name: "default" });
    sim.createFirewall({ name: "customer-https", allowed: [{ IPProtocol: "tcp", ports: ["443"] }] });
    sim.createFirewall({
      name: "customer-egress",
      network: "prod-net",
      direction: "EGRESS",
      denied: [{ IPProtocol: "all" }],
    });
    const [egress, https] = await sim.listFirewalls();
    expect(https).toMatchObject({
      priority: 1000,
      direction: "INGRESS",
      network: networkUrl(PROJECT, "default"),
      sourceRanges: ["0.0.0.0/0"],
    });
    expect(egress).toMatchObject({ network: NET, direction: "EGRESS", destinationRanges: ["0.0.0.0/0"] });
    expect(egress?.sourceRanges).toBeUndefined();
  });

  it.each([0, 65535])("accept priority %i", async (priority) => {
    await sim.insertFirewall(rule("segsync-a", { priority }));
    expect((await sim.listFirewalls())[0]?.priority).toBe(priority);
  });

  it.each([-1, 65536, 1.5])("refuse priority %d", async (priority) => {
    const error = await expectFailure(
      sim.insertFirewall(rule("segsync-a", { priority })),
      GcpInvalidRequestError,
      "invalid",
      400,
    );
    expect(error.message).toContain("resource.priority");
  });

  it.each(["Segsync-a", "1segsync", "segsync-", "segsync_a", "", "a".repeat(64)])(
    "refuse the name %j (RFC 1035, at most 63)",
    async (name) => {
      await expectFailure(sim.insertFirewall(rule(name)), GcpInvalidRequestError, "invalid");
    },
  );

  it("accept a 63-character name and one-letter names", async () => {
    await sim.insertFirewall(rule("a".repeat(63)));
    await sim.insertFirewall(rule("b"));
    expect(await sim.listFirewalls()).toHaveLength(2);
  });

  it("have names unique per project, not per network", async () => {
    await sim.insertFirewall(rule("segsync-a"));
    const error = await expectFailure(
      sim.insertFirewall(rule("segsync-a", { network: OTHER_NET })),
      GcpAlreadyExistsError,
      "alreadyExists",
      409,
    );
    expect(error.message).toContain(`projects/${PROJECT}/global/firewalls/segsync-a`);
    expect((error.cause as { errors: { reason: string }[] }).errors[0]?.reason).toBe("alreadyExists");
  });

  it("hold IPv4 or IPv6 ranges, not both", async () => {
    await sim.insertFirewall(rule("segsync-v6", { sourceRanges: ["2001:db8::/32", "2001:db8:1::5"] }));
    const error = await expectFailure(
      sim.insertFirewall(rule("segsync-mixed", { sourceRanges: ["10.3.0.0/24", "2001:db8::/32"] })),
      GcpInvalidRequestError,
      "invalid",
    );
    expect(error.message).toContain("resource.sourceRanges[1]");
    expect(error.message).toContain("IPv4 or IPv6");
    await expectFailure(
      sim.insertFirewall(rule("segsync-bad", { sourceRanges: ["10.3.0.0/33"] })),
      GcpInvalidRequestError,
      "invalid",
    );
  });

  it("have allowed or denied protocols, not both and not neither, with ports only for tcp, udp and sctp", async () => {
    const tcp = [{ IPProtocol: "tcp", ports: ["80"] }];
    for (const fields of [
      { allowed: tcp, denied: tcp },
      { allowed: [], denied: [] },
      { allowed: [{ IPProtocol: "icmp", ports: ["7"] }] },
      { allowed: [{ IPProtocol: "tcp", ports: ["90-80"] }] },
      { allowed: [{ IPProtocol: "tcp", ports: ["65536"] }] },
      { allowed: [{ IPProtocol: "gre" }] },
      { allowed: [{ IPProtocol: "256" }] },
    ]) {
      await expectFailure(sim.insertFirewall(rule("segsync-p", fields)), GcpInvalidRequestError, "invalid");
    }
    await sim.insertFirewall(
      rule("segsync-ok", {
        allowed: [
          { IPProtocol: "udp", ports: ["53", "8000-8100"] },
          { IPProtocol: "47" },
          { IPProtocol: "sctp", ports: ["0-65535"] },
        ],
      }),
    );
    await sim.insertFirewall(
      rule("segsync-deny", { priority: 910, allowed: undefined, denied: [{ IPProtocol: "all" }] }),
    );
    expect((await sim.listFirewalls()).map((firewall) => firewall.name)).toEqual([
      "segsync-deny",
      "segsync-ok",
    ]);
  });

  it("refuse source tags on egress and service accounts mixed with tags", async () => {
    const cases: Partial<GcpFirewall>[] = [
      { direction: "EGRESS", sourceTags: ["segsync-api"], destinationRanges: ["10.0.0.0/8"] },
      { sourceServiceAccounts: ["sa@shop-prod.iam.gserviceaccount.com"], sourceTags: ["segsync-api"] },
      { targetServiceAccounts: ["sa@shop-prod.iam.gserviceaccount.com"] },
    ];
    for (const fields of cases) {
      await expectFailure(sim.insertFirewall(rule("segsync-x", fields)), GcpInvalidRequestError, "invalid");
    }
  });

  it("carry valid network tags as source and target tags", async () => {
    for (const tags of [["Web"], ["web_1"], ["web", "web"]]) {
      await expectFailure(
        sim.insertFirewall(rule("segsync-t", { targetTags: tags })),
        GcpInvalidRequestError,
        "invalid",
      );
      await expectFailure(
        sim.insertFirewall(rule("segsync-t", { sourceTags: tags })),
        GcpInvalidRequestError,
        "invalid",
      );
    }
  });

  it("are in an existing network of the project, named by a full or partial URL", async () => {
    await sim.insertFirewall(rule("segsync-partial", { network: "global/networks/batch-net" }));
    for (const network of [
      networkUrl(PROJECT, "missing-net"),
      networkUrl("host-project", "shared-net"),
      "prod-net",
      "https://example.com/prod-net",
    ]) {
      const error = await expectFailure(
        sim.insertFirewall(rule("segsync-n", { network })),
        GcpInvalidRequestError,
        "invalid",
      );
      expect(error.message).toContain("resource.network");
    }
    expect((await sim.listFirewalls())[0]?.network).toBe(OTHER_NET);
  });

  describe("limits", () => {
    const ranges = (count: number) =>
      Array.from({ length: count }, (_, index) => `10.${9 + Math.floor(index / 256)}.${index % 256}.0/24`);
    const tags = (count: number) => Array.from({ length: count }, (_, index) => `segsync-t${index}`);

    it("allow at most sourceRangesPerRule source ranges (256 by default)", async () => {
      await sim.insertFirewall(rule("segsync-256", { sourceRanges: ranges(256) }));
      const error = await expectFailure(
        sim.insertFirewall(rule("segsync-257", { sourceRanges: ranges(257) })),
        GcpQuotaExceededError,
        "limitExceeded",
      );
      expect(error.message).toContain("resource.sourceRanges");
      const small = SimulatedCompute.empty(PROJECT, { limits: { ...LIMITS, sourceRangesPerRule: 3 } });
      small.createNetwork({ name: "prod-net" });
      await small.insertFirewall(rule("segsync-3", { sourceRanges: ranges(3) }));
      await expectFailure(
        small.insertFirewall(rule("segsync-4", { sourceRanges: ranges(4) })),
        GcpQuotaExceededError,
        "limitExceeded",
      );
    });

    it("allow at most sourceTagsPerRule source tags and 70 target tags", async () => {
      await sim.insertFirewall(rule("segsync-30", { sourceRanges: [], sourceTags: tags(30) }));
      await expectFailure(
        sim.insertFirewall(rule("segsync-31", { sourceRanges: [], sourceTags: tags(31) })),
        GcpQuotaExceededError,
        "limitExceeded",
      );
      await sim.insertFirewall(rule("segsync-70", { targetTags: tags(70) }));
      await expectFailure(
        sim.insertFirewall(rule("segsync-71", { targetTags: tags(71) })),
        GcpQuotaExceededError,
        "limitExceeded",
      );
      const small = SimulatedCompute.empty(PROJECT, { limits: { ...LIMITS, sourceTagsPerRule: 2 } });
      small.createNetwork({ name: "prod-net" });
      await expectFailure(
        small.insertFirewall(rule("segsync-3", { sourceTags: tags(3) })),
        GcpQuotaExceededError,
        "limitExceeded",
      );
    });

    it("count every rule of every network against the project's quota", async () => {
      const small = SimulatedCompute.empty(PROJECT, { limits: { ...LIMITS, firewallRulesPerProject: 2 } });
      small.createNetwork({ name: "prod-net" });
      small.createNetwork({ name: "batch-net" });
      small.createFirewall({ name: "customer", network: "batch-net", allowed: [{ IPProtocol: "icmp" }] });
      await small.insertFirewall(rule("segsync-1"));
      const error = await expectFailure(
        small.insertFirewall(rule("segsync-2")),
        GcpQuotaExceededError,
        "QUOTA_EXCEEDED",
        403,
      );
      expect(error.message).toContain("Quota 'FIREWALLS' exceeded. Limit: 2.0 globally.");
      await small.deleteFirewall("segsync-1");
      await small.insertFirewall(rule("segsync-2"));
    });
  });

  describe("patch and delete", () => {
    beforeEach(async () => {
      await sim.insertFirewall(
        rule("segsync-a", { sourceTags: ["segsync-api"], description: "segsync:managed" }),
      );
    });

    it("patch checks the rule as insert does, changes nothing on failure, and does not move networks", async () => {
      const before = await sim.listFirewalls();
      await expectFailure(
        sim.patchFirewall(rule("segsync-a", { sourceRanges: ["10.0.0.0/8", "::/0"] })),
        GcpInvalidRequestError,
        "invalid",
      );
      const error = await expectFailure(
        sim.patchFirewall(rule("segsync-a", { network: OTHER_NET })),
        GcpInvalidRequestError,
        "invalid",
      );
      expect(error.message).toContain("cannot be changed");
      expect(await sim.listFirewalls()).toEqual(before);
    });
  });
});

describe("the default network's rules", () => {
  it("are only made on request, named after their network, and deletable", async () => {
    sim.createNetwork({ name: "default" });
    expect(await sim.listFirewalls()).toEqual([]);
    sim.createNetwork({ name: "legacy", withDefaultRules: true });
    expect((await sim.listFirewalls()).map((firewall) => firewall.name)).toContain("legacy-allow-ssh");
    await sim.deleteFirewall("legacy-allow-ssh");
    expect((await sim.listFirewalls()).map((firewall) => firewall.name)).not.toContain("legacy-allow-ssh");
  });

  it("count against the quota; a network is created once", () => {
    const small = SimulatedCompute.empty(PROJECT, { limits: { ...LIMITS, firewallRulesPerProject: 3 } });
    expectControlFailure(
      () => small.createNetwork({ name: "default", withDefaultRules: true }),
      GcpQuotaExceededError,
    );
    expect(small.state().firewalls).toEqual([]);
    expectControlFailure(() => sim.createNetwork({ name: "prod-net" }), GcpAlreadyExistsError);
    expectControlFailure(() => sim.createNetwork({ name: "Prod" }), GcpInvalidRequestError);
  });
});

describe("network tags", () => {
  it("change with the current fingerprint, which changes on every setTags", async () => {
    web();
    const first = (await sim.getInstance(ZONE, "web-1"))?.tags.fingerprint as string;
    expect(first).toMatch(/^[A-Za-z0-9+/]{11}=$/);
    await sim.setTags(ZONE, "web-1", ["segsync-1a2b3c4d"], first);
    const second = await sim.getInstance(ZONE, "web-1");
    expect(second?.tags.items).toEqual(["segsync-1a2b3c4d"]);
    expect(second?.tags.fingerprint).not.toBe(first);
    await sim.setTags(ZONE, "web-1", ["segsync-1a2b3c4d"], second?.tags.fingerprint as string);
    const third = await sim.getInstance(ZONE, "web-1");
    expect(third?.tags.fingerprint).not.toBe(second?.tags.fingerprint);
    await sim.setTags(
      `https://www.googleapis.com/compute/v1/projects/${PROJECT}/zones/${ZONE}`,
      "web-1",
      [],
      third?.tags.fingerprint as string,
    );
    expect((await sim.getInstance(ZONE, "web-1"))?.tags.items).toBeUndefined();
  });

  it.each([
    { tags: ["Web"] },
    { tags: ["web_1"] },
    { tags: ["1web"] },
    { tags: ["web-"] },
    { tags: ["a".repeat(64)] },
    { tags: [""] },
    { tags: ["web", "web"] },
  ])("refuse the tags $tags", async ({ tags }) => {
    web();
    const fingerprint = (await sim.getInstance(ZONE, "web-1"))?.tags.fingerprint as string;
    await expectFailure(
      sim.setTags(ZONE, "web-1", tags, fingerprint),
      GcpInvalidRequestError,
      "invalid",
      400,
    );
  });

  it("are at most networkTagsPerInstance (64 by default)", async () => {
    web();
    const tags = (count: number) => Array.from({ length: count }, (_, index) => `t${index}`);
    let fingerprint = (await sim.getInstance(ZONE, "web-1"))?.tags.fingerprint as string;
    await expectFailure(
      sim.setTags(ZONE, "web-1", tags(65), fingerprint),
      GcpQuotaExceededError,
      "limitExceeded",
    );
    await sim.setTags(ZONE, "web-1", tags(64), fingerprint);
    fingerprint = (await sim.getInstance(ZONE, "web-1"))?.tags.fingerprint as string;
    const small = SimulatedCompute.empty(PROJECT, { limits: { ...LIMITS, networkTagsPerInstance: 2 } });
    small.createNetwork({ name: "prod-net" });
    expectControlFailure(
      () =>
        small.createInstance({
          zone: ZONE,
          name: "a",
          network: "prod-net",
          networkIP: "10.3.0.5",
          labels: {},
          tags: tags(3),
        }),
      GcpQuotaExceededError,
    );
  });
});

describe("simulation controls", () => {
  it("create a RUNNING instance in the REST shape", () => {
    const created = web(ZONE, "web-1", { tags: ["legacy-web"] });
    expect(created).toEqual({
      id: expect.stringMatching(/^\d{19}$/),
      name: "web-1",
      zone: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/zones/${ZONE}`,
      status: "RUNNING",
      labels: { "seg-app": "shop", "seg-role": "web" },
      labelFingerprint: expect.any(String),
      tags: { items: ["legacy-web"], fingerprint: expect.any(String) },
      networkInterfaces: [
        {
          name: "nic0",
          network: NET,
          networkIP: "10.3.0.11",
          accessConfigs: [{ name: "External NAT", type: "ONE_TO_ONE_NAT", natIP: "34.0.0.11" }],
        },
      ],
      selfLink: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/zones/${ZONE}/instances/web-1`,
    });
    expect(sim.state().instances).toEqual([created]);
  });

  it("create instances with further NICs, and in another project's network (Shared VPC)", () => {
    const shared = networkUrl("host-project", "shared-net");
    const created = sim.createInstance({
      zone: ZONE,
      name: "multi",
      network: shared,
      networkIP: "10.8.0.5",
      labels: {},
      moreInterfaces: [{ network: "batch-net", networkIP: "10.4.0.5", natIP: "34.0.0.5" }],
    });
    expect(
      created.networkInterfaces.map((nic) => [nic.name, nic.network, nic.accessConfigs?.[0]?.natIP]),
    ).toEqual([
      ["nic0", shared, undefined],
      ["nic1", OTHER_NET, "34.0.0.5"],
    ]);
    expectControlFailure(
      () =>
        sim.createInstance({
          zone: ZONE,
          name: "lost",
          network: "missing-net",
          networkIP: "10.0.0.1",
          labels: {},
        }),
      GcpInvalidRequestError,
      /cannot be found/,
    );
  });

  it("refuse a name used in the zone, a bad name or zone, an address in use, and labels GCP refuses", () => {
    web();
    expectControlFailure(
      () => web(ZONE, "web-1", { networkIP: "10.3.0.99", natIP: undefined }),
      GcpAlreadyExistsError,
    );
    expect(() => web(OTHER_ZONE, "web-1", { networkIP: "10.3.0.12", natIP: undefined })).not.toThrow();
    expectControlFailure(
      () => web(ZONE, "Web-2", { networkIP: "10.3.0.13", natIP: undefined }),
      GcpInvalidRequestError,
    );
    expectControlFailure(
      () => web("mars", "web-2", { networkIP: "10.3.0.13", natIP: undefined }),
      SimulationInputError,
    );
    expectControlFailure(
      () => web(ZONE, "web-2", { natIP: undefined }),
      SimulationInputError,
      /already used/,
    );
    expectControlFailure(
      () => web(ZONE, "web-2", { networkIP: "10.3.0.13" }),
      SimulationInputError,
      /already used/,
    );
    expect(() => web(ZONE, "web-3", { network: "batch-net", natIP: undefined })).not.toThrow();
    for (const labels of [{ "Seg-app": "shop" }, { "seg-app": "Shop" }, { "seg-app": "a".repeat(64) }]) {
      expectControlFailure(
        () => web(ZONE, "web-4", { networkIP: "10.3.0.14", natIP: undefined, labels }),
        GcpInvalidRequestError,
      );
    }
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, index) => [`k${index}`, "v"]));
    expectControlFailure(
      () => web(ZONE, "web-4", { networkIP: "10.3.0.14", natIP: undefined, labels: many }),
      GcpQuotaExceededError,
    );
  });

  it("release an ephemeral natIP when the instance leaves RUNNING, unless keepNatIp", async () => {
    web();
    const instance = async () => (await sim.getInstance(ZONE, "web-1")) as GcpInstance;
    for (const status of ["STOPPED", "TERMINATED", "SUSPENDED"] as const) {
      sim.setStatus(ZONE, "web-1", "RUNNING", { natIP: "34.0.0.11" });
      expect((await instance()).networkInterfaces[0]?.accessConfigs?.[0]?.natIP).toBe("34.0.0.11");
      sim.setStatus(ZONE, "web-1", status);
      const stopped = await instance();
      expect(stopped.status).toBe(status);
      expect(stopped.networkInterfaces[0]?.accessConfigs).toEqual([
        { name: "External NAT", type: "ONE_TO_ONE_NAT" },
      ]);
    }
    sim.setStatus(ZONE, "web-1", "RUNNING");
    expect((await instance()).networkInterfaces[0]?.accessConfigs?.[0]?.natIP).toBeUndefined();
    sim.setStatus(ZONE, "web-1", "RUNNING", { natIP: "34.0.0.12" });
    sim.setStatus(ZONE, "web-1", "STOPPED", { keepNatIp: true });
    expect((await instance()).networkInterfaces[0]?.accessConfigs?.[0]?.natIP).toBe("34.0.0.12");
    expectControlFailure(
      () => sim.setStatus(ZONE, "web-1", "STOPPED", { natIP: "34.0.0.13" }),
      SimulationInputError,
    );
    expectControlFailure(() => sim.setStatus(ZONE, "ghost", "RUNNING"), GcpNotFoundError);
  });

  it("replace labels with a complete new map and a new label fingerprint", async () => {
    const created = web();
    sim.setLabels(ZONE, "web-1", { "seg-app": "shop", "seg-role": "api" });
    const relabeled = await sim.getInstance(ZONE, "web-1");
    expect(relabeled?.labels).toEqual({ "seg-app": "shop", "seg-role": "api" });
    expect(relabeled?.labelFingerprint).not.toBe(created.labelFingerprint);
    sim.setLabels(ZONE, "web-1", {});
    expect((await sim.getInstance(ZONE, "web-1"))?.labels).toBeUndefined();
    expectControlFailure(() => sim.setLabels(ZONE, "web-1", { "seg-app": "Shop" }), GcpInvalidRequestError);
  });

  it("delete an instance: it is no longer listed, and its addresses are free again", async () => {
    web();
    sim.deleteInstance(ZONE, "web-1");
    expect(await sim.getInstance(ZONE, "web-1")).toBeUndefined();
    expect(await sim.listInstances()).toEqual([]);
    expectControlFailure(() => sim.deleteInstance(ZONE, "web-1"), GcpNotFoundError);
    expect(() => web()).not.toThrow();
  });
});

describe("throttling", () => {
  async function throttledPattern(seed: number, calls: number): Promise<boolean[]> {
    const throttled = SimulatedCompute.empty(PROJECT, { throttle: { throttleRate: 0.2, seed } });
    const pattern: boolean[] = [];
    for (let index = 0; index < calls; index += 1) {
      pattern.push(
        await throttled.listFirewalls().then(
          () => false,
          (error: unknown) =>
            error instanceof GcpThrottledError && error.code === "rateLimitExceeded" && error.status === 403,
        ),
      );
    }
    return pattern;
  }

  it("fails about the chosen fraction of calls with rateLimitExceeded, the same calls for the same seed", async () => {
    const pattern = await throttledPattern(7, 2000);
    const rate = pattern.filter(Boolean).length / pattern.length;
    expect(rate).toBeGreaterThan(0.17);
    expect(rate).toBeLessThan(0.23);
    expect(await throttledPattern(7, 2000)).toEqual(pattern);
    expect(await throttledPattern(8, 2000)).not.toEqual(pattern);
  });

  it("leaves no trace of a throttled write but its log entry, is not retried, and can be switched off", async () => {
    sim.setThrottle({ throttleRate: 1, seed: 1 });
    await expectFailure(sim.insertFirewall(rule("segsync-a")), GcpThrottledError, "rateLimitExceeded", 403);
    sim.setThrottle(undefined);
    expect(await sim.listFirewalls()).toEqual([]);
    expect(sim.calls.map((call) => [call.method, call.outcome])).toEqual([
      ["insertFirewall", "rateLimitExceeded"],
      ["listFirewalls", "ok"],
    ]);
  });

  it("refuses a rate outside 0..1", () => {
    expect(() => sim.setThrottle({ throttleRate: -0.1, seed: 1 })).toThrow(SimulationInputError);
  });
});

describe("the call log", () => {
  it("records every API call with a copy of its arguments and its outcome, so that writes can be counted", async () => {
    web();
    const fingerprint = (await sim.getInstance(ZONE, "web-1"))?.tags.fingerprint as string;
    const items = ["segsync-a"];
    await sim.setTags(ZONE, "web-1", items, fingerprint);
    items.push("mutated");
    await sim.insertFirewall(rule("segsync-a"));
    await sim.patchFirewall(rule("segsync-a", { priority: 901 }));
    await sim.listInstances();
    await sim.deleteFirewall("segsync-missing").catch(() => undefined);
    await sim.deleteFirewall("segsync-a");

    expect(sim.calls.map((call) => call.method)).toEqual([
      "getInstance",
      "setTags",
      "insertFirewall",
      "patchFirewall",
      "listInstances",
      "deleteFirewall",
      "deleteFirewall",
    ]);
    expect(sim.calls[1]?.args).toEqual([ZONE, "web-1", ["segsync-a"], fingerprint]);
    expect(sim.calls[5]?.outcome).toBe("notFound");
    expect(sim.calls.filter((call) => GCP_WRITE_METHODS.has(call.method))).toHaveLength(5);
    sim.clearCalls();
    expect(sim.calls).toEqual([]);
  });

  it("does not record simulation controls", () => {
    web();
    sim.setStatus(ZONE, "web-1", "STOPPED");
    sim.createFirewall({ name: "customer", network: "prod-net", allowed: [{ IPProtocol: "icmp" }] });
    expect(sim.calls).toEqual([]);
  });
});

describe("state", () => {
  async function populated(): Promise<GcpProjectState> {
    sim.createNetwork({ name: "default", withDefaultRules: true });
    web(OTHER_ZONE, "web-2", { networkIP: "10.3.0.12", natIP: undefined });
    web(ZONE, "web-1");
    web(ZONE, "api-1", { network: "batch-net", natIP: undefined, tags: ["segsync-api"] });
    sim.setStatus(ZONE, "api-1", "TERMINATED");
    await sim.insertFirewall(rule("segsync-a", { sourceTags: ["segsync-api"] }));
    sim.createFirewall({
      name: "customer-web",
      network: "prod-net",
      allowed: [{ IPProtocol: "tcp", ports: ["80"] }],
    });
    return sim.state();
  }

  it("is sorted (instances by zone then name, rules by name), and a deep copy", async () => {
    const state = await populated();
    expect(state.instances.map((instance) => instance.name)).toEqual(["web-2", "api-1", "web-1"]);
    const names = state.firewalls.map((firewall) => firewall.name);
    expect(names).toEqual([...names].sort());
    (state.instances[0]?.tags as { items?: string[] }).items = ["mutated"];
    (state.firewalls[0]?.sourceRanges as string[] | undefined)?.push("192.0.2.0/24");
    expect(sim.state().instances[0]?.tags.items).toBeUndefined();
    expect(sim.state().firewalls[0]?.sourceRanges).not.toContain("192.0.2.0/24");
  });

  it("round-trips: a simulator built from a state holds the same state and knows its networks", async () => {
    const state = await populated();
    const loaded = new SimulatedCompute(state);
    expect(loaded.state()).toEqual(state);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    await loaded.insertFirewall(rule("segsync-b", { network: OTHER_NET }));
    const ids = [...loaded.state().instances, ...loaded.state().firewalls].map((item) => item.id);
    expect(new Set(ids).size).toBe(ids.length);
    const fingerprint = state.instances[1]?.tags.fingerprint as string;
    await loaded.setTags(ZONE, "api-1", [], fingerprint);
  });

  it("loads entries without ids or fingerprints, and does not re-check limits on what exists", async () => {
    const loaded = new SimulatedCompute(
      {
        project: PROJECT,
        instances: [
          {
            name: "vm-1",
            zone: ZONE,
            status: "RUNNING",
            tags: { items: ["a", "b", "c"] },
            networkInterfaces: [{ network: NET, networkIP: "10.3.0.5" }],
          },
        ],
        firewalls: [rule("legacy", { sourceRanges: ["10.0.0.0/8", "10.1.0.0/16"] })],
      },
      { limits: { ...LIMITS, sourceRangesPerRule: 1, networkTagsPerInstance: 2 } },
    );
    const [instance] = await loaded.listInstances();
    expect(instance?.id).toMatch(/^\d{19}$/);
    expect(instance?.tags.fingerprint).toEqual(expect.any(String));
    expect((await loaded.listFirewalls())[0]?.sourceRanges).toHaveLength(2);
  });

  it("refuses a starting state that Compute could not hold", () => {
    const base: GcpProjectState = { project: PROJECT, instances: [], firewalls: [] };
    const vm = {
      name: "vm-1",
      zone: ZONE,
      status: "RUNNING" as const,
      tags: {},
      networkInterfaces: [{ network: NET, networkIP: "10.3.0.5" }],
    };
    expect(() => new SimulatedCompute({ ...base, firewalls: [rule("Bad_Name")] })).toThrow(
      SimulationInputError,
    );
    expect(() => new SimulatedCompute({ ...base, firewalls: [rule("a"), rule("a")] })).toThrow(
      /appears twice/,
    );
    expect(
      () =>
        new SimulatedCompute({
          ...base,
          firewalls: [rule("a", { network: networkUrl("other-project", "n") })],
        }),
    ).toThrow(/Cross-project/);
    expect(() => new SimulatedCompute({ ...base, instances: [vm, vm] })).toThrow(/appears twice/);
    expect(() => new SimulatedCompute({ ...base, instances: [{ ...vm, tags: { items: ["Web"] } }] })).toThrow(
      SimulationInputError,
    );
    expect(() => new SimulatedCompute({ ...base, instances: [{ ...vm, networkInterfaces: [] }] })).toThrow(
      /no network interface/,
    );
    expect(() => new SimulatedCompute({ ...base, project: "other-project" }, {}).state()).not.toThrow();
  });
});

describe("lookups kept true under every change (the project's indexes)", () => {
  it("a natIP released by a stop is free, one given on start is taken, a deleted instance's are free", () => {
    web();
    sim.setStatus(ZONE, "web-1", "STOPPED");
    expect(() => web(ZONE, "web-2", { networkIP: "10.3.0.12" })).not.toThrow();
    sim.setStatus(ZONE, "web-1", "RUNNING", { natIP: "34.0.0.21" });
    expectControlFailure(
      () => web(ZONE, "web-3", { networkIP: "10.3.0.13", natIP: "34.0.0.21" }),
      SimulationInputError,
      /already used/,
    );
    expectControlFailure(
      () => sim.setStatus(ZONE, "web-2", "RUNNING", { natIP: "34.0.0.21" }),
      SimulationInputError,
      /already used/,
    );
    sim.deleteInstance(ZONE, "web-1");
    expect(() => web(ZONE, "web-3", { networkIP: "10.3.0.11", natIP: "34.0.0.21" })).not.toThrow();
  });
});
