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
import { comparableState } from "../sim/comparable-state.js";

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

function start(readChanges: boolean, estateDocument: object = ESTATE): Simulation {
  const policy = resolvePolicyDocument(POLICY);
  const estate = resolveEstateDocument(estateDocument);
  if (!policy.ok || !estate.ok) throw new Error("the test's documents must load");
  return Simulation.start(policy.policy, estate.estate, { readChanges });
}

function writes(simulation: Simulation, since: number, cloud = "aws"): string[] {
  return simulation.audit.records
    .slice(since)
    .filter((r) => r.cloud === cloud && r.outcome === "applied")
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

const SUBSCRIPTION = "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f";
/** One network per cloud, and two workloads in it: a web and an api of the shop. */
const PLACES = [
  {
    cloud: "aws",
    network: EAST,
    prefix: "10.1",
    ids: ["aws:111111111111:us-east-1:i-0a00000000000001", "aws:111111111111:us-east-1:i-0a00000000000002"],
  },
  {
    cloud: "azure",
    network: `azure:${SUBSCRIPTION}:rg-net:vnet-prod`,
    prefix: "10.2",
    region: "eastus",
    ids: [`azure:${SUBSCRIPTION}:rg-app:vm-web`, `azure:${SUBSCRIPTION}:rg-app:vm-api`],
  },
  {
    cloud: "gcp",
    network: "gcp:shop-prod:prod-net",
    prefix: "10.3",
    ids: ["gcp:shop-prod:us-central1-a:web-1", "gcp:shop-prod:us-central1-a:api-1"],
  },
] as const;

describe("an event batch that re-tags a workload into and out of an egress-enforced identity", () => {
  it.each(PLACES)(
    "$cloud: writes what a whole read writes, its egress enforced and then open again",
    async (place) => {
      const [web, api] = place.ids;
      const estate = {
        apiVersion: "segsync/v1",
        kind: "Estate",
        networks: [
          {
            id: place.network,
            cidr: `${place.prefix}.0.0/16`,
            ...("region" in place ? { region: place.region } : {}),
          },
        ],
        workloads: [
          {
            id: web,
            network: place.network,
            privateIp: `${place.prefix}.9.10`,
            tags: { "seg-app": "blog", "seg-role": "web" },
          },
          {
            id: api,
            network: place.network,
            privateIp: `${place.prefix}.9.11`,
            tags: { "seg-app": "shop", "seg-role": "api" },
          },
        ],
      };
      const [targeted, whole] = [start(true, estate), start(false, estate)];
      for (const simulation of [targeted, whole]) await simulation.fullSync();
      for (const tags of [
        { "seg-app": "shop", "seg-role": "web" },
        { "seg-app": "blog", "seg-role": "web" },
      ]) {
        const since: number[] = [];
        for (const simulation of [targeted, whole]) {
          await simulation.step({ retag: { id: web, tags } });
          since.push(simulation.audit.records.length);
          await simulation.step({ reconcile: {} });
        }
        const ours = writes(targeted, since[0] ?? 0, place.cloud);
        expect(ours.length, `${tags["seg-app"]}: something written`).toBeGreaterThan(0);
        expect(ours, tags["seg-app"]).toEqual(writes(whole, since[1] ?? 0, place.cloud));
        expect(comparableState(targeted.clouds.stateOut())).toEqual(comparableState(whole.clouds.stateOut()));
        const reach = (await targeted.reachability())[place.cloud];
        const sends = reach.explainEgress({
          workload: web,
          network: place.network,
          destinationAddress: `${place.prefix}.9.11`,
          protocol: "tcp",
          port: 9999,
        });
        // In the shop its egress is enforced (tcp/8080 to the api only); back in the blog it is open.
        expect(sends === undefined, `${tags["seg-app"]}: egress to tcp/9999 closed`).toBe(
          tags["seg-app"] === "shop",
        );
      }
    },
  );
});
