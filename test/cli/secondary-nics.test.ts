/**
 * `segsync plan` on an estate whose `native:` block is real describe-network-interfaces output
 * with a secondary ENI (test/fixtures/native/aws, SOURCES.md there): the plan enforces both of
 * the instance's interfaces, its primary one from the workload entry and the pasted secondary one.
 * `segsync explain` to a GCP instance reachable only through its secondary NIC's network.
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
    // Both ENIs move in one plan: each first gets segsync's group beside its own (make before
    // break), then its final groups.
    const groupsOf = (eni: string) =>
      operations.find(
        (change) =>
          change.objectType === "network interface" &&
          change.object === `${eni} of ${DB}` &&
          change.detail.startsWith("groups "),
      )?.detail;
    const secondary = groupsOf("eni-e5aa89a3");
    expect(secondary).toMatch(/^groups default → segsync-[a-z0-9]+$/);
    const enis = operations.filter(
      (change) =>
        change.objectType === "network interface" &&
        change.object.endsWith(` of ${DB}`) &&
        change.detail.startsWith("groups "),
    );
    expect(enis).toHaveLength(2);
    expect(new Set(enis.map((change) => change.detail))).toEqual(new Set([secondary]));
  });
});

const GCP_NETWORK = (name: string) =>
  `https://www.googleapis.com/compute/v1/projects/shop-prod/global/networks/${name}`;

// db-1 is in prod-net (nic0) and mgmt-net (nic1); web-1 is only in mgmt-net.
const GCP_ESTATE = [
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
  "        zone: us-central1-a",
  "        tags: { items: [] }",
  "        networkInterfaces:",
  `          - { name: nic0, network: "${GCP_NETWORK("prod-net")}", networkIP: 10.3.0.11 }`,
  `          - { name: nic1, network: "${GCP_NETWORK("mgmt-net")}", networkIP: 10.4.0.11 }`,
  "",
].join("\n");

describe("segsync explain: a destination reached through its secondary NIC", () => {
  it("explains the flow in the secondary NIC's network, with the native rule there", async () => {
    const dir = mkdtempSync(join(tmpdir(), "segsync-secondary-"));
    writeFileSync(join(dir, "estate.yaml"), GCP_ESTATE);
    writeFileSync(join(dir, "policy.yaml"), POLICY);
    const explain = (port: string) =>
      runCli([
        "explain",
        "--policy",
        join(dir, "policy.yaml"),
        "--estate",
        join(dir, "estate.yaml"),
        "--from",
        "gcp:shop-prod:us-central1-a:web-1",
        "--to",
        "gcp:shop-prod:us-central1-a:db-1",
        "--port",
        port,
      ]);
    const [allowed, denied] = await Promise.all([explain("tcp/5432"), explain("tcp/22")]);
    expect(allowed.exitCode).toBe(0);
    expect(allowed.stdout).toContain("verdict: allowed");
    expect(allowed.stdout).toContain("policy: allowed by rule shop#0");
    expect(allowed.stdout).toMatch(/in mgmt-net \(gcp\), seen from 10\.4\.0\.20\)/);
    expect(denied.stdout).toContain("verdict: denied");
  });
});
