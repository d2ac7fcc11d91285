import { beforeAll, describe, expect, it } from "vitest";
import { discoverGcp, discoverGcpWorkload, toGcpWorkload } from "../../../lib/clouds/gcp/discover.js";
import { type GcpInstance, networkUrl } from "../../../lib/clouds/gcp/model.js";
import { GCP_WRITE_METHODS, SimulatedCompute } from "../../../sim/clouds/gcp/api.js";
import { GCP_OWNERSHIP } from "../../support/seals.js";

const PROJECT = "shop-prod";
const HOST = "net-host-project";
const CENTRAL = "us-central1-a";
const WEST = "europe-west1-b";
const LABELS = { tagPrefix: "seg-", dimensions: ["app", "env", "role"] };
const OWNED_DESCRIPTION = "segsync:managed identity app=shop,role=web";

const network = (name: string, project = PROJECT) => `gcp:${project}:${name}`;
const workloadId = (zone: string, name: string) => `gcp:${PROJECT}:${zone}:${name}`;

/**
 * Three networks of the project (one the default network with its rules) and a Shared VPC
 * network of a host project; a web VM, an api VM with NICs in two networks in another zone, a
 * stopped (TERMINATED) db, a suspended batch VM, a VM on the host's network, one that lost its
 * labels but keeps its owned tag, and VMs segsync must not pick up. Customer and owned rules,
 * in used and unused networks.
 */
async function buildEstate(): Promise<SimulatedCompute> {
  const sim = SimulatedCompute.empty(PROJECT);
  sim.createNetwork({ name: "prod-net" });
  sim.createNetwork({ name: "batch-net" });
  sim.createNetwork({ name: "default", withDefaultRules: true });
  sim.createNetwork({ name: "lab-net" });
  sim.createNetwork({ name: "old-net" });
  const vm = (zone: string, name: string, net: string, networkIP: string, extra: object = {}) =>
    sim.createInstance({ zone, name, network: net, networkIP, labels: {}, ...extra });

  vm(CENTRAL, "web-1", "prod-net", "10.3.0.11", {
    natIP: "34.0.0.11",
    labels: { "seg-app": "shop", "seg-env": "prod", "seg-role": "web", owner: "ops" },
    tags: ["legacy-web", "segsync-1a2b3c4d"],
  });
  vm(WEST, "api-1", "batch-net", "10.4.0.21", {
    labels: { "seg-app": "shop", "seg-role": "api" },
    moreInterfaces: [{ network: "prod-net", networkIP: "10.3.0.21", natIP: "34.0.0.21" }],
  });
  vm(CENTRAL, "db-1", "prod-net", "10.3.0.31", { natIP: "34.0.0.31", labels: { "seg-role": "db" } });
  sim.setStatus(CENTRAL, "db-1", "TERMINATED");
  vm(WEST, "batch-1", "batch-net", "10.4.0.41", { labels: { "seg-app": "batch" } });
  sim.setStatus(WEST, "batch-1", "SUSPENDED");
  vm(CENTRAL, "shared-1", networkUrl(HOST, "shared-net"), "10.8.0.51", { labels: { "seg-app": "shop" } });
  vm(CENTRAL, "legacy-1", "default", "10.128.0.61", { labels: { "seg-env": "dev" } });
  // Unlabelled, but its owned tag is one segsync sealed: found, to be cleaned up.
  vm(CENTRAL, "was-shop", "prod-net", "10.3.0.71", {
    labels: { owner: "ops" },
    tags: ["segsync-1a2b3c4d", GCP_OWNERSHIP.sealTag(PROJECT, CENTRAL, "was-shop", ["segsync-1a2b3c4d"])],
  });
  vm(CENTRAL, "plain", "lab-net", "10.5.0.81", { labels: { owner: "ops" }, tags: ["legacy-web"] });
  vm(CENTRAL, "undeclared", "lab-net", "10.5.0.82", { labels: { "seg-owner": "ops" } });

  sim.createFirewall({
    name: "customer-web",
    network: "prod-net",
    allowed: [{ IPProtocol: "tcp", ports: ["80"] }],
  });
  sim.createFirewall({
    name: "customer-lab",
    network: "lab-net",
    allowed: [{ IPProtocol: "tcp", ports: ["22"] }],
  });
  sim.createFirewall({
    name: "segsync-lookalike",
    network: "lab-net",
    description: "not ours",
    allowed: [{ IPProtocol: "icmp" }],
  });
  const owned = (name: string, net: string, fields: object) =>
    sim.insertFirewall({
      name,
      network: networkUrl(PROJECT, net),
      priority: 900,
      direction: "INGRESS",
      description: GCP_OWNERSHIP.describe(PROJECT, name, OWNED_DESCRIPTION),
      targetTags: ["segsync-1a2b3c4d"],
      ...fields,
    });
  await owned("segsync-1a2b3c4d-prod-net-443", "prod-net", {
    sourceTags: ["segsync-5e6f7a8b"],
    allowed: [{ IPProtocol: "tcp", ports: ["443"] }],
  });
  await owned("segsync-1a2b3c4d-old-net-443", "old-net", {
    sourceRanges: ["10.6.0.0/24"],
    allowed: [{ IPProtocol: "tcp", ports: ["443"] }],
  });
  await owned("segsync-deny-prod-net", "prod-net", {
    priority: 910,
    sourceRanges: ["0.0.0.0/0"],
    denied: [{ IPProtocol: "all" }],
  });
  sim.clearCalls();
  return sim;
}

describe("discoverGcp", () => {
  let sim: SimulatedCompute;
  let discovery: Awaited<ReturnType<typeof discoverGcp>>;

  beforeAll(async () => {
    sim = await buildEstate();
    discovery = await discoverGcp(sim, LABELS, GCP_OWNERSHIP);
  });

  it("finds the labeled instances in every zone and state, and those that keep an owned tag", () => {
    expect(discovery.workloads.map((workload) => workload.id)).toEqual(
      [
        workloadId(WEST, "api-1"),
        workloadId(WEST, "batch-1"),
        workloadId(CENTRAL, "db-1"),
        workloadId(CENTRAL, "legacy-1"),
        workloadId(CENTRAL, "shared-1"),
        workloadId(CENTRAL, "was-shop"),
        workloadId(CENTRAL, "web-1"),
      ].sort(),
    );
  });

  it("reads NICs in order with private and public addresses, every label, and the state", () => {
    const byId = new Map(discovery.workloads.map((workload) => [workload.id, workload]));
    expect(byId.get(workloadId(CENTRAL, "web-1"))).toEqual({
      id: workloadId(CENTRAL, "web-1"),
      state: "running",
      nics: [{ id: "nic0", network: network("prod-net"), privateIp: "10.3.0.11", publicIp: "34.0.0.11" }],
      tags: { owner: "ops", "seg-app": "shop", "seg-env": "prod", "seg-role": "web" },
    });
    expect(byId.get(workloadId(WEST, "api-1"))?.nics).toEqual([
      { id: "nic0", network: network("batch-net"), privateIp: "10.4.0.21" },
      { id: "nic1", network: network("prod-net"), privateIp: "10.3.0.21", publicIp: "34.0.0.21" },
    ]);
    expect(byId.get(workloadId(WEST, "batch-1"))?.state).toBe("stopped");
  });

  it("counts a TERMINATED instance as stopped, with its ephemeral address released", () => {
    const db = discovery.workloads.find((workload) => workload.id === workloadId(CENTRAL, "db-1"));
    expect(db).toEqual({
      id: workloadId(CENTRAL, "db-1"),
      state: "stopped",
      nics: [{ id: "nic0", network: network("prod-net"), privateIp: "10.3.0.31" }],
      tags: { "seg-role": "db" },
    });
  });

  it("names a Shared VPC network by the network URL's project, not the instance's", () => {
    const shared = discovery.workloads.find((workload) => workload.id === workloadId(CENTRAL, "shared-1"));
    expect(shared?.nics[0]?.network).toBe(network("shared-net", HOST));
  });

  it("lists the networks of the workloads' NICs, sorted", () => {
    expect(discovery.networks).toEqual(
      [network("batch-net"), network("default"), network("prod-net"), network("shared-net", HOST)]
        .sort()
        .map((id) => ({ id })),
    );
  });

  it("keeps the discovered instances in the REST shapes, by zone then name", () => {
    expect(discovery.state.project).toBe(PROJECT);
    expect(
      discovery.state.instances.map((instance) => `${instance.zone.split("/").pop()}/${instance.name}`),
    ).toEqual([
      `${WEST}/api-1`,
      `${WEST}/batch-1`,
      `${CENTRAL}/db-1`,
      `${CENTRAL}/legacy-1`,
      `${CENTRAL}/shared-1`,
      `${CENTRAL}/was-shop`,
      `${CENTRAL}/web-1`,
    ]);
    const web = discovery.state.instances.find((instance) => instance.name === "web-1");
    expect(web?.tags.items).toEqual(["legacy-web", "segsync-1a2b3c4d"]);
    expect(web?.tags.fingerprint).toEqual(expect.any(String));
  });

  it("keeps every rule of the used networks, customer's and owned, the default network's, and owned rules elsewhere", () => {
    expect(discovery.state.firewalls.map((firewall) => firewall.name)).toEqual([
      "customer-web",
      "default-allow-icmp",
      "default-allow-internal",
      "default-allow-rdp",
      "default-allow-ssh",
      "segsync-1a2b3c4d-old-net-443",
      "segsync-1a2b3c4d-prod-net-443",
      "segsync-deny-prod-net",
    ]);
    const internal = discovery.state.firewalls.find((firewall) => firewall.name === "default-allow-internal");
    expect(internal).toMatchObject({ priority: 65534, sourceRanges: ["10.128.0.0/9"] });
  });

  it("only reads: one instance list and one firewall list", () => {
    expect(sim.calls.map((call) => call.method)).toEqual(["listInstances", "listFirewalls"]);
    expect(sim.calls.some((call) => GCP_WRITE_METHODS.has(call.method))).toBe(false);
  });

  it("finds only instances with owned tags that segsync sealed when no dimension is declared", async () => {
    const found = await discoverGcp(sim, { tagPrefix: "seg-", dimensions: [] }, GCP_OWNERSHIP);
    // web-1's owned tag carries no seal: only its labels made it segsync's.
    expect(found.workloads.map((workload) => workload.id)).toEqual([workloadId(CENTRAL, "was-shop")]);
  });

  it("finds nothing in a project without labeled instances, but counts the default network's rules against the quota", async () => {
    const empty = SimulatedCompute.empty(PROJECT);
    empty.createNetwork({ name: "default", withDefaultRules: true });
    const rules = (await empty.listFirewalls()).length;
    expect(rules).toBeGreaterThan(0);
    const found = await discoverGcp(empty, LABELS, GCP_OWNERSHIP);
    expect(found).toEqual({
      workloads: [],
      networks: [],
      state: { project: PROJECT, instances: [], firewalls: [], unlistedRules: rules },
      findings: [],
    });
  });
});

describe("discoverGcpWorkload", () => {
  let sim: SimulatedCompute;

  beforeAll(async () => {
    sim = await buildEstate();
  });

  it("reads one instance, labeled or not, by zone name or URL", async () => {
    expect((await discoverGcpWorkload(sim, WEST, "api-1"))?.id).toBe(workloadId(WEST, "api-1"));
    const zoneUrl = `https://www.googleapis.com/compute/v1/projects/${PROJECT}/zones/${CENTRAL}`;
    expect(await discoverGcpWorkload(sim, zoneUrl, "plain")).toMatchObject({
      id: workloadId(CENTRAL, "plain"),
      state: "running",
      tags: { owner: "ops" },
    });
  });

  it("is undefined for a deleted instance, and stopped for a stopped one", async () => {
    sim.deleteInstance(CENTRAL, "web-1");
    expect(await discoverGcpWorkload(sim, CENTRAL, "web-1")).toBeUndefined();
    sim.setStatus(WEST, "api-1", "STOPPED");
    expect((await discoverGcpWorkload(sim, WEST, "api-1"))?.state).toBe("stopped");
  });
});

describe("toGcpWorkload", () => {
  const instance = (status: string, fields: Partial<GcpInstance> = {}): GcpInstance =>
    ({
      name: "vm-1",
      zone: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/zones/${CENTRAL}`,
      status,
      tags: {},
      networkInterfaces: [{ network: `projects/${PROJECT}/global/networks/prod-net`, networkIP: "10.3.0.5" }],
      ...fields,
    }) as GcpInstance;

  it.each([
    ["PROVISIONING", "running"],
    ["STAGING", "running"],
    ["RUNNING", "running"],
    ["REPAIRING", "running"],
    ["PENDING", "running"],
    ["STOPPING", "stopped"],
    ["STOPPED", "stopped"],
    ["SUSPENDING", "stopped"],
    ["SUSPENDED", "stopped"],
    ["DEPROVISIONING", "stopped"],
    ["TERMINATED", "stopped"],
    ["SOMETHING_NEW", "stopped"],
  ])("maps status %s to %s", (status, state) => {
    expect(toGcpWorkload(PROJECT, instance(status))?.state).toBe(state);
  });

  it("accepts relative network URLs, and gives nothing for an instance without NICs", () => {
    expect(toGcpWorkload(PROJECT, instance("RUNNING"))?.nics).toEqual([
      { id: "nic0", network: network("prod-net"), privateIp: "10.3.0.5" },
    ]);
    expect(toGcpWorkload(PROJECT, instance("RUNNING", { networkInterfaces: [] }))).toBeUndefined();
  });

  it("refuses a NIC whose network is not a network URL", () => {
    const broken = instance("RUNNING", {
      networkInterfaces: [{ network: "prod-net", networkIP: "10.3.0.5" }],
    });
    expect(() => toGcpWorkload(PROJECT, broken)).toThrow(/networkInterfaces\[0\]\.network "prod-net"/);
  });
});
