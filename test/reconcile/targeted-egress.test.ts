/**
 * Enforced egress on the event path (docs/architecture.md, "What an event reads and writes for
 * egress"): a batch whose egress grants open to an identity outside the change writes what a
 * reconcile that reads whole places writes. Found by test/reconcile/targeted.property.test.ts on
 * policy v2 (cases 7224, 7504, 7830, 7848).
 */
import { describe, expect, it } from "vitest";
import { resolvePolicyDocument } from "../../lib/policy/load.js";
import { resolveEstateDocument } from "../../sim/estate.js";
import type { Step } from "../../sim/scenario-schema.js";
import { Simulation } from "../../sim/simulation.js";

const EAST = "aws:111111111111:us-east-1:vpc-0a1b2c3d";
const WEST = "aws:222222222222:us-west-2:vpc-0f9e8d7c";

const POLICY = {
  apiVersion: "segsync/v1",
  kind: "Policy",
  labels: { tagPrefix: "seg-", dimensions: ["app", "role"] },
  rulesets: [
    {
      name: "shop",
      scope: { app: "shop" },
      enforcement: "enforced",
      egress: "enforced",
      rules: [{ from: { role: "web" }, to: { role: "api" }, services: ["tcp/8080"] }],
    },
  ],
};

const ESTATE = {
  apiVersion: "segsync/v1",
  kind: "Estate",
  networks: [
    { id: EAST, cidr: "10.1.0.0/16" },
    { id: WEST, cidr: "10.5.0.0/16" },
  ],
  workloads: [
    {
      id: `aws:111111111111:us-east-1:i-0a00000000000001`,
      network: EAST,
      privateIp: "10.1.9.10",
      publicIp: "198.18.0.10",
      tags: { "seg-app": "shop", "seg-role": "web" },
    },
    {
      id: `aws:111111111111:us-east-1:i-0a00000000000002`,
      network: EAST,
      privateIp: "10.1.9.11",
      tags: { "seg-app": "shop", "seg-role": "api" },
    },
  ],
};

/** An api member in the other VPC, reached at its public address: the web group's egress grows, the api group in EAST does not change. */
const LAUNCH_REMOTE_API: Step = {
  launch: {
    id: "aws:222222222222:us-west-2:i-0b00000000000001",
    network: WEST,
    privateIp: "10.5.9.20",
    publicIp: "198.18.0.20",
    tags: { "seg-app": "shop", "seg-role": "api" },
  },
};

function start(readChanges: boolean): Simulation {
  const policy = resolvePolicyDocument(POLICY);
  const estate = resolveEstateDocument(ESTATE);
  if (!policy.ok || !estate.ok) throw new Error("the test's documents must load");
  return Simulation.start(policy.policy, estate.estate, { readChanges });
}

function writes(simulation: Simulation, since: number): string[] {
  return simulation.audit.records
    .slice(since)
    .filter((r) => r.cloud === "aws" && r.outcome === "applied")
    .map((r) => `${r.action} ${r.objectType} ${r.object} ${(r.changes ?? []).join(" ")}`)
    .sort();
}

describe("an event batch whose egress opens to an identity outside the change (AWS)", () => {
  it("names the target by its group, as a reconcile that reads whole places does", async () => {
    const [targeted, whole] = [start(true), start(false)];
    const since: number[] = [];
    for (const simulation of [targeted, whole]) {
      await simulation.fullSync();
      await simulation.step(LAUNCH_REMOTE_API);
      since.push(simulation.audit.records.length);
      await simulation.step({ reconcile: {} });
    }
    const ours = writes(targeted, since[0] ?? 0);
    expect(ours.join("\n")).toContain("+ tcp/8080 to 198.18.0.20/32");
    // The api member in the web group's own VPC stays named by the api group, never by its address.
    expect(ours.join("\n")).not.toContain("10.1.9.11");
    expect(ours).toEqual(writes(whole, since[1] ?? 0));
  });
});
