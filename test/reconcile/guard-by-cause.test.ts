/**
 * Issue 13, defect 1: the blast-radius guard judged plans by size alone, so terminating a web
 * server with 21 partner rules (22 of 24 owned rules) was held back at that reconcile and every
 * later one, with unrelated additions, silently. It now judges removals by their cause
 * (docs/trust-model.md, "The blast-radius guard").
 */
import { describe, expect, it } from "vitest";
import { loadPolicyText } from "../../lib/policy/load.js";
import { loadEstateText } from "../../sim/estate.js";
import { Simulation } from "../../sim/simulation.js";

const partners = Array.from({ length: 21 }, (_, i) => `198.51.100.${i + 1}/32`);
const POLICY = `
apiVersion: segsync/v1
kind: Policy
labels: { tagPrefix: seg-, dimensions: [app, role] }
ipLists:
  partners: [${partners.join(", ")}]
rulesets:
  - name: shop
    scope: { app: shop }
    enforcement: enforced
    rules:
      - { from: { ipList: partners }, to: { role: web }, services: [tcp/443] }
      - { from: { role: [web, worker] }, to: { role: api }, services: [tcp/8080] }
`;
const WEB = "aws:111111111111:us-east-1:i-0a00000000000001";
const API = "gcp:shop-prod:us-central1-a:shop-api-1";
const WORKER = "aws:111111111111:us-east-1:i-0a00000000000009";
const ESTATE = `
apiVersion: segsync/v1
kind: Estate
networks:
  - { id: "aws:111111111111:us-east-1:vpc-0a1b2c3d", cidr: 10.1.0.0/16 }
  - { id: "gcp:shop-prod:prod-net", cidr: 10.3.0.0/16 }
workloads:
  - id: "${WEB}"
    network: "aws:111111111111:us-east-1:vpc-0a1b2c3d"
    privateIp: 10.1.0.11
    publicIp: 34.0.0.11
    tags: { seg-app: shop, seg-role: web }
  - id: "${API}"
    network: "gcp:shop-prod:prod-net"
    privateIp: 10.3.0.21
    publicIp: 35.0.0.21
    tags: { seg-app: shop, seg-role: api }
`;

function start(): Simulation {
  const policy = loadPolicyText(POLICY, "policy.yaml");
  const estate = loadEstateText(ESTATE, "estate.yaml");
  if (!policy.ok || !estate.ok) throw new Error("the test's policy or estate is invalid");
  return Simulation.start(policy.policy, estate.estate);
}

const gcpSources = (simulation: Simulation) =>
  simulation.clouds.stateOut().gcp.firewalls.flatMap((firewall) => firewall.sourceRanges ?? []);

describe("the blast-radius guard judges removals by their cause", () => {
  it("applies the removals of a confirmed termination, with an unrelated launch, and a full sync then plans nothing", async () => {
    const simulation = start();
    const initial = await simulation.fullSync();
    expect(initial.guard.allowed).toBe(true);
    expect(gcpSources(simulation)).toContain("34.0.0.11/32");

    await simulation.step({ terminate: { id: WEB } });
    await simulation.step({
      launch: {
        id: WORKER,
        network: "aws:111111111111:us-east-1:vpc-0a1b2c3d",
        privateIp: "10.1.0.99",
        publicIp: "34.0.0.99",
        tags: { "seg-app": "shop", "seg-role": "worker" },
      },
    });
    const reconciled = await simulation.step({ reconcile: {} });
    const result = reconciled.result;
    expect(result?.guard).toMatchObject({ allowed: true, unexplainedRules: 0 });
    expect(result?.guard.removedRules).toBeGreaterThanOrEqual(22);
    // The released public IP is no longer allowed; the new worker's is.
    expect(gcpSources(simulation)).not.toContain("34.0.0.11/32");
    expect(gcpSources(simulation)).toContain("34.0.0.99/32");
    const settled = await simulation.fullSync();
    expect(Object.values(settled.plan).flatMap((part) => part?.operations ?? [])).toEqual([]);
  });
});
