import { describe, expect, it } from "vitest";
import { gcpStateOf } from "../../bench/gcp/estate-state.js";
import { gcpMismatches, minimalGcpWrites } from "../../bench/gcp/minimal-writes.js";
import { GcpSimulators } from "../../bench/gcp/simulators.js";
import { applyGcpPlan } from "../../lib/clouds/gcp/apply.js";
import { DEFAULT_GCP_PRIORITIES, DEFAULT_GCP_QUOTAS } from "../../lib/clouds/gcp/config.js";
import { diffGcp } from "../../lib/clouds/gcp/diff.js";
import { discoverGcp } from "../../lib/clouds/gcp/discover.js";
import { type GcpDesired, materializeGcp } from "../../lib/clouds/gcp/materialize.js";
import { type GcpFirewall, networkUrl } from "../../lib/clouds/gcp/model.js";
import { compile } from "../../lib/compile/compile.js";
import type { Workload } from "../../lib/inventory/model.js";
import { SimulatedCompute } from "../../sim/clouds/gcp/api.js";
import { GCP_OWNERSHIP } from "../support/seals.js";
import { estate, playChanges, sortedViews } from "./cloud-fixtures.js";

const PROJECT = "acme-prod";
const ZONE = "us-central1-a";
const NETWORK = networkUrl(PROJECT, "net-0");

/** A project with two instances (web-1 tagged `legacy`, web-2 untagged) in net-0. */
function compute(): SimulatedCompute {
  const sim = SimulatedCompute.empty(PROJECT);
  sim.createNetwork({ name: "net-0" });
  sim.createInstance({
    zone: ZONE,
    name: "web-1",
    network: "net-0",
    networkIP: "10.0.0.2",
    labels: {},
    tags: ["legacy"],
  });
  sim.createInstance({ zone: ZONE, name: "web-2", network: "net-0", networkIP: "10.0.0.3", labels: {} });
  return sim;
}

function rule(name: string, sourceRanges: string[], ports = ["443"]): GcpFirewall & { project: string } {
  return {
    project: PROJECT,
    name,
    network: NETWORK,
    priority: 900,
    direction: "INGRESS",
    description: GCP_OWNERSHIP.describe(PROJECT, name, name),
    sourceRanges,
    targetTags: ["segsync-web"],
    allowed: [{ IPProtocol: "tcp", ports }],
  };
}

/** An instance's desired tags as materializeGcp gives them: its owned tags sealed by a seal tag. */
function tags(name: string, items: string[]) {
  const owned = items.filter((tag) => tag.startsWith("segsync-"));
  const sealed = owned.length === 0 ? items : [...items, GCP_OWNERSHIP.sealTag(PROJECT, ZONE, name, owned)];
  return { project: PROJECT, zone: ZONE, name, workload: `gcp:${PROJECT}:${ZONE}:${name}`, items: sealed };
}

function desired(parts: Partial<GcpDesired>): GcpDesired {
  return { firewalls: [], instances: [], findings: [], ruleBudget: {}, sourceTagsPerRule: 30, ...parts };
}

async function converge(sim: SimulatedCompute, after: GcpDesired): Promise<void> {
  await applyGcpPlan(diffGcp(after, [sim.state()], GCP_OWNERSHIP), () => sim);
  expect(gcpMismatches(after, [sim.state()])).toBe(0);
}

describe("gcpStateOf", () => {
  it("describes the estate's GCP workloads exactly as SimulatedCompute.state() does once loaded", () => {
    const { inventory } = estate(1_500);
    const state = gcpStateOf(inventory.workloads);
    const gcp = inventory.workloads.filter((workload) => workload.id.startsWith("gcp:"));
    expect(state.reduce((sum, project) => sum + project.instances.length, 0)).toBe(gcp.length);
    for (const project of state) expect(new SimulatedCompute(project).state()).toEqual(project);
  });
});

describe("GcpSimulators", () => {
  it("plays changes so that discovery reads back the inventory's GCP workloads", async () => {
    const { inventory, policy } = estate(1_200);
    const sims = new GcpSimulators(gcpStateOf(inventory.workloads), DEFAULT_GCP_QUOTAS);
    const { kinds, expected } = playChanges(sims, inventory, "gcp", essentials);
    expect([...kinds]).toEqual(expect.arrayContaining(["launch", "stop", "retag", "terminate"]));
    const discovered = await Promise.all(
      sims.state().map(({ project }) => discoverGcp(sims.apiFor(project), policy.labels, GCP_OWNERSHIP)),
    );
    expect(
      sortedViews(
        discovered.flatMap((discovery) => discovery.workloads),
        essentials,
      ),
    ).toEqual(expected);
  });

  it("refuses, without playing it, a change to labels Compute would not take", () => {
    const { inventory } = estate(600);
    const sims = new GcpSimulators(gcpStateOf(inventory.workloads), DEFAULT_GCP_QUOTAS);
    const workload = inventory.workloads.find((w) => w.id.startsWith("gcp:")) as Workload;
    const change = {
      kind: "upsert" as const,
      workload: { ...workload, tags: { ...workload.tags, "seg-app": "Shop" } },
    };
    expect(sims.play(change, workload)).toBeUndefined();
    expect(sims.writes().size).toBe(0);
  });
});

/** What the compiler reads of a workload, but public IPs. */
function essentials(workload: Workload) {
  return {
    id: workload.id,
    state: workload.state,
    tags: workload.tags,
    nics: workload.nics.map((nic) => ({ id: nic.id, network: nic.network, privateIp: nic.privateIp })),
  };
}

describe("minimalGcpWrites", () => {
  it("counts the initial plan of a generated estate as diffGcp plans it", () => {
    const { inventory, policy } = estate(1_500);
    const state = gcpStateOf(inventory.workloads);
    const after = materializeGcp(compile(policy, inventory), state, {
      quotas: DEFAULT_GCP_QUOTAS,
      priorities: DEFAULT_GCP_PRIORITIES,
      attachment: "exclusive",
      ownership: GCP_OWNERSHIP,
    });
    const minimal = minimalGcpWrites(desired({}), after, state);
    expect(minimal.total).toBeGreaterThan(0);
    expect(minimal.total).toBe(diffGcp(after, state, GCP_OWNERSHIP).length);
  });

  it("inserts, patches and deletes rules one call each, and sets an instance's tags once", async () => {
    const sim = compute();
    const before = desired({
      firewalls: [rule("segsync-a", ["10.1.0.0/24"]), rule("segsync-b", ["10.2.0.0/24"])],
      instances: [tags("web-1", ["legacy", "segsync-web"])],
    });
    await converge(sim, before);
    const after = desired({
      firewalls: [rule("segsync-a", ["10.1.0.0/24"], ["443", "8443"]), rule("segsync-c", ["10.3.0.0/24"])],
      instances: [tags("web-1", ["segsync-web", "legacy"]), tags("web-2", ["segsync-web"])],
    });
    expect(minimalGcpWrites(before, after, [sim.state()])).toEqual({
      total: 4,
      byMethod: { insertFirewall: 1, patchFirewall: 1, deleteFirewall: 1, setTags: 1 },
    });
  });

  it("patches nothing for a rule whose lists only come in another order", async () => {
    const sim = compute();
    const before = desired({ firewalls: [rule("segsync-a", ["10.1.0.0/24", "10.2.0.0/24"])] });
    await converge(sim, before);
    const after = desired({ firewalls: [rule("segsync-a", ["10.2.0.0/24", "10.1.0.0/24"])] });
    expect(minimalGcpWrites(before, after, [sim.state()]).total).toBe(0);
    expect(gcpMismatches(after, [sim.state()])).toBe(0);
  });
});
