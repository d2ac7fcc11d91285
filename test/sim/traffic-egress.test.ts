/**
 * The traffic step with enforced egress (docs/flows.md, "Simulated flow logs"): examples/policy-v2.yaml
 * (shop in production sends only what its rules say) on the synced example estate, plus one rule
 * that lets web send postgres anywhere, so that a flow its source's egress allows meets a
 * destination whose ingress denies it. A flow the source's egress rejects is logged by the
 * source's cloud only, as that cloud logs an outbound rejection, and lib/flows reads it back.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { verdictText } from "../../cli/flows-text.js";
import { compile } from "../../lib/compile/compile.js";
import { FlowCheck } from "../../lib/flows/check.js";
import { connectRecords } from "../../lib/flows/connections.js";
import type { FlowRecord } from "../../lib/flows/model.js";
import { AddressIndex, resolveConnection } from "../../lib/flows/resolve.js";
import { CLOUDS } from "../../lib/inventory/model.js";
import { loadPolicyText } from "../../lib/policy/load.js";
import { Simulation } from "../../sim/simulation.js";
import type { CloudLogFile } from "../../sim/traffic/flow-logs.js";
import type { TrafficOutcome } from "../../sim/traffic/send.js";
import type { TrafficFlow } from "../../sim/traffic-schema.js";
import { exampleEstate, REPO_ROOT } from "./fixtures.js";
import {
  discoveredInventory,
  EX,
  expectedKeys,
  parsedRecords,
  readBack,
  servicePortsOf,
} from "./traffic-logs.js";

const PAYMENTS = "      - from: { role: api }\n        to: { ipList: payments-gateway }";
const WEB_POSTGRES_ANYWHERE =
  "      - from: { role: web }\n        to: { ipList: anywhere }\n        services: [postgres]\n";

/** examples/policy-v2.yaml with web → anywhere on postgres. */
function egressPolicyText(): string {
  const text = readFileSync(join(REPO_ROOT, "examples", "policy-v2.yaml"), "utf8");
  if (!text.includes(PAYMENTS)) throw new Error("examples/policy-v2.yaml has changed: update this test");
  return text.replace(PAYMENTS, `${WEB_POSTGRES_ANYWHERE}${PAYMENTS}`);
}

const flow = (from: string, to: string, service: string, count = 1): TrafficFlow => ({
  from,
  to,
  service,
  count,
});

const FLOWS: TrafficFlow[] = [
  flow(EX.web1, EX.api1, "tcp/8080", 2), // allowed at both ends
  flow(EX.web1, EX.api1, "tcp/22"), // AWS egress rejects
  flow(EX.web1, EX.db1, "tcp/5432"), // egress allows, the destination's ingress rejects
  flow(EX.web1, "198.51.100.7", "tcp/5432"), // outside: the source's egress alone, allowed
  flow(EX.web1, "198.51.100.7", "tcp/443"), // outside: the source's egress alone, rejected
  flow(EX.api2, "10.8.0.5", "tcp/443", 2), // Azure egress rejects (over a private link)
  flow(EX.api2, EX.batch, "tcp/5432"), // Azure egress rejects, inside the VNet
  flow(EX.web3, "203.0.113.50", "tcp/443"), // GCP egress rejects
  flow(EX.web3, EX.db2, "tcp/5432"), // GCP: egress allows, ingress rejects
  flow(EX.blogWeb, EX.api2, "tcp/8080"), // a source whose egress is open: the destination decides
];

let simulation: Simulation;
let outcome: TrafficOutcome;
let files: CloudLogFile[];

beforeAll(async () => {
  const policy = loadPolicyText(egressPolicyText(), "policy-v2.yaml");
  if (!policy.ok) throw new Error("the policy must load");
  simulation = Simulation.start(policy.policy, await exampleEstate());
  await simulation.fullSync();
  outcome = (await simulation.step({ traffic: FLOWS })).traffic as TrafficOutcome;
  files = simulation.clouds.flowLogs.files();
}, 60_000);

describe("the traffic step with egress-enforced sources", () => {
  it("checks the source's egress first: what it rejects never reaches the destination", () => {
    const lines = outcome.flows.map(
      (f) => `${f.verdict} ${f.decidedBy?.cloud}/${f.decidedBy?.end} ${JSON.stringify(f.clouds)}`,
    );
    expect(lines).toEqual([
      'accepted aws/destination {"aws":"accepted"}',
      'rejected aws/source {"aws":"rejected"}',
      'rejected aws/destination {"aws":"rejected"}',
      'accepted aws/source {"aws":"accepted"}',
      'rejected aws/source {"aws":"rejected"}',
      'rejected azure/source {"azure":"rejected"}',
      'rejected azure/source {"azure":"rejected"}',
      'rejected gcp/source {"gcp":"rejected"}',
      'rejected gcp/destination {"gcp":"rejected"}',
      'rejected azure/destination {"azure":"rejected"}',
    ]);
    expect(outcome.connections).toEqual({ accepted: 3, rejected: 9, unreachable: 0 });
    // The native rule that rejected at the source: Azure's deny-all outbound, GCP's egress deny.
    expect(outcome.flows[5]?.decidedBy?.rule).toBe("segsync-deny-all-outbound");
    expect(outcome.flows[7]?.decidedBy?.object).toMatch(/^segsync-.*-edeny$/);
  });

  it("logs an egress rejection at the source, as each cloud logs one, and lib/flows reads it back", async () => {
    const records = await parsedRecords(files);
    const rejected = (record: FlowRecord) => record.action === "reject" && record.reporterSide === "src";
    const bySource = records
      .filter(rejected)
      .map((r) => `${r.format} ${r.srcAddress} → ${r.dstAddress}:${r.dstPort}`);
    expect(bySource.sort()).toEqual([
      "aws 10.1.0.11 → 10.1.0.21:22",
      "aws 10.1.0.11 → 198.51.100.7:443",
      "azure 10.2.0.11 → 10.2.0.21:5432",
      "azure 10.2.0.11 → 10.8.0.5:443",
      "azure 10.2.0.11 → 10.8.0.5:443",
      "gcp 10.3.0.21 → 203.0.113.50:443",
    ]);
    const text = (cloud: string) =>
      files
        .filter((file) => file.cloud === cloud)
        .map((file) => file.text)
        .join("\n");
    expect(text("aws")).toMatch(/ 10\.1\.0\.11 10\.1\.0\.21 \d+ 22 6 1 60 \d+ \d+ REJECT OK .* egress\n/);
    expect(text("azure")).toMatch(
      /"rule": "UserRule_segsync-deny-all-outbound",\s+"flowTuples": \[\s+"\d+,10\.2\.0\.11,10\.8\.0\.5,\d+,443,6,O,D,/,
    );
    expect(text("gcp")).toMatch(
      /"disposition":"DENIED","instance":\{[^}]*"vm_name":"shop-web-3"[^}]*\},"rule_details":\{"action":"DENY","direction":"EGRESS"/,
    );
  });

  it("reads back from every cloud's log connection by connection, at the end that logged it", async () => {
    const inventory = await discoveredInventory(simulation);
    for (const cloud of CLOUDS) {
      const read = await readBack(
        files.filter((file) => file.cloud === cloud),
        inventory,
        simulation,
        servicePortsOf([outcome]),
      );
      expect(read.malformed, cloud).toBe(0);
      expect(read.keys, cloud).toEqual(expectedKeys([outcome], cloud, simulation, inventory));
    }
  });

  it("reads back in flows check as denied at the source's egress, and as the policy allows the rest", async () => {
    const inventory = await discoveredInventory(simulation);
    const policy = simulation.policy;
    const check = new FlowCheck(compile(policy, inventory), policy);
    const index = new AddressIndex(inventory, policy);
    for (const cloud of CLOUDS) {
      // Connections are paired within one format: each cloud's log on its own, as flows check reads them.
      const records = await parsedRecords(files.filter((file) => file.cloud === cloud));
      const report = await connectRecords(
        records.map((record) => ({ kind: "record" as const, record })),
        { servicePorts: (protocol, port) => servicePortsOf([outcome]).has(`${protocol}/${port}`) },
      );
      for (const connection of report.connections) check.add(resolveConnection(connection, index));
    }
    const groups = check
      .report()
      .groups.map((group) => `${group.observed} ${verdictText(group.verdict)} ${group.destination.kind}`);
    expect(check.report().summary.wouldBlock).toBe(0);
    expect(groups.filter((line) => line.includes("at the source's egress")).sort()).toEqual(
      [
        // web → anywhere on postgres (shop-prod#3); every outside address is in ipList anywhere.
        "accepted allowed by shop-prod#3 at the source's egress ipList",
        "rejected denied by default at the source's egress ipList",
        "rejected denied by default at the source's egress ipList",
        "rejected denied by default at the source's egress ipList",
        "rejected denied by default at the source's egress workload",
        "rejected denied by default at the source's egress workload",
      ].sort(),
    );
  });
});
