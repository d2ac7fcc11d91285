/**
 * The documented structure of a Google IAM v2 deny policy (REST resource `policies`,
 * docs/guardrails.md), strict so that a misspelt field is an error. Google's published examples
 * pass it (test/fixtures/guardrails).
 */
import { z } from "zod";

/** `service.googleapis.com/resource.verb`, or a permission group with `*` (`…/resource.*`, `…/*.*`). */
const PERMISSION =
  /^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.googleapis\.com\/(?:\*|[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)\.(?:\*|[A-Za-z0-9]+)$/;
/** IAM v2 principal identifiers, live or recently deleted. */
const PRINCIPAL = /^(?:deleted:)?principal(?:Set)?:\/\/[^\s]+$/;

const ExprSchema = z.strictObject({
  expression: z.string().min(1),
  title: z.string().optional(),
  description: z.string().optional(),
  location: z.string().optional(),
});

const principals = z.array(
  z.string().regex(PRINCIPAL, "expected a principal:// or principalSet:// identifier"),
);
const permissions = z.array(
  z.string().regex(PERMISSION, "expected SERVICE_FQDN/RESOURCE.ACTION (IAM v2 form)"),
);

const DenyRuleSchema = z.strictObject({
  deniedPrincipals: principals.min(1),
  exceptionPrincipals: principals.optional(),
  deniedPermissions: permissions.min(1),
  exceptionPermissions: permissions.optional(),
  denialCondition: ExprSchema.optional(),
});

const PolicyRuleSchema = z.strictObject({
  description: z.string().max(256).optional(),
  denyRule: DenyRuleSchema,
});

/** A deny policy, as `gcloud iam policies create --policy-file` takes it and the API returns it. */
export const DenyPolicySchema = z.strictObject({
  name: z.string().optional(),
  uid: z.string().optional(),
  kind: z.literal("DenyPolicy").optional(),
  displayName: z.string().max(63).optional(),
  annotations: z.record(z.string().max(63), z.string().max(255)).optional(),
  etag: z.string().optional(),
  createTime: z.string().optional(),
  updateTime: z.string().optional(),
  deleteTime: z.string().optional(),
  rules: z.array(PolicyRuleSchema).min(1).max(500),
});
export type DenyPolicy = z.infer<typeof DenyPolicySchema>;
