import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { OAuth2Client } from "google-auth-library";
import { afterEach, describe, expect, it } from "vitest";
import { discoverGcp } from "../../../lib/clouds/gcp/discover.js";
import { GcpAccessError, GcpApiError } from "../../../lib/clouds/gcp/errors.js";
import { GcpEventError } from "../../../lib/clouds/gcp/ingest/errors.js";
import {
  GCP_IGNORED_CODES,
  type GcpIgnoredCode,
  type GcpPushResult,
  gcpIgnoredCode,
  parseGcpPush,
} from "../../../lib/clouds/gcp/ingest/events.js";
import type { GcpFirewall } from "../../../lib/clouds/gcp/model.js";
import { createSdkGcpApiFactory } from "../../../lib/clouds/gcp/sdk/api.js";
import type { WorkloadEvent } from "../../../lib/ingest/workload-event.js";
import {
  type RecordedCompute,
  type RecordedRoutes,
  startRecordedCompute,
} from "../../support/compute-recorded.js";
import { GCP_OWNERSHIP } from "../../support/seals.js";

/**
 * Recorded Compute bodies and Cloud Audit Log entries (test/fixtures/gcp, sources in SOURCES.md)
 * through the real @google-cloud/compute client, SdkGcpApi, discoverGcp and the events parser.
 * Where a test changes a recorded object, it says what and why.
 */

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), "../../fixtures/gcp");
const COMPUTE = "https://www.googleapis.com/compute/v1";

type Json = Record<string, unknown>;

function fixture<T = Json>(path: string): T {
  return JSON.parse(readFileSync(resolve(FIXTURES, path), "utf8")) as T;
}

// ---------------------------------------------------------------------------------------------
// Compute REST bodies

/** forseti: project1, one instance in us-central1-c, four default rules over two pages. */
const FORSETI = "project1";
/** gcpdiag gce1: six instances in two zones of europe-west4, the default network's rules. */
const GCPDIAG = "gcpdiag-gce1-aaaa";

let server: RecordedCompute | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

function authClient(): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: "ya29.test-token-not-real", expiry_date: Date.now() + 3_600_000 });
  return client;
}

/** SdkGcpApi of `project`, its client talking to a server that answers `routes`. */
async function sdkApi(project: string, routes: RecordedRoutes) {
  server = await startRecordedCompute(routes);
  return createSdkGcpApiFactory({
    apiEndpoint: "127.0.0.1",
    port: server.port,
    protocol: "http",
    authClient: authClient(),
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    operations: { pollIntervalMs: 1 },
  })(project);
}

const path = (project: string, rest: string) => `/compute/v1/projects/${project}/${rest}`;
const aggregated = (project: string) => `GET ${path(project, "aggregated/instances")}`;
const firewalls = (project: string) => `GET ${path(project, "global/firewalls")}`;

/** gcpdiag's aggregated list; `change` edits a copy (each test says why). */
function gce1Instances(change?: (items: Record<string, Json & { instances?: Json[] }>) => void): Json {
  const body = fixture("compute/gcpdiag-gce1-instances-aggregated.json");
  change?.(body.items as Record<string, Json & { instances?: Json[] }>);
  return body;
}

/** The first NIC of a recorded instance of europe-west4-a, to mangle. */
function firstNic(items: Record<string, Json & { instances?: Json[] }>, name: string): Json {
  const instance = items["zones/europe-west4-a"]?.instances?.find((candidate) => candidate.name === name);
  const nic = (instance?.networkInterfaces as Json[] | undefined)?.[0];
  if (nic === undefined) throw new Error(`no recorded instance ${name} with a NIC`);
  return nic;
}

/**
 * gcpdiag recorded the rules as instances.getEffectiveFirewalls returns them (Firewall
 * resources); firewalls.list returns the same resources in `items`.
 */
function gce1Firewalls(change?: (rules: Json[]) => void): Json {
  const rules = fixture<{ firewalls: Json[] }>("compute/gcpdiag-gce1-effective-firewalls.json").firewalls;
  change?.(rules);
  return { kind: "compute#firewallList", id: `projects/${GCPDIAG}/global/firewalls`, items: rules };
}

const GCE1_NETWORK = `${COMPUTE}/projects/${GCPDIAG}/global/networks/default`;

describe("Compute REST bodies through the SDK and SdkGcpApi", () => {
  it("maps forseti's aggregated list: an instance beside NO_RESULTS_ON_PAGE zones", async () => {
    const api = await sdkApi(FORSETI, {
      [aggregated(FORSETI)]: { body: fixture("compute/forseti-instances-aggregated-list.json") },
    });

    expect(await api.listInstances()).toStrictEqual([
      {
        id: "1234567890",
        name: "iap-ig-79bj",
        zone: `${COMPUTE}/projects/project1/zones/us-central1-c`,
        status: "RUNNING",
        tags: { items: ["iap-tag"], fingerprint: "gilEhx3hEXk=" },
        networkInterfaces: [
          {
            name: "nic0",
            network: `${COMPUTE}/projects/project1/global/networks/default1`,
            subnetwork: `${COMPUTE}/projects/project1/regions/us-central1/subnetworks/default1`,
            networkIP: "10.128.0.2",
            accessConfigs: [{ name: "External NAT", type: "ONE_TO_ONE_NAT", natIP: "104.198.131.130" }],
          },
        ],
        selfLink: `${COMPUTE}/projects/project1/zones/us-central1-c/instances/iap-ig-79bj`,
      },
    ]);
    expect(api.takeUnreadable()).toEqual([]);
  });

  it("refuses a listing with an UNREACHABLE zone rather than reading it as a zone without instances", async () => {
    // The recorded page, with one zone's warning turned into Compute's UNREACHABLE.
    const body = gce1Instances((items) => {
      items["zones/us-central1-a"] = {
        warning: {
          code: "UNREACHABLE",
          message: "There are no results for scope 'zones/us-central1-a' on this page.",
          data: [{ key: "scope", value: "zones/us-central1-a" }],
        },
      };
    });
    const api = await sdkApi(GCPDIAG, { [aggregated(GCPDIAG)]: { body } });

    const failure = await api.listInstances().catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(GcpApiError);
    expect(failure).toMatchObject({ code: "UNREACHABLE", status: 503 });
    expect((failure as Error).message).toContain("zones/us-central1-a is unreachable");
  });

  it("gets one instance as instances.get returns it", async () => {
    const [instance] =
      fixture<{ items: Record<string, { instances?: Json[] }> }>(
        "compute/forseti-instances-aggregated-list.json",
      ).items["zones/us-central1-c"]?.instances ?? [];
    const api = await sdkApi(FORSETI, {
      [`GET ${path(FORSETI, "zones/us-central1-c/instances/iap-ig-79bj")}`]: { body: instance },
    });

    const read = await api.getInstance("us-central1-c", "iap-ig-79bj");

    expect(read).toMatchObject({
      name: "iap-ig-79bj",
      zone: `${COMPUTE}/projects/project1/zones/us-central1-c`,
      tags: { items: ["iap-tag"], fingerprint: "gilEhx3hEXk=" },
    });
  });

  it("follows forseti's firewall pages, compute/beta network URLs as they are", async () => {
    const api = await sdkApi(FORSETI, {
      [firewalls(FORSETI)]: { body: fixture("compute/forseti-firewalls-list-page1.json") },
      [`${firewalls(FORSETI)}?pageToken=123`]: { body: fixture("compute/forseti-firewalls-list-page2.json") },
    });

    const rules = await api.listFirewalls();

    expect(rules.map((rule) => rule.name)).toEqual([
      "default-allow-icmp",
      "default-allow-rdp",
      "default-allow-ssh",
      "default-allow-internal",
    ]);
    expect(rules[3]).toStrictEqual({
      id: "12346",
      name: "default-allow-internal",
      network: "https://www.googleapis.com/compute/beta/projects/project1/global/networks/default1",
      priority: 1000,
      direction: "INGRESS",
      description: "Allow internal traffic on the default network.",
      sourceRanges: ["10.0.0.0/8"],
      allowed: [
        { IPProtocol: "udp", ports: ["1-65535"] },
        { IPProtocol: "tcp", ports: ["1-65535"] },
        { IPProtocol: "icmp" },
      ],
      selfLink:
        "https://www.googleapis.com/compute/beta/projects/project1/global/firewalls/default-allow-internal",
    });
    expect(server?.requests).toEqual([firewalls(FORSETI), `${firewalls(FORSETI)}?pageToken=123`]);
  });

  it("maps gcpdiag's rules: denied, tags, service accounts, egress; logConfig is not modelled", async () => {
    const api = await sdkApi(GCPDIAG, { [firewalls(GCPDIAG)]: { body: gce1Firewalls() } });

    const rules = await api.listFirewalls();

    expect(rules).toHaveLength(17);
    const byName = (name: string) => rules.find((rule) => rule.name === name);
    expect(byName("gce-secured-instance-test-deny")).toStrictEqual({
      id: "5745387556141642506",
      name: "gce-secured-instance-test-deny",
      network: GCE1_NETWORK,
      priority: 900,
      direction: "INGRESS",
      disabled: false,
      sourceRanges: ["0.0.0.0/0"],
      targetTags: ["secured-instance"],
      denied: [{ IPProtocol: "tcp", ports: ["22", "3389"] }],
      selfLink: `${COMPUTE}/projects/${GCPDIAG}/global/firewalls/gce-secured-instance-test-deny`,
    } satisfies GcpFirewall);
    expect(byName("fw-test-1050")).toMatchObject({
      direction: "EGRESS",
      destinationRanges: ["45.100.0.0/24"],
      sourceTags: ["foo"],
      allowed: [{ IPProtocol: "tcp", ports: ["1234", "1000-2000", "2033"] }],
    });
    expect(byName("fw-test-1065")?.targetServiceAccounts).toEqual([
      "service-12340002@compute-system.iam.gserviceaccount.com",
    ]);
    expect(byName("fw-test-1075")?.sourceServiceAccounts).toEqual([
      "service-12340002@compute-system.iam.gserviceaccount.com",
    ]);
    expect(byName("fw-test-950")?.denied).toEqual([{ IPProtocol: "all" }]);
  });

  it("keeps a disabled rule disabled", async () => {
    // No recording has `disabled: true`: one recorded rule with it set.
    const body = gce1Firewalls((rules) => {
      (rules.find((rule) => rule.name === "fw-test-925") as Json).disabled = true;
    });
    const api = await sdkApi(GCPDIAG, { [firewalls(GCPDIAG)]: { body } });

    const rule = (await api.listFirewalls()).find((candidate) => candidate.name === "fw-test-925");

    expect(rule).toMatchObject({ disabled: true, direction: "EGRESS", allowed: [{ IPProtocol: "all" }] });
  });

  it("waits for forseti's PENDING operation until gcpdiag's DONE one", async () => {
    const api = await sdkApi(FORSETI, {
      [`PUT ${path(FORSETI, "global/firewalls/default-allow-ssh")}`]: {
        body: fixture("compute/forseti-global-operation-pending.json"),
      },
      [`POST ${path(FORSETI, "global/operations/operation-1234/wait")}`]: {
        body: fixture("compute/gcpdiag-gce4-global-operation-done.json"),
      },
    });

    await api.patchFirewall({
      name: "default-allow-ssh",
      network: `${COMPUTE}/projects/project1/global/networks/default`,
      priority: 1000,
      direction: "INGRESS",
      sourceRanges: ["10.0.0.0/8"],
      allowed: [{ IPProtocol: "tcp", ports: ["22"] }],
    });

    expect(server?.requests).toEqual([
      `PUT ${path(FORSETI, "global/firewalls/default-allow-ssh")}`,
      `POST ${path(FORSETI, "global/operations/operation-1234/wait")}`,
    ]);
  });

  it.each([
    ["compute/forseti-error-403-forbidden.json", "forbidden", "Required 'compute.instances.list' permission"],
    [
      "compute/forseti-error-403-access-not-configured.json",
      "accessNotConfigured",
      "Compute Engine API has not been used in project 1111111",
    ],
  ])("maps the recorded 403 %s to GcpAccessError", async (file, code, message) => {
    const api = await sdkApi(FORSETI, { [aggregated(FORSETI)]: { status: 403, body: fixture(file) } });

    const failure = await api.listInstances().catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(GcpAccessError);
    expect(failure).toMatchObject({ code, status: 403 });
    expect((failure as Error).message).toContain(message);
  });
});

describe("objects segsync cannot model: left out and reported, the rest read", () => {
  it("leaves out an instance without a NIC address and a rule without a name", async () => {
    // Mangled copies of recorded objects: gce2's NIC loses networkIP, fw-test-925 its name.
    const instances = gce1Instances((items) => {
      delete firstNic(items, "gce2").networkIP;
    });
    const rules = gce1Firewalls((found) => {
      delete (found.find((rule) => rule.name === "fw-test-925") as Json).name;
    });
    const api = await sdkApi(GCPDIAG, {
      [aggregated(GCPDIAG)]: { body: instances },
      [firewalls(GCPDIAG)]: { body: rules },
    });

    const listed = await api.listInstances();
    const listedRules = await api.listFirewalls();

    expect(listed.map((instance) => instance.name)).toEqual([
      "gce1",
      "mig-bzvx",
      "gke-gke1-default-pool-35923fbc-2xxp",
      "mig-l40g",
      "gce1",
    ]);
    expect(listedRules).toHaveLength(16);
    expect(api.takeUnreadable()).toEqual([
      {
        code: "gcp-unreadable-object",
        severity: "warning",
        subject: `instance ${GCPDIAG}/europe-west4-a/gce2`,
        message: expect.stringContaining("the Compute API returned instance gce2 without a NIC networkIP"),
      },
      {
        code: "gcp-unreadable-object",
        severity: "warning",
        subject: `firewall rule ${GCPDIAG}/(no name)`,
        message: expect.stringContaining("the Compute API returned a firewall rule without a name"),
      },
    ]);
    expect(api.takeUnreadable()).toEqual([]);
  });
});

describe("discoverGcp over recorded bodies", () => {
  const LABELS = { tagPrefix: "", dimensions: ["foo", "gcpdiag-test"] };

  it("discovers the labelled instances of gcpdiag's project and every rule of their network", async () => {
    const api = await sdkApi(GCPDIAG, {
      [aggregated(GCPDIAG)]: { body: gce1Instances() },
      [firewalls(GCPDIAG)]: { body: gce1Firewalls() },
    });

    const discovery = await discoverGcp(api, LABELS, GCP_OWNERSHIP);

    expect(discovery.workloads).toEqual([
      {
        id: `gcp:${GCPDIAG}:europe-west4-a:gce1`,
        state: "running",
        nics: [{ id: "nic0", network: `gcp:${GCPDIAG}:default`, privateIp: "10.164.0.4" }],
        tags: { foo: "bar" },
      },
      {
        id: `gcp:${GCPDIAG}:europe-west4-a:mig-bzvx`,
        state: "running",
        nics: [{ id: "nic0", network: `gcp:${GCPDIAG}:default`, privateIp: "10.164.0.6" }],
        tags: { "gcpdiag-test": "mig" },
      },
    ]);
    expect(discovery.networks).toEqual([{ id: `gcp:${GCPDIAG}:default` }]);
    expect(discovery.state.firewalls).toHaveLength(17);
    expect(discovery.state).not.toHaveProperty("unlistedRules");
    expect(discovery.findings).toEqual([]);
  });

  it("reports an instance whose network is no network URL, and discovers the rest of the project", async () => {
    // gce1's NIC names its network by bare name, which no recorded instance does.
    const instances = gce1Instances((items) => {
      firstNic(items, "gce1").network = "default";
    });
    const api = await sdkApi(GCPDIAG, {
      [aggregated(GCPDIAG)]: { body: instances },
      [firewalls(GCPDIAG)]: { body: gce1Firewalls() },
    });

    const discovery = await discoverGcp(api, LABELS, GCP_OWNERSHIP);

    expect(discovery.workloads.map((workload) => workload.id)).toEqual([
      `gcp:${GCPDIAG}:europe-west4-a:mig-bzvx`,
    ]);
    expect(discovery.state.instances.map((instance) => instance.name)).toEqual(["mig-bzvx"]);
    expect(discovery.findings).toEqual([
      {
        code: "gcp-unreadable-object",
        severity: "warning",
        subject: `instance ${GCPDIAG}/europe-west4-a/gce1`,
        message: expect.stringContaining('networkInterfaces[0].network "default" is not a network URL'),
      },
    ]);
  });

  it("counts a rule whose network no network id can hold as unlisted, and discovers the rest", async () => {
    // fw-test-925 moved to the network of gcpdiag's gke2 project, whose 35-character placeholder id
    // is longer than any project id (30): the URL parses, but names no network segsync can identify.
    const rules = gce1Firewalls((found) => {
      (found.find((rule) => rule.name === "fw-test-925") as Json).network =
        `${COMPUTE}/projects/gcpdiag-gke-cluster-autoscaler-rrrr/global/networks/default`;
    });
    const api = await sdkApi(GCPDIAG, {
      [aggregated(GCPDIAG)]: { body: gce1Instances() },
      [firewalls(GCPDIAG)]: { body: rules },
    });

    const discovery = await discoverGcp(api, LABELS, GCP_OWNERSHIP);

    expect(discovery.workloads).toHaveLength(2);
    expect(discovery.state.firewalls.map((rule) => rule.name)).not.toContain("fw-test-925");
    expect(discovery.state.unlistedRules).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Cloud Audit Log entries

/** Google's push example carrying `entry`, as a log sink's Pub/Sub topic pushes it. */
function push(entry: Json): Json {
  const body = fixture<{ message: Json }>("pubsub/push-envelope.json");
  body.message.data = Buffer.from(JSON.stringify(entry)).toString("base64");
  body.message.attributes = { "logging.googleapis.com/timestamp": String(entry.timestamp) };
  return body;
}

const MESSAGE_ID = "2070443601311540";

function event(result: GcpPushResult): WorkloadEvent {
  if (result.kind !== "event") throw new Error(`ignored: ${result.reason}`);
  return result.event;
}

function ignoredCode(result: GcpPushResult): GcpIgnoredCode {
  if (result.kind !== "ignored") throw new Error(`an event: ${JSON.stringify(result.event)}`);
  return gcpIgnoredCode(result);
}

const entry = (file: string) => fixture(`audit/${file}`);

describe("recorded audit entries through parseGcpPush", () => {
  it.each([
    [
      "gcpdiag-stop-last-project-number.json",
      "gcp:gcpdiag-gce5-aaaa:us-central1-c:spot-vm-termination",
      { kind: "state", state: "stopped" },
      "2025-03-17T23:05:48.381630Z",
    ],
    [
      "license-tracker-bulkinsert-instance.json",
      "gcp:project-1:asia-southeast1-b:inst-0003",
      { kind: "resource", action: "created" },
      "2023-05-08T03:24:24.732468Z",
    ],
    [
      "license-tracker-setlabels-last.json",
      "gcp:project-1:asia-southeast1-b:instance-1",
      { kind: "tags" },
      undefined,
    ],
    // instances.update replaces the whole instance, labels and network tags included.
    [
      "license-tracker-beta-update-last.json",
      "gcp:project-1:asia-southeast1-b:instance-1",
      { kind: "resource", action: "updated" },
      "2023-04-24T04:36:39.347512Z",
    ],
    [
      "license-tracker-suspend-last.json",
      "gcp:project-1:us-central1-a:instance-1",
      { kind: "state", state: "stopped" },
      "2020-06-18T07:50:51.862Z",
    ],
    [
      "license-tracker-resume-last.json",
      "gcp:project-1:us-central1-a:instance-1",
      { kind: "state", state: "running" },
      "2020-06-18T07:57:03.406Z",
    ],
  ])("turns %s into an event", (file, workloadId, change, time) => {
    const recorded = entry(file);

    expect(event(parseGcpPush(push(recorded)))).toEqual({
      cloud: "gcp",
      eventId: MESSAGE_ID,
      time: time ?? recorded.timestamp,
      workloadId,
      change,
    });
  });

  it.each([
    ["gcpdiag-stop-first-project-number.json", "not-last-entry"],
    ["gcpdiag-insert-last-failed-project-number.json", "failed-call"],
    ["gcpdiag-insert-permission-denied.json", "failed-call"],
    ["license-tracker-bulkinsert-first-summary.json", "bulk-insert-summary"],
    ["license-tracker-insert-first.json", "not-last-entry"],
    ["license-tracker-insert-first-project-id-number.json", "not-last-entry"],
    ["license-tracker-insert-last-failed.json", "failed-call"],
    ["license-tracker-beta-insert-first.json", "not-last-entry"],
    ["license-tracker-delete-first-project-number.json", "not-last-entry"],
    ["license-tracker-delete-last-failed.json", "failed-call"],
    ["license-tracker-start-first.json", "not-last-entry"],
    ["license-tracker-beta-stop-first.json", "not-last-entry"],
    ["license-tracker-setlabels-failed.json", "failed-call"],
    ["shared-stop-first.json", "not-last-entry"],
  ] as const)("acknowledges and ignores %s (%s)", (file, code) => {
    expect(ignoredCode(parseGcpPush(push(entry(file))))).toBe(code);
  });

  it("names the project by its id when resourceName names it by number", () => {
    const result = parseGcpPush(push(entry("license-tracker-delete-first-project-number.json")));

    expect(result).toEqual({
      kind: "ignored",
      reason: expect.stringMatching(
        /^not-last-entry: v1\.compute\.instances\.delete of gcp:project-1:us-central1-a:instance-1: /,
      ),
    });
  });

  it("ignores an entry that names its project only by number", () => {
    // The recorded last stop entry, its project id replaced by the number its resourceName uses.
    const recorded = entry("gcpdiag-stop-last-project-number.json") as Json & { resource: { labels: Json } };
    recorded.resource.labels.project_id = "123456012345";
    recorded.logName = "projects/123456012345/logs/cloudaudit.googleapis.com%2Factivity";

    const result = parseGcpPush(push(recorded));

    expect(ignoredCode(result)).toBe("project-number-only");
    expect(result.kind === "ignored" && result.reason).toContain(
      "projects/123456012345/zones/us-central1-c/instances/spot-vm-termination",
    );
  });

  it("still rejects an entry whose project ids disagree", () => {
    const recorded = entry("gcpdiag-stop-last-project-number.json") as Json & { resource: { labels: Json } };
    recorded.resource.labels.project_id = "someone-elses-project";

    const failure = (() => {
      try {
        return parseGcpPush(push(recorded));
      } catch (error) {
        return error;
      }
    })();

    expect(failure).toBeInstanceOf(GcpEventError);
    expect((failure as GcpEventError).issues).toEqual([
      "message.data[LogEntry].logName: is project gcpdiag-gce5-aaaa's log, but projects/123456012345/zones/us-central1-c/instances/spot-vm-termination names project 123456012345 by number, and resource.labels.project_id is someone-elses-project",
    ]);
  });

  describe("entries no recording was found for, derived from recorded ones", () => {
    it("counts a regionInstances.bulkInsert instance entry as a created instance, and ignores its request's entry", () => {
      // The zonal recordings, as the regional method's entries: the method name changes, and the
      // request's entry names the region's instances.
      const created = entry("license-tracker-bulkinsert-instance.json") as Json & { protoPayload: Json };
      created.protoPayload.methodName = "v1.compute.regionInstances.bulkInsert";
      const request = entry("license-tracker-bulkinsert-first-summary.json") as Json & { protoPayload: Json };
      request.protoPayload.methodName = "v1.compute.regionInstances.bulkInsert";
      request.protoPayload.resourceName = "projects/project-1/regions/asia-southeast1/instances";

      expect(event(parseGcpPush(push(created)))).toMatchObject({
        workloadId: "gcp:project-1:asia-southeast1-b:inst-0003",
        change: { kind: "resource", action: "created" },
      });
      expect(ignoredCode(parseGcpPush(push(request)))).toBe("bulk-insert-summary");
    });

    it("turns a setTags last entry into an update", () => {
      const recorded = entry("license-tracker-setlabels-last.json") as Json & { protoPayload: Json };
      recorded.protoPayload.methodName = "v1.compute.instances.setTags";

      expect(event(parseGcpPush(push(recorded))).change).toEqual({ kind: "resource", action: "updated" });
    });

    it("ignores the last entry of a bulk request too, which the sink filter lets through", () => {
      const recorded = entry("license-tracker-bulkinsert-first-summary.json") as Json & { operation: Json };
      recorded.operation = { id: recorded.operation.id, producer: "compute.googleapis.com", last: true };

      expect(ignoredCode(parseGcpPush(push(recorded)))).toBe("bulk-insert-summary");
    });
  });

  it("starts every ignored reason with a code a handler can count", () => {
    expect(GCP_IGNORED_CODES).toEqual([
      "failed-call",
      "not-last-entry",
      "bulk-insert-summary",
      "project-number-only",
    ]);
    expect(() => gcpIgnoredCode({ reason: "something else" })).toThrow(TypeError);
  });
});
