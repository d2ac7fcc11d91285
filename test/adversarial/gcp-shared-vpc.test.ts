/**
 * Issue 13, defect 4: a Shared VPC service project that held nothing at the start. Its first
 * instance, in the host's network, must be enforced (its network tag set, the host's rules for it
 * written) and stay enforced: the service project is read through the host (getXpnResources) at
 * a full sync, and through itself (getXpnHost) when an event names it first.
 */
import { describe, expect, it } from "vitest";
import { loadPolicyText } from "../../lib/policy/load.js";
import { Simulation } from "../../sim/simulation.js";
import { estateOf, GCP_NET, text } from "../sim/fixtures.js";

const POLICY = loadPolicyText(
  text(
    "apiVersion: segsync/v1",
    "kind: Policy",
    "labels: { tagPrefix: seg-, dimensions: [app, role] }",
    "rulesets:",
    "  - name: shop",
    "    scope: { app: shop }",
    "    enforcement: enforced",
    "    rules:",
    "      - { from: { role: web }, to: { role: db }, services: [tcp/5432] }",
  ),
  "policy.yaml",
);

const HOST = "shop-prod";
const SERVICE = "shop-svc-web";
const DB = `gcp:${HOST}:us-central1-a:db-1`;
const WEB = `gcp:${SERVICE}:us-central1-a:web-1`;

/** The host and its network with one instance; the service project holds nothing yet. */
const ESTATE = text(
  "apiVersion: segsync/v1",
  "kind: Estate",
  "networks:",
  `  - { id: "${GCP_NET}", cidr: 10.3.0.0/16 }`,
  "workloads:",
  `  - { id: "${DB}", network: "${GCP_NET}", privateIp: 10.3.0.11, tags: { seg-app: shop, seg-role: db } }`,
);

function start(): Simulation {
  if (!POLICY.ok) throw new Error("the policy must load");
  return Simulation.start(POLICY.policy, estateOf(ESTATE));
}

/** The network tags of the service project's instance, and the host's rules that name one of them as a source or target. */
function enforcement(simulation: Simulation) {
  const instance = simulation.clouds
    .gcp(SERVICE)
    .state()
    .instances.find((i) => i.name === "web-1");
  const tags = (instance?.tags.items ?? []).filter((tag) => tag.startsWith("segsync-"));
  const rules = simulation.clouds
    .gcp(HOST)
    .state()
    .firewalls.filter((rule) =>
      [...(rule.sourceTags ?? []), ...(rule.targetTags ?? [])].some((tag) => tags.includes(tag)),
    );
  return { tags, rules: rules.map((rule) => rule.name) };
}

async function launchWeb(simulation: Simulation): Promise<void> {
  await simulation.step({
    launch: {
      id: WEB,
      network: GCP_NET,
      privateIp: "10.3.0.21",
      tags: { "seg-app": "shop", "seg-role": "web" },
    },
  });
}

describe("GCP Shared VPC: a service project that held nothing at the start", () => {
  it("launch → reconcile: enforced; full sync: plans nothing; the rules stay", async () => {
    const simulation = start();
    // state 1: the host is enforced, the service project does not exist yet for segsync.
    const initial = await simulation.fullSync();
    expect(initial.failures).toEqual({});
    // state 2: an instance launched in the service project, in the host's network, reconciled from its events.
    await launchWeb(simulation);
    const reconciled = await simulation.reconcile();
    expect(reconciled.failures).toEqual({});
    const enforced = enforcement(simulation);
    expect(enforced.tags).not.toEqual([]);
    expect(enforced.rules).not.toEqual([]);
    // state 3: a full sync finds it through the host and has nothing left to do.
    const planned = await simulation.fullSync({ dryRun: true });
    expect(planned.plan.gcp?.operations ?? []).toEqual([]);
    await simulation.fullSync();
    expect(enforcement(simulation)).toEqual(enforced);
  });

  it("launch → full sync without the events: the host names the service project, which is enforced", async () => {
    const simulation = start();
    await simulation.fullSync();
    await launchWeb(simulation);
    const synced = await simulation.fullSync();
    expect(synced.failures).toEqual({});
    const enforced = enforcement(simulation);
    expect(enforced.tags).not.toEqual([]);
    expect(enforced.rules).not.toEqual([]);
    const again = await simulation.fullSync({ dryRun: true });
    expect(again.plan.gcp?.operations ?? []).toEqual([]);
  });

  it("an estate workload in the host's network attaches its project, as Compute requires", async () => {
    if (!POLICY.ok) throw new Error("the policy must load");
    const estate = estateOf(
      `${ESTATE}  - { id: "${WEB}", network: "${GCP_NET}", privateIp: 10.3.0.21, tags: { seg-app: shop, seg-role: web } }\n`,
    );
    const simulation = Simulation.start(POLICY.policy, estate);
    expect(await simulation.clouds.gcp(HOST).getXpnResources()).toEqual([SERVICE]);
    expect(await simulation.clouds.gcp(SERVICE).getXpnHost()).toBe(HOST);
    expect(await simulation.clouds.gcp(HOST).getXpnHost()).toBeUndefined();
  });
});
