/**
 * AWS: a service control policy that keeps segsync's tag keys (and, when asked, the label keys)
 * to their writers, and keeps everyone else off segsync's own security groups and prefix lists;
 * and a tag policy that reports case variants and forged values of segsync's keys.
 * What each statement covers and what it cannot: docs/guardrails.md.
 */
import { type LabelKeys, labelKeyPatterns, OWNERSHIP_KEYS, reservedKeys } from "./keys.js";
import type { GuardrailPrincipals } from "./principals.js";
import type { ServiceControlPolicy, TagPolicy } from "./schemas/aws.js";

/** segsync's AWS tag keys (lib/clouds/aws/ownership-keys.ts). */
const KEYS = OWNERSHIP_KEYS.aws;

/**
 * Every EC2 call that can set or remove tags: CreateTags/DeleteTags, and the creates that take
 * TagSpecifications (EC2 authorizes those tags as ec2:CreateTags too; naming the creates keeps
 * the statement right should that ever change).
 */
export const TAGGING_ACTIONS = [
  "ec2:CreateTags",
  "ec2:DeleteTags",
  "ec2:RunInstances",
  "ec2:CreateSecurityGroup",
  "ec2:CreateManagedPrefixList",
  "ec2:CreateNetworkInterface",
] as const;

/** What changes or deletes a security group or a prefix list. */
export const OWNED_OBJECT_ACTIONS = [
  "ec2:AuthorizeSecurityGroupIngress",
  "ec2:AuthorizeSecurityGroupEgress",
  "ec2:RevokeSecurityGroupIngress",
  "ec2:RevokeSecurityGroupEgress",
  "ec2:ModifySecurityGroupRules",
  "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
  "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
  "ec2:DeleteSecurityGroup",
  "ec2:ModifyManagedPrefixList",
  "ec2:RestoreManagedPrefixListVersion",
  "ec2:DeleteManagedPrefixList",
] as const;

/** Unless the caller's role is one of these (aws:PrincipalArn is the role, not the session). */
function unlessPrincipal(arns: readonly string[]) {
  return { ArnNotLike: { "aws:PrincipalArn": [...arns] } };
}

export function serviceControlPolicy(
  labels: LabelKeys,
  principals: GuardrailPrincipals,
): ServiceControlPolicy {
  const segsync = principals.awsRoles;
  const statements: ServiceControlPolicy["Statement"] = [
    {
      Sid: "SegsyncTagKeysOnlyBySegsync",
      Effect: "Deny",
      Action: [...TAGGING_ACTIONS],
      Resource: "*",
      Condition: {
        "ForAnyValue:StringLike": { "aws:TagKeys": [`${KEYS.prefix}*`] },
        ...unlessPrincipal(segsync),
      },
    },
    {
      // DeleteTags without keys deletes every tag, segsync's among them, and carries no aws:TagKeys.
      Sid: "DeleteAllTagsOnlyBySegsync",
      Effect: "Deny",
      Action: "ec2:DeleteTags",
      Resource: "*",
      Condition: { Null: { "aws:TagKeys": "true" }, ...unlessPrincipal(segsync) },
    },
    {
      Sid: "SegsyncObjectsOnlyBySegsync",
      Effect: "Deny",
      Action: [...OWNED_OBJECT_ACTIONS],
      Resource: "*",
      // Any value: an object carrying the key is segsync's to change, forged or not.
      Condition: {
        Null: { [`aws:ResourceTag/${KEYS.ownershipTag.Key}`]: "false" },
        ...unlessPrincipal(segsync),
      },
    },
  ];
  if (principals.labelWriters.aws.length > 0) {
    statements.push({
      Sid: "LabelKeysOnlyByLabelWriters",
      Effect: "Deny",
      Action: [...TAGGING_ACTIONS],
      Resource: "*",
      Condition: {
        "ForAnyValue:StringLike": { "aws:TagKeys": [...labelKeyPatterns(labels)] },
        ...unlessPrincipal(principals.labelWriters.aws),
      },
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * A tag policy cannot say who may write a key (docs/guardrails.md): it fixes the capitalization
 * of segsync's keys and the ownership tag's one value, so that compliance reports show variants
 * such as `Segsync:Managed` and forged values. No enforced_for: reporting only.
 */
export function tagPolicy(): TagPolicy {
  const tags: TagPolicy["tags"] = {};
  for (const key of reservedKeys("aws")) {
    tags[key] = {
      tag_key: { "@@assign": key },
      ...(key === KEYS.ownershipTag.Key ? { tag_value: { "@@assign": [KEYS.ownershipTag.Value] } } : {}),
    };
  }
  return { tags };
}
