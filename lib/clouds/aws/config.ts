import { z } from "zod";

/**
 * AWS quotas that segsync plans against (docs/clouds.md, "AWS security group quotas"); raise them
 * here when your account has.
 */
export const AwsQuotasSchema = z
  .object({
    /** Inbound rules per security group; a prefix-list reference counts as its MaxEntries. */
    rulesPerSecurityGroup: z.number().int().min(1).max(1000).default(60),
    /** Security groups per network interface. */
    securityGroupsPerInterface: z.number().int().min(1).max(16).default(5),
  })
  .strict()
  .refine((quotas) => quotas.rulesPerSecurityGroup * quotas.securityGroupsPerInterface <= 1000, {
    message: "rulesPerSecurityGroup × securityGroupsPerInterface may not exceed 1,000 (an AWS product limit)",
  });

export type AwsQuotas = z.infer<typeof AwsQuotasSchema>;

export const DEFAULT_AWS_QUOTAS: AwsQuotas = { rulesPerSecurityGroup: 60, securityGroupsPerInterface: 5 };

/** A VPC id as EC2 issues it: `vpc-` and 8 (older) or 17 hexadecimal digits. */
const VPC_ID = /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** The accounts and regions segsync manages, and how it reaches each account. */
export const AwsAccountsSchema = z
  .array(
    z
      .object({
        account: z.string().regex(/^\d{12}$/, "an AWS account id is 12 digits"),
        regions: z.array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "not an AWS region")).min(1),
        /** Assumed through STS for this account; absent: the default credentials are used directly. */
        roleArn: z
          .string()
          .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, "not an IAM role ARN")
          .optional(),
        /**
         * The VPCs of this account whose instances segsync manages. Given: the IAM statements the
         * construct writes let segsync change ENIs and create groups in these VPCs only (docs/iam.md).
         * Absent: every VPC of the account's configured regions.
         */
        vpcs: z
          .array(z.string().regex(VPC_ID, "not a VPC id (vpc- and 8 or 17 lowercase hex digits)"))
          .min(1)
          .refine((vpcs) => new Set(vpcs).size === vpcs.length, { message: "lists a VPC twice" })
          .optional(),
      })
      .strict(),
  )
  .min(1);

export type AwsAccounts = z.infer<typeof AwsAccountsSchema>;

/** The `aws` section of the live configuration (docs/live.md). */
export const AwsSectionSchema = z
  .object({
    accounts: AwsAccountsSchema,
    quotas: AwsQuotasSchema.optional(),
  })
  .strict();

export type AwsSection = z.infer<typeof AwsSectionSchema>;
