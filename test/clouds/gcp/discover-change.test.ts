/**
 * What GCP reads for a single-workload event (discover-change.ts), counted from the simulator's
 * call log through the production event path: only the re-read instance, the owned rules of the
 * change's destinations by name stem, the deny-all of the other destinations its rules name, and
 * the project's quota; the same calls whatever else the project holds.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPolicyFile } from "../../../lib/policy/load.js";
import { loadEstateFile } from "../../../sim/estate.js";
import type { Estate } from "../../../sim/estate-schema.js";
import type { Step } from "../../../sim/scenario-schema.js";
import { Simulation } from "../../../sim/simulation.js";

const EXAMPLES = join(import.meta.dirname, "..", "..", "..", "examples");

/** The examples' estate and policy, synced, with `extra` more GCP workloads the events do not touch. */
async function started(extra = 0): Promise<Simulation> {
  const policy = await loadPolicyFile(join(EXAMPLES, "policy.yaml"));
  const estate = await loadEstateFile(join(EXAMPLES, "estate.yaml"));
  if (!policy.ok || !estate.ok) throw new Error("the examples must load");
  const simulation = Simulation.start(policy.policy, withUnrelated(estate.estate, extra));
  await simulation.fullSync();
  return simulation;
}

/** Batch servers of the shop: they are in no peer set the events below change. */
function withUnrelated(estate: Estate, count: number): Estate {
  const more = Array.from({ length: count }, (_, index) => ({
    id: `gcp:shop-prod:us-central1-c:other-${index}`,
    network: "gcp:shop-prod:prod-net",
    privateIp: `10.3.1.${index + 1}`,
    state: "running" as const,
    tags: { "seg-app": "shop", "seg-env": "prod", "seg-role": "batch", "seg-loc": "us" },
  }));
  return { ...estate, workloads: [...estate.workloads, ...more] };
}

/** The GCP port calls of reconciling one step. */
async function gcpCalls(simulation: Simulation, step: Step) {
  await simulation.step(step);
  const outcome = await simulation.step({ reconcile: {} });
  const calls = outcome.calls?.gcp;
  if (calls === undefined) throw new Error("a reconcile step reports its port calls");
  const findings = (outcome.result?.plan.gcp?.findings ?? []).map((finding) => finding.code);
  return { reads: calls.reads, writes: calls.writes, readRequests: calls.readRequests, findings };
}

const SHOP_API = { "seg-app": "shop", "seg-env": "prod", "seg-role": "api", "seg-loc": "us" };

/** A launch, a re-tag and a termination in the examples' GCP project, each reconciled alone. */
async function events(simulation: Simulation) {
  const launch = await gcpCalls(simulation, {
    launch: {
      id: "gcp:shop-prod:us-central1-a:shop-api-9",
      network: "gcp:shop-prod:prod-net",
      privateIp: "10.3.0.99",
      tags: SHOP_API,
    },
  });
  const retag = await gcpCalls(simulation, {
    retag: { id: "gcp:shop-prod:us-central1-a:shop-web-3", tags: SHOP_API },
  });
  const terminate = await gcpCalls(simulation, {
    terminate: { id: "gcp:shop-prod:us-central1-a:shop-db-2" },
  });
  return { launch, retag, terminate };
}

describe("a GCP event reads its change alone", () => {
  it("reads the instance, the rules of its destinations and peers in one list, and the quota", async () => {
    const { launch, retag, terminate } = await events(await started());
    // Each event: the instance twice (the event's re-read, then the change's read, with its tag
    // fingerprint), one firewalls.list naming the change's destinations' stems and the deny-alls
    // of the peers applied outside it, and the project's quota.
    const reads = { getInstance: 2, listFirewallsNamed: 1, getFirewallQuota: 1 };
    // A launched api server: api's rules are new, and web (api admits it) carries its tag.
    expect(launch.reads).toEqual(reads);
    expect(launch.writes).toEqual({ insertFirewall: 5, setTags: 1 });
    // web becomes api: web's rules go (its last member left).
    expect(retag.reads).toEqual(reads);
    expect(retag.writes).toEqual({ deleteFirewall: 4, setTags: 1 });
    // The last db server: db's rules go; the instance is gone, so nothing is tagged.
    expect(terminate.reads).toEqual(reads);
    expect(terminate.writes).toEqual({ deleteFirewall: 3 });
  });

  it("reports nothing about the members it did not read", async () => {
    const { launch, retag, terminate } = await events(await started(5));
    for (const findings of [launch.findings, retag.findings, terminate.findings])
      expect(findings).not.toContain("gcp-instance-missing");
  });

  it("reads the same whatever else the project holds", async () => {
    const small = await events(await started());
    const large = await events(await started(40));
    for (const kind of ["launch", "retag", "terminate"] as const) {
      expect(large[kind].reads, kind).toEqual(small[kind].reads);
      expect(large[kind].readRequests, kind).toEqual(small[kind].readRequests);
    }
  });

  it("keeps a rule under a destination's stem without segsync's seal: a finding, never owned", async () => {
    const simulation = await started();
    const sim = simulation.clouds.gcp("shop-prod");
    const deny = sim
      .state()
      .firewalls.find((rule) => rule.name.endsWith("-deny") && (rule.description ?? "").includes("role=db"));
    if (deny === undefined) throw new Error("the full sync applies db's deny-all");
    const forged = `${deny.name.slice(0, -"deny".length)}forged`;
    sim.createFirewall({ ...deny, name: forged, description: "segsync:managed not-a-seal db" });

    const terminate = await gcpCalls(simulation, {
      terminate: { id: "gcp:shop-prod:us-central1-a:shop-db-2" },
    });

    expect(terminate.findings).toContain("gcp-unsealed-object");
    // db's own deny-alls only (no source of db runs in GCP): the forged rule stays.
    expect(terminate.writes).toEqual({ deleteFirewall: 2 });
    expect(sim.state().firewalls.map((rule) => rule.name)).toContain(forged);
  });
});
