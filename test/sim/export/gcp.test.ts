import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { OAuth2Client } from "google-auth-library";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { RecordKey } from "../../../lib/clouds/common/seals.js";
import { GcpOwnership } from "../../../lib/clouds/gcp/ownership.js";
import { createSdkGcpApiFactory } from "../../../lib/clouds/gcp/sdk/api.js";
import { SimulatedCompute } from "../../../sim/clouds/gcp/api.js";
import { exportGcp, type GcpEstateParts } from "../../../sim/clouds/gcp/export.js";
import { readGcpForExport } from "../../../sim/clouds/gcp/export-read.js";
import { loadEstateText } from "../../../sim/estate.js";
import {
  type RecordedCompute,
  type RecordedRoutes,
  startRecordedCompute,
} from "../../support/compute-recorded.js";
import { GCP_OWNERSHIP, TEST_RECORD_KEY } from "../../support/seals.js";

/**
 * The GCP half of `estate export` on recorded Compute bodies (test/fixtures/gcp, sources in its
 * SOURCES.md) through the real @google-cloud/compute clients: forseti's project1, its instance in
 * default1, the default rules and default1's subnetworks in twelve regions.
 */
const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), "../../fixtures/gcp");
type Json = Record<string, unknown>;

function fixture<T = Json>(path: string): T {
  return JSON.parse(readFileSync(resolve(FIXTURES, path), "utf8")) as T;
}

const PROJECT = "project1";
const BASE = `/compute/v1/projects/${PROJECT}`;
const LABELS = { tagPrefix: "seg-", dimensions: ["app", "env", "role", "loc"] };
const LIVE = new GcpOwnership(RecordKey.fromText(TEST_RECORD_KEY, "the tests"));
const OWNERS = { live: LIVE, simulator: GCP_OWNERSHIP };

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

async function sdkApi(routes: RecordedRoutes) {
  server = await startRecordedCompute(routes);
  return createSdkGcpApiFactory({
    apiEndpoint: "127.0.0.1",
    port: server.port,
    protocol: "http",
    authClient: authClient(),
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    operations: { pollIntervalMs: 1 },
  })(PROJECT);
}

/**
 * forseti's project as recorded; its one instance (no labels in the recording) gets segsync's
 * labels here, and `change` edits its tags, so that discovery reads it.
 */
function routes(change: (instance: Json) => void = () => {}): RecordedRoutes {
  const instances = fixture<{ items: Record<string, { instances?: Json[] }> }>(
    "compute/forseti-instances-aggregated-list.json",
  );
  const [instance] = instances.items["zones/us-central1-c"]?.instances ?? [];
  if (instance === undefined) throw new Error("the recording lost its instance");
  instance.labels = { "seg-app": "shop", "seg-role": "web" };
  change(instance);
  return {
    [`GET ${BASE}/aggregated/instances`]: { body: instances },
    [`GET ${BASE}/global/firewalls`]: { body: fixture("compute/forseti-firewalls-list-page1.json") },
    [`GET ${BASE}/global/firewalls?pageToken=123`]: {
      body: fixture("compute/forseti-firewalls-list-page2.json"),
    },
    [`GET ${BASE}/aggregated/subnetworks`]: {
      body: fixture("compute/forseti-subnetworks-aggregated-list-page1.json"),
    },
    [`GET ${BASE}/aggregated/subnetworks?pageToken=12345`]: {
      body: fixture("compute/forseti-subnetworks-aggregated-list-page2.json"),
    },
  };
}

function checked(parts: GcpEstateParts) {
  const text = stringify({
    apiVersion: "segsync/v1",
    kind: "Estate",
    networks: parts.networks,
    workloads: parts.workloads,
    native: { gcp: parts.native },
  });
  return loadEstateText(text, "exported.yaml");
}

describe("listing subnetworks", () => {
  it("reads both recorded pages of the aggregated list through the real SDK client", async () => {
    const api = await sdkApi(routes());
    const subnetworks = await api.listSubnetworks();
    expect(subnetworks).toHaveLength(13);
    expect(subnetworks[0]).toStrictEqual({
      name: "default1",
      network: "https://www.googleapis.com/compute/v1/projects/project1/global/networks/default1",
      ipCidrRange: "10.128.0.0/20",
      region: "https://www.googleapis.com/compute/v1/projects/project1/regions/us-central1",
    });
    expect(server?.requests).toEqual([
      `GET ${BASE}/aggregated/subnetworks`,
      `GET ${BASE}/aggregated/subnetworks?pageToken=12345`,
    ]);
  });

  it("in the simulator: one subnetwork per network, with the range the estate gave it, logged as a read", async () => {
    const sim = new SimulatedCompute({ project: "shop-prod", instances: [], firewalls: [] });
    sim.createNetwork({ name: "prod-net" });
    sim.setNetworkRange("prod-net", "10.3.0.0/16");
    expect(await sim.listSubnetworks()).toEqual([
      {
        name: "prod-net",
        network: "https://www.googleapis.com/compute/v1/projects/shop-prod/global/networks/prod-net",
        ipCidrRange: "10.3.0.0/16",
      },
    ]);
    expect(() => sim.setNetworkRange("other-net", "10.4.0.0/16")).toThrow(/not found/);
    expect(sim.calls.map((call) => call.method)).toEqual(["listSubnetworks"]);
  });
});

describe("exportGcp on a recorded project", () => {
  it("exports the instance in its network, whose range holds every subnetwork, and the rules of that network", async () => {
    const read = await readGcpForExport(await sdkApi(routes()), LABELS, LIVE);
    const parts = exportGcp({ state: read.state, subnetworks: read.subnetworks }, OWNERS);
    expect(parts.networks).toEqual([{ id: "gcp:project1:default1", cidr: "10.128.0.0/11" }]);
    // default1 has twelve subnetworks: the one estate range is said to be wider than each.
    expect(parts.findings.map((finding) => finding.code)).toEqual(["gcp-export-network-range"]);
    expect(parts.workloads).toEqual([
      {
        id: "gcp:project1:us-central1-c:iap-ig-79bj",
        network: "gcp:project1:default1",
        privateIp: "10.128.0.2",
        publicIp: "104.198.131.130",
        state: "running",
        tags: { "seg-app": "shop", "seg-role": "web" },
      },
    ]);
    expect(parts.native.firewalls.map((firewall) => firewall.name)).toEqual([
      "default-allow-icmp",
      "default-allow-internal",
      "default-allow-rdp",
      "default-allow-ssh",
    ]);
    expect(parts.native.instances).toEqual([
      {
        name: "iap-ig-79bj",
        zone: "https://www.googleapis.com/compute/v1/projects/project1/zones/us-central1-c",
        tags: { items: ["iap-tag"], fingerprint: "gilEhx3hEXk=" },
      },
    ]);
    const loaded = checked(parts);
    expect(loaded.ok ? [] : loaded.issues).toEqual([]);
  });

  it("leaves out a label the simulated Compute refuses, with a finding: the export trusts nothing it reads", async () => {
    const api = await sdkApi(
      routes((instance) => {
        instance.labels = { "seg-app": "shop", "seg-role": "web", Team: "web" };
      }),
    );
    const read = await readGcpForExport(api, LABELS, LIVE);
    const parts = exportGcp({ state: read.state, subnetworks: read.subnetworks }, OWNERS);
    expect(parts.workloads.map((workload) => workload.tags)).toEqual([
      { "seg-app": "shop", "seg-role": "web" },
    ]);
    const labels = parts.findings.filter((finding) => finding.code === "gcp-export-label");
    expect(labels.map((finding) => finding.message)).toEqual([
      expect.stringMatching(/^gcp:project1:us-central1-c:iap-ig-79bj: label "Team" left out \(.*GCP label/),
    ]);
    const loaded = checked(parts);
    expect(loaded.ok ? [] : loaded.issues).toEqual([]);
  });

  it("leaves out a network none of whose subnetworks was read, and what is in it", async () => {
    const read = await readGcpForExport(await sdkApi(routes()), LABELS, LIVE);
    const parts = exportGcp({ state: read.state, subnetworks: [] }, OWNERS);
    expect(parts.findings.map((finding) => finding.code)).toEqual(["gcp-export-network-range"]);
    expect([parts.networks, parts.workloads, parts.native.firewalls, parts.native.instances]).toEqual([
      [],
      [],
      [],
      [],
    ]);
  });
});

describe("exportGcp and what segsync owns", () => {
  it("seals segsync's rules and an instance's owned tags again under the simulator's key; a forged rule stays foreign", async () => {
    const zone = "us-central1-c";
    const owned = ["segsync-aaaabbbbcccc"];
    const read = await readGcpForExport(
      await sdkApi(
        routes((instance) => {
          instance.tags = {
            items: ["iap-tag", ...owned, LIVE.sealTag(PROJECT, zone, "iap-ig-79bj", owned)],
            fingerprint: "gilEhx3hEXk=",
          };
        }),
      ),
      LABELS,
      LIVE,
    );
    const network = "https://www.googleapis.com/compute/v1/projects/project1/global/networks/default1";
    const foreign = new GcpOwnership(
      RecordKey.fromText("another installation's record key, 32+ chars", "a test"),
    );
    const rule = (name: string, description: string) => ({
      name,
      network,
      priority: 1000,
      direction: "INGRESS" as const,
      description,
      sourceTags: owned,
      targetTags: owned,
      allowed: [{ IPProtocol: "tcp", ports: ["443"] }],
    });
    const state = {
      ...read.state,
      firewalls: [
        ...read.state.firewalls,
        rule("segsync-allow-web", LIVE.describe(PROJECT, "segsync-allow-web", "app=shop web")),
        rule("segsync-forged", foreign.describe(PROJECT, "segsync-forged", "app=shop web")),
      ],
    };
    const parts = exportGcp({ state, subnetworks: read.subnetworks }, OWNERS);
    expect(parts.resealed).toBe(2);
    const exported = (name: string) => parts.native.firewalls.find((firewall) => firewall.name === name);
    const ownedRule = exported("segsync-allow-web");
    expect(
      GCP_OWNERSHIP.ownsFirewall(PROJECT, {
        name: "segsync-allow-web",
        description: ownedRule?.description ?? "",
      }),
    ).toBe(true);
    expect(ownedRule?.description?.endsWith(" app=shop web")).toBe(true);
    expect(exported("segsync-forged")?.description).toBe(
      foreign.describe(PROJECT, "segsync-forged", "app=shop web"),
    );
    const [instance] = parts.native.instances;
    expect(GCP_OWNERSHIP.sealedTags(PROJECT, zone, "iap-ig-79bj", instance?.tags.items ?? [])).toBe(true);
    const loaded = checked(parts);
    expect(loaded.ok ? [] : loaded.issues).toEqual([]);
  });
});
