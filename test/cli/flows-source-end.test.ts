/**
 * `segsync flows check` and `flows suggest` at the source's end (docs/flows.md, "Both ends" and
 * "Suggesting rules"), on the simulated logs of test/fixtures/flows/source-end/ (their scenarios
 * beside them, SOURCES.md): a NAT address whose workloads' egress decides alike or differs, and
 * connections from egress-enforced shop workloads to prometheus-1, which no ruleset's scope holds,
 * and the same from shop workloads whose ruleset enforces egress in visibility (once enforced).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { flowsCheck, flowsSuggest } from "../../cli/commands/flows.js";
import { validateFiles } from "../../cli/commands/validate.js";
import { REPO_ROOT } from "../policy/fixtures.js";

const fixture = (path: string) => join(REPO_ROOT, "test", "fixtures", "flows", "source-end", path);
const ESTATE = join(REPO_ROOT, "examples", "estate.yaml");
const POLICY_V2 = join(REPO_ROOT, "examples", "policy-v2.yaml");
const NAT = { policy: fixture("nat-policy.yaml"), estate: ESTATE };

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (text: string) => out.push(text), err: (text: string) => err.push(text) },
    out: () => out.join(""),
    err: () => err.join(""),
  };
}

describe("segsync flows check from a NAT address", () => {
  it("gives the source's verdict where its workloads' egress agrees, and names them where it differs", async () => {
    const run = capture();
    expect(await flowsCheck([fixture("nat-to-blog-web.json")], NAT, run.io)).toBe(2);
    const text = run.out();
    expect(text).toContain(
      "3 connections in 3 groups: 1 would be blocked, 1 allowed, 1 denied, 0 not enforced, 1 unknown",
    );
    expect(text).toMatch(/tcp\/443\n.*\n\s+denied by default at the source's egress\n/);
    expect(text).toMatch(/tcp\/80\n.*\n\s+allowed by blog#0 at the destination's ingress\n/);
    expect(text).toContain(
      "Findings:\n  nat-egress-split 203.0.113.10 → 10.2.0.31 tcp/22: NAT address 203.0.113.10\n",
    );
    const json = capture();
    expect(await flowsCheck([fixture("nat-to-blog-web.json")], { ...NAT, json: true }, json.io)).toBe(2);
    const report = JSON.parse(json.out());
    expect(report.findings.map((finding: { code: string }) => finding.code)).toEqual(["nat-egress-split"]);
    expect(report.findings[0].message).toContain(
      "gcp:shop-prod:us-central1-b:blog-api-dev denied by blog#deny-0",
    );
  });

  it("suggest says why it suggests no rule for what the NAT address's workloads' egress would block", async () => {
    const run = capture();
    expect(await flowsSuggest([fixture("nat-to-blog-web.json")], { ...NAT, fragment: true }, run.io)).toBe(0);
    expect(run.out()).toBe("");
    expect(run.err()).toBe(
      "segsync flows suggest: 203.0.113.10 → azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-blog-prod:vm-blog-web-1 tcp/443: the source is a NAT address, whose workloads' egress would block it, and the log cannot tell which of them opened it; no rule suggested\n",
    );
  });
});

describe("segsync flows suggest to a destination no ruleset's scope holds", () => {
  it("adds a visibility ruleset for it, says so, and the merged policy validates and passes flows check", async () => {
    const logs = [fixture("shop-to-prometheus.log")];
    const before = capture();
    expect(await flowsCheck(logs, { policy: POLICY_V2, estate: ESTATE }, before.io)).toBe(2);
    const out = join(mkdtempSync(join(tmpdir(), "segsync-source-end-")), "policy.yaml");
    const run = capture();
    expect(await flowsSuggest(logs, { policy: POLICY_V2, estate: ESTATE, out }, run.io)).toBe(0);
    expect(run.out()).toBe(`${out}: 1 rule, 0 ipLists and 1 new ruleset suggested\n`);
    expect(run.err()).toBe(
      "segsync flows suggest: no ruleset's scope holds monitoring,prod,prometheus workloads yet: observed-monitoring-prod-prometheus is new, in visibility, so it writes nothing at them; its rules open the egress of the sources they name\n",
    );
    const merged = readFileSync(out, "utf8");
    expect(merged.startsWith(readFileSync(POLICY_V2, "utf8"))).toBe(true);
    expect(merged).toContain("  - name: observed-monitoring-prod-prometheus\n");
    expect(await validateFiles([out], capture().io)).toBe(0);
    const after = capture();
    expect(await flowsCheck(logs, { policy: out, estate: ESTATE }, after.io)).toBe(0);
    expect(after.out()).toMatch(
      /allowed by observed-monitoring-prod-prometheus#0 at the destination's\s+ingress once enforced/,
    );
  });
});

describe("segsync flows check where a visibility ruleset enforces egress", () => {
  it("says what the source's egress would block once the ruleset is enforced", async () => {
    const text = readFileSync(POLICY_V2, "utf8").replace(
      "enforcement: enforced\n    egress: enforced",
      "enforcement: visibility\n    egress: enforced",
    );
    const policy = join(mkdtempSync(join(tmpdir(), "segsync-source-end-")), "policy.yaml");
    writeFileSync(policy, text);
    const run = capture();
    expect(await flowsCheck([fixture("shop-to-prometheus.log")], { policy, estate: ESTATE }, run.io)).toBe(2);
    expect(run.out()).toMatch(
      /Would be blocked[\s\S]*tcp\/9090\n.*\n\s+denied by default at the source's egress once\s+enforced\n/,
    );
  });
});
