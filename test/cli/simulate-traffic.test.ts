import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.js";
import { detectFormat } from "../../lib/flows/parsers/index.js";

const EXAMPLE = ["--policy", "examples/policy.yaml", "--estate", "examples/estate.yaml"];
const TRAFFIC = ["--scenario", "examples/scenarios/traffic.yaml"];

async function simulate(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  return segsync(["simulate", ...args]);
}

async function segsync(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io = {
    out: (text: string) => {
      out += text;
    },
    err: (text: string) => {
      err += text;
    },
  };
  const code = await main(["node", "segsync", ...args], io);
  return { code, out, err };
}

describe("simulate with traffic", () => {
  it("prints one line per traffic step and writes each cloud's flow log in its own folder and format", async () => {
    const dir = mkdtempSync(join(tmpdir(), "segsync-traffic-"));
    const logs = join(dir, "logs");
    const run = await simulate([
      ...EXAMPLE,
      ...TRAFFIC,
      "--state-out",
      join(dir, "state.json"),
      "--flow-logs-out",
      logs,
    ]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    const lines = run.out.split("\n");
    const step = lines.findIndex((line) => line.startsWith("Step 1: traffic (10 flow(s))"));
    expect(lines[step + 1]).toBe("  13 connection(s): 7 accepted, 5 rejected, 1 unreachable");
    expect(readdirSync(logs).sort()).toEqual(["aws", "azure", "gcp"]);
    const formats = ["aws", "azure", "gcp"].flatMap((cloud) =>
      readdirSync(join(logs, cloud)).map((file) => {
        const text = readFileSync(join(logs, cloud, file), "utf8");
        return `${cloud}/${file.split(".").at(-1)} ${detectFormat(text)}`;
      }),
    );
    // Sources log what they sent too (a rejected connection's as sent): two Azure NICs, both GCP logs.
    expect(formats).toEqual([
      "aws/log aws",
      "azure/json azure",
      "azure/json azure",
      "gcp/json gcp",
      "gcp/json gcp",
    ]);
  });

  it("prints each flow's verdict, per cloud, with --json", async () => {
    const dir = mkdtempSync(join(tmpdir(), "segsync-traffic-"));
    const run = await simulate([...EXAMPLE, ...TRAFFIC, "--state-out", join(dir, "state.json"), "--json"]);
    expect(run.code).toBe(0);
    const traffic = JSON.parse(run.out).steps[1].traffic;
    expect(traffic.connections).toEqual({ accepted: 7, rejected: 5, unreachable: 1 });
    expect(traffic.flows[2]).toMatchObject({
      from: "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-shop-prod:vm-api-2",
      service: "tcp/5432",
      count: 2,
      verdict: "accepted",
      clouds: { aws: "accepted", azure: "accepted" },
      decidedBy: { cloud: "aws", end: "destination" },
      sourceAddress: "10.2.0.11",
      destinationAddress: "10.1.0.31",
    });
    expect(traffic.flows[8]).toMatchObject({ verdict: "unreachable", clouds: {} });
    expect(traffic.findings).toHaveLength(1);
  });

  it("names the end that decided with --json: the source's egress where it is enforced and rejects", async () => {
    const dir = mkdtempSync(join(tmpdir(), "segsync-traffic-"));
    const scenario = join(dir, "egress.yaml");
    const web = "aws:111111111111:us-east-1:i-0a00000000000001";
    const api = "aws:111111111111:us-east-1:i-0a00000000000003";
    const steps = [
      `{ from: "${web}", to: "${api}", service: tcp/22 }`,
      `{ from: "${web}", to: "${api}", service: tcp/8080 }`,
    ];
    writeFileSync(
      scenario,
      `apiVersion: segsync/v1\nkind: Scenario\nsteps:\n  - traffic: [${steps.join(", ")}]\n`,
    );
    const args = [
      "--policy",
      "examples/policy-v2.yaml",
      "--estate",
      "examples/estate.yaml",
      "--scenario",
      scenario,
    ];
    const run = await simulate([...args, "--state-out", join(dir, "state.json"), "--json"]);
    expect(run.code).toBe(0);
    const flows = JSON.parse(run.out).steps[1].traffic.flows;
    expect(flows[0]).toMatchObject({
      verdict: "rejected",
      clouds: { aws: "rejected" },
      decidedBy: { cloud: "aws", end: "source" },
    });
    expect(flows[1]).toMatchObject({ verdict: "accepted", decidedBy: { cloud: "aws", end: "destination" } });
  });

  it("says why it cannot write the flow logs, and exits 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "segsync-traffic-"));
    const blocked = join(dir, "a-file");
    writeFileSync(blocked, "");
    const run = await simulate([
      ...EXAMPLE,
      ...TRAFFIC,
      "--state-out",
      join(dir, "state.json"),
      "--flow-logs-out",
      blocked,
    ]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^segsync simulate: cannot write the flow logs to .*a-file\/aws: /);
  });
});

describe("simulated flow logs through flows check", () => {
  const SUB = "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f";
  const web1 = "aws:111111111111:us-east-1:i-0a00000000000001";
  const db1 = "aws:111111111111:us-east-1:i-0a00000000000004";
  const api2 = `azure:${SUB}:rg-shop-prod:vm-api-2`;
  const batch = `azure:${SUB}:rg-shop-prod:vm-batch-1`;
  const web3 = "gcp:shop-prod:us-central1-a:shop-web-3";
  const db2 = "gcp:shop-prod:us-central1-a:shop-db-2";
  const flows = [
    `{ from: "${web1}", to: "aws:111111111111:us-east-1:i-0a00000000000003", service: tcp/8080 }`,
    `{ from: "${web1}", to: "${db1}", service: tcp/5432 }`,
    `{ from: "${api2}", to: "${db1}", service: tcp/5432 }`,
    `{ from: "${batch}", to: "${api2}", service: tcp/5432, count: 2 }`,
    `{ from: "${web3}", to: "${db2}", service: tcp/5432 }`,
    `{ from: 10.8.0.5, to: "${web3}", service: tcp/443 }`,
  ];

  /** The simulation's logs under this policy text, then `flows check` of them against the example policy. */
  async function checkAfter(policyText: string, extra: readonly string[] = []) {
    const dir = mkdtempSync(join(tmpdir(), "segsync-look-first-"));
    writeFileSync(join(dir, "policy.yaml"), policyText);
    const scenario = [
      "apiVersion: segsync/v1",
      "kind: Scenario",
      "steps:",
      "  - traffic:",
      ...[...flows, ...extra].map((f) => `      - ${f}`),
    ];
    writeFileSync(join(dir, "scenario.yaml"), `${scenario.join("\n")}\n`);
    const logs = join(dir, "logs");
    const files = ["--estate", "examples/estate.yaml", "--scenario", join(dir, "scenario.yaml")];
    const run = await simulate([
      "--policy",
      join(dir, "policy.yaml"),
      ...files,
      "--state-out",
      join(dir, "s.json"),
      "--flow-logs-out",
      logs,
    ]);
    expect(run.code).toBe(0);
    const check = await segsync([
      "flows",
      "check",
      "--policy",
      "examples/policy.yaml",
      "--estate",
      "examples/estate.yaml",
      "--json",
      logs,
    ]);
    const report = JSON.parse(check.out) as {
      summary: { connections: number };
      groups: {
        source: { workload?: string };
        destination: { workload?: string };
        service: string;
        observed: string;
        connections: number;
        wouldBlock: boolean;
      }[];
    };
    const blocked = report.groups
      .filter((group) => group.wouldBlock)
      .map((group) => `${group.source.workload} → ${group.destination.workload} ${group.service}`);
    const rejected = report.groups
      .filter((group) => group.observed === "rejected")
      .map((g) => `${g.source.workload} → ${g.destination.workload} ${g.service} ×${g.connections}`);
    return {
      code: check.code,
      blocked: [...new Set(blocked)].sort(),
      connections: report.summary.connections,
      rejected: rejected.sort(),
    };
  }

  it("shows in visibility what enforcing would break, and nothing once it is enforced", async () => {
    const policy = readFileSync("examples/policy.yaml", "utf8");
    const looking = await checkAfter(policy.replace("enforcement: enforced", "enforcement: visibility"));
    // Seven connections, once each: api2 → db1 is in Azure's log and in AWS's, one connection.
    expect(looking).toMatchObject({
      code: 2,
      blocked: [`${web1} → ${db1} tcp/5432`, `${batch} → ${api2} tcp/5432`],
      connections: 7,
    });
    expect(await checkAfter(policy)).toMatchObject({ code: 0, blocked: [], connections: 7 });
  });

  it("reads a connection between two clouds that the destination rejected as one rejected connection", async () => {
    // vm-batch-1 (Azure) sends, its NSG lets it out (Azure's log: sent); shop-db-1 (AWS) rejects it.
    const enforced = await checkAfter(readFileSync("examples/policy.yaml", "utf8"), [
      `{ from: "${batch}", to: "${db1}", service: tcp/22 }`,
    ]);
    expect(enforced.connections).toBe(8);
    expect(enforced.blocked).toEqual([]);
    expect(enforced.rejected).toContain(`${batch} → ${db1} tcp/22 ×1`);
  });
});
