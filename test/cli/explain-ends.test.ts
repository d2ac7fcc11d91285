/**
 * `segsync explain` at both ends, on examples/policy-v2.yaml and examples/estate.yaml: the shop in
 * production has enforced egress (to its payments gateway outside), dev has boundaries first.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { explain } from "../../cli/commands/explain.js";
import type { FlowExplanation } from "../../cli/flows.js";
import { REPO_ROOT } from "../policy/fixtures.js";

const AWS = "aws:111111111111:us-east-1";
const AWS_DEV = "aws:222222222222:us-west-2";
const AZURE = "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f";
const API = `${AWS}:i-0a00000000000003`;
const DB = `${AWS}:i-0a00000000000004`;
const WEB_DEV = `${AWS_DEV}:i-0b00000000000001`;
const AZURE_API = `${AZURE}:rg-shop-prod:vm-api-2`;
const BLOG_WEB = `${AZURE}:rg-blog-prod:vm-blog-web-1`;
const BLOG_API_DEV = "gcp:shop-prod:us-central1-b:blog-api-dev";

/** What explain prints (before its Policy: findings) and its exit code. */
async function explained(from: string, to: string, port: string, json = false) {
  const said: string[] = [];
  const io = { out: (text: string) => said.push(text), err: (text: string) => said.push(text) };
  const options = {
    policy: join(REPO_ROOT, "examples", "policy-v2.yaml"),
    estate: join(REPO_ROOT, "examples", "estate.yaml"),
    from,
    to,
    port,
    ...(json ? { json } : {}),
  };
  const code = await explain(options, io);
  const text = said.join("");
  return { code, text: text.split("\nPolicy:\n")[0] ?? "", all: text };
}

async function explainedJson(from: string, to: string, port: string): Promise<FlowExplanation> {
  const { code, all } = await explained(from, to, port, true);
  expect(code).toBe(0);
  return JSON.parse(all) as FlowExplanation;
}

describe("explain shows both ends where the source's egress is enforced", () => {
  it("an allowed flow names the rule and the native rule at the source and at the destination", async () => {
    const { code, text } = await explained(API, DB, "tcp/5432");
    expect(code).toBe(0);
    expect(text).toContain("verdict: allowed\npolicy: allowed by rule shop-prod#1\n");
    expect(text).toMatch(
      /^native: AWS segsync-\S+ \(sg-\w+\): tcp\/5432 from\n {4}sg-\w+ \(in vpc-0a1b2c3d/m,
    );
    expect(text).toContain("source: egress enforced, opened by rule shop-prod#1\n");
    expect(text).toMatch(
      /^source native: AWS segsync-\S+ \(sg-\w+\): tcp\/5432 to\n {4}sg-\w+ \(in vpc-0a1b2c3d \(aws\), to 10\.1\.0\.31\)$/m,
    );
    expect(text.split("\n").filter((line) => line.length > 80)).toEqual([]);
  }, 60_000);

  it("an allowed flow to the payments gateway outside the estate is decided at the source alone", async () => {
    const { code, text } = await explained(AZURE_API, "198.51.100.7", "tcp/443");
    expect(code).toBe(0);
    expect(text).toMatch(/→ 198\.51\.100\.7 \(outside\) on\s+tcp\/443\nverdict: allowed\n/);
    expect(text).toContain("source: egress enforced, opened by rule shop-prod#3\n");
    expect(text).toMatch(/^source native: Azure segsync-\S+-eastus: segsync-\S+ \(priority/m);
  }, 60_000);

  it("a flow the destination lets in is denied when the source may not open it", async () => {
    const { code, text } = await explained(AZURE_API, BLOG_WEB, "tcp/80");
    expect(code).toBe(0);
    expect(text).toContain("verdict: denied\n");
    // The destination is unscoped and has no NSG: its end lets everything in.
    expect(text).toContain("no NSG on the NIC: everything is allowed");
    expect(text).toMatch(
      /^source: egress enforced, closed: no policy rule lets\s+app=shop,env=prod,loc=us,role=api open/m,
    );
    expect(text).toMatch(
      /^source native: no Azure rule lets it out \(in vnet-prod \(azure\), to 10\.2\.0\.31\):\s+segsync-deny-all-outbound at 4096 closes the rest$/m,
    );
    const flow = await explainedJson(AZURE_API, BLOG_WEB, "tcp/80");
    expect(flow.verdict).toBe("denied");
    expect(flow.destination?.native?.rule).toContain("no NSG");
    expect(flow.source).toMatchObject({ egress: "enforced", verdict: "denied", rules: [] });
    expect(flow.why).toBe(flow.source?.why);
  }, 60_000);

  it("an address outside the estate that no rule opens is closed at the source", async () => {
    const { code, text } = await explained(API, "203.0.113.9", "tcp/443");
    expect(code).toBe(0);
    expect(text).toContain("verdict: denied\n");
    expect(text).toMatch(
      /^source: egress enforced, closed: no policy rule lets\s+app=shop,env=prod,loc=us,role=api open 203\.0\.113\.9 on tcp\/443$/m,
    );
    expect(text).toMatch(
      /^source native: no AWS rule lets it out .*\n\s+the owned groups' allow-all egress is revoked$/m,
    );
  }, 60_000);

  it("a flow a deny rule closes names the deny rule at the source", async () => {
    const { code, text } = await explained(API, WEB_DEV, "tcp/443");
    expect(code).toBe(0);
    expect(text).toContain("verdict: denied\n");
    expect(text).toMatch(
      /^source: egress enforced, closed: deny rule dev-boundaries#deny-0 denies\s+app=shop,env=prod,loc=us,role=api to app=shop,env=dev,role=web on tcp\/443$/m,
    );
    const flow = await explainedJson(API, WEB_DEV, "tcp/443");
    expect(flow.source).toMatchObject({ verdict: "denied", deniedBy: "dev-boundaries#deny-0" });
  }, 60_000);

  it("says in one line where the source's egress is open", async () => {
    const { code, text } = await explained(WEB_DEV, BLOG_API_DEV, "tcp/80");
    expect(code).toBe(0);
    expect(text).toContain("verdict: allowed\npolicy: allowed by rule dev-boundaries#0\n");
    expect(text).toMatch(/\nsource: egress open$/);
    expect(text).not.toContain("! warning");
  }, 60_000);

  it("--json keeps the destination's fields at the top and adds both ends", async () => {
    const flow = await explainedJson(API, DB, "tcp/5432");
    expect(flow).toMatchObject({
      verdict: "allowed",
      rules: ["shop-prod#1"],
      network: `${AWS}:vpc-0a1b2c3d`,
      cloud: "aws",
      sourceAddress: "10.1.0.21",
      from: { workload: API },
      to: { workload: DB },
      source: {
        egress: "enforced",
        verdict: "allowed",
        rules: ["shop-prod#1"],
        cloud: "aws",
        destinationAddress: "10.1.0.31",
      },
      destination: { verdict: "allowed", rules: ["shop-prod#1"], sourceAddress: "10.1.0.21" },
    });
    expect(flow.source?.native?.rule).toMatch(/^tcp\/5432 to sg-/);
    expect(flow.native?.rule).toMatch(/^tcp\/5432 from sg-/);
  }, 60_000);

  it("refuses an address of a workload of the estate as an outside destination", async () => {
    const { code, all } = await explained(API, "10.1.0.31", "tcp/5432");
    expect(code).toBe(1);
    expect(all).toBe(`segsync explain: --to 10.1.0.31 is the address of ${DB}: give its workload id\n`);
  }, 60_000);
});
