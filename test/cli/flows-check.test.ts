/** `segsync flows check` on the AWS samples and a small estate holding their addresses (test/fixtures/flows/check/). */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { flowsCheck } from "../../cli/commands/flows.js";
import { main } from "../../cli/main.js";
import type { CheckReport } from "../../lib/flows/check.js";
import { REPO_ROOT } from "../policy/fixtures.js";

const fixture = (path: string) => join(REPO_ROOT, "test", "fixtures", "flows", path);
const POLICY = fixture("check/policy.yaml");
const ESTATE = fixture("check/estate.yaml");
const LOGS = [fixture("aws/default-v2.log"), fixture("aws/tcp-flags-v3.log")];
const WEB = "aws:123456789010:us-east-1:i-0a00000000000001";
const DB = "aws:123456789010:us-east-1:i-0a00000000000002";
const V5_FIELDS =
  "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path";

async function run(logs: readonly string[], options: Record<string, unknown> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (text: string) => out.push(text), err: (text: string) => err.push(text) };
  const code = await flowsCheck(logs, { policy: POLICY, estate: ESTATE, ...options }, io);
  return { code, out: out.join(""), err: err.join("") };
}

describe("segsync flows check", () => {
  it("leads with the observed accepted connection the policy would block, and exits 2", async () => {
    const { code, out, err } = await run(LOGS);
    expect(err).toBe("");
    expect(code).toBe(2);
    const lines = out.split("\n");
    expect(lines[0]).toBe(
      "7 connections in 5 groups: 1 would be blocked, 2 allowed, 1 denied, 0 not enforced, 2 unknown; 1 connection of unknown direction",
    );
    expect(lines.slice(2, 7)).toEqual([
      "Would be blocked (observed accepted, the policy denies):",
      "  i-0a00000000000001 (aws) app=shop,env=prod,role=web → i-0a00000000000002 (aws)",
      "      app=shop,env=prod,role=db tcp/22",
      "      1 connection accepted, 2014-12-14T04:06:50Z to 2014-12-14T04:07:50Z:",
      "          denied by default",
    ]);
    expect(out).toContain("allowed by shop-prod#2");
    expect(out.indexOf("Allowed:")).toBeGreaterThan(out.indexOf("Would be blocked"));
  });

  it("--json: the report as the contract says, would-block first", async () => {
    const { code, out } = await run(LOGS, { json: true });
    expect(code).toBe(2);
    const report = JSON.parse(out) as CheckReport;
    expect(Object.keys(report)).toEqual(["summary", "groups", "findings"]);
    expect(report.summary).toEqual({
      connections: 7,
      groups: 5,
      wouldBlock: 1,
      allowed: 2,
      denied: 1,
      notEnforced: 0,
      unknown: 2,
      directionUnknown: 1,
      malformed: 0,
    });
    expect(Object.keys(report.groups[0] ?? {})).toEqual([
      "source",
      "destination",
      "service",
      "observed",
      "connections",
      "firstSeen",
      "lastSeen",
      "verdict",
      "wouldBlock",
    ]);
    expect(report.groups[0]).toEqual({
      source: { kind: "workload", workload: WEB, identity: "app=shop,env=prod,role=web" },
      destination: { kind: "workload", workload: DB, identity: "app=shop,env=prod,role=db" },
      service: "tcp/22",
      observed: "accepted",
      connections: 1,
      firstSeen: "2014-12-14T04:06:50.000Z",
      lastSeen: "2014-12-14T04:07:50.000Z",
      verdict: { kind: "denied", rule: null, onceEnforced: false },
      wouldBlock: true,
    });
    const partner = report.groups.find((group) => group.source.kind === "ipList");
    expect(partner).toMatchObject({
      source: { kind: "ipList", name: "partners", address: "52.213.180.42" },
      service: "tcp/5001",
      connections: 3,
      verdict: { kind: "allowed", rule: "shop-prod#2", onceEnforced: false },
      wouldBlock: false,
    });
  });

  it("exits 0 when the policy would block nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "segsync-flows-"));
    const policy = join(dir, "policy.yaml");
    writeFileSync(
      policy,
      readFileSync(POLICY, "utf8").replace("services: [postgres]", "services: [postgres, tcp/22]"),
    );
    const { code, out } = await run(LOGS, { policy });
    expect(code).toBe(0);
    expect(out).not.toContain("Would be blocked");
  });

  it("--aws-format reads records without a header; without it they are malformed, reported with file and line", async () => {
    const log = fixture("aws/cloudwatch-v5-all-fields.log");
    const without = JSON.parse((await run([log], { json: true })).out) as CheckReport;
    expect(without.summary).toMatchObject({ connections: 0, malformed: 1 });
    expect(without.findings[0]).toMatchObject({ code: "malformed-record", subject: `${log}:1` });
    const { code, out } = await run([log], { json: true, awsFormat: V5_FIELDS });
    expect(code).toBe(0);
    expect((JSON.parse(out) as CheckReport).summary).toMatchObject({ connections: 1, malformed: 0 });
  });

  it("exits 1, saying why, on a log that is not there, an unusable --aws-format, or no logs", async () => {
    const missing = await run([fixture("aws/nothing-here.log")]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^segsync flows check: .*nothing-here\.log/);
    const format = await run(LOGS, { awsFormat: "srcaddr dstaddr" });
    expect(format.code).toBe(1);
    expect(format.err).toMatch(/--aws-format lacks protocol/);
    const none = await run([]);
    expect(none).toMatchObject({ code: 1, out: "" });
  });

  it("exits 1 on a target that is none", async () => {
    const out: string[] = [];
    const io = { out: (text: string) => out.push(text), err: (text: string) => out.push(text) };
    expect(await flowsCheck(LOGS, { policy: POLICY }, io)).toBe(1);
    expect(out.join("")).toMatch(/give --estate FILE/);
  });

  it("is registered: segsync flows check --policy P --estate E --json --aws-format F LOGS…", async () => {
    const out: string[] = [];
    const io = { out: (text: string) => out.push(text), err: (text: string) => out.push(text) };
    const log = fixture("aws/cloudwatch-v5-all-fields.log");
    const argv = [
      "flows",
      "check",
      "--policy",
      POLICY,
      "--estate",
      ESTATE,
      "--json",
      "--aws-format",
      V5_FIELDS,
      log,
    ];
    expect(await main(["node", "segsync", ...argv], io)).toBe(0);
    expect((JSON.parse(out.join("")) as CheckReport).summary).toMatchObject({ connections: 1, malformed: 0 });
  });

  it("reads Azure VNet flow logs and GCP firewall logs too: the scanners Azure rejected are denied, not blocked", async () => {
    const logs = [fixture("azure/vnet-flow-log.json"), fixture("gcp/firewall.jsonl")];
    const { code, out } = await run(logs, { json: true });
    expect(code).toBe(0);
    const report = JSON.parse(out) as CheckReport;
    expect(report.summary).toMatchObject({
      connections: 17,
      groups: 15,
      wouldBlock: 0,
      denied: 9,
      unknown: 6,
    });
    const vm = "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-shop-prod:vm-web-9";
    expect(report.groups.find((group) => group.service === "tcp/22")).toMatchObject({
      source: { kind: "outside", address: "101.33.218.153" },
      destination: { kind: "workload", workload: vm },
      observed: "rejected",
      verdict: { kind: "denied", rule: null },
      wouldBlock: false,
    });
    expect(report.groups.find((group) => group.service === "udp/53")).toMatchObject({
      source: { kind: "workload", workload: "gcp:test-beats:us-central1-a:adrian-test" },
      destination: { kind: "outside", address: "175.16.199.1" },
      observed: "rejected",
      verdict: { kind: "unknown" },
    });
  });

  it("with egress enforced: what the source's egress would block, at which end, in the text and --json", async () => {
    // examples/policy-v2.yaml: shop-web-1 may open the api on tcp/8080 only; seen opening the database.
    const dir = mkdtempSync(join(tmpdir(), "segsync-flows-egress-"));
    const log = join(dir, "egress.log");
    const header =
      "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status flow-direction";
    const records = [
      "5 111111111111 eni-0a0000000000000a1 10.1.0.11 10.1.0.31 40000 5432 6 5 420 1735689660 1735689660 ACCEPT OK egress",
      "5 111111111111 eni-0a0000000000000a1 10.1.0.31 10.1.0.11 5432 40000 6 4 1230 1735689660 1735689660 ACCEPT OK ingress",
    ];
    writeFileSync(log, `${[header, ...records].join("\n")}\n`);
    const options = {
      policy: join(REPO_ROOT, "examples", "policy-v2.yaml"),
      estate: join(REPO_ROOT, "examples", "estate.yaml"),
    };
    const text = await run([log], options);
    expect(text.code).toBe(2);
    expect(text.out.replace(/\s+/g, " ")).toContain("denied by default at the source's egress");
    const json = await run([log], { ...options, json: true });
    const report = JSON.parse(json.out) as CheckReport;
    expect(report.groups[0]).toMatchObject({
      wouldBlock: true,
      verdict: { kind: "denied", rule: null, onceEnforced: false, end: "source" },
    });
  });
});
