/**
 * The blast-radius guard counts every narrowing (docs/trust-model.md), not only revoked rules: a
 * group detached from an ENI segsync enforces, an owned NSG replaced on a NIC, an owned network
 * tag removed from an instance. Here one workload per cloud changes identity while its old
 * identity keeps other members, so nothing is revoked or deleted: the detach is the only narrowing.
 */
import { describe, expect, it } from "vitest";
import type { Cloud } from "../../lib/inventory/model.js";
import { loadPolicyText } from "../../lib/policy/load.js";
import { Simulation } from "../../sim/simulation.js";
import { AWS_VPC, AZURE_VNET, estateOf, GCP_NET, HEADER, SUB, text } from "../sim/fixtures.js";

const POLICY = loadPolicyText(
  text(
    "apiVersion: segsync/v1",
    "kind: Policy",
    "labels: { tagPrefix: seg-, dimensions: [app, role] }",
    "ipLists: { office: [192.0.2.0/24] }",
    "rulesets:",
    "  - name: shop",
    "    scope: { app: shop }",
    "    enforcement: enforced",
    "    rules:",
    "      - { from: { ipList: office }, to: { role: web }, services: [tcp/443] }",
    "      - { from: { ipList: office }, to: { role: api }, services: [tcp/8080] }",
  ),
  "policy.yaml",
);

/** What one identity change narrows: AWS detaches a group; Azure replaces the NSG and leaves an ASG; GCP removes a tag. */
const NARROWINGS: Record<Cloud, number> = { aws: 1, azure: 2, gcp: 1 };

const WORKLOADS: Record<Cloud, { network: string; ids: [string, string, string]; subnet: string }> = {
  aws: {
    network: AWS_VPC,
    ids: [
      "aws:111111111111:us-east-1:i-0a00000000000001",
      "aws:111111111111:us-east-1:i-0a00000000000002",
      "aws:111111111111:us-east-1:i-0a00000000000003",
    ],
    subnet: "10.1.0",
  },
  azure: {
    network: AZURE_VNET,
    ids: [`azure:${SUB}:rg-shop:vm-web-1`, `azure:${SUB}:rg-shop:vm-web-2`, `azure:${SUB}:rg-shop:vm-api-1`],
    subnet: "10.2.0",
  },
  gcp: {
    network: GCP_NET,
    ids: [
      "gcp:shop-prod:us-central1-a:web-1",
      "gcp:shop-prod:us-central1-a:web-2",
      "gcp:shop-prod:us-central1-a:api-1",
    ],
    subnet: "10.3.0",
  },
};

describe("the guard counts detachments as narrowings", () => {
  it.each(["aws", "azure", "gcp"] as const)(
    "%s: a workload moving to another identity is counted",
    async (cloud) => {
      if (!POLICY.ok) throw new Error("the policy must load");
      const { network, ids, subnet } = WORKLOADS[cloud];
      const roles = ["web", "web", "api"];
      const estate = estateOf(
        text(
          ...HEADER,
          "workloads:",
          ...ids.map(
            (id, i) =>
              `  - { id: "${id}", network: "${network}", privateIp: ${subnet}.${11 + i}, tags: { seg-app: shop, seg-role: ${roles[i]} } }`,
          ),
        ),
      );
      const simulation = Simulation.start(POLICY.policy, estate);
      await simulation.fullSync();
      await simulation.step({ retag: { id: ids[0], tags: { "seg-app": "shop", "seg-role": "api" } } });
      const planned = await simulation.reconcile({ dryRun: true });
      const part = planned.plan[cloud];
      expect(part?.summaries.some((s) => s.narrows)).toBe(true);
      expect(part?.removedRules).toBe(NARROWINGS[cloud]);
    },
  );
});
