import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLOUDS } from "../../lib/inventory/model.js";
import { loadPolicyFile, loadPolicyText } from "../../lib/policy/load.js";
import { formatIssue, loadScenarioText } from "../../sim/scenario.js";
import { Simulation } from "../../sim/simulation.js";
import type { TrafficOutcome } from "../../sim/traffic/send.js";
import type { TrafficFlow } from "../../sim/traffic-schema.js";
import {
  AWS_WEB,
  AZURE_API,
  estateOf,
  exampleEstate,
  GCP_DB,
  HEADER,
  REPO_ROOT,
  SMALL_ESTATE,
  text,
  WORKLOADS,
} from "./fixtures.js";
import {
  discoveredInventory,
  EX,
  expectedKeys,
  parsedRecords,
  readBack,
  reporterAddresses,
  servicePortsOf,
} from "./traffic-logs.js";

function scenarioIssues(steps: string[]): string[] {
  const text = ["apiVersion: segsync/v1", "kind: Scenario", "steps:", ...steps].join("\n");
  const result = loadScenarioText(`${text}\n`, "s.yaml", { estate: estateOf(SMALL_ESTATE) });
  if (result.ok) throw new Error("expected the scenario to be refused");
  return result.issues.map((issue) => formatIssue("s.yaml", issue));
}

describe("the traffic step's file", () => {
  it("defaults count to 1 and keeps the flow as written", () => {
    const text = `apiVersion: segsync/v1\nkind: Scenario\nsteps:\n  - traffic: [{ from: "${AWS_WEB}", to: "${AZURE_API}", service: tcp/8080 }]\n`;
    const result = loadScenarioText(text, "s.yaml", { estate: estateOf(SMALL_ESTATE) });
    if (!result.ok) throw new Error(result.issues.map((i) => formatIssue("s.yaml", i)).join("\n"));
    expect(result.scenario.steps[0]).toEqual({
      traffic: [{ from: AWS_WEB, to: AZURE_API, service: "tcp/8080", count: 1 }],
    });
  });

  it("refuses what is not a flow, each issue at its path", () => {
    const issues = scenarioIssues([
      `  - traffic: [{ from: "${AWS_WEB}", to: 10.1.0.011, service: tcp/70000, count: 0 }]`,
      "  - traffic: [{ from: aws:1:2:3, to: 10.1.0.11, service: http, extra: 1 }]",
      "  - traffic: []",
    ]);
    expect(issues.join("\n")).toMatch(
      /s\.yaml:4:\d+ steps\[0\]\.traffic\[0\]\.to: "10\.1\.0\.011" is not an IPv4 address \(a workload id or an IPv4 address\)/,
    );
    expect(issues.join("\n")).toMatch(/steps\[0\]\.traffic\[0\]\.service: port 70000 is out of range/);
    expect(issues.join("\n")).toMatch(/steps\[0\]\.traffic\[0\]\.count: /);
    expect(issues.join("\n")).toMatch(
      /steps\[1\]\.traffic\[0\]\.from: .*\(a workload id or an IPv4 address\)/,
    );
    expect(issues.join("\n")).toMatch(/steps\[1\]\.traffic\[0\]\.service: "http" is not a service/);
    expect(issues.join("\n")).toMatch(/steps\[1\]\.traffic\[0\]\.extra: unknown key "extra"/);
    expect(issues.join("\n")).toMatch(/steps\[2\]\.traffic: must not be empty/);
  });

  it("refuses, on the estate, an unknown or stopped workload, two outside ends and a workload to itself", () => {
    const unknown = "aws:111111111111:us-east-1:i-0a0000000000000f";
    const issues = scenarioIssues([
      `  - traffic: [{ from: "${AWS_WEB}", to: "${unknown}", service: tcp/80 }]`,
      `  - stop: { id: "${GCP_DB}" }`,
      `  - traffic: [{ from: "${AWS_WEB}", to: 10.3.0.11, service: tcp/5432 }, { from: 198.51.100.1, to: 203.0.113.9, service: icmp }]`,
      `  - traffic: [{ from: "${AWS_WEB}", to: 54.0.0.11, service: tcp/80 }]`,
    ]);
    expect(issues).toEqual([
      `s.yaml:4:76 steps[0].traffic[0].to: ${unknown} does not exist (anymore)`,
      `s.yaml:6:76 steps[2].traffic[0].to: 10.3.0.11 (${GCP_DB}) is stopped: a stopped workload sends and receives no traffic`,
      "s.yaml:6:108 steps[2].traffic[1]: neither 198.51.100.1 nor 203.0.113.9 is a workload of the estate: no simulated cloud sees this flow",
      `s.yaml:7:76 steps[3].traffic[0].to: ${AWS_WEB} sends to itself: that traffic never leaves the workload`,
    ]);
  });
});

async function syncedExample(): Promise<Simulation> {
  const policy = await loadPolicyFile(join(REPO_ROOT, "examples", "policy.yaml"));
  if (!policy.ok) throw new Error("the example policy must load");
  const simulation = Simulation.start(policy.policy, await exampleEstate());
  await simulation.fullSync();
  return simulation;
}

const flow = (from: string, to: string, service: string, count = 1): TrafficFlow => ({
  from,
  to,
  service,
  count,
});

/** Accepted and rejected flows into each cloud, by id and address, private, public and NAT, TCP, UDP and ICMP. */
const FLOWS: TrafficFlow[] = [
  flow(EX.web1, EX.api1, "tcp/8080", 3),
  flow(EX.web1, EX.db1, "tcp/5432"),
  flow(EX.api2, EX.db1, "tcp/5432", 2),
  flow("198.51.100.7", "54.0.0.11", "tcp/443"),
  flow(EX.web1, EX.web2, "icmp"),
  flow(EX.prometheus, EX.api2, "tcp/9100"),
  flow(EX.batch, EX.api2, "tcp/5432"),
  flow(EX.web1, EX.blogWeb, "icmp", 2),
  flow(EX.web1, EX.blogWeb, "udp/53"),
  flow("10.8.0.5", EX.web3, "tcp/443"),
  flow(EX.web3, EX.db2, "tcp/5432"),
  flow(EX.db2, "20.0.0.31", "tcp/80"),
  flow(EX.batch, EX.db2, "tcp/5432"),
];

describe("an address as a flow's end", () => {
  it("is refused when the private address of two workloads, in networks with the same range", () => {
    const other = "aws:222222222222:us-west-2:i-0b00000000000001";
    const estate = estateOf(
      text(
        ...HEADER,
        '  - { id: "aws:222222222222:us-west-2:vpc-0f9e8d7c", cidr: 10.1.0.0/16 }',
        ...WORKLOADS,
        `  - { id: "${other}", network: "aws:222222222222:us-west-2:vpc-0f9e8d7c", privateIp: 10.1.0.11, tags: { seg-app: shop } }`,
      ),
    );
    const scenario = `apiVersion: segsync/v1\nkind: Scenario\nsteps:\n  - traffic: [{ from: "${GCP_DB}", to: 10.1.0.11, service: tcp/80 }, { from: "${GCP_DB}", to: 54.0.0.11, service: tcp/80 }]\n`;
    const result = loadScenarioText(scenario, "s.yaml", { estate });
    if (result.ok) throw new Error("expected the scenario to be refused");
    expect(result.issues.map((issue) => formatIssue("s.yaml", issue))).toEqual([
      `s.yaml:4:63 steps[0].traffic[0].to: 10.1.0.11 is the private address of ${AWS_WEB}, ${other}: name the workload`,
    ]);
  });
});

describe("the traffic step on the synced example estate", () => {
  it("decides each flow in the destination's cloud and says why one is unreachable", async () => {
    const simulation = await syncedExample();
    const outcome = (await simulation.step({ traffic: FLOWS })).traffic as TrafficOutcome;
    const verdicts = outcome.flows.map(
      (f) => `${f.flow.from} → ${f.flow.to} ${f.flow.service}: ${f.verdict}`,
    );
    expect(verdicts.map((v) => v.split(": ")[1])).toEqual([
      "accepted",
      "rejected",
      "accepted",
      "rejected",
      "rejected",
      "accepted",
      "rejected",
      "accepted",
      "accepted",
      "accepted",
      "rejected",
      "accepted",
      "unreachable",
    ]);
    expect(outcome.connections).toEqual({ accepted: 11, rejected: 5, unreachable: 1 });
    expect(outcome.flows[2]).toMatchObject({
      clouds: { aws: "accepted", azure: "accepted" },
      sourceAddress: "10.2.0.11",
    });
    expect(outcome.flows[11]).toMatchObject({
      clouds: { azure: "accepted", gcp: "accepted" },
      sourceAddress: "203.0.113.10",
    });
    expect(outcome.flows[1]?.clouds).toEqual({ aws: "rejected" });
    expect(outcome.findings).toEqual([
      {
        code: "unreachable-flow",
        message: `${EX.batch} → ${EX.db2} tcp/5432: ${EX.db2} has no public address and no network of it is connected to ${EX.batch}'s`,
      },
    ]);
  });

  it("writes each cloud's log so that lib/flows reads back every connection, its ends, service and verdict", async () => {
    const simulation = await syncedExample();
    const outcome = (await simulation.step({ traffic: FLOWS })).traffic as TrafficOutcome;
    const inventory = await discoveredInventory(simulation);
    const files = simulation.clouds.flowLogs.files();
    for (const cloud of CLOUDS) {
      const expected = expectedKeys([outcome], cloud, simulation, inventory);
      const read = await readBack(
        files.filter((f) => f.cloud === cloud),
        inventory,
        simulation,
        servicePortsOf([outcome]),
      );
      expect(read.malformed, cloud).toBe(0);
      expect(read.keys, cloud).toEqual(expected);
      expect(new Set(expected.map((k) => k.split(" ").at(-1))), cloud).toEqual(new Set(["accept", "reject"]));
      if (cloud === "gcp") continue;
      // AWS's TCP flags and Azure's tuples say who opened each connection: no service ports needed.
      const unaided = await readBack(
        files.filter((f) => f.cloud === cloud),
        inventory,
        simulation,
        new Set(),
      );
      expect(unaided.keys, cloud).toEqual(expected);
    }
    // Each record names its reporting interface or instance, and which of its addresses is that one's own.
    const own = reporterAddresses(inventory);
    const records = await parsedRecords(files);
    for (const record of records) {
      const address = record.reporterSide === "src" ? record.srcAddress : record.dstAddress;
      const where = `${record.origin.object}:${record.origin.line}`;
      expect(record.reporterSide, where).toBeDefined();
      expect([...(own.get(record.reportedBy?.id ?? "") ?? [])], where).toContain(address);
    }
    expect(records.length).toBeGreaterThan(40);
    expect(files.map((f) => `${f.cloud}/${f.name}`)).toEqual([
      "aws/111111111111_vpcflowlogs_us-east-1.log",
      "azure/vm-api-2-nic_002248C5001B.json",
      // vm-batch-1 sent a connection that vm-api-2 rejected: its own NIC logs it as sent.
      "azure/vm-batch-1VMNic_002248732939.json",
      "azure/vm-blog-web-1VMNic_002248C6647C.json",
      "gcp/shop-prod_firewall.json",
      "gcp/shop-prod_vpc_flows.json",
    ]);
  });
});

describe("traffic to a workload with a secondary NIC", () => {
  const NETWORK = (name: string) =>
    `https://www.googleapis.com/compute/v1/projects/shop-prod/global/networks/${name}`;
  const POLICY = [
    "apiVersion: segsync/v1",
    "kind: Policy",
    "labels: { tagPrefix: seg-, dimensions: [app, role] }",
    "rulesets:",
    "  - { name: shop, scope: { app: shop }, enforcement: enforced, rules: [{ from: { role: web }, to: { role: db }, services: [tcp/5432] }] }",
  ].join("\n");
  // db-1 is in prod-net (nic0) and mgmt-net (nic1); web-1 only in mgmt-net.
  const ESTATE = [
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
    `          - { name: nic0, network: "${NETWORK("prod-net")}", networkIP: 10.3.0.11 }`,
    `          - { name: nic1, network: "${NETWORK("mgmt-net")}", networkIP: 10.4.0.11 }`,
  ].join("\n");

  it("reaches it on the NIC in the source's network, decided by that network's rules", async () => {
    const policy = loadPolicyText(`${POLICY}\n`, "p.yaml");
    if (!policy.ok) throw new Error("the policy must load");
    const simulation = Simulation.start(policy.policy, estateOf(`${ESTATE}\n`));
    await simulation.fullSync();
    const web = "gcp:shop-prod:us-central1-a:web-1";
    const db = "gcp:shop-prod:us-central1-a:db-1";
    const outcome = (
      await simulation.step({ traffic: [flow(web, db, "tcp/5432", 2), flow(web, db, "tcp/22")] })
    ).traffic as TrafficOutcome;
    expect(outcome.flows.map((f) => [f.verdict, f.sourceAddress, f.destinationAddress])).toEqual([
      ["accepted", "10.4.0.20", "10.4.0.11"],
      ["rejected", "10.4.0.20", "10.4.0.11"],
    ]);
    const inventory = await discoveredInventory(simulation);
    const files = simulation.clouds.flowLogs.files();
    const read = await readBack(files, inventory, simulation, servicePortsOf([outcome]));
    expect(read.keys).toEqual(expectedKeys([outcome], "gcp", simulation, inventory));
    expect(read.keys).toEqual([
      `${web} → ${db} 6/22 reject`,
      `${web} → ${db} 6/5432 accept`,
      `${web} → ${db} 6/5432 accept`,
    ]);
  });
});
