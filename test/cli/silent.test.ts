/**
 * Issue 12, "A mistake that cuts a workload off is never silent": each case the issue found silent
 * prints its warning, run in process on variants of the examples.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.js";
import { REPO_ROOT } from "../policy/fixtures.js";

const POLICY = "examples/policy.yaml";
const ESTATE = "examples/estate.yaml";
const AWS_API = "aws:111111111111:us-east-1:i-0a00000000000003";
const AWS_DB = "aws:111111111111:us-east-1:i-0a00000000000004";
const AWS_WEB_1 = "aws:111111111111:us-east-1:i-0a00000000000001";
const AWS_WEB_2 = "aws:111111111111:us-east-1:i-0a00000000000002";
const GCP_NET = "gcp:shop-prod:prod-net";
const GCP_WEB_NAT = "gcp:shop-prod:us-central1-a:shop-web-4";
const GCP_API_NAT = "gcp:shop-prod:us-central1-a:shop-api-3";

const dir = mkdtempSync(join(tmpdir(), "segsync-silent-"));

/** The example file with each `[from, to]` replaced (each must be there), written to the temp dir. */
function variant(example: string, name: string, replacements: readonly [string, string][]): string {
  let text = readFileSync(join(REPO_ROOT, example), "utf8");
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`${example} has no ${JSON.stringify(from)}`);
    text = text.replace(from, to);
  }
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The examples' estate plus two shop workloads in GCP's NAT network, seen from elsewhere as 203.0.113.10. */
function natEstate(): string {
  const behindNat = (id: string, ip: string, role: string) =>
    `  - id: "${id}"\n    network: "${GCP_NET}"\n    privateIp: ${ip}\n` +
    `    tags: { seg-app: shop, seg-env: prod, seg-role: ${role}, seg-loc: us }\n`;
  return variant(ESTATE, "estate-nat.yaml", [
    [
      "  # GCP, a service project",
      `${behindNat(GCP_WEB_NAT, "10.3.0.51", "web")}${behindNat(GCP_API_NAT, "10.3.0.52", "api")}  # GCP, a service project`,
    ],
  ]);
}

async function run(args: readonly string[]) {
  const output = { out: "", err: "" };
  const io = {
    out: (text: string) => {
      output.out += text;
    },
    err: (text: string) => {
      output.err += text;
    },
    color: false,
    interactive: false,
  };
  const code = await main(["node", "segsync", ...args], io);
  return { code, ...output };
}

/** A workload or network as plan text names it when its short name is unique: `i-0a…1 (aws)`. */
const short = (id: string) => `${id.split(":").at(-1)} (${id.split(":")[0]})`;

/**
 * The warning lines of a text, each with its continuation lines joined again: the text wraps at
 * 80 columns, with continuations indented four more than their warning.
 */
function warningLines(text: string): string[] {
  const lines = text.split("\n");
  for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
  const indentOf = (line: string) => line.length - line.trimStart().length;
  const warnings: string[] = [];
  let warningIndent: number | undefined;
  for (const line of lines) {
    if (line.includes("! warning: ")) {
      warnings.push(line);
      warningIndent = indentOf(line);
    } else if (warningIndent !== undefined && line.trim() !== "" && indentOf(line) === warningIndent + 4)
      warnings[warnings.length - 1] += ` ${line.trim()}`;
    else warningIndent = undefined;
  }
  return warnings;
}

describe("a mistake that cuts a workload off is never silent", () => {
  it("a source that cannot be seen from its destination's network: plan, apply and simulate warn", async () => {
    const message = (workload: string, network: string) =>
      `${workload} (app=shop,env=prod,loc=us,role=api) cannot be seen from ${network}: no NIC in a connected network, no public IP and no NAT addresses for its network; its flows there are not allowed`;
    const expected = `  ! warning: ${message(short(AWS_API), short(GCP_NET))}`;
    const plan = await run(["plan", "--policy", POLICY, "--estate", ESTATE]);
    expect(plan.code).toBe(2);
    expect(warningLines(plan.out)).toContain(expected);
    const apply = await run(["apply", "--policy", POLICY, "--estate", ESTATE, "--yes"]);
    expect(apply.code).toBe(0);
    expect(warningLines(apply.out)).toContain(expected);
    const scenario = "examples/scenarios/migrate-aws-to-azure.yaml";
    const simulate = ["simulate", "--policy", POLICY, "--estate", ESTATE, "--scenario", scenario];
    const text = await run([...simulate, "--state-out", join(dir, "state.json")]);
    expect(warningLines(text.out).map((line) => line.trim())).toContain(expected.trim());
    const json = await run([...simulate, "--state-out", join(dir, "state-json.json"), "--json"]);
    const first = JSON.parse(json.out).steps[0];
    expect(first.findings).toContainEqual({
      code: "unreachable-source",
      severity: "warning",
      subject: `${AWS_API} -> ${GCP_NET}`,
      // JSON keeps the ids in full.
      message: message(AWS_API, GCP_NET),
    });
  });

  it("a NAT-shared source: plan warns, and explain shows both verdicts when the native rule admits the NAT address", async () => {
    const estate = natEstate();
    const plan = await run(["plan", "--policy", POLICY, "--estate", estate]);
    expect(warningLines(plan.out)).toContain(
      `  ! warning: ${short(GCP_API_NAT)} (app=shop,env=prod,loc=us,role=api) is seen from vpc-0a1b2c3d (aws) as NAT address 203.0.113.10/32, which stands for every workload behind that NAT`,
    );
    // web → db is not in the policy, but the database's group admits the NAT address for the api.
    const explain = await run([
      "explain",
      ...["--policy", POLICY, "--estate", estate],
      ...["--from", GCP_WEB_NAT, "--to", AWS_DB, "--port", "tcp/5432"],
    ]);
    expect(explain.code).toBe(0);
    const lines = warningLines(explain.out).concat(explain.out.split("\n"));
    expect(lines).toContain("verdict: denied");
    expect(lines).toContain("policy verdict: denied; native verdict: allowed");
    expect(lines).toContain(
      "! warning: the policy denies this flow but AWS admits traffic from 203.0.113.10: 203.0.113.10 is a NAT address shared by every workload behind it, so AWS cannot tell them apart",
    );
    // And the compiler's warnings, as plan prints them.
    expect(warningLines(explain.out).filter((line) => line.startsWith("  ! warning: "))).toEqual(
      warningLines(plan.out).filter((line) => line.startsWith("  ! warning: ") && !/narrows/.test(line)),
    );
  });

  it("explain says nothing more when policy and cloud agree", async () => {
    const explain = await run([
      "explain",
      ...["--policy", POLICY, "--estate", ESTATE],
      ...["--from", AWS_API, "--to", AWS_DB, "--port", "tcp/5432"],
    ]);
    expect(explain.out).not.toContain("native verdict");
    expect(explain.out.split("\n").filter((line) => line.startsWith("! warning"))).toEqual([]);
  });

  it("a label value with a capital and a tag key with capitals: plan warns for both", async () => {
    const estate = variant(ESTATE, "estate-case.yaml", [
      ["seg-role: web, seg-loc: us, Name: shop-web-1", "seg-role: Web, seg-loc: us, Name: shop-web-1"],
      [
        "{ seg-app: shop, seg-env: prod, seg-role: web, seg-loc: us, Name: shop-web-2 }",
        "{ Seg-App: shop, seg-env: prod, seg-role: web, seg-loc: us, Name: shop-web-2 }",
      ],
    ]);
    const plan = await run(["plan", "--policy", POLICY, "--estate", estate]);
    const lines = warningLines(plan.out);
    expect(lines).toContain(
      `  ! warning: ${short(AWS_WEB_1)}: tag "seg-role" has value "Web", which is not portable: values are lowercase; treated as unlabelled for that dimension`,
    );
    expect(lines).toContain(
      `  ! warning: ${short(AWS_WEB_2)}: tag key "Seg-App" is not portable: keys are lowercase, write "seg-app"; treated as unlabelled for that dimension`,
    );
  });

  it("an AWS instance whose segsync tags are all capitalised is read and reported, not dropped", async () => {
    const estate = variant(ESTATE, "estate-caps.yaml", [
      [
        "{ seg-app: shop, seg-env: prod, seg-role: db, seg-loc: us, Name: shop-db-1 }",
        "{ Seg-App: shop, Seg-Env: prod, Seg-Role: db, Seg-Loc: us, Name: shop-db-1 }",
      ],
    ]);
    const lines = warningLines((await run(["plan", "--policy", POLICY, "--estate", estate])).out);
    expect(lines.filter((line) => line.includes(short(AWS_DB)))).toEqual(
      ["App", "Env", "Loc", "Role"].map(
        (d) =>
          `  ! warning: ${short(AWS_DB)}: tag key "Seg-${d}" is not portable: keys are lowercase, write "seg-${d.toLowerCase()}"; treated as unlabelled for that dimension`,
      ),
    );
  });

  it("a selector that matches nothing: plan warns", async () => {
    const policy = variant(POLICY, "policy-dbb.yaml", [["to: { role: db }", "to: { role: dbb }"]]);
    const plan = await run(["plan", "--policy", policy, "--estate", ESTATE]);
    expect(warningLines(plan.out)).toContain(
      "  ! warning: rule shop-prod#1: to {app: shop, env: prod, role: dbb} matches no running workload",
    );
  });

  it("a tagPrefix no workload carries: plan warns, and --fail-on-warning exits 1", async () => {
    const policy = variant(POLICY, "policy-prefix.yaml", [["tagPrefix: seg-", "tagPrefix: sg-"]]);
    const plan = await run(["plan", "--policy", policy, "--estate", ESTATE]);
    expect(plan.code).toBe(0);
    expect(plan.out).toContain("No changes");
    expect(warningLines(plan.out)).toEqual([
      '  ! warning: no workload carries a tag with prefix "sg-" (labels.tagPrefix), so segsync manages none',
    ]);
    const strict = await run(["plan", "--policy", policy, "--estate", ESTATE, "--fail-on-warning"]);
    expect(strict.code).toBe(1);
    expect(strict.err).toBe("segsync plan: 1 warning(s) (see above) and --fail-on-warning\n");
  });

  it("additive mode: each customer object that admits flows beyond the policy is a warning, per destination", async () => {
    const policy = variant(POLICY, "policy-additive.yaml", [
      ["attachment: exclusive", "attachment: additive"],
    ]);
    const lines = warningLines((await run(["plan", "--policy", policy, "--estate", ESTATE])).out);
    expect(lines).toContain(
      "  ! warning: app=shop,env=prod,loc=us,role=api in vpc-0a1b2c3d: customer group legacy-ssh (sg-0c0ffee0000000001) stays (attachment: additive) and admits tcp/22 from 10.8.0.0/16, beyond what the policy allows",
    );
    // The VPC's default group stays too, on every interface launched without a named group.
    expect(lines).toContain(
      "  ! warning: app=shop,env=prod,loc=us,role=web in vpc-0a1b2c3d: customer group default (sg-18038b30000000001) stays (attachment: additive) and admits all traffic from every interface that carries default (sg-18038b30000000001), beyond what the policy allows; it is vpc-0a1b2c3d's default group, which EC2 gives every interface launched without a named group, so that is every such member of vpc-0a1b2c3d",
    );
    expect(lines).toContain(
      "  ! warning: app=shop,env=prod,loc=us,role=web in prod-net (gcp): firewall rule legacy-web-8080 (priority 1000) stays before segsync's deny (attachment: additive) and admits tcp/8080 from 0.0.0.0/0, beyond what the policy allows",
    );
    // The same estate in exclusive mode: the customer objects are replaced, nothing extra is admitted.
    const exclusive = warningLines((await run(["plan", "--policy", POLICY, "--estate", ESTATE])).out);
    expect(exclusive.filter((line) => line.includes("attachment: additive"))).toEqual([]);
  });

  it("plan --fail-on-warning exits 1 on the examples' warnings, and keeps its exit codes without any", async () => {
    const strict = await run(["plan", "--policy", POLICY, "--estate", ESTATE, "--fail-on-warning"]);
    expect(strict.code).toBe(1);
    expect(strict.out).toContain("Plan: ");
    // Visibility only: nothing to write, hence no cloud warning; every source is seen.
    const visibility = variant(POLICY, "policy-visibility.yaml", [
      ["enforcement: enforced", "enforcement: visibility"],
    ]);
    const quiet = join(dir, "estate-quiet.yaml");
    const prod = (n: string, ip: string, labels: string) =>
      `  - id: "aws:111111111111:us-east-1:i-0a0000000000000${n}"\n` +
      `    network: "aws:111111111111:us-east-1:vpc-0a1b2c3d"\n    privateIp: ${ip}\n    tags: { ${labels} }\n`;
    writeFileSync(
      quiet,
      "apiVersion: segsync/v1\nkind: Estate\nnetworks:\n" +
        '  - { id: "aws:111111111111:us-east-1:vpc-0a1b2c3d", cidr: 10.1.0.0/16 }\nworkloads:\n' +
        prod("1", "10.1.0.11", "seg-app: shop, seg-env: prod, seg-role: web") +
        prod("3", "10.1.0.21", "seg-app: shop, seg-env: prod, seg-role: api") +
        prod("4", "10.1.0.31", "seg-app: shop, seg-env: prod, seg-role: db") +
        prod("5", "10.1.0.41", "seg-app: monitoring, seg-env: prod, seg-role: prometheus"),
    );
    const clean = await run(["plan", "--policy", visibility, "--estate", quiet, "--fail-on-warning"]);
    expect({ code: clean.code, warnings: warningLines(clean.out), err: clean.err }).toEqual({
      code: 0,
      warnings: [],
      err: "",
    });
  });
});
