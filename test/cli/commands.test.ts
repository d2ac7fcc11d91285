import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.js";
import { REPO_ROOT } from "../policy/fixtures.js";
import { type CliRun, runCli, runCliAll } from "./run-cli.js";

const POLICY = "examples/policy.yaml";
const ESTATE = "examples/estate.yaml";
const MIGRATE = "examples/scenarios/migrate-aws-to-azure.yaml";
const ON_ESTATE = ["--policy", POLICY, "--estate", ESTATE];
const API = "aws:111111111111:us-east-1:i-0a00000000000003";
const DB = "aws:111111111111:us-east-1:i-0a00000000000004";
const WEB = "aws:111111111111:us-east-1:i-0a00000000000001";
const PROMETHEUS = "aws:111111111111:us-east-1:i-0a00000000000005";
const MIGRATED = "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-shop-prod:vm-web-1";
/**
 * The golden output of `plan` on the examples. When the plan legitimately changes, regenerate it:
 *   node bin/segsync.js plan --policy examples/policy.yaml --estate examples/estate.yaml > test/cli/golden/plan-examples.txt
 */
const PLAN_GOLDEN = join(REPO_ROOT, "test", "cli", "golden", "plan-examples.txt");

describe("segsync simulate, plan, apply, explain, graph, restore (child processes)", () => {
  const dir = mkdtempSync(join(tmpdir(), "segsync-cli-"));
  const stateOut = join(dir, "state.json");
  const jsonStateOut = join(dir, "state-json.json");
  const badStateOut = join(dir, "never.json");
  const htmlOut = join(dir, "graph.html");
  let runs: CliRun[];
  const commands = {
    simulate: ["simulate", ...ON_ESTATE, "--scenario", MIGRATE, "--state-out", stateOut],
    simulateJson: ["simulate", ...ON_ESTATE, "--scenario", MIGRATE, "--state-out", jsonStateOut, "--json"],
    simulateInvalid: [
      "simulate",
      "--policy",
      "test/policy/invalid/unknown-service.yaml",
      "--estate",
      ESTATE,
      "--scenario",
      MIGRATE,
      "--state-out",
      badStateOut,
    ],
    plan: ["plan", ...ON_ESTATE],
    planLive: ["plan", "--policy", POLICY, "--live"],
    applyNoTty: ["apply", ...ON_ESTATE],
    applyYes: ["apply", ...ON_ESTATE, "--yes"],
    explainAllowed: ["explain", ...ON_ESTATE, "--from", API, "--to", DB, "--port", "tcp/5432"],
    explainDenied: ["explain", ...ON_ESTATE, "--from", WEB, "--to", DB, "--port", "tcp/5432"],
    explainAfterMigration: [
      "explain",
      ...ON_ESTATE,
      "--scenario",
      MIGRATE,
      "--from",
      PROMETHEUS,
      "--to",
      MIGRATED,
      "--port",
      "tcp/9100",
    ],
    explainBadPort: ["explain", ...ON_ESTATE, "--from", API, "--to", DB, "--port", "5432"],
    graphMermaid: ["graph", ...ON_ESTATE],
    graphDot: ["graph", ...ON_ESTATE, "--format", "dot"],
    graphHtml: ["graph", ...ON_ESTATE, "--format", "html", "--out", htmlOut],
    graphAfterScenario: ["graph", ...ON_ESTATE, "--scenario", MIGRATE],
    graphScenarioLive: [
      "graph",
      "--policy",
      POLICY,
      "--live",
      "--config",
      "examples/live-config.yaml",
      "--scenario",
      MIGRATE,
    ],
    graphNoTarget: ["graph", "--policy", POLICY],
    restore: ["restore", ...ON_ESTATE],
  } as const;
  const names = Object.keys(commands) as (keyof typeof commands)[];
  const run = (name: keyof typeof commands): CliRun => {
    const result = runs[names.indexOf(name)];
    if (!result) throw new Error(`no run ${name}`);
    return result;
  };

  beforeAll(async () => {
    runs = await runCliAll(names.map((name) => commands[name]));
  }, 60_000);

  it("simulate exits 0, tells each step and writes the State document", () => {
    const result = run("simulate");
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    // Text output names workloads by their short names and fits 80 columns.
    expect(result.stdout).toContain("Step 2: migrate i-0a00000000000001 (aws) → vm-web-1 (azure)");
    expect(result.stdout.split("\n").filter((line) => line.length > 80)).toEqual([]);
    expect(result.stdout).toContain("Applied: AWS 1, Azure 5.");
    const text = readFileSync(stateOut, "utf8");
    expect(text.endsWith("}\n")).toBe(true);
    const state = JSON.parse(text);
    expect(Object.keys(state)).toEqual(["aws", "azure", "gcp"]);
    expect(Object.keys(state.aws)).toEqual([
      "instances",
      "networkInterfaces",
      "securityGroups",
      "managedPrefixLists",
    ]);
    expect(Object.keys(state.azure)).toEqual([
      "virtualMachines",
      "networkInterfaces",
      "networkSecurityGroups",
      "applicationSecurityGroups",
      "publicIPAddresses",
    ]);
    expect(Object.keys(state.gcp)).toEqual(["instances", "firewalls"]);
    for (const cloud of Object.values(state) as Record<string, unknown[]>[])
      for (const list of Object.values(cloud)) expect(Array.isArray(list)).toBe(true);
    // Flat instances (no Reservations); the migrated-away instance is terminated, so absent.
    const instanceIds = state.aws.instances.map((i: { InstanceId: string }) => i.InstanceId);
    expect(state.aws.instances.every((i: object) => !("Instances" in i))).toBe(true);
    expect(instanceIds).not.toContain("i-0a00000000000001");
    expect(instanceIds).toContain("i-0a00000000000002");
    const stopped = state.aws.instances.find(
      (i: { InstanceId: string }) => i.InstanceId === "i-0b00000000000002",
    );
    expect(stopped?.State?.Name).toBe("stopped");
    expect(state.azure.virtualMachines.map((vm: { name: string }) => vm.name)).toContain("vm-web-1");
  });

  it("simulate --json prints the steps as JSON and writes the same state", () => {
    const result = run("simulateJson");
    expect(result.exitCode).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed.steps.map((s: { step: object }) => Object.keys(s.step)[0])).toEqual([
      "fullSync",
      "fullSync",
      "migrate",
      "reconcile",
    ]);
    expect(printed.steps[3].applied).toEqual({ aws: 1, azure: 5 });
    // The port calls of the migration's reconcile, and its wall time; none for the migrate step itself.
    expect(printed.steps[3].calls.aws.writes).toEqual({ modifyManagedPrefixList: 1 });
    expect(printed.steps[3].calls.azure.writes).toEqual({
      putApplicationSecurityGroup: 1,
      putNetworkInterface: 2,
      putNetworkSecurityGroup: 2,
    });
    // The migrated VM read for its event, then again with its NICs by Azure's read of the change.
    expect(printed.steps[3].calls.azure.reads.getVirtualMachine).toBe(2);
    expect(printed.steps[3].calls.gcp).toEqual({ reads: {}, writes: {}, readRequests: 0, simulatorMs: 0 });
    expect(printed.steps[3].calls.azure.readRequests).toBeGreaterThan(0);
    expect(printed.steps[3].wallMs).toBeGreaterThan(0);
    expect(printed.steps[2].calls).toBeUndefined();
    expect(readFileSync(jsonStateOut, "utf8")).toBe(readFileSync(stateOut, "utf8"));
  });

  it("simulate exits 1 on an invalid input, with every issue as file:line:col path: message", () => {
    const result = run("simulateInvalid");
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^test\/policy\/invalid\/unknown-service\.yaml:\d+:\d+ \S+: /m);
  });

  it("plan prints the golden plan and exits 2 (changes)", () => {
    const result = run("plan");
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe("");
    // Stale golden file? Regenerate it with the command in PLAN_GOLDEN's comment above.
    expect(result.stdout).toBe(readFileSync(PLAN_GOLDEN, "utf8"));
  });

  it("plan --live without --config says what it needs", () => {
    const result = run("planLive");
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "segsync plan: --live needs --config FILE (the accounts, subscriptions and projects to manage)\n",
    );
  });

  it("apply refuses without a terminal and without --yes", () => {
    const result = run("applyNoTty");
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("pass --yes");
    expect(result.stdout).not.toContain("Applied:");
  });

  it("apply --yes applies and reports the audit records", () => {
    const result = run("applyYes");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("Applied: AWS 21, Azure 7, GCP 7 (35 audit records)");
  });

  it("explain: an allowed flow, with its policy rule and native rule", () => {
    const result = run("explainAllowed");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("verdict: allowed\n");
    expect(result.stdout).toContain("policy: allowed by rule shop-prod#1\n");
    expect(result.stdout).toMatch(
      /^native: AWS segsync-\S+ \(sg-\w+\): tcp\/5432 from\n {4}sg-\w+ \(in vpc-0a1b2c3d \(aws\), seen from 10\.1\.0\.21\)$/m,
    );
    expect(result.stdout.split("\n").filter((line) => line.length > 80)).toEqual([]);
  });

  it("explain: a denied flow, with why", () => {
    const result = run("explainDenied");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("verdict: denied\n");
    expect(result.stdout).toContain("why: no policy rule lets app=shop,env=prod,loc=us,role=web reach");
    expect(result.stdout).toContain("native: no AWS rule admits it");
  });

  it("explain after a scenario: the migrated workload is reached through Azure's NSG", () => {
    const result = run("explainAfterMigration");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("verdict: allowed\n");
    expect(result.stdout).toContain("policy: allowed by rule shop-prod#3\n");
    expect(result.stdout).toMatch(/^native: Azure segsync-\S+-eastus: /m);
  });

  it("explain rejects a malformed port", () => {
    const result = run("explainBadPort");
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("expected tcp/PORT, udp/PORT, icmp or a service name");
  });

  it("graph prints Mermaid and DOT, and writes a self-contained HTML page", () => {
    const mermaid = run("graphMermaid");
    expect(mermaid.exitCode).toBe(0);
    expect(mermaid.stdout.startsWith("flowchart LR\n")).toBe(true);
    expect(mermaid.stdout).toContain('subgraph azure["Azure"]');
    expect(mermaid.stdout).toMatch(/ -->\|"tcp\/80 tcp\/443"\| /);
    const dot = run("graphDot");
    expect(dot.exitCode).toBe(0);
    expect(dot.stdout).toMatch(/^digraph segsync \{\n[\s\S]*subgraph cluster_gcp[\s\S]*\}\n$/);
    // The examples' AWS and Azure sources cannot be seen from GCP's network (no NIC, public IP or NAT there).
    expect(mermaid.stdout).toMatch(/ --x\|"tcp\/5432 \(unreachable\)"\| /);
    const html = run("graphHtml");
    expect(html.exitCode).toBe(0);
    expect(html.stdout).toBe(`${htmlOut}: 13 identities, 18 flows, 4 findings (html)\n`);
    const page = readFileSync(htmlOut, "utf8");
    expect(page).toMatch(/<svg class="graph" width="\d+" height="\d+"/);
    expect(page).toContain("<td>shop-prod#1</td>");
    expect(page).not.toMatch(/<script|<link|https?:/);
  });

  it("graph --scenario draws the estate after the scenario: the migrated web server is in Azure", () => {
    const webInAzure = /^ {4}n\d+\["app=shop,env=prod,loc=us,role=web"\]$/m;
    const azure = (text: string) => text.slice(text.indexOf("subgraph azure"), text.indexOf("subgraph gcp"));
    const before = run("graphMermaid");
    const after = run("graphAfterScenario");
    expect(after.stderr).toBe("");
    expect(after.exitCode).toBe(0);
    expect(azure(before.stdout)).not.toMatch(webInAzure);
    expect(azure(after.stdout)).toMatch(webInAzure);
  });

  it("graph needs a target, and --scenario only on a simulated estate", () => {
    const live = run("graphScenarioLive");
    expect(live.exitCode).toBe(1);
    expect(live.stderr).toBe("segsync graph: --scenario runs on a simulated estate only (--estate FILE)\n");
    const none = run("graphNoTarget");
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain(
      "segsync graph: give --estate FILE (a simulated estate) or --live --config FILE",
    );
  });

  it("restore puts back every original group, NSG and tag", () => {
    const result = run("restore");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("groups: legacy-ssh → segsync-phrvbrf5mntz → legacy-ssh  restored");
    expect(result.stdout).toContain("Azure vm-api-2-nic NSG: nsg-legacy-api → segsync-");
    expect(result.stdout).toContain("Every original attachment is back.");
  });
});

describe("segsync demo (child process)", () => {
  // How long it takes is not a test's business (a shared machine's load decides it): the demo prints
  // its own time, and npm run bench measures the CLI.
  it("runs without colour off a terminal, and ends with the migrated workload", async () => {
    const result = await runCli(["demo"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).not.toContain("\u001b[");
    expect(result.stdout).toContain("1. Initial sync");
    expect(result.stdout).toContain("2. Migration: i-0a00000000000001 (aws) is replaced by vm-web-1 (azure)");
    expect(result.stdout.split("\n").filter((line) => line.length > 80)).toEqual([]);
    const reach = result.stdout.slice(result.stdout.indexOf("3. Effective reachability"));
    expect(reach).toContain("app=shop,env=prod,loc=us,role=web");
    expect(reach).toContain("before, i-0a00000000000001 (aws) from 10.1.0.41: allowed by\n        segsync-");
    expect(reach).toContain("after,  vm-web-1 (azure) from 10.1.0.41: allowed by\n        segsync-");
    expect(reach).not.toContain("DENIED");
    // Look first: the example traffic in visibility, what enforcing would break, the suggestion, the result.
    const look = result.stdout.slice(result.stdout.indexOf("4. Look first"));
    expect(look).toMatch(
      /flows check on the clouds' flow logs: \d+ connections in \d+ groups: 1 would be\s+blocked/,
    );
    expect(look).toContain("would be blocked: i-0a00000000000001 (aws) → i-0a00000000000004 (aws)");
    expect(look).toMatch(
      /flows suggest: 1 rule\(s\)[\s\S]*- from: \{ loc: us, role: web \}\n\s+to: \{ loc: us, role: db \}/,
    );
    expect(look).toMatch(/flows check: \d+ connections in \d+ groups: 0 would be blocked/);
    // Policy v2 (test/cli/demo-v2.test.ts has its golden output).
    expect(look).toContain("5. Policy v2: boundaries first for dev, and the shop's egress enforced");
  }, 60_000);
});

describe("apply and demo in process", () => {
  function capture(extra: { interactive?: boolean; answer?: string; color?: boolean } = {}) {
    const output = { out: "", err: "", asked: 0 };
    const io = {
      out: (text: string) => {
        output.out += text;
      },
      err: (text: string) => {
        output.err += text;
      },
      color: extra.color ?? false,
      interactive: extra.interactive ?? false,
      ask: async () => {
        output.asked++;
        return extra.answer ?? "";
      },
    };
    return { output, io };
  }
  const apply = ["node", "segsync", "apply", ...ON_ESTATE];

  it("plans a policy with enforced egress: each cloud's egress rules, the defaults it replaces", async () => {
    const { output, io } = capture();
    const v2 = join(REPO_ROOT, "examples", "policy-v2.yaml");
    const estate = join(REPO_ROOT, "examples", "estate.yaml");
    expect(await main(["node", "segsync", "plan", "--policy", v2, "--estate", estate], io)).toBe(2);
    expect(output.out).toMatch(
      /−2 egress rule\(s\) \(first, to make room\)\n {6}- all traffic to 0\.0\.0\.0\/0/,
    );
    expect(output.out).toMatch(/\+ tcp\/443 to 198\.51\.100\.0\/24/);
    expect(output.out).toMatch(/\+ 4096 outbound deny any from \* to \*/);
    expect(output.out).toMatch(/egress deny all from tags segsync-\w+/);
  });

  it("asks on a terminal and applies on 'yes'", async () => {
    const { output, io } = capture({ interactive: true, answer: "yes" });
    expect(await main(apply, io)).toBe(0);
    expect(output.asked).toBe(1);
    expect(output.out).toContain("Applied: AWS 21, Azure 7, GCP 7");
  });

  it("does not apply on any other answer", async () => {
    const { output, io } = capture({ interactive: true, answer: "n" });
    expect(await main(apply, io)).toBe(1);
    expect(output.out).toContain("Not applied.");
    expect(output.out).not.toContain("Applied:");
  });

  it("takes either --estate or --live --config, and says which when not", async () => {
    const LIVE = ["--live", "--config", "examples/live-config.yaml"];
    const refusals: [readonly string[], string][] = [
      [
        ["plan", "--policy", POLICY],
        "give --estate FILE (a simulated estate) or --live --config FILE (the real clouds)",
      ],
      [["apply", ...ON_ESTATE, ...LIVE], "--estate and --live exclude each other"],
      [["plan", ...ON_ESTATE, "--config", "examples/live-config.yaml"], "--config is read only with --live"],
      [
        ["apply", ...ON_ESTATE, "--aws-endpoint", "http://127.0.0.1:5000"],
        "--aws-endpoint is used only with --live",
      ],
      [
        ["plan", "--policy", POLICY, ...LIVE, "--aws-endpoint", "ftp://127.0.0.1"],
        "--aws-endpoint ftp://127.0.0.1: expected an http:// or https:// URL",
      ],
      [
        [
          "explain",
          "--policy",
          POLICY,
          ...LIVE,
          "--scenario",
          MIGRATE,
          "--from",
          API,
          "--to",
          DB,
          "--port",
          "tcp/5432",
        ],
        "--scenario runs on a simulated estate only (--estate FILE)",
      ],
    ];
    for (const [args, message] of refusals) {
      const { output, io } = capture();
      expect(await main(["node", "segsync", ...args], io)).toBe(1);
      expect(output.err).toContain(`segsync ${args[0]}: ${message}`);
      expect(output.out).toBe("");
    }
  });

  it("prints every issue of an invalid live config as file:line:col and exits 1", async () => {
    const config = join(mkdtempSync(join(tmpdir(), "segsync-config-")), "config.yaml");
    writeFileSync(config, "apiVersion: segsync/v1\nkind: Config\ngcp:\n  projects: [Shop]\n  region: x\n");
    const { output, io } = capture();
    expect(
      await main(["node", "segsync", "plan", "--policy", POLICY, "--live", "--config", config], io),
    ).toBe(1);
    expect(output.err).toBe(
      `${config}:4:14 gcp.projects[0]: not a GCP project id\n` +
        `${config}:5:3 gcp.region: unknown key "region" (allowed: projects, serviceProjects, findServiceProjects, auth, limits, priorities)\n`,
    );
    expect(output.out).toBe("");
  });

  it("colours the demo only when asked to", async () => {
    const { output, io } = capture({ color: true });
    expect(await main(["node", "segsync", "demo"], io)).toBe(0);
    expect(output.out).toContain("\u001b[1m");
  });
});

describe("segsync guardrails (in process)", () => {
  const run = async (args: readonly string[]) => {
    const output = { out: "", err: "" };
    const io = {
      out: (text: string) => {
        output.out += text;
      },
      err: (text: string) => {
        output.err += text;
      },
    };
    const exitCode = await main(["node", "segsync", "guardrails", "--policy", POLICY, ...args], io);
    return { exitCode, ...output };
  };
  const ROLE = "arn:aws:iam::111111111111:role/segsync-reconciler";
  const SERVICE_ACCOUNT = "segsync@shop-prod.iam.gserviceaccount.com";

  it("prints each cloud's documents with how to deploy them and what they cannot do", async () => {
    const result = await run([
      "--aws-role",
      ROLE,
      "--azure-principal",
      "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
      "--gcp-service-account",
      SERVICE_ACCOUNT,
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.err).toBe("");
    const titles = result.out.split("\n").filter((line) => /^# [A-Z]/.test(line));
    expect(titles).toEqual([
      "# AWS service control policy",
      "# AWS tag policy (reports only)",
      "# Azure Policy definition",
      "# GCP IAM deny policy",
    ]);
    expect(result.out).toContain("# deploy: gcloud iam policies create segsync-guardrails");
    expect(result.out).toContain("# note: Azure Policy sees the resulting resource, not the caller");
  });

  it("--json: one object, one cloud with --cloud, label writers sorted into their clouds", async () => {
    const result = await run([
      "--cloud",
      "aws",
      "--aws-role",
      "segsync-*",
      "--gcp-service-account",
      SERVICE_ACCOUNT,
      "--label-writers",
      "arn:aws:iam::111111111111:role/provisioner",
      "group:platform@example.com",
      "--json",
    ]);
    expect(result.exitCode).toBe(0);
    const printed = JSON.parse(result.out);
    expect(Object.keys(printed)).toEqual(["aws"]);
    const labels = printed.aws.serviceControlPolicy.Statement.find(
      (statement: { Sid: string }) => statement.Sid === "LabelKeysOnlyByLabelWriters",
    );
    expect(labels.Condition).toEqual({
      "ForAnyValue:StringLike": { "aws:TagKeys": ["seg-*"] },
      ArnNotLike: { "aws:PrincipalArn": ["arn:aws:iam::111111111111:role/provisioner"] },
    });
    expect(printed.aws.serviceControlPolicy.Statement[0].Condition.ArnNotLike).toEqual({
      "aws:PrincipalArn": ["arn:*:iam::*:role/segsync-*"],
    });
  });

  it("exits 1 with every problem: bad principals, a cloud without its principal, none at all", async () => {
    const bad = await run(["--aws-role", "not a role", "--azure-principal", "segsync"]);
    expect(bad.exitCode).toBe(1);
    expect(bad.out).toBe("");
    expect(bad.err).toBe(
      'segsync guardrails: AWS role "not a role": expected a role ARN or a role name pattern such as segsync-*\n' +
        'segsync guardrails: Azure principal "segsync": expected an Entra object id (a GUID)\n',
    );
    const missing = await run(["--cloud", "gcp", "--aws-role", ROLE]);
    expect(missing.exitCode).toBe(1);
    expect(missing.err).toBe("segsync guardrails: the gcp documents need --gcp-service-account\n");
    const none = await run([]);
    expect(none.exitCode).toBe(1);
    expect(none.err).toContain("segsync guardrails: give segsync's principal in at least one cloud");
    const tooMany = await run([
      "--aws-role",
      ROLE,
      "--label-writers",
      ...Array.from({ length: 100 }, (_, index) => `arn:aws:iam::111111111111:role/labels-${index}-writer`),
    ]);
    expect(tooMany.exitCode).toBe(1);
    expect(tooMany.err).toMatch(/^segsync guardrails: the service control policy is not valid: .*5120/);
  });

  it("exits 1 on an invalid policy, with its issues as file:line:col", async () => {
    const output = { out: "", err: "" };
    const io = {
      out: (text: string) => {
        output.out += text;
      },
      err: (text: string) => {
        output.err += text;
      },
    };
    const args = [
      "guardrails",
      "--policy",
      "test/policy/invalid/unknown-service.yaml",
      "--aws-role",
      "segsync-*",
    ];
    expect(await main(["node", "segsync", ...args], io)).toBe(1);
    expect(output.err).toMatch(/^test\/policy\/invalid\/unknown-service\.yaml:\d+:\d+ \S+: /m);
  });
});
