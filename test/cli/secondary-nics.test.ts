/**
 * `segsync plan` on an estate whose `native:` block is real describe-network-interfaces output
 * with a secondary ENI (test/fixtures/native/aws, SOURCES.md there): the plan enforces both of
 * the instance's interfaces, its primary one from the workload entry and the pasted secondary one.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../policy/fixtures.js";
import { runCli } from "./run-cli.js";

const ACCOUNT = "123456789012";
const VPC = `aws:${ACCOUNT}:us-east-1:vpc-a01106c2`;
const DB = `aws:${ACCOUNT}:us-east-1:i-1234567890abcdef0`;

const POLICY = [
  "apiVersion: segsync/v1",
  "kind: Policy",
  "labels: { tagPrefix: seg-, dimensions: [app, role] }",
  "rulesets:",
  "  - name: shop",
  "    scope: { app: shop }",
  "    enforcement: enforced",
  "    rules:",
  "      - { from: { role: web }, to: { role: db }, services: [tcp/5432] }",
  "",
].join("\n");

function estate(): object {
  const sample = join(REPO_ROOT, "test/fixtures/native/aws/describe-network-interfaces.json");
  const { NetworkInterfaces } = JSON.parse(readFileSync(sample, "utf8")) as { NetworkInterfaces: object[] };
  return {
    apiVersion: "segsync/v1",
    kind: "Estate",
    networks: [{ id: VPC, cidr: "10.0.0.0/16" }],
    workloads: [
      {
        id: `aws:${ACCOUNT}:us-east-1:i-0598c7d356eba48d7`,
        network: VPC,
        privateIp: "10.0.1.149",
        publicIp: "198.51.100.0",
        tags: { "seg-app": "shop", "seg-role": "web" },
      },
      { id: DB, network: VPC, privateIp: "10.0.1.16", tags: { "seg-app": "shop", "seg-role": "db" } },
    ],
    native: {
      aws: {
        securityGroups: [
          {
            GroupId: "sg-8637d3e3",
            GroupName: "default",
            Description: "default VPC security group",
            VpcId: "vpc-a01106c2",
          },
        ],
        networkInterfaces: NetworkInterfaces,
      },
    },
  };
}

interface PlannedChange {
  readonly objectType: string;
  readonly object: string;
  readonly detail: string;
}

describe("segsync plan: a secondary network interface pasted into native", () => {
  it("sets segsync's group on both interfaces of the instance", async () => {
    const dir = mkdtempSync(join(tmpdir(), "segsync-secondary-"));
    writeFileSync(join(dir, "estate.json"), JSON.stringify(estate(), null, 2));
    writeFileSync(join(dir, "policy.yaml"), POLICY);
    const run = await runCli([
      "plan",
      "--policy",
      join(dir, "policy.yaml"),
      "--estate",
      join(dir, "estate.json"),
      "--json",
    ]);
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(2);
    const plan = JSON.parse(run.stdout) as { clouds: Record<string, { operations: PlannedChange[] }> };
    const operations = plan.clouds.aws?.operations ?? [];
    const groupsOf = (eni: string) =>
      operations.find(
        (change) => change.objectType === "network interface" && change.object === `${eni} of ${DB}`,
      )?.detail;
    const secondary = groupsOf("eni-e5aa89a3");
    expect(secondary).toMatch(/^groups default → segsync-[a-z0-9]+$/);
    const enis = operations.filter(
      (change) => change.objectType === "network interface" && change.object.endsWith(` of ${DB}`),
    );
    expect(enis).toHaveLength(2);
    expect(new Set(enis.map((change) => change.detail))).toEqual(new Set([secondary]));
  });
});
