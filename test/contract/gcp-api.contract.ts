/**
 * The contract of the GCP cloud API port (lib/clouds/gcp/api.ts), written once and run over every
 * implementation (gcp-api.test.ts): the simulator, the SDK adapter against the Compute fake, and
 * the SDK adapter replaying recorded Compute responses (reads only). A case an implementation
 * cannot run is not run there, and counted with its reason in one test of its own (not-run.ts).
 *
 * Every behaviour of the simulator that segsync relies on is pinned here: whatever is not is a
 * place where the simulator could differ from Compute unnoticed (docs/testing.md, "Contract suites").
 */
import { afterEach, describe, expect } from "vitest";
import type { GcpApi } from "../../lib/clouds/gcp/api.js";
import {
  GcpAlreadyExistsError,
  GcpApiError,
  GcpConflictError,
  GcpInvalidRequestError,
  GcpNotFoundError,
  GcpQuotaExceededError,
  GcpThrottledError,
} from "../../lib/clouds/gcp/errors.js";
import { type GcpFirewall, type GcpInstance, networkUrl } from "../../lib/clouds/gcp/model.js";
import { describeRecordedReads } from "./gcp-api.recorded.js";
import { type GcpApiImplementation, type GcpApiWorld, NETWORK, type WorldOptions } from "./gcp-api.world.js";
import { NotRun } from "./not-run.js";

export type { GcpApiImplementation, GcpApiWorld } from "./gcp-api.world.js";

const PROJECT = "shop-prod";
const NETWORK_URL = networkUrl(PROJECT, NETWORK);
const COMPUTE = "https://www.googleapis.com/compute/v1";
const ZONE = "us-central1-a";
const ZONE_URL = `${COMPUTE}/projects/${PROJECT}/zones/${ZONE}`;

/** Rejects with `type`, Compute's reason as `code`, the HTTP status, and the cloud's error as cause. */
export async function expectFailure(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => GcpApiError,
  code: string,
  status: number,
): Promise<GcpApiError> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(type);
  const failure = error as GcpApiError;
  expect({ code: failure.code, status: failure.status }).toEqual({ code, status });
  expect(failure.cause).toBeDefined();
  return failure;
}

function rule(name: string, fields: Partial<GcpFirewall> = {}): GcpFirewall {
  return {
    name,
    network: NETWORK_URL,
    priority: 900,
    direction: "INGRESS",
    description: "segsync:managed",
    sourceRanges: ["10.3.0.0/24"],
    sourceTags: ["segsync-api"],
    targetTags: ["segsync-web"],
    allowed: [{ IPProtocol: "tcp", ports: ["443", "8000-8100"] }],
    ...fields,
  };
}

/** A rule as every implementation lists it back: with its id and selfLink, and `disabled` filled in. */
function listed(firewall: GcpFirewall): GcpFirewall {
  return {
    disabled: false,
    ...firewall,
    id: expect.stringMatching(/^\d+$/),
    selfLink: `${COMPUTE}/projects/${PROJECT}/global/firewalls/${firewall.name}`,
  };
}

const byName = <T extends { readonly name: string }>(items: readonly T[]): T[] =>
  [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

const where = (instance: GcpInstance) => `${instance.zone.split("/").at(-1)}/${instance.name}`;

async function fingerprintOf(api: GcpApi, name: string, zone = ZONE): Promise<string> {
  const fingerprint = (await api.getInstance(zone, name))?.tags.fingerprint;
  if (fingerprint === undefined) throw new Error(`no tags fingerprint on ${zone}/${name}`);
  return fingerprint;
}

export function describeGcpApiContract(implementation: GcpApiImplementation): void {
  describe(`GcpApi contract: ${implementation.name}`, () => {
    let world: GcpApiWorld | undefined;
    const arrange = async (options: WorldOptions = {}): Promise<GcpApiWorld> => {
      world = await implementation.arrange(PROJECT, options);
      return world;
    };
    afterEach(async () => {
      await world?.stop();
      world = undefined;
    });
    const declared = [
      implementation.cannotArrange,
      implementation.cannotHoldUnmodelable,
      implementation.cannotCheckRuleLimits,
      ...Object.values(implementation.cannotHold ?? {}),
    ];
    const notRun = new NotRun(implementation.name, declared);
    const cases: Cases = { implementation, arrange, skip: implementation.cannotArrange, notRun };
    describeInstances(cases);
    describeTags(cases);
    describeFirewalls(cases);
    describeLimitsAndThrottling(cases);
    describeServerErrors(cases);
    describeProjectReads(cases);
    describeTargetedReads(cases);
    describeRecordedReads(implementation, notRun);
    notRun.report();
  });
}

interface Cases {
  readonly implementation: GcpApiImplementation;
  readonly arrange: (options?: WorldOptions) => Promise<GcpApiWorld>;
  /** Why this implementation runs none of the arranged cases. */
  readonly skip: string | undefined;
  readonly notRun: NotRun;
}

function describeInstances({ implementation, arrange, skip, notRun }: Cases): void {
  notRun.group("instances", () => {
    notRun.case(skip, "lists every instance of every zone, over pages, in the REST shape", async () => {
      const { api, addInstance } = await arrange();
      addInstance({
        zone: ZONE,
        name: "web-1",
        networkIP: "10.3.0.11",
        natIP: "34.0.0.11",
        tags: ["legacy"],
      });
      addInstance({ zone: ZONE, name: "web-2", networkIP: "10.3.0.12", labels: {} });
      addInstance({ zone: "europe-west1-b", name: "web-1", networkIP: "10.3.0.13" });
      addInstance({ zone: "europe-west1-b", name: "api-1", networkIP: "10.3.0.14" });
      addInstance({ zone: "asia-east1-a", name: "db-1", networkIP: "10.3.0.15" });

      const instances = await api.listInstances();

      expect(instances.map(where).sort()).toEqual([
        "asia-east1-a/db-1",
        "europe-west1-b/api-1",
        "europe-west1-b/web-1",
        "us-central1-a/web-1",
        "us-central1-a/web-2",
      ]);
      const find = (name: string) => instances.find((instance) => where(instance) === `${ZONE}/${name}`);
      expect(find("web-1")).toStrictEqual({
        id: expect.stringMatching(/^\d+$/),
        name: "web-1",
        zone: ZONE_URL,
        status: "RUNNING",
        labels: { "seg-app": "shop" },
        labelFingerprint: expect.any(String),
        tags: { items: ["legacy"], fingerprint: expect.any(String) },
        networkInterfaces: [
          {
            name: "nic0",
            network: NETWORK_URL,
            networkIP: "10.3.0.11",
            accessConfigs: [{ name: "External NAT", type: "ONE_TO_ONE_NAT", natIP: "34.0.0.11" }],
          },
        ],
        selfLink: `${ZONE_URL}/instances/web-1`,
      });
      // Compute leaves out empty lists and maps, but always returns the fingerprints.
      expect(find("web-2")).not.toHaveProperty("labels");
      expect(find("web-2")?.tags).toStrictEqual({ fingerprint: expect.any(String) });
      expect(find("web-2")?.networkInterfaces[0]).not.toHaveProperty("accessConfigs");
      expect(new Set(instances.map((instance) => instance.id)).size).toBe(instances.length);
      expect(api.takeUnreadable()).toEqual([]);
    });

    notRun.case(
      skip,
      "is the port of its one project, which lists nothing before it has instances",
      async () => {
        const { api } = await arrange();
        expect(api.project).toBe(PROJECT);
        expect(await api.listInstances()).toEqual([]);
      },
    );

    notRun.case(skip, "gets one instance by zone name or zone URL, as it is listed", async () => {
      const { api, addInstance } = await arrange();
      addInstance({ zone: ZONE, name: "web-1", networkIP: "10.3.0.11" });
      const [listedInstance] = await api.listInstances();

      expect(await api.getInstance(ZONE, "web-1")).toStrictEqual(listedInstance);
      expect(await api.getInstance(ZONE_URL, "web-1")).toStrictEqual(listedInstance);
    });

    notRun.case(
      skip,
      "gets undefined for an instance that does not exist, in that zone or at all",
      async () => {
        const { api, addInstance } = await arrange();
        addInstance({ zone: ZONE, name: "web-1", networkIP: "10.3.0.11" });

        expect(await api.getInstance(ZONE, "ghost")).toBeUndefined();
        expect(await api.getInstance("europe-west1-b", "web-1")).toBeUndefined();
      },
    );

    notRun.case(
      skip ?? implementation.cannotHoldUnmodelable,
      "leaves out an instance segsync cannot model, reported once by takeUnreadable",
      async () => {
        const { api, addInstance, addUnmodelableInstance } = await arrange();
        addInstance({ zone: ZONE, name: "web-1", networkIP: "10.3.0.11" });
        addUnmodelableInstance?.(ZONE, "odd-1");

        expect((await api.listInstances()).map((instance) => instance.name)).toEqual(["web-1"]);
        const [finding, ...more] = api.takeUnreadable();
        expect(more).toEqual([]);
        expect(finding).toMatchObject({ severity: "warning", subject: `instance ${PROJECT}/${ZONE}/odd-1` });
        expect(api.takeUnreadable()).toEqual([]);
      },
    );
  });
}

function describeTags({ arrange, skip, notRun }: Cases): void {
  notRun.group("setTags", () => {
    notRun.case(
      skip,
      "carries segsync's tags whole: 63 characters, a seal tag among a customer's",
      async () => {
        const { api, addInstance } = await arrange();
        addInstance({ zone: ZONE, name: "web-1", networkIP: "10.3.0.11", tags: ["legacy"] });
        const items = ["legacy", `segsync-seal-${"a".repeat(50)}`, `segsync-${"b".repeat(55)}`];

        await api.setTags(ZONE, "web-1", items, await fingerprintOf(api, "web-1"));

        expect((await api.listInstances())[0]?.tags.items).toEqual(items);
      },
    );

    notRun.case(skip, "replaces the items, in their order, under a new fingerprint", async () => {
      const { api, addInstance } = await arrange();
      addInstance({ zone: ZONE, name: "web-1", networkIP: "10.3.0.11", tags: ["legacy"] });
      const before = await api.getInstance(ZONE, "web-1");

      await api.setTags(ZONE, "web-1", ["segsync-web", "legacy"], before?.tags.fingerprint ?? "");

      const after = await api.getInstance(ZONE, "web-1");
      expect(after?.tags.items).toEqual(["segsync-web", "legacy"]);
      expect(after?.tags.fingerprint).toEqual(expect.any(String));
      expect(after?.tags.fingerprint).not.toBe(before?.tags.fingerprint);
      expect({ ...after, tags: undefined }).toStrictEqual({ ...before, tags: undefined });
    });

    notRun.case(skip, "takes a zone URL, and no items leaves the instance without tags", async () => {
      const { api, addInstance } = await arrange();
      addInstance({ zone: ZONE, name: "web-1", networkIP: "10.3.0.11", tags: ["legacy"] });

      await api.setTags(ZONE_URL, "web-1", [], await fingerprintOf(api, "web-1"));

      expect((await api.getInstance(ZONE, "web-1"))?.tags).toStrictEqual({ fingerprint: expect.any(String) });
    });

    notRun.case(
      skip,
      "refuses a stale fingerprint with GcpConflictError (412), changing nothing",
      async () => {
        const { api, addInstance } = await arrange();
        addInstance({ zone: ZONE, name: "web-1", networkIP: "10.3.0.11", tags: ["legacy"] });
        const stale = await fingerprintOf(api, "web-1");
        await api.setTags(ZONE, "web-1", ["segsync-a"], stale);

        await expectFailure(
          api.setTags(ZONE, "web-1", ["segsync-b"], stale),
          GcpConflictError,
          "conditionNotMet",
          412,
        );

        expect((await api.getInstance(ZONE, "web-1"))?.tags.items).toEqual(["segsync-a"]);
      },
    );

    notRun.case(skip, "fails with GcpNotFoundError (404) on an instance that does not exist", async () => {
      const { api } = await arrange();
      await expectFailure(
        api.setTags(ZONE, "ghost", ["segsync-a"], "AAAAAAAAAAA="),
        GcpNotFoundError,
        "notFound",
        404,
      );
    });
  });
}

function describeFirewalls({ arrange, skip, notRun }: Cases): void {
  notRun.group("firewall rules", () => {
    notRun.case(
      skip,
      "inserts a rule that lists back as it was written, with id, selfLink and disabled",
      async () => {
        const { api } = await arrange();

        await api.insertFirewall(rule("segsync-web-allow"));

        expect(await api.listFirewalls()).toStrictEqual([listed(rule("segsync-web-allow"))]);
      },
    );

    notRun.case(skip, "lists back every shape of rule segsync writes as written, markers whole", async () => {
      const { api } = await arrange();
      // As materialize.ts writes them: by source tags, by IPv4 or IPv6 ranges, and the deny-alls,
      // at ingress and at egress;
      // a description of Compute's 2,048 characters.
      const description = `segsync:managed ${"s".repeat(40)} ${"x".repeat(2048)}`.slice(0, 2048);
      const denyAll = {
        priority: 910,
        sourceTags: undefined,
        allowed: undefined,
        denied: [{ IPProtocol: "all" }],
      };
      const shapes = [
        rule("segsync-web-t0", { description, sourceRanges: undefined }),
        rule("segsync-web-r4-0", { sourceTags: undefined, sourceRanges: ["10.3.0.0/24", "192.0.2.7/32"] }),
        rule("segsync-web-r6-0", { sourceTags: undefined, sourceRanges: ["2001:db8::/48"] }),
        rule("segsync-web-deny", { ...denyAll, sourceRanges: ["0.0.0.0/0"] }),
        rule("segsync-web-deny6", { ...denyAll, sourceRanges: ["::/0"] }),
        // Enforced egress (v2): to exact destination ranges, the API VIPs, the deny-alls egress.
        ...[
          ["segsync-web-eabcdef-r4-0", { destinationRanges: ["10.3.0.21/32", "198.51.100.0/24"] }],
          ["segsync-web-eplatform-0", { destinationRanges: ["199.36.153.4/30", "199.36.153.8/30"] }],
          ["segsync-web-edeny", { ...denyAll, destinationRanges: ["0.0.0.0/0"] }],
          ["segsync-web-edeny6", { ...denyAll, destinationRanges: ["::/0"] }],
        ].map(([name, fields]) =>
          rule(name as string, {
            direction: "EGRESS",
            sourceTags: undefined,
            sourceRanges: undefined,
            ...(fields as Partial<GcpFirewall>),
          }),
        ),
      ].map((firewall) => JSON.parse(JSON.stringify(firewall)) as GcpFirewall);
      for (const shape of shapes) await api.insertFirewall(shape);

      expect(byName(await api.listFirewalls())).toStrictEqual(byName(shapes).map(listed));
    });

    notRun.case(skip, "lists a customer's disabled rule as disabled", async () => {
      const { api, addFirewall } = await arrange();
      const disabled = rule("customer-off", { description: "not segsync's", disabled: true });
      addFirewall(disabled);

      expect(await api.listFirewalls()).toStrictEqual([listed(disabled)]);
    });

    notRun.case(
      skip,
      "lists every rule of the project, over pages, customers' rules and segsync's",
      async () => {
        const { api, addFirewall } = await arrange();
        const customers = ["customer-a", "customer-b", "customer-c"].map((name) =>
          rule(name, {
            priority: 1000,
            description: "not segsync's",
            sourceTags: undefined,
            targetTags: undefined,
          }),
        );
        for (const customer of customers) addFirewall(customer);
        await api.insertFirewall(rule("segsync-web-allow"));
        await api.insertFirewall(
          rule("segsync-web-deny", { priority: 910, allowed: undefined, denied: [{ IPProtocol: "all" }] }),
        );

        const rules = await api.listFirewalls();

        expect(byName(rules)).toStrictEqual(
          [
            ...customers,
            rule("segsync-web-allow"),
            rule("segsync-web-deny", { priority: 910, allowed: undefined, denied: [{ IPProtocol: "all" }] }),
          ].map((firewall) => listed(JSON.parse(JSON.stringify(firewall)) as GcpFirewall)),
        );
        expect(new Set(rules.map((firewall) => firewall.id)).size).toBe(rules.length);
      },
    );

    notRun.case(skip, "patchFirewall replaces every field but name, id and selfLink", async () => {
      const { api } = await arrange();
      await api.insertFirewall(rule("segsync-web-allow"));
      const [before] = await api.listFirewalls();
      const {
        sourceTags: _tags,
        description: _description,
        ...narrower
      } = rule("segsync-web-allow", {
        priority: 905,
        allowed: [{ IPProtocol: "tcp", ports: ["443"] }],
      });

      await api.patchFirewall(narrower);

      const [after] = await api.listFirewalls();
      expect(after).toStrictEqual({ ...listed(narrower), id: before?.id });
      expect(after).not.toHaveProperty("sourceTags");
      expect(after).not.toHaveProperty("description");
    });

    notRun.case(
      skip,
      "patchFirewall refuses to move a rule to another network (400), changing nothing",
      async () => {
        const { api } = await arrange();
        await api.insertFirewall(rule("segsync-web-allow"));
        const before = await api.listFirewalls();

        await expectFailure(
          api.patchFirewall(rule("segsync-web-allow", { network: networkUrl(PROJECT, "default") })),
          GcpInvalidRequestError,
          "invalid",
          400,
        );

        expect(await api.listFirewalls()).toStrictEqual(before);
      },
    );

    notRun.case(
      skip,
      "refuses a second rule of the same name with GcpAlreadyExistsError (409), keeping the first",
      async () => {
        const { api } = await arrange({ defaultNetwork: true });
        await api.insertFirewall(rule("segsync-web-allow"));

        const error = await expectFailure(
          api.insertFirewall(rule("segsync-web-allow", { priority: 901 })),
          GcpAlreadyExistsError,
          "alreadyExists",
          409,
        );

        expect(error.message).toContain(`projects/${PROJECT}/global/firewalls/segsync-web-allow`);
        // Names are unique in the project, not in the network (docs/clouds.md, "GCP firewall rule limits").
        await expectFailure(
          api.insertFirewall(rule("segsync-web-allow", { network: networkUrl(PROJECT, "default") })),
          GcpAlreadyExistsError,
          "alreadyExists",
          409,
        );
        const owned = (await api.listFirewalls()).filter((firewall) => firewall.name.startsWith("segsync-"));
        expect(owned).toStrictEqual([listed(rule("segsync-web-allow"))]);
      },
    );

    notRun.case(
      skip,
      "deletes a rule; deleting or patching a missing one is GcpNotFoundError (404)",
      async () => {
        const { api } = await arrange();
        await api.insertFirewall(rule("segsync-web-allow"));

        await api.deleteFirewall("segsync-web-allow");

        expect(await api.listFirewalls()).toEqual([]);
        await expectFailure(api.deleteFirewall("segsync-web-allow"), GcpNotFoundError, "notFound", 404);
        await expectFailure(api.patchFirewall(rule("segsync-web-allow")), GcpNotFoundError, "notFound", 404);
        expect(await api.listFirewalls()).toEqual([]);
      },
    );

    notRun.case(skip, "holds the default network's pre-populated rules as Compute creates them", async () => {
      const { api } = await arrange({ defaultNetwork: true });
      const network = networkUrl(PROJECT, "default");
      const base = { network, priority: 65534, direction: "INGRESS" as const };

      const rules = byName(await api.listFirewalls());

      // As recorded from Compute (test/fixtures/gcp/compute/gcpdiag-gce1-effective-firewalls.json).
      expect(rules).toStrictEqual(
        [
          {
            ...base,
            name: "default-allow-icmp",
            description: "Allow ICMP from anywhere",
            sourceRanges: ["0.0.0.0/0"],
            allowed: [{ IPProtocol: "icmp" }],
          },
          {
            ...base,
            name: "default-allow-internal",
            description: "Allow internal traffic on the default network",
            sourceRanges: ["10.128.0.0/9"],
            allowed: [
              { IPProtocol: "tcp", ports: ["0-65535"] },
              { IPProtocol: "udp", ports: ["0-65535"] },
              { IPProtocol: "icmp" },
            ],
          },
          {
            ...base,
            name: "default-allow-rdp",
            description: "Allow RDP from anywhere",
            sourceRanges: ["0.0.0.0/0"],
            allowed: [{ IPProtocol: "tcp", ports: ["3389"] }],
          },
          {
            ...base,
            name: "default-allow-ssh",
            description: "Allow SSH from anywhere",
            sourceRanges: ["0.0.0.0/0"],
            allowed: [{ IPProtocol: "tcp", ports: ["22"] }],
          },
        ].map(listed),
      );
      await api.deleteFirewall("default-allow-rdp");
      expect((await api.listFirewalls()).map((firewall) => firewall.name)).not.toContain("default-allow-rdp");
    });
  });
}

function describeLimitsAndThrottling({ implementation, arrange, skip, notRun }: Cases): void {
  notRun.group("invalid requests, quotas and throttling", () => {
    notRun.case(
      skip,
      "refuses a bad rule name or network tag with GcpInvalidRequestError (400 invalid), changing nothing",
      async () => {
        const { api, addInstance } = await arrange();
        addInstance({ zone: ZONE, name: "web-1", networkIP: "10.3.0.11", tags: ["legacy"] });
        const fingerprint = await fingerprintOf(api, "web-1");

        for (const name of ["Segsync-web", "segsync_web", "segsync-", "1segsync", "s".repeat(64)]) {
          await expectFailure(api.insertFirewall(rule(name)), GcpInvalidRequestError, "invalid", 400);
        }
        for (const tag of ["Web", "web_1", "web-", "t".repeat(64)]) {
          await expectFailure(
            api.setTags(ZONE, "web-1", [tag], fingerprint),
            GcpInvalidRequestError,
            "invalid",
            400,
          );
        }

        expect(await api.listFirewalls()).toEqual([]);
        expect((await api.getInstance(ZONE, "web-1"))?.tags).toStrictEqual({
          items: ["legacy"],
          fingerprint,
        });
      },
    );

    notRun.case(
      skip ?? implementation.cannotCheckRuleLimits,
      "refuses a rule over the per-rule limit of source ranges with GcpQuotaExceededError, adding nothing",
      async () => {
        const { api } = await arrange();
        const ranges = (count: number) =>
          Array.from(
            { length: count },
            (_, index) => `10.${9 + Math.floor(index / 256)}.${index % 256}.0/24`,
          );

        await api.insertFirewall(
          rule("segsync-web-r4-0", { sourceTags: undefined, sourceRanges: ranges(256) }),
        );
        await expectFailure(
          api.insertFirewall(rule("segsync-web-r4-1", { sourceTags: undefined, sourceRanges: ranges(257) })),
          GcpQuotaExceededError,
          "limitExceeded",
          400,
        );

        expect((await api.listFirewalls()).map((firewall) => firewall.name)).toEqual(["segsync-web-r4-0"]);
      },
    );

    notRun.case(
      skip,
      "refuses a rule beyond the project's firewall quota with QUOTA_EXCEEDED, adding nothing",
      async () => {
        const { api, addFirewall } = await arrange({ firewallRulesQuota: 2 });
        addFirewall(rule("customer-a", { sourceTags: undefined, targetTags: undefined }));
        await api.insertFirewall(rule("segsync-1"));

        const error = await expectFailure(
          api.insertFirewall(rule("segsync-2")),
          GcpQuotaExceededError,
          "QUOTA_EXCEEDED",
          403,
        );

        expect(error.message).toContain("Quota 'FIREWALLS' exceeded. Limit: 2.0 globally.");
        expect(byName(await api.listFirewalls()).map((firewall) => firewall.name)).toEqual([
          "customer-a",
          "segsync-1",
        ]);
        await api.deleteFirewall("segsync-1");
        await api.insertFirewall(rule("segsync-2"));
      },
    );

    notRun.case(
      skip,
      "fails a call throttled beyond its retries with GcpThrottledError (403 rateLimitExceeded), writing nothing",
      async () => {
        const { api, fail, addInstance } = await arrange();
        addInstance({ zone: ZONE, name: "web-1", networkIP: "10.3.0.11" });
        const fingerprint = await fingerprintOf(api, "web-1");

        fail("throttled");
        await expectFailure(
          api.insertFirewall(rule("segsync-web-allow")),
          GcpThrottledError,
          "rateLimitExceeded",
          403,
        );
        await expectFailure(
          api.setTags(ZONE, "web-1", ["segsync-web"], fingerprint),
          GcpThrottledError,
          "rateLimitExceeded",
          403,
        );
        await expectFailure(api.listFirewalls(), GcpThrottledError, "rateLimitExceeded", 403);
        fail(undefined);

        expect(await api.listFirewalls()).toEqual([]);
        expect(await api.getInstance(ZONE, "web-1")).toMatchObject({ tags: { fingerprint } });
      },
    );
  });
}

/** A 5xx as every implementation reports it: GcpApiError itself, for the caller to retry later. */
async function expectServerError(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(GcpApiError);
  const failure = error as GcpApiError;
  expect(failure.constructor).toBe(GcpApiError);
  expect([
    { code: "internalError", status: 500 },
    { code: "backendError", status: 503 },
  ]).toContainEqual({ code: failure.code, status: failure.status });
  expect(failure.cause).toBeDefined();
}

function describeServerErrors({ arrange, skip, notRun }: Cases): void {
  notRun.group("server errors", () => {
    notRun.case(
      skip,
      "fails a call with a 5xx as GcpApiError (500 internalError or 503 backendError), writing nothing",
      async () => {
        const { api, fail, addInstance } = await arrange();
        addInstance({ zone: ZONE, name: "web-1", networkIP: "10.3.0.11" });
        const fingerprint = await fingerprintOf(api, "web-1");

        fail("serverError");
        await expectServerError(api.insertFirewall(rule("segsync-web-allow")));
        await expectServerError(api.setTags(ZONE, "web-1", ["segsync-web"], fingerprint));
        // A read that gax does not retry itself: it retries a paged listing's 503 for seconds.
        await expectServerError(api.getInstance(ZONE, "web-1"));
        fail(undefined);

        expect(await api.listFirewalls()).toEqual([]);
        expect(await api.getInstance(ZONE, "web-1")).toMatchObject({ tags: { fingerprint } });
      },
    );

    notRun.case(
      skip,
      "a write whose response was lost took effect: its retry meets what it did",
      async () => {
        const { api, fail, addInstance } = await arrange();
        addInstance({ zone: ZONE, name: "web-1", networkIP: "10.3.0.11" });
        const fingerprint = await fingerprintOf(api, "web-1");

        fail("lostResponse");
        await expectServerError(api.insertFirewall(rule("segsync-web-allow")));
        await expectServerError(api.setTags(ZONE, "web-1", ["segsync-web"], fingerprint));
        fail(undefined);

        expect(await api.listFirewalls()).toStrictEqual([listed(rule("segsync-web-allow"))]);
        expect((await api.getInstance(ZONE, "web-1"))?.tags.items).toEqual(["segsync-web"]);
        await expectFailure(
          api.insertFirewall(rule("segsync-web-allow")),
          GcpAlreadyExistsError,
          "alreadyExists",
          409,
        );
        await expectFailure(
          api.setTags(ZONE, "web-1", ["segsync-web"], fingerprint),
          GcpConflictError,
          "conditionNotMet",
          412,
        );
        fail("lostResponse");
        await expectServerError(api.deleteFirewall("segsync-web-allow"));
        fail(undefined);
        await expectFailure(api.deleteFirewall("segsync-web-allow"), GcpNotFoundError, "notFound", 404);
      },
    );
  });
}

function describeProjectReads({ arrange, skip, notRun }: Cases): void {
  notRun.group("subnetworks and Shared VPC", () => {
    notRun.case(skip, "lists each subnetwork with its network's URL and its range", async () => {
      const { api, addSubnetwork } = await arrange();
      expect(await api.listSubnetworks()).toEqual([]);
      addSubnetwork(NETWORK, "10.3.0.0/20");

      const subnetworks = await api.listSubnetworks();

      expect(subnetworks.map(({ network, ipCidrRange }) => ({ network, ipCidrRange }))).toEqual([
        { network: NETWORK_URL, ipCidrRange: "10.3.0.0/20" },
      ]);
      expect(subnetworks[0]?.name).toMatch(/^[a-z][-a-z0-9]*$/);
    });

    notRun.case(
      skip,
      "names the service projects of a Shared VPC host, over pages, and none for a host without any or a project that is no host",
      async () => {
        const host = await arrange({ serviceProjects: ["svc-c", "svc-b", "svc-a"] });
        expect([...(await host.api.getXpnResources())].sort()).toEqual(["svc-a", "svc-b", "svc-c"]);
        await host.stop();

        const empty = await arrange({ serviceProjects: [] });
        expect(await empty.api.getXpnResources()).toEqual([]);
        await empty.stop();

        const alone = await arrange();
        expect(await alone.api.getXpnResources()).toEqual([]);
      },
    );

    notRun.case(
      skip,
      "names the host of a Shared VPC service project, and undefined for one attached to none",
      async () => {
        const service = await arrange({ xpnHost: "host-project" });
        expect(await service.api.getXpnHost()).toBe("host-project");
        await service.stop();

        const alone = await arrange();
        expect(await alone.api.getXpnHost()).toBeUndefined();
      },
    );
  });
}

/** The reads of a change alone (lib/clouds/gcp/discover-change.ts): by name stem, by name, the quota. */
function describeTargetedReads({ arrange, skip, notRun }: Cases): void {
  notRun.group("targeted reads", () => {
    notRun.case(skip, "lists the rules of its name stems and names, over pages, and no others", async () => {
      const { api, addFirewall } = await arrange();
      const names = [
        "segsync-abc-d0e1f2-x1y2z3-t0",
        "segsync-abc-d0e1f2-x1y2z3-r4-0",
        "segsync-abc-d0e1f2-deny",
        "segsync-abc-d0e1f2-deny6",
        "segsync-xyz-d0e1f2-deny",
        "segsync-abcd-d0e1f2-deny",
        "segsync-abc-d0e1f3-deny",
        "segsync-ab-d0e1f2-deny",
        "segsync-xyz-d0e1f2-deny6",
        "legacy-abc-d0e1f2-deny",
      ];
      for (const name of names) addFirewall(rule(name));

      const found = await api.listFirewallsNamed({
        stems: ["segsync-abc-d0e1f2-"],
        names: ["segsync-xyz-d0e1f2-deny", "segsync-abc-d0e1f2-deny", "segsync-nope-d0e1f2-deny"],
      });

      expect(byName(found)).toEqual(byName(names.slice(0, 5).map((name) => listed(rule(name)))));
      expect(await api.listFirewallsNamed({ stems: ["segsync-zzz-d0e1f2-"], names: [] })).toEqual([]);
      expect(await api.listFirewallsNamed({ stems: [], names: [] })).toEqual([]);
    });

    notRun.case(skip, "refuses a stem or a name that is none", async () => {
      const { api } = await arrange();
      const selections = [
        { stems: ["segsync-abc"], names: [] },
        { stems: ["segsync-.*-"], names: [] },
        { stems: [], names: ["segsync-abc|legacy"] },
        { stems: [], names: [""] },
      ];
      for (const selection of selections) {
        const error = await api.listFirewallsNamed(selection).then(
          () => undefined,
          (failure: unknown) => failure,
        );
        expect(error, JSON.stringify(selection)).toBeInstanceOf(GcpInvalidRequestError);
      }
    });

    notRun.case(skip, "reads the firewall quota and its usage: every rule of the project", async () => {
      const { api, addFirewall } = await arrange({ firewallRulesQuota: 5 });
      addFirewall(rule("legacy-web-8080", { description: "a customer's rule" }));
      addFirewall(rule("segsync-abc-d0e1f2-deny"));
      expect(await api.getFirewallQuota()).toEqual({ limit: 5, usage: 2 });

      await api.insertFirewall(rule("segsync-abc-d0e1f2-deny6"));
      await api.deleteFirewall("legacy-web-8080");
      await api.insertFirewall(rule("segsync-abd-d0e1f2-deny"));

      expect(await api.getFirewallQuota()).toEqual({ limit: 5, usage: 3 });
    });
  });
}
