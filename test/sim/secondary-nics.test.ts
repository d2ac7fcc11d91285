/**
 * A GCP instance's secondary NIC (nic1, in another VPC network) pasted in `native.gcp.instances`
 * becomes a NIC of its workload in the simulated Compute: discovery reads both, and a full sync
 * enforces the policy on the secondary NIC's network too.
 */
import { describe, expect, it } from "vitest";
import { evaluateGcp } from "../../lib/clouds/gcp/evaluate.js";
import { loadPolicyText } from "../../lib/policy/load.js";
import { Simulation } from "../../sim/simulation.js";
import { estateOf, text } from "./fixtures.js";

const NETWORK = (name: string) =>
  `https://www.googleapis.com/compute/v1/projects/shop-prod/global/networks/${name}`;

const POLICY = text(
  "apiVersion: segsync/v1",
  "kind: Policy",
  "labels: { tagPrefix: seg-, dimensions: [app, role] }",
  "rulesets:",
  "  - name: shop",
  "    scope: { app: shop }",
  "    enforcement: enforced",
  "    rules:",
  "      - { from: { role: web }, to: { role: db }, services: [tcp/5432] }",
);

// db-1 is in prod-net (nic0, from its workload entry) and in mgmt-net (nic1, pasted); web-1 only in mgmt-net.
const ESTATE = text(
  "apiVersion: segsync/v1",
  "kind: Estate",
  "networks:",
  "  - { id: gcp:shop-prod:prod-net, cidr: 10.3.0.0/16 }",
  "  - { id: gcp:shop-prod:mgmt-net, cidr: 10.4.0.0/16 }",
  "workloads:",
  "  - { id: gcp:shop-prod:us-central1-a:db-1, network: gcp:shop-prod:prod-net, privateIp: 10.3.0.11, tags: { seg-app: shop, seg-role: db } }",
  "  - { id: gcp:shop-prod:us-central1-a:web-1, network: gcp:shop-prod:mgmt-net, privateIp: 10.4.0.20, tags: { seg-app: shop, seg-role: web } }",
  "native:",
  "  gcp:",
  "    instances:",
  "      - name: db-1",
  "        zone: https://www.googleapis.com/compute/v1/projects/shop-prod/zones/us-central1-a",
  "        tags: { items: [legacy-db] }",
  "        networkInterfaces:",
  "          - kind: compute#networkInterface",
  "            name: nic0",
  `            network: ${NETWORK("prod-net")}`,
  "            subnetwork: https://www.googleapis.com/compute/v1/projects/shop-prod/regions/us-central1/subnetworks/prod",
  "            networkIP: 10.3.0.11",
  "            fingerprint: gD8VBoljrY0=",
  "          - kind: compute#networkInterface",
  "            name: nic1",
  `            network: ${NETWORK("mgmt-net")}`,
  "            subnetwork: https://www.googleapis.com/compute/v1/projects/shop-prod/regions/us-central1/subnetworks/mgmt",
  "            networkIP: 10.4.0.11",
  "            stackType: IPV4_ONLY",
  "            fingerprint: gyC4hDfoKLM=",
);

describe("a GCP instance's secondary NIC from native.gcp.instances", () => {
  it("is discovered as the workload's second NIC and enforced in its network", async () => {
    const policy = loadPolicyText(POLICY, "policy.yaml");
    if (!policy.ok) throw new Error("the test policy must load");
    const simulation = Simulation.start(policy.policy, estateOf(ESTATE));
    const result = await simulation.fullSync();
    expect(result.failures).toEqual({});
    const state = simulation.clouds.gcp("shop-prod").state();
    const db = state.instances.find((instance) => instance.name === "db-1");
    expect(db?.networkInterfaces.map((nic) => [nic.name, nic.network, nic.networkIP])).toEqual([
      ["nic0", NETWORK("prod-net"), "10.3.0.11"],
      ["nic1", NETWORK("mgmt-net"), "10.4.0.11"],
    ]);
    const reach = evaluateGcp([state]);
    const toDb = (sourceAddress: string, port: number) =>
      reach.explain("shop-prod", "us-central1-a", "db-1", NETWORK("mgmt-net"), sourceAddress, "tcp", port)
        .access;
    expect(toDb("10.4.0.20", 5432)).toBe("allow");
    expect(toDb("10.4.0.20", 22)).toBe("deny");
    expect(toDb("10.4.0.99", 5432)).toBe("deny");
  });
});
