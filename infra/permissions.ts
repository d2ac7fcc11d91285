/**
 * The reconciler's IAM statements. EC2 writes are allowed only on what segsync owns (the
 * ownership tag, lib/clouds/aws/ownership.ts) wherever EC2 evaluates a tag condition for the
 * action; every EC2 statement is limited to the managed account's ARNs and configured regions.
 */
import { Aws } from "aws-cdk-lib";
import { Effect, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { ORIGINAL_GROUPS_TAG_KEY, OWNERSHIP_TAG } from "../lib/clouds/aws/ownership.js";
import type { LiveConfig } from "../lib/live/config.js";
import { providerTokenAudience } from "../lib/live/credentials-gcp.js";
import {
  WEB_IDENTITY_SIGNING_ALGORITHM,
  WEB_IDENTITY_TOKEN_SECONDS,
} from "../lib/live/web-identity-token.js";

/** The one account (and its regions) where the reconciler's own role calls EC2. */
export interface Ec2Scope {
  readonly account: string;
  readonly regions: readonly string[];
}

const OWNED = { [`aws:ResourceTag/${OWNERSHIP_TAG.Key}`]: OWNERSHIP_TAG.Value };
const CREATED_OWNED = { [`aws:RequestTag/${OWNERSHIP_TAG.Key}`]: OWNERSHIP_TAG.Value };

/** What the reconciler reads: Describe* and Get* take no resource ARNs (resource "*"). */
export const EC2_READ_ACTIONS = [
  "ec2:DescribeInstances",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeManagedPrefixLists",
  "ec2:GetManagedPrefixListEntries",
] as const;

function arn(scope: Ec2Scope, resource: string): string {
  // Region "*" here, the regions in aws:RequestedRegion: one ARN per type however many regions.
  return `arn:${Aws.PARTITION}:ec2:*:${scope.account}:${resource}`;
}

/**
 * The EC2 statements for one account. The same statements suit the role that `roleArn` names in
 * another account (with that account's id), trusting the reconciler's role.
 */
export function ec2Statements(scope: Ec2Scope): PolicyStatement[] {
  const inRegions = { "aws:RequestedRegion": [...scope.regions] };
  const group = arn(scope, "security-group/*");
  const prefixList = arn(scope, "prefix-list/*");
  const networkInterface = arn(scope, "network-interface/*");
  const statement = (sid: string, actions: string[], resources: string[], conditions: object) =>
    new PolicyStatement({ sid, effect: Effect.ALLOW, actions, resources, conditions });
  return [
    statement("Ec2Read", [...EC2_READ_ACTIONS], ["*"], { StringEquals: inRegions }),
    // Creating: the new group or list must carry the ownership tag from its first moment.
    statement(
      "Ec2CreateOwned",
      ["ec2:CreateSecurityGroup", "ec2:CreateManagedPrefixList"],
      [group, prefixList],
      {
        StringEquals: { ...inRegions, ...CREATED_OWNED },
      },
    ),
    // CreateSecurityGroup is also authorized on the customer's VPC, which carries no segsync tag.
    statement("Ec2CreateGroupInVpc", ["ec2:CreateSecurityGroup"], [arn(scope, "vpc/*")], {
      StringEquals: inRegions,
    }),
    // Tags given on create are authorized as CreateTags in the creating call only.
    statement("Ec2TagOnCreate", ["ec2:CreateTags"], [group, prefixList], {
      StringEquals: { ...inRegions, "ec2:CreateAction": ["CreateSecurityGroup", "CreateManagedPrefixList"] },
    }),
    statement(
      "Ec2WriteOwned",
      [
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:DeleteSecurityGroup",
        "ec2:ModifyManagedPrefixList",
        "ec2:DeleteManagedPrefixList",
      ],
      [group, prefixList],
      { StringEquals: { ...inRegions, ...OWNED } },
    ),
    // segsync's own tags on what it owns, never the ownership tag itself (that would disown it).
    statement("Ec2TagOwned", ["ec2:CreateTags", "ec2:DeleteTags"], [group, prefixList], {
      StringEquals: { ...inRegions, ...OWNED },
      "ForAllValues:StringLike": { "aws:TagKeys": ["segsync:*"] },
      "ForAllValues:StringNotEquals": { "aws:TagKeys": [OWNERSHIP_TAG.Key] },
      // DeleteTags without keys deletes every tag: the keys must be given.
      Null: { "aws:TagKeys": "false" },
    }),
    // On the customer's ENIs, only the tag recording their original groups (for restore).
    statement("Ec2TagInterfaces", ["ec2:CreateTags", "ec2:DeleteTags"], [networkInterface], {
      StringEquals: inRegions,
      "ForAllValues:StringEquals": { "aws:TagKeys": [ORIGINAL_GROUPS_TAG_KEY] },
      Null: { "aws:TagKeys": "false" },
    }),
    // No ownership condition is possible: the ENIs are the customer's, and the group list set on
    // them includes customer groups (additive attachment, restore). Region and account only.
    statement("Ec2SetInterfaceGroups", ["ec2:ModifyNetworkInterfaceAttribute"], [networkInterface, group], {
      StringEquals: inRegions,
    }),
  ];
}

/** The account the reconciler's own role acts in: those configured without a roleArn. */
export function localEc2Scope(config: LiveConfig): Ec2Scope | undefined {
  const local = (config.aws?.accounts ?? []).filter((account) => account.roleArn === undefined);
  const first = local[0];
  if (first === undefined) return undefined;
  return { account: first.account, regions: [...new Set(local.flatMap((account) => account.regions))] };
}

export function assumeRoleStatement(config: LiveConfig): PolicyStatement | undefined {
  const roles = [...new Set((config.aws?.accounts ?? []).flatMap((account) => account.roleArn ?? []))];
  if (roles.length === 0) return undefined;
  return new PolicyStatement({ sid: "AssumeAccountRoles", actions: ["sts:AssumeRole"], resources: roles });
}

/**
 * Keyless Azure and GCP auth: an AWS-signed web identity token, only for the audiences that the
 * federated credentials expect, and only as lib/live/web-identity-token.ts asks for it (its
 * algorithm, at most its lifetime).
 */
export function webIdentityTokenStatement(config: LiveConfig): PolicyStatement | undefined {
  const audiences: string[] = [];
  if (config.azure?.auth.kind === "federated") audiences.push(config.azure.auth.audience);
  if (config.gcp?.auth.kind === "federated") audiences.push(providerTokenAudience(config.gcp.auth.audience));
  if (audiences.length === 0) return undefined;
  return new PolicyStatement({
    sid: "FederatedTokens",
    actions: ["sts:GetWebIdentityToken"],
    resources: ["*"],
    conditions: {
      "ForAllValues:StringEquals": { "sts:IdentityTokenAudience": audiences },
      // ForAllValues holds for a missing key: require the audience.
      Null: { "sts:IdentityTokenAudience": "false" },
      NumericLessThanEquals: { "sts:DurationSeconds": WEB_IDENTITY_TOKEN_SECONDS },
      StringEquals: { "sts:SigningAlgorithm": WEB_IDENTITY_SIGNING_ALGORITHM },
    },
  });
}

/**
 * A secret's ARN as IAM matches it: Secrets Manager appends six random characters to the
 * name, so an ARN given without them matches only with the wildcard.
 */
export function secretResource(secretArn: string): string {
  return /-[A-Za-z0-9]{6}$/.test(secretArn) ? secretArn : `${secretArn}-??????`;
}

export function reconcilerSecrets(config: LiveConfig): string[] {
  const arns: string[] = [];
  if (config.azure?.auth.kind === "secret") arns.push(config.azure.auth.secretArn);
  if (config.gcp?.auth.kind === "secret") arns.push(config.gcp.auth.secretArn);
  return [...new Set(arns)].map(secretResource);
}

/** The item calls of DynamoDbInventoryStore (lib/inventory/dynamodb-store.ts), nothing else. */
export const TABLE_ITEM_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:Scan",
] as const;
