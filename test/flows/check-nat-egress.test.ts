/**
 * The source's egress from a NAT address (docs/flows.md, "Both ends"): 203.0.113.10 stands for
 * GCP prod-net's shop-db-2, blog-api-dev and blog-db-1 (examples/estate.yaml). Where each is
 * egress-enforced and decides alike, that is the verdict at the source; where they differ and one
 * would not let the connection out, the verdict is unknown and a finding names each, never one
 * picked (test/fixtures/flows/source-end/nat-policy.yaml, and examples/policy-v2.yaml where only
 * shop-db-2's egress is enforced).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FlowCheck } from "../../lib/flows/check.js";
import { FlowVerdicts } from "../../lib/flows/verdict.js";
import { loadPolicyText } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import { REPO_ROOT } from "../policy/fixtures.js";
import { ADDRESS, examplesFor } from "./check-support.js";

const GCP = "gcp:shop-prod:us-central1-a:shop-db-2";
const BLOG_API_DEV = "gcp:shop-prod:us-central1-b:blog-api-dev";
const BLOG_DB = "gcp:blog-prod-data:us-central1-b:blog-db-1";

async function examplesOf(path: string) {
  const loaded = loadPolicyText(readFileSync(join(REPO_ROOT, path), "utf8"), path);
  if (!loaded.ok) throw new Error(`${path} must load`);
  return examplesFor(() => loaded.policy as Policy);
}

/** A connection from the GCP NAT address to the Azure blog web, on a TCP port. */
const fromNat = (responderPort: number) => ({
  initiatorAddress: ADDRESS.gcpNat,
  responderAddress: ADDRESS.blogWeb,
  responderPort,
});

describe("the source's egress from a NAT address", () => {
  it("is the verdict when every workload behind it is egress-enforced and decides alike", async () => {
    const ex = await examplesOf("test/fixtures/flows/source-end/nat-policy.yaml");
    const verdicts = new FlowVerdicts(ex.intent, ex.policy);
    expect(verdicts.verdictOf(ex.resolved(fromNat(443)))).toEqual({
      kind: "denied",
      rule: null,
      onceEnforced: false,
      end: "source",
    });
    // Every one lets it out by blog#0: the blog web's ingress decides.
    expect(verdicts.verdictOf(ex.resolved(fromNat(80)))).toEqual({
      kind: "allowed",
      rule: "blog#0",
      onceEnforced: false,
      end: "destination",
    });
  });

  it("is unknown where they differ, with a finding that names each and its verdict", async () => {
    const ex = await examplesOf("test/fixtures/flows/source-end/nat-policy.yaml");
    const check = new FlowCheck(ex.intent, ex.policy);
    check.add(ex.resolved(fromNat(22)));
    const report = check.report();
    const said = `NAT address 203.0.113.10 stands for 3 workloads whose egress differs: ${BLOG_DB} allowed by blog#0, ${GCP} allowed by blog#0, ${BLOG_API_DEV} denied by blog#deny-0`;
    expect(report.groups.map((group) => [group.verdict, group.wouldBlock])).toEqual([
      [{ kind: "unknown", reason: said }, false],
    ]);
    expect(report.findings).toEqual([
      { code: "nat-egress-split", subject: `203.0.113.10 → ${ADDRESS.blogWeb} tcp/22`, message: said },
    ]);
  });

  it("is unknown where some of them have open egress and another's would block it", async () => {
    const ex = await examplesOf("examples/policy-v2.yaml");
    const verdict = new FlowVerdicts(ex.intent, ex.policy).verdictOf(ex.resolved(fromNat(443)));
    expect(verdict).toEqual({
      kind: "unknown",
      reason: `NAT address 203.0.113.10 stands for 3 workloads whose egress differs: ${BLOG_DB} open, ${GCP} denied by default, ${BLOG_API_DEV} open`,
    });
  });
});
