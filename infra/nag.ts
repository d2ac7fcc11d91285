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
    const arn = (type: string) => `Resource::arn:<AWS::Partition>:ec2:*:${ec2.account}:${type}/*`;
    findings[arn("security-group")] = OWNED_OBJECTS;
    findings[arn("prefix-list")] = OWNED_OBJECTS;
    findings[arn("vpc")] =
      "CreateSecurityGroup is also authorized on the VPC that the group is created in: the customer's VPCs, which carry no segsync tag; the group itself must be created with the ownership tag";
    findings[arn("network-interface")] =
      "the customers' ENIs of any labelled instance: only their group list (ModifyNetworkInterfaceAttribute) and the segsync:original-groups tag (aws:TagKeys), in the configured regions";
  }
  for (const [finding, reason] of Object.entries(findings)) {
    Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  }
}
