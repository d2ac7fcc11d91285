import { Validations } from "aws-cdk-lib";
import { Annotations, Match } from "aws-cdk-lib/assertions";
import { Key } from "aws-cdk-lib/aws-kms";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { describe, expect, it } from "vitest";
import { SAMPLE_PROPS } from "../../infra/sample.js";
import type { SegmentationSynchronizerProps } from "../../infra/synchronizer.js";
import { construct, synthesize } from "./stack.js";

type Built = ReturnType<typeof construct>;

/** What cdk-nag 3 reports for the app (the plugin infra/app.ts registers runs this at synth). */
function findings(built: Built, honourAcknowledgments = true) {
  const checks = new AwsSolutionsChecks(built.app, { verbose: true });
  // The pack's own lookup, turned off: what would be reported without the acknowledgments.
  if (!honourAcknowledgments) Object.defineProperty(checks, "isAcknowledged", { value: () => false });
  return checks.validateScope(built.app).violations.map((violation) => ({
    rule: violation.ruleName,
    severity: violation.severity,
    paths: violation.violatingResources.map((resource) => resource.constructPath),
  }));
}

/** Every acknowledgment in the tree: its rule id and its reason. */
function acknowledgments(root: IConstruct): { id: string; reason: string; path: string }[] {
  return root.node.findAll().flatMap((child) =>
    child.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          id: id.replace(/^annotation::/i, ""),
          reason,
          path: child.node.path,
        })),
      ),
  );
}

const secretArn = "arn:aws:secretsmanager:us-east-1:111111111111:secret:segsync/credentials";
const VARIANTS: Record<string, [SegmentationSynchronizerProps, string | null]> = {
  sample: [SAMPLE_PROPS, "111111111111"],
  "environment-agnostic": [SAMPLE_PROPS, null],
  "AWS only, every account through a role": [
    {
      policyFile: SAMPLE_PROPS.policyFile,
      aws: {
        accounts: [
          { account: "222222222222", regions: ["us-west-2"], roleArn: "arn:aws:iam::222222222222:role/s" },
        ],
      },
    },
    "111111111111",
  ],
  "the hub lists no VPCs": [
    {
      ...SAMPLE_PROPS,
      aws: { accounts: [{ account: "111111111111", regions: ["us-east-1", "eu-west-1"] }] },
    },
    "111111111111",
  ],
  "secrets everywhere": [
    {
      ...SAMPLE_PROPS,
      eventGridAuth: { mode: "secret", secretArn },
      gcp: { projects: ["shop-prod"], auth: { kind: "secret", secretArn } },
    },
    "111111111111",
  ],
};

describe("cdk-nag AwsSolutions", () => {
  it.each(Object.keys(VARIANTS))("reports no unacknowledged error or warning: %s", (variant) => {
    const [props, account] = VARIANTS[variant] ?? [SAMPLE_PROPS, null];
    expect(findings(construct(props, account))).toEqual([]);
  });

  it("reports none with a customer managed key for the table either", () => {
    const keyed = construct((stack) => ({
      ...SAMPLE_PROPS,
      tableEncryptionKey: new Key(stack, "Key", { enableKeyRotation: true }),
    }));
    expect(findings(keyed)).toEqual([]);
  });

  it("reports none with a team's own record key (nothing to acknowledge for a secret it does not create)", () => {
    const own = construct((stack) => ({
      ...SAMPLE_PROPS,
      recordKeySecret: Secret.fromSecretNameV2(stack, "TeamKey", "team/segsync-record-key"),
    }));
    expect(findings(own)).toEqual([]);
    expect(acknowledgments(own.app).map(({ id }) => id)).not.toContain("AwsSolutions-SMG4");
  });

  it("acknowledges only IAM5 wildcard findings, one resource each, each with its reason and each still needed", () => {
    const built = construct();
    const acknowledged = acknowledgments(built.app);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { id, reason } of acknowledged) {
      expect(id).toMatch(/^AwsSolutions-(IAM5\[Resource::.+\]|SQS3|SMG4)$/);
      expect(reason.length, id).toBeGreaterThan(60);
    }
    // Without them these are exactly the findings: no acknowledgment is stale, none is missing.
    const raw = findings(built, false);
    expect(new Set(raw.map((finding) => finding.rule))).toEqual(new Set(acknowledged.map(({ id }) => id)));
    // IAM5 only on the reconciler's policy; SQS3 only on the EC2 events' dead-letter queue; SMG4
    // (no rotation) only on the record key.
    const expectedPath: Record<string, string> = {
      "AwsSolutions-SQS3": "Segsync/Segsync/EventsDeadLetterQueue/Resource",
      "AwsSolutions-SMG4": "Segsync/Segsync/RecordKey/Resource",
    };
    expect(raw.flatMap((finding) => finding.paths.map((path) => [finding.rule.split("[")[0], path]))).toEqual(
      raw.map((finding) => [
        finding.rule.split("[")[0],
        expectedPath[finding.rule] ?? "Segsync/Segsync/ReconcilerRole/DefaultPolicy/Resource",
      ]),
    );
    // With VPCs listed, their ARNs are acknowledged one by one, and no VPC wildcard is granted.
    const iam5 = acknowledged.filter(({ id }) => id.startsWith("AwsSolutions-IAM5")).map(({ id }) => id);
    expect(iam5).toContain(
      "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*:111111111111:vpc/vpc-0a1b2c3d]",
    );
    expect(iam5).not.toContain("AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*:111111111111:vpc/*]");
  });

  it("leaves no CDK warning or error annotation on the stack", () => {
    const { stack } = synthesize();
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError("*", Match.anyValue())).toEqual([]);
    expect(annotations.findWarning("*", Match.anyValue())).toEqual([]);
  });
});
