/**
 * Policy v2's deny rules end to end (docs/policy.md, "Deny rules and egress (v2)"), boundaries
 * first: test/fixtures/v2/boundaries-policy.yaml admits everything from anywhere and denies dev to
 * prod and SSH, on examples/estate.yaml. After the initial sync each flow of the traffic step is
 * decided by its destination's cloud on the rules segsync wrote, in all three clouds. Then
 * test/fixtures/v2/nat-deny-policy.yaml: a NAT-shared source whose egress is enforced, refused by a
 * deny rule of another ruleset than its allow's.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { explain } from "../../cli/commands/explain.js";
import { loadPolicyFile } from "../../lib/policy/load.js";
import type { ReconcileResult } from "../../lib/reconcile/reconciler.js";
import { loadEstateFile } from "../../sim/estate.js";
import { loadScenarioFile } from "../../sim/scenario.js";
import { Simulation } from "../../sim/simulation.js";
import type { TrafficOutcome } from "../../sim/traffic/model.js";
import { REPO_ROOT } from "../policy/fixtures.js";

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "v2");

describe("boundaries first: allow from anywhere, deny dev to prod and SSH", () => {
  let initial: ReconcileResult;
  let traffic: TrafficOutcome;
  let simulation: Simulation;
  beforeAll(async () => {
    const policy = await loadPolicyFile(join(FIXTURES, "boundaries-policy.yaml"));
    const estate = await loadEstateFile(join(REPO_ROOT, "examples", "estate.yaml"));
    const scenario = await loadScenarioFile(join(FIXTURES, "boundaries-traffic.yaml"));
    if (!policy.ok || !estate.ok || !scenario.ok) throw new Error("the fixtures must load");
    simulation = Simulation.start(policy.policy, estate.estate);
    initial = await simulation.fullSync();
    const step = scenario.scenario.steps[0];
    if (step === undefined) throw new Error("the scenario has a traffic step");
    const outcome = (await simulation.step(step)).traffic;
    if (outcome === undefined) throw new Error("a traffic step has an outcome");
    traffic = outcome;
  }, 60_000);

  it("rejects dev to prod and SSH anywhere, in every cloud, and accepts the rest", () => {
    const verdicts = traffic.flows.map((flow) => `${flow.flow.service} ${flow.verdict}`);
    expect(verdicts).toEqual([
      "tcp/5432 rejected", // GCP: dev api to prod db
      "tcp/5432 accepted", // GCP: prod web to prod db
      "tcp/22 rejected", // GCP: SSH
      "tcp/8080 accepted", // AWS: prod web to prod api
      "tcp/22 rejected", // AWS: SSH
      "tcp/8080 accepted", // GCP: prod to dev is no boundary
      "udp/53 accepted", // Azure: prod to prod
      "tcp/22 rejected", // Azure: SSH
      "tcp/443 rejected", // GCP's NAT address, shared with a dev workload, to AWS: deny wins
      "tcp/443 accepted", // GCP's prod web by its own public address to AWS
    ]);
    expect(new Set(traffic.flows.map((flow) => flow.decidedBy?.cloud))).toEqual(
      new Set(["aws", "azure", "gcp"]),
    );
  });

  it("reports the NAT address the dev workload shares, applies in full, and a second full sync plans nothing", async () => {
    const shared = initial.intent.findings.filter((finding) => finding.code === "nat-shared-denied");
    expect(shared.length).toBeGreaterThan(0);
    for (const finding of shared)
      expect(finding.message).toMatch(
        /^ipList anywhere holds NAT address 203\.0\.113\.10\/32, from which .* sees app=blog,env=dev,role=api: deny rule boundaries#deny-0 wins/,
      );
    expect(Object.keys(initial.failures)).toEqual([]);
    const again = await simulation.fullSync({ dryRun: true });
    expect(Object.values(again.plan).flatMap((part) => part?.operations ?? [])).toEqual([]);
  });

  it("explain names the deny rule that denies a flow", async () => {
    const out: string[] = [];
    const io = { out: (text: string) => out.push(text), err: (text: string) => out.push(text) };
    const options = {
      policy: join(FIXTURES, "boundaries-policy.yaml"),
      estate: join(REPO_ROOT, "examples", "estate.yaml"),
      from: "aws:111111111111:us-east-1:i-0a00000000000001",
      to: "aws:111111111111:us-east-1:i-0a00000000000003",
    };
    expect(await explain({ ...options, port: "tcp/22" }, io)).toBe(0);
    expect(out.join("")).toMatch(
      /verdict: denied\nwhy: deny rule boundaries#deny-1 denies app=shop,env=prod,loc=us,role=web to\s+app=shop,env=prod,loc=us,role=api on tcp\/22/,
    );
    out.length = 0;
    expect(await explain({ ...options, port: "tcp/8080" }, io)).toBe(0);
    expect(out.join("")).toMatch(/verdict: allowed/);
  });
});

describe("a NAT-shared source with enforced egress, denied by another ruleset's deny rule", () => {
  const SHOP_DB = "gcp:shop-prod:us-central1-a:shop-db-2";
  const AWS_WEB = "aws:111111111111:us-east-1:i-0a00000000000001";
  const VPC = "aws:111111111111:us-east-1:vpc-0a1b2c3d";

  it("lets the db send on its egress, but the web refuses the NAT address: deny wins, and is reported", async () => {
    const policy = await loadPolicyFile(join(FIXTURES, "nat-deny-policy.yaml"));
    const estate = await loadEstateFile(join(REPO_ROOT, "examples", "estate.yaml"));
    if (!policy.ok || !estate.ok) throw new Error("the fixtures must load");
    const simulation = Simulation.start(policy.policy, estate.estate);
    const result = await simulation.fullSync();
    expect(result.failures).toEqual({});
    const shared = result.intent.findings.filter((finding) => finding.code === "nat-shared-denied");
    expect(shared.map((finding) => finding.message)).toContainEqual(
      expect.stringMatching(
        /^app=shop,env=prod,loc=us,role=db is seen from aws:111111111111:us-east-1:vpc-0a1b2c3d as NAT address 203\.0\.113\.10\/32, which app=blog,env=dev,role=api shares: deny rule web-guard#deny-0 wins/,
      ),
    );
    const reach = await simulation.reachability();
    const https = { protocol: "tcp", port: 443 } as const;
    const egress = (destinationAddress: string, port = 443) =>
      reach.gcp.explainEgress({
        workload: SHOP_DB,
        network: "gcp:shop-prod:prod-net",
        destinationAddress,
        ...https,
        port,
      });
    expect(egress("54.0.0.11")).toBeDefined(); // the db's own end: its egress rule
    expect(egress("54.0.0.11", 80)).toBeUndefined(); // and nothing else
    expect(
      reach.aws.explain({ workload: AWS_WEB, network: VPC, sourceAddress: "203.0.113.10", ...https }),
    ).toBeUndefined();
    const again = await simulation.fullSync({ dryRun: true });
    expect(Object.values(again.plan).flatMap((part) => part?.operations ?? [])).toEqual([]);
  }, 60_000);
});
