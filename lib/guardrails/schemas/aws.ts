/**
 * The documented shape and limits of an AWS Organizations service control policy and tag policy
 * (docs/guardrails.md cites the pages): what Organizations would refuse, checked before deploying.
 */
import { z } from "zod";

/** Organizations' limit for an SCP, counted on the document as stored: we store it compact. */
export const SCP_MAX_CHARACTERS = 5_120;

const CONDITION_OPERATORS = [
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
  "NumericEquals",
  "NumericNotEquals",
  "NumericLessThan",
  "NumericLessThanEquals",
  "NumericGreaterThan",
  "NumericGreaterThanEquals",
  "DateEquals",
  "DateNotEquals",
  "DateLessThan",
  "DateLessThanEquals",
  "DateGreaterThan",
  "DateGreaterThanEquals",
  "Bool",
  "BinaryEquals",
  "IpAddress",
  "NotIpAddress",
  "ArnEquals",
  "ArnLike",
  "ArnNotEquals",
  "ArnNotLike",
  "Null",
] as const;

/** `[ForAnyValue:|ForAllValues:]Operator[IfExists]`; Null takes neither qualifier nor IfExists. */
function isConditionOperator(name: string): boolean {
  const match = /^(ForAnyValue:|ForAllValues:)?([A-Za-z]+?)(IfExists)?$/.exec(name);
  if (!match) return false;
  const [, set, operator, ifExists] = match;
  if (!(CONDITION_OPERATORS as readonly string[]).includes(operator ?? "")) return false;
  return operator !== "Null" || (set === undefined && ifExists === undefined);
}

const stringOrList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const conditionValue = z.union([
  z.string(),
  z.boolean(),
  z.number(),
  z.array(z.union([z.string(), z.boolean(), z.number()])).min(1),
]);
/** An action: `*` or `service:Action` with `*`/`?` wildcards. */
const action = z.string().regex(/^(?:\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/, "expected service:Action or *");
const actions = z.union([action, z.array(action).min(1)]);

const ConditionSchema = z
  .record(z.string(), z.record(z.string().min(1), conditionValue))
  .superRefine((condition, context) => {
    for (const operator of Object.keys(condition))
      if (!isConditionOperator(operator))
        context.addIssue({ code: "custom", path: [operator], message: "unknown condition operator" });
  });

const StatementSchema = z
  .strictObject({
    Sid: z
      .string()
      .regex(/^[A-Za-z0-9]*$/, "a Sid has letters and digits only")
      .optional(),
    Effect: z.enum(["Allow", "Deny"]),
    Action: actions.optional(),
    NotAction: actions.optional(),
    Resource: stringOrList.optional(),
    NotResource: stringOrList.optional(),
    Condition: ConditionSchema.optional(),
  })
  .refine((statement) => (statement.Action === undefined) !== (statement.NotAction === undefined), {
    message: "a statement has exactly one of Action and NotAction",
  })
  .refine((statement) => !(statement.Resource !== undefined && statement.NotResource !== undefined), {
    message: "a statement has at most one of Resource and NotResource",
  });

export const ServiceControlPolicySchema = z
  .strictObject({
    Version: z.literal("2012-10-17"),
    Id: z.string().optional(),
    // One statement may stand alone; a list reports its issues per statement.
    Statement: z.preprocess(
      (statement) => (Array.isArray(statement) ? statement : [statement]),
      z.array(StatementSchema).min(1),
    ),
  })
  .refine((policy) => JSON.stringify(policy).length <= SCP_MAX_CHARACTERS, {
    message: `more than ${SCP_MAX_CHARACTERS} characters (compact JSON), the SCP size limit`,
  });
export type ServiceControlPolicy = z.infer<typeof ServiceControlPolicySchema>;

/** `@@assign`, `@@append` and `@@remove`: the inheritance operators of management policies. */
const operators = <T extends z.ZodType>(value: T) =>
  z
    .strictObject({
      "@@assign": value.optional(),
      "@@append": value.optional(),
      "@@remove": value.optional(),
    })
    .refine((entry) => Object.keys(entry).length > 0, { message: "expected an @@ operator" });

const TagPolicyEntrySchema = z.strictObject({
  tag_key: operators(z.string().min(1).max(128)).optional(),
  tag_value: operators(z.array(z.string().max(256))).optional(),
  enforced_for: operators(z.array(z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9*_-]+$/))).optional(),
});

/** A tag policy: `tags` → policy key (the tag key, in any case) → its rules. */
export const TagPolicySchema = z
  .strictObject({
    tags: z.record(z.string().min(1).max(128), TagPolicyEntrySchema),
  })
  .superRefine((policy, context) => {
    for (const [policyKey, entry] of Object.entries(policy.tags)) {
      const tagKey = entry.tag_key?.["@@assign"];
      if (tagKey !== undefined && tagKey.toLowerCase() !== policyKey.toLowerCase())
        context.addIssue({
          code: "custom",
          path: ["tags", policyKey, "tag_key"],
          message: "the tag key must equal its policy key but for case",
        });
    }
  });
export type TagPolicy = z.infer<typeof TagPolicySchema>;
