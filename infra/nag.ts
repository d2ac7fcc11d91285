/**
 * The cdk-nag (AwsSolutions) findings that the construct accepts, each with its reason. cdk-nag 3
 * reads CDK's own acknowledgments (Validations.of(…).acknowledge); an IAM5 finding is
 * acknowledged for one wildcard resource at a time, so a new wildcard fails the synth.
 */
import { Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";
import type { Ec2Scope } from "./permissions.js";

const OWNED_OBJECTS =
  "segsync creates its security groups and prefix lists at run time, so their ids are unknown at deploy; every write is conditioned on the ownership tag segsync:managed=true (aws:ResourceTag, aws:RequestTag on create) and on aws:RequestedRegion";

/** The reconciler's wildcard resources: those that IAM or EC2 leave no narrower way to name. */
export function acknowledgeReconcilerWildcards(
  policy: IConstruct,
  ec2: Ec2Scope | undefined,
  starResource: boolean,
): void {
  const findings: Record<string, string> = {};
  if (starResource) {
    findings["Resource::*"] =
      "ec2:Describe*, ec2:GetManagedPrefixListEntries and sts:GetWebIdentityToken support no resource ARNs; the reads are limited by aws:RequestedRegion, the tokens by sts:IdentityTokenAudience";
  }
  if (ec2 !== undefined) {
    const arn = (type: string) => `Resource::arn:<AWS::Partition>:ec2:*:${ec2.account}:${type}`;
    findings[arn("security-group/*")] = OWNED_OBJECTS;
    findings[arn("prefix-list/*")] = OWNED_OBJECTS;
    if (ec2.vpcs === undefined) {
      findings[arn("vpc/*")] =
        "CreateSecurityGroup is also authorized on the VPC that the group is created in: the customer's VPCs, which carry no segsync tag; the configuration lists no vpcs for this account, so any VPC of its configured regions (docs/iam.md); the group itself must be created with the ownership tag";
    }
    for (const vpc of ec2.vpcs ?? []) {
      findings[arn(`vpc/${vpc}`)] =
        "a configured VPC, whose region the configuration does not say: any region in the ARN, the configured ones in aws:RequestedRegion; CreateSecurityGroup is authorized on it (docs/iam.md)";
    }
    findings[arn("network-interface/*")] =
      ec2.vpcs === undefined
        ? "the customers' ENIs of any labelled instance: only their group list (ModifyNetworkInterfaceAttribute) and segsync's restore tags (aws:TagKeys), in the configured regions; the configuration lists no vpcs for this account, so in any of its VPCs (docs/iam.md)"
        : "the customers' ENIs of any labelled instance: only their group list (ModifyNetworkInterfaceAttribute) and segsync's restore tags (aws:TagKeys), in the configured regions and, by ec2:Vpc, the configured VPCs (except DeleteTags of those keys, which has no ec2:Vpc key; docs/iam.md)";
  }
  for (const [finding, reason] of Object.entries(findings)) {
    Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  }
}

/** The record key's secret has no rotation schedule, on purpose. */
export function acknowledgeRecordKeyRotation(secret: IConstruct): void {
  Validations.of(secret).acknowledge({
    id: "AwsSolutions-SMG4",
    reason:
      "the record key seals what segsync owns and the restore records on the customers' ENIs; a rotated key would void every seal at once, so it changes only by a deliberate re-seal (docs/iam.md), never on a schedule",
  });
}
