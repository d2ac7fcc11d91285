import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildGuardrails } from "../../lib/guardrails/build.js";
import { resolvePrincipals } from "../../lib/guardrails/principals.js";
import { cfnLint, skipWithoutCfnLint } from "../support/cfn-lint.js";
import { LABELS, SEGSYNC_ROLE } from "./fixtures.js";

/**
 * The SCP and the tag policy as a management account would deploy them with CloudFormation. cfn-lint
 * does not read an Organizations policy's Content, but it checks identity policies against AWS's
 * own action and condition-operator lists (E3510, W3037): the SCP, all Deny statements in the same
 * grammar, goes through that check as a managed policy document too.
 */
function template(scp: unknown, tagPolicy: unknown): string {
  return JSON.stringify({
    AWSTemplateFormatVersion: "2010-09-09",
    Resources: {
      SegsyncScp: {
        Type: "AWS::Organizations::Policy",
        Properties: {
          Name: "segsync-guardrails",
          Description: "segsync: its tag keys only by segsync",
          Type: "SERVICE_CONTROL_POLICY",
          Content: scp,
          TargetIds: ["ou-ab12-cdef3456"],
        },
      },
      ScpAsIdentityPolicy: {
        Type: "AWS::IAM::ManagedPolicy",
        Properties: { PolicyDocument: scp },
      },
      SegsyncTagPolicy: {
        Type: "AWS::Organizations::Policy",
        Properties: { Name: "segsync-tags", Type: "TAG_POLICY", Content: tagPolicy },
      },
    },
  });
}

describe.skipIf(skipWithoutCfnLint("the guardrails' CloudFormation checks"))(
  "cfn-lint on the AWS guardrails",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "segsync-guardrails-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const principals = resolvePrincipals({
      awsRoles: [SEGSYNC_ROLE, "segsync-*"],
      labelWriters: ["arn:aws:iam::111111111111:role/provisioner"],
    });
    const aws = buildGuardrails(LABELS, principals).aws;

    it("finds nothing in the SCP and the tag policy, nor in the SCP read as an identity policy", async () => {
      const file = join(dir, "guardrails.json");
      writeFileSync(file, template(aws?.serviceControlPolicy, aws?.tagPolicy));
      expect(await cfnLint(file)).toEqual({ exitCode: 0, findings: [] });
    }, 60_000);

    it("would find a misspelt action or condition operator in the SCP (the check can fail)", async () => {
      const file = join(dir, "misspelt.json");
      const text = template(aws?.serviceControlPolicy, aws?.tagPolicy)
        .replaceAll("ec2:RestoreManagedPrefixListVersion", "ec2:RestoreManagedPrefixListVersions")
        .replaceAll('"ArnNotLike"', '"ArnNotMatch"');
      writeFileSync(file, text);
      const findings = (await cfnLint(file)).findings.map((finding) => `${finding.rule} ${finding.path}`);
      expect(findings).toContain(
        "W3037 Resources/ScpAsIdentityPolicy/Properties/PolicyDocument/Statement/2/Action",
      );
      expect(findings).toContain(
        "E3510 Resources/ScpAsIdentityPolicy/Properties/PolicyDocument/Statement/0/Condition/ArnNotMatch",
      );
    }, 60_000);

    it("would find a policy of the wrong type (the check can fail)", async () => {
      const file = join(dir, "broken.json");
      writeFileSync(
        file,
        template(aws?.serviceControlPolicy, aws?.tagPolicy).replace(
          "SERVICE_CONTROL_POLICY",
          "SERVICE_CONTROL",
        ),
      );
      const result = await cfnLint(file);
      expect(result.exitCode).not.toBe(0);
      expect(result.findings.map((finding) => finding.path)).toContain(
        "Resources/SegsyncScp/Properties/Type",
      );
    }, 60_000);
  },
);
