/**
 * The reconciler's IAM statements. EC2 writes are allowed only on what segsync owns (the
 * ownership tag, lib/clouds/aws/ownership.ts) wherever EC2 evaluates a tag condition for the
 * action; every EC2 statement is limited to the managed account's ARNs and configured regions,
 * and, when the account lists its VPCs, everything on the customer's ENIs and VPCs to those VPCs.
 * docs/iam.md has every statement, why it is shaped so, and what the Service Authorization
 * Reference lets each action be conditioned on.
 */
import { Aws } from "aws-cdk-lib";
import { Effect, PolicyStatement } from "aws-cdk-lib/aws-iam";
import {
  ORIGINAL_GROUPS_SEAL_TAG_KEY,
  ORIGINAL_GROUPS_TAG_KEY,
  OWNERSHIP_TAG,
} from "../lib/clouds/aws/ownership-keys.js";
import { providerTokenAudience } from "../lib/clouds/gcp/sdk/credentials.js";
import type { LiveConfig } from "../lib/live/config.js";
import {
  WEB_IDENTITY_SIGNING_ALGORITHM,
  WEB_IDENTITY_TOKEN_SECONDS,
} from "../lib/live/web-identity-token.js";

/** The one account (and its regions) where the reconciler's own role calls EC2. */
export interface Ec2Scope {
  readonly account: string;
  readonly regions: readonly string[];
  /** The VPCs whose ENIs segsync may change and where it may create groups; absent: any. */
  readonly vpcs?: readonly string[];
}

const OWNED = { [`aws:ResourceTag/${OWNERSHIP_TAG.Key}`]: OWNERSHIP_TAG.Value };
const CREATED_OWNED = { [`aws:RequestTag/${OWNERSHIP_TAG.Key}`]: OWNERSHIP_TAG.Value };

/** The only tags segsync writes on the customer's ENIs: the restore record and its seal. */
export const INTERFACE_TAG_KEYS = [ORIGINAL_GROUPS_TAG_KEY, ORIGINAL_GROUPS_SEAL_TAG_KEY] as const;

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
 * ec2:Vpc holds the ARN of the VPC the ENI or group is in. The Service Authorization Reference
 * (docs/iam.md) gives it for ModifyNetworkInterfaceAttribute (network-interface, security-group)
 * and CreateTags (network-interface), but not for DeleteTags or for CreateSecurityGroup, whose
 * VPC is named by its resource ARN instead.
 */
function inVpcs(scope: Ec2Scope): object {
  if (scope.vpcs === undefined) return {};
  return { ArnLike: { "ec2:Vpc": scope.vpcs.map((vpc) => arn(scope, `vpc/${vpc}`)) } };
}

/**
 * The EC2 statements for one account. The same statements suit the role that `roleArn` names in
 * another account (with that account's id, regions and VPCs), trusting the reconciler's role.
 */
export function ec2Statements(scope: Ec2Scope): PolicyStatement[] {
  const inRegions = { "aws:RequestedRegion": [...scope.regions] };
  return [
    ec2Statement("Ec2Read", [...EC2_READ_ACTIONS], ["*"], { StringEquals: inRegions }),
    ...ownedObjectStatements(scope, inRegions),
    ...interfaceStatements(scope, inRegions),
  ];
}

function ec2Statement(
  sid: string,
  actions: string[],
  resources: string[],
  conditions: object,
): PolicyStatement {
  return new PolicyStatement({ sid, effect: Effect.ALLOW, actions, resources, conditions });
}

/** Creating, writing and tagging the groups and prefix lists segsync owns. */
function ownedObjectStatements(
  scope: Ec2Scope,
  inRegions: { "aws:RequestedRegion": string[] },
): PolicyStatement[] {
  const group = arn(scope, "security-group/*");
  const prefixList = arn(scope, "prefix-list/*");
  const vpcs =
    scope.vpcs === undefined ? [arn(scope, "vpc/*")] : scope.vpcs.map((vpc) => arn(scope, `vpc/${vpc}`));
  return [
    // Creating: the new group or list must carry the ownership tag from its first moment.
    ec2Statement(
      "Ec2CreateOwned",
      ["ec2:CreateSecurityGroup", "ec2:CreateManagedPrefixList"],
      [group, prefixList],
      {
        StringEquals: { ...inRegions, ...CREATED_OWNED },
      },
    ),
    // CreateSecurityGroup is also authorized on the customer's VPC, which carries no segsync tag:
    // its ARN names the configured VPCs (the action has no ec2:Vpc key), or any VPC without them.
    ec2Statement("Ec2CreateGroupInVpc", ["ec2:CreateSecurityGroup"], vpcs, { StringEquals: inRegions }),
    // Tags given on create are authorized as CreateTags in the creating call only.
    ec2Statement("Ec2TagOnCreate", ["ec2:CreateTags"], [group, prefixList], {
      StringEquals: { ...inRegions, "ec2:CreateAction": ["CreateSecurityGroup", "CreateManagedPrefixList"] },
    }),
    ec2Statement(
      "Ec2WriteOwned",
      [
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupIngress",
        // Egress rules (v2): written and revoked on owned groups only (docs/clouds.md, "AWS egress and deny rules").
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:DeleteSecurityGroup",
        "ec2:ModifyManagedPrefixList",
        "ec2:DeleteManagedPrefixList",
      ],
      [group, prefixList],
      { StringEquals: { ...inRegions, ...OWNED } },
    ),
    // segsync's own tags on what it owns (segsync:identity, segsync:seal…), never the ownership
    // tag itself (that would disown it).
    ec2Statement("Ec2TagOwned", ["ec2:CreateTags", "ec2:DeleteTags"], [group, prefixList], {
      StringEquals: { ...inRegions, ...OWNED },
      "ForAllValues:StringLike": { "aws:TagKeys": ["segsync:*"] },
      "ForAllValues:StringNotEquals": { "aws:TagKeys": [OWNERSHIP_TAG.Key] },
      // DeleteTags without keys deletes every tag: the keys must be given.
      Null: { "aws:TagKeys": "false" },
    }),
  ];
}

/** What segsync may change on the customer's ENIs: their group list and its record of the originals. */
function interfaceStatements(
  scope: Ec2Scope,
  inRegions: { "aws:RequestedRegion": string[] },
): PolicyStatement[] {
  const group = arn(scope, "security-group/*");
  const networkInterface = arn(scope, "network-interface/*");
  const interfaceKeys = {
    "ForAllValues:StringEquals": { "aws:TagKeys": [...INTERFACE_TAG_KEYS] },
    // ForAllValues holds for an empty key list, and DeleteTags without keys deletes every tag.
    Null: { "aws:TagKeys": "false" },
  };
  return [
    // On the customer's ENIs, only the record of their original groups and its seal (restore),
    // and only in the configured VPCs.
    ec2Statement("Ec2TagInterfaces", ["ec2:CreateTags"], [networkInterface], {
      StringEquals: inRegions,
      ...interfaceKeys,
      ...inVpcs(scope),
    }),
    // DeleteTags has no ec2:Vpc key: the same two keys on any ENI of the account's regions. It
    // can only drop a restore record, which restore then refuses to act on.
    ec2Statement("Ec2UntagInterfaces", ["ec2:DeleteTags"], [networkInterface], {
      StringEquals: inRegions,
      ...interfaceKeys,
    }),
    // No ownership condition is possible: the ENIs are the customer's, and the group list set on
    // them includes customer groups (additive attachment, restore). The configured VPCs (both
    // the ENI and every group have ec2:Vpc), or the account and its regions without them.
    ec2Statement(
      "Ec2SetInterfaceGroups",
      ["ec2:ModifyNetworkInterfaceAttribute"],
      [networkInterface, group],
      {
        StringEquals: inRegions,
        ...inVpcs(scope),
      },
    ),
  ];
}

/** The account the reconciler's own role acts in: those configured without a roleArn. */
export function localEc2Scope(config: LiveConfig): Ec2Scope | undefined {
  const local = (config.aws?.accounts ?? []).filter((account) => account.roleArn === undefined);
  const first = local[0];
  if (first === undefined) return undefined;
  const regions = [...new Set(local.flatMap((account) => account.regions))];
  // An entry without vpcs means every VPC of its regions: the union is then unscoped.
  if (local.some((account) => account.vpcs === undefined)) return { account: first.account, regions };
  return {
    account: first.account,
    regions,
    vpcs: [...new Set(local.flatMap((account) => account.vpcs ?? []))],
  };
}

/** The configured roles of the other accounts, by ARN: their own policies scope what they may do. */
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

/** The item calls of DynamoDbInventoryStore (lib/inventory/dynamodb-store.ts, its snapshot items in dynamodb-snapshot.ts), nothing else. */
export const TABLE_ITEM_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:Scan",
] as const;
