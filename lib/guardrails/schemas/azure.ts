/**
 * The documented structure of an Azure Policy definition ("Azure Policy definition structure",
 * docs/guardrails.md), strict so that a misspelt field is an error rather than a silently
 * ignored condition. Built-in definitions of Azure/azure-policy pass it (test/fixtures/guardrails).
 */
import { z } from "zod";

/** The condition operators of a policy rule leaf, in the case Microsoft documents them. */
const OPERATORS = [
  "equals",
  "notEquals",
  "like",
  "notLike",
  "match",
  "matchInsensitively",
  "notMatch",
  "notMatchInsensitively",
  "contains",
  "notContains",
  "in",
  "notIn",
  "containsKey",
  "notContainsKey",
  "less",
  "lessOrEquals",
  "greater",
  "greaterOrEquals",
  "exists",
] as const;

const EFFECTS = [
  "append",
  "audit",
  "auditIfNotExists",
  "deny",
  "denyAction",
  "deployIfNotExists",
  "disabled",
  "manual",
  "modify",
  "mutate",
  "addToNetworkGroup",
];
/** A template expression such as `[parameters('effect')]`. */
const EXPRESSION = /^\[[^[].*\]$/s;

type Condition =
  | { readonly allOf: readonly Condition[] }
  | { readonly anyOf: readonly Condition[] }
  | { readonly not: Condition }
  | Readonly<Record<string, unknown>>;

const operand = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.array(z.unknown()),
  z.record(z.string(), z.unknown()),
]);

const CountSchema = z.strictObject({
  field: z.string().optional(),
  value: z.unknown().optional(),
  name: z.string().optional(),
  get where() {
    return ConditionSchema.optional();
  },
});

/** A leaf: one of field, value or count, and exactly one operator. */
const LeafSchema = z
  .strictObject({
    field: z.string().min(1).optional(),
    value: z.unknown().optional(),
    count: CountSchema.optional(),
    ...Object.fromEntries(OPERATORS.map((operator) => [operator, operand.optional()])),
  })
  .superRefine((leaf, context) => {
    const subjects = ["field", "value", "count"].filter((key) => key in leaf);
    if (subjects.length !== 1)
      context.addIssue({ code: "custom", message: "a condition has exactly one of field, value and count" });
    const operators = OPERATORS.filter((operator) => operator in leaf);
    if (operators.length !== 1)
      context.addIssue({
        code: "custom",
        message: `a condition has exactly one operator (${OPERATORS.join(", ")})`,
      });
  });

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ allOf: z.array(ConditionSchema).min(1) }),
    z.strictObject({ anyOf: z.array(ConditionSchema).min(1) }),
    z.strictObject({ not: ConditionSchema }),
    LeafSchema,
  ]),
);

const PARAMETER_TYPES = ["string", "array", "object", "boolean", "integer", "float", "datetime"];

const ParameterSchema = z.strictObject({
  // Azure reads the type case-insensitively: built-ins spell it "string" as well as "String".
  type: z.string().refine((type) => PARAMETER_TYPES.includes(type.toLowerCase()), {
    message: "expected String, Array, Object, Boolean, Integer, Float or DateTime",
  }),
  metadata: z.record(z.string(), z.unknown()).optional(),
  defaultValue: z.unknown().optional(),
  allowedValues: z.array(z.unknown()).min(1).optional(),
  schema: z.record(z.string(), z.unknown()).optional(),
});

const EffectSchema = z
  .string()
  .refine(
    (effect) =>
      EXPRESSION.test(effect) || EFFECTS.some((known) => known.toLowerCase() === effect.toLowerCase()),
    { message: `expected an effect (${EFFECTS.join(", ")}) or a [parameters(…)] expression` },
  );

const PolicyRuleSchema = z.strictObject({
  if: ConditionSchema,
  // biome-ignore lint/suspicious/noThenProperty: Azure Policy names it so
  then: z.strictObject({
    effect: EffectSchema,
    details: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
  }),
});

/** Resource provider modes (`Microsoft.Kubernetes.Data`, …) besides All and Indexed. */
const MODE = /^(?:All|Indexed|Microsoft\.[A-Za-z]+\.Data)$/;

export const PolicyDefinitionPropertiesSchema = z.strictObject({
  displayName: z.string().min(1).max(128),
  policyType: z.enum(["BuiltIn", "Custom", "Static", "NotSpecified"]).optional(),
  mode: z.string().regex(MODE, "expected All, Indexed or a Microsoft.*.Data mode"),
  description: z.string().max(512).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  version: z.string().optional(),
  versions: z.array(z.string()).optional(),
  parameters: z.record(z.string().min(1), ParameterSchema).optional(),
  policyRule: PolicyRuleSchema,
});

/** As `az policy definition show` prints it and Azure/azure-policy stores it. */
export const PolicyDefinitionSchema = z.strictObject({
  properties: PolicyDefinitionPropertiesSchema,
  id: z.string().optional(),
  type: z.literal("Microsoft.Authorization/policyDefinitions").optional(),
  name: z.string().max(64).optional(),
  systemData: z.record(z.string(), z.unknown()).optional(),
});
export type PolicyDefinition = z.infer<typeof PolicyDefinitionSchema>;
