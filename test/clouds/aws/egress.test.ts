/**
 * Enforced egress on AWS, case by case (docs/clouds.md, "AWS egress and deny rules"): what
 * materialize wants, what the plan writes and how it reads, what is left open, and what stays
 * exactly as before for a policy that does not enforce egress.
 */
import { describe, expect, it } from "vitest";
import { AWS_PLATFORM_ADDRESSES, evaluateAws } from "../../../lib/clouds/aws/evaluate.js";
import { groupName } from "../../../lib/clouds/aws/materialize.js";
import type { SecurityGroup } from "../../../lib/clouds/aws/model.js";
import type { AwsOperation } from "../../../lib/clouds/aws/operations.js";
import { createAwsProvider } from "../../../lib/clouds/aws/provider.js";
import { summarizeAwsOperation } from "../../../lib/clouds/aws/summarize.js";
import type { Workload } from "../../../lib/inventory/model.js";
import { loadPolicyText } from "../../../lib/policy/load.js";
import type { Policy } from "../../../lib/policy/model.js";
import { SEALER } from "../../support/seals.js";
import { AwsTestbed } from "./harness.js";

const VPC = "aws:111111111111:us-east-1:vpc-0a1b2c3d";
const WEB = "aws:111111111111:us-east-1:i-0a00000000000001";
const DB = "aws:111111111111:us-east-1:i-0a00000000000002";
const QUOTAS = { rulesPerSecurityGroup: 60, securityGroupsPerInterface: 5 };

function policy(egress: "open" | "enforced", extraRules: string[] = []): Policy {
  const loaded = loadPolicyText(
    [
      "apiVersion: segsync/v1",
      "kind: Policy",
      "labels: { tagPrefix: seg-, dimensions: [app, role] }",
      "ipLists: { payments: [198.51.100.0/24] }",
      "rulesets:",
      "  - name: shop",
      "    scope: { app: shop }",
      "    enforcement: enforced",
      `    egress: ${egress}`,
      "    rules:",
      "      - { from: { role: web }, to: { role: db }, services: [tcp/5432] }",
      "      - { from: { role: web }, to: { ipList: payments }, services: [tcp/443] }",
      ...extraRules,
    ].join("\n"),
    "policy.yaml",
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded));
  return loaded.policy;
}

function estate(): Workload[] {
  const at = (id: string, ip: string, role: string): Workload => ({
    id,
    state: "running",
    nics: [{ network: VPC, privateIp: ip }],
    tags: { "seg-app": "shop", "seg-role": role, Name: role },
  });
  return [at(WEB, "10.0.1.1", "web"), at(DB, "10.0.2.1", "db")];
}

function ownedGroup(bed: AwsTestbed, name: string): SecurityGroup {
  const group = bed
    .state()
    .flatMap((r) => r.securityGroups)
    .find((g) => g.GroupName === name);
  if (group === undefined) throw new Error(`no group ${name}`);
  return group;
}

function eniOf(bed: AwsTestbed, instance: string): string {
  const eni = bed
    .state()
    .flatMap((r) => r.networkInterfaces)
    .find((e) => e.Attachment?.InstanceId === instance.split(":").at(-1));
  if (eni === undefined) throw new Error(`no ENI for ${instance}`);
  return eni.NetworkInterfaceId;
}

const EGRESS_KINDS: readonly AwsOperation["kind"][] = ["authorizeEgress", "revokeEgress"];

describe("AWS enforced egress", () => {
  it("writes the source's egress rules on its owned group: an SG reference, an exact CIDR, EC2's allow-all revoked", async () => {
    const bed = new AwsTestbed(estate(), QUOTAS);
    const { intent, plan } = await bed.reconcile(policy("enforced"), [], "exclusive");
    const web = intent.destinations.find((d) => d.identity === "app=shop,role=web");
    const db = intent.destinations.find((d) => d.identity === "app=shop,role=db");
    if (!web || !db) throw new Error("no destinations");

    const lines = plan
      .filter((op) => EGRESS_KINDS.includes(op.kind))
      .flatMap((op) => summarizeAwsOperation(op, bed.state()).changes ?? []);
    expect(lines).toContain(`+ tcp/5432 to ${groupName(db.hash, 1)}`);
    expect(lines).toContain("+ tcp/443 to 198.51.100.0/24");
    expect(lines).toContain("- all traffic to 0.0.0.0/0");

    const egress = ownedGroup(bed, groupName(web.hash, 1)).IpPermissionsEgress;
    expect(egress.map((p) => [p.IpProtocol, p.FromPort]).sort()).toEqual([
      ["tcp", 443],
      ["tcp", 5432],
    ]);
    // db opens nothing: a group with no egress rule sends nothing.
    expect(ownedGroup(bed, groupName(db.hash, 1)).IpPermissionsEgress).toEqual([]);

    const reach = evaluateAws(bed.state());
    const webEni = eniOf(bed, WEB);
    expect(reach.explainEgress(webEni, "10.0.2.1", "tcp", 5432)).toMatchObject({
      groupName: groupName(web.hash, 1),
    });
    expect(reach.explainEgress(webEni, "10.0.2.1", "tcp", 22)).toBeUndefined();
    expect(reach.explainEgress(webEni, "198.51.100.9", "tcp", 443)).toBeDefined();
    expect(reach.explainEgress(webEni, "8.8.8.8", "udp", 53)).toBeUndefined();
    expect(reach.explainEgress(eniOf(bed, DB), "10.0.1.1", "tcp", 443)).toBeUndefined();

    const again = await bed.reconcile(policy("enforced"), [], "exclusive");
    expect(again.plan).toEqual([]);
  });

  it("leaves AWS's own services reachable: DNS, instance metadata and time sync are not filtered", async () => {
    const bed = new AwsTestbed(estate(), QUOTAS);
    await bed.reconcile(policy("enforced"), [], "exclusive");
    const reach = evaluateAws(bed.state());
    const dbEni = eniOf(bed, DB);
    for (const address of ["169.254.169.253", "169.254.169.254", "169.254.169.123"])
      expect(reach.explainEgress(dbEni, address, "udp", 53), address).toEqual({
        platform: AWS_PLATFORM_ADDRESSES[address],
      });
    // Nothing is written for them: the egress of db stays empty.
    expect(
      bed
        .state()
        .flatMap((r) => r.securityGroups)
        .flatMap((g) => g.IpPermissionsEgress)
        .flatMap((p) => p.IpRanges.map((r) => r.CidrIp))
        .filter((cidr) => cidr.startsWith("169.254.")),
    ).toEqual([]);
  });

  it("restores EC2's allow-all egress and revokes its own egress rules when egress is open again", async () => {
    const bed = new AwsTestbed(estate(), QUOTAS);
    await bed.reconcile(policy("enforced"), [], "exclusive");
    const { intent, plan } = await bed.reconcile(policy("open"), [], "exclusive");
    const web = intent.destinations.find((d) => d.identity === "app=shop,role=web");
    if (!web) throw new Error("no web");

    const lines = plan.flatMap((op) => summarizeAwsOperation(op, bed.state()).changes ?? []);
    expect(lines).toContain("+ all traffic to 0.0.0.0/0");
    expect(plan.some((op) => op.kind === "revokeEgress")).toBe(true);
    const reach = evaluateAws(bed.state());
    expect(reach.explainEgress(eniOf(bed, WEB), "8.8.8.8", "udp", 53)).toBeDefined();
    expect(reach.explainEgress(eniOf(bed, DB), "10.0.1.1", "tcp", 22)).toBeDefined();
    expect((await bed.reconcile(policy("open"), [], "exclusive")).plan).toEqual([]);
  });

  it("plans no egress operation for a policy whose egress is open: EC2's allow-all stays", async () => {
    const bed = new AwsTestbed(estate(), QUOTAS);
    const { plan } = await bed.reconcile(policy("open"), [], "exclusive");
    expect(plan.filter((op) => EGRESS_KINDS.includes(op.kind))).toEqual([]);
    for (const group of bed
      .state()
      .flatMap((r) => r.securityGroups)
      .filter((g) => g.GroupName.startsWith("segsync-")))
      expect(group.IpPermissionsEgress.map((p) => p.IpRanges[0]?.CidrIp)).toEqual(["0.0.0.0/0"]);
  });

  it("packs egress against its own quota: more egress rules than a group holds take a second group", async () => {
    const bed = new AwsTestbed(estate(), { rulesPerSecurityGroup: 2, securityGroupsPerInterface: 3 });
    const more = ["      - { from: { role: web }, to: { role: db }, services: [tcp/1, tcp/3, tcp/5] }"];
    const { intent, desired } = await bed.reconcile(policy("enforced", more), [], "exclusive");
    const web = intent.destinations.find((d) => d.identity === "app=shop,role=web");
    if (!web) throw new Error("no web");
    const groups = desired.securityGroups.filter((g) => g.identity === web.identity);
    // web accepts nothing (1 group of ingress) but opens 5 rules: 3 groups of at most 2, each without the allow-all.
    expect(groups.map((g) => [g.rules.length, g.egress?.length])).toEqual([
      [0, 2],
      [0, 2],
      [0, 1],
    ]);
    const reach = evaluateAws(bed.state());
    for (const port of [1, 3, 5, 5432])
      expect(reach.explainEgress(eniOf(bed, WEB), "10.0.2.1", "tcp", port), `tcp/${port}`).toBeDefined();
    expect(reach.explainEgress(eniOf(bed, WEB), "10.0.2.1", "tcp", 2)).toBeUndefined();
  });

  it("does not enforce egress additively where a customer group allows egress: reported, left open", async () => {
    const bed = new AwsTestbed(estate(), QUOTAS);
    const { desired, plan } = await bed.reconcile(policy("enforced"), [], "additive");
    const findings = desired.findings.filter((f) => f.code === "aws-additive-egress-not-enforced");
    expect(findings.map((f) => f.subject.split("@")[1])).toEqual([VPC, VPC]);
    expect(findings[0]?.message).toContain("egress is not enforced (attachment: additive)");
    expect(plan.filter((op) => EGRESS_KINDS.includes(op.kind))).toEqual([]);
  });

  it("counts for the blast-radius guard what egress writes narrow, and not a new group's allow-all", async () => {
    const provider = createAwsProvider({ quotas: QUOTAS, sealer: SEALER });
    const bed = new AwsTestbed(estate(), QUOTAS);
    const before = bed.state();
    const first = await bed.reconcile(policy("enforced"), [], "exclusive");
    const revokes = first.plan.filter((op) => op.kind === "revokeEgress");
    expect(revokes).toHaveLength(2);
    expect(revokes.map((op) => provider.removedRules(op, before))).toEqual([0, 0]);
    // segsync's own egress rules are owned rules; EC2's allow-all on a v1 group is not.
    const enforced = bed.state();
    expect(provider.ownedRules(enforced)).toEqual({ "111111111111:us-east-1": 3 });

    const reopened = await bed.reconcile(policy("open"), [], "exclusive");
    const revoked = reopened.plan.filter((op) => op.kind === "revokeEgress");
    expect(revoked.map((op) => provider.removedRules(op, enforced))).toEqual([2]);
    expect(revoked.map((op) => summarizeAwsOperation(op, enforced).narrows)).toEqual([true]);
  });
});
